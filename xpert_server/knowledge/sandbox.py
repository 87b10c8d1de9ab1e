"""Document parsing in a child process with memory, CPU and time limits.

A 1 MB DOCX can inflate to gigabytes of XML and a PDF can hide a decompression bomb: parsed in the server,
either takes its heap (memory a CPython process rarely gives back) and its CPU. Here every document is
parsed by a fresh `python -m xpert_server.knowledge.sandbox` that
- reads the stored file on its stdin (the file itself when the store has a local path, else a temp copy),
- sets RLIMIT_AS, RLIMIT_CPU and RLIMIT_CORE on itself before reading anything,
- writes one JSON object, `{"text": …}` or `{"error": …}`, on stdout, and exits;
and the parent kills it past `timeout` seconds. Whatever way it ends, the reason is one sentence a person
can act on, naming the setting that was hit. A fresh process per document costs ~0.1 s, small beside
parsing, and leaves nothing behind: no pool to poison, no heap to fragment.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from typing import IO, Any, BinaryIO

from xpert_server.config import Settings
from xpert_server.knowledge import parse


@dataclass(frozen=True)
class ParseLimits:
    max_expanded_bytes: int = 256 * 1024 * 1024
    max_xml_bytes: int = 64 * 1024 * 1024
    max_memory_bytes: int = 1024 * 1024 * 1024
    cpu_seconds: int = 60
    timeout: float = 120.0

    @classmethod
    def from_settings(cls, settings: Settings) -> ParseLimits:
        return cls(
            settings.parse_max_expanded_bytes,
            settings.parse_max_xml_bytes,
            settings.parse_max_memory_bytes,
            settings.parse_cpu_seconds,
            settings.parse_timeout,
        )


def extract_isolated(stream: BinaryIO, detected: parse.Detected, filename: str, limits: ParseLimits) -> str:
    """`parse.extract` of `stream`'s bytes in a bounded child process; `ParseError` says why it failed."""
    if detected.kind in ("image", "binary"):
        raise parse.ParseError(f"No text can be extracted from {detected.mime_type} files.")
    with _as_file(stream) as stdin:
        args = json.dumps(
            {
                "kind": detected.kind,
                "mime": detected.mime_type,
                "filename": filename,
                "limits": asdict(limits),
            }
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "xpert_server.knowledge.sandbox", args],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            close_fds=True,
        )
        try:
            out, err = proc.communicate(timeout=limits.timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise parse.ParseError(
                f"Reading the document took longer than {limits.timeout:g} s (XPERT_PARSE_TIMEOUT)."
            ) from None
    return _answer(proc.returncode, out, err, limits)


def _answer(returncode: int, out: bytes, err: bytes, limits: ParseLimits) -> str:
    try:
        answer: dict[str, Any] = json.loads(out) if out else {}
    except ValueError:
        answer = {}
    if returncode == 0 and isinstance(answer.get("text"), str):
        return str(answer["text"])
    if isinstance(answer.get("error"), str):
        raise parse.ParseError(answer["error"])
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise parse.ParseError(
            f"Reading the document took more than {limits.cpu_seconds} s of CPU (XPERT_PARSE_CPU_SECONDS)."
        )
    if b"MemoryError" in err:
        raise parse.ParseError(_memory_message(limits))
    detail = err.decode(errors="replace").strip().splitlines()[-1:] or [f"exit status {returncode}"]
    raise parse.ParseError(f"The parser stopped: {detail[0]}")


def _memory_message(limits: ParseLimits) -> str:
    return (
        f"Reading the document needs more than {parse.mib(limits.max_memory_bytes)} of memory "
        "(XPERT_PARSE_MAX_MEMORY_BYTES)."
    )


class _as_file:
    """The stream as something with a file descriptor: itself when it has one, else a temporary copy."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.copy: IO[bytes] | None = None

    def __enter__(self) -> BinaryIO | IO[bytes]:
        try:
            self.stream.fileno()
            return self.stream
        except (OSError, AttributeError, ValueError):
            self.copy = tempfile.TemporaryFile()
            shutil.copyfileobj(self.stream, self.copy, 1024 * 1024)
            self.copy.seek(0)
            return self.copy

    def __exit__(self, *exc: object) -> None:
        if self.copy is not None:
            self.copy.close()


# ---- the child ------------------------------------------------------------------------------------------
def _limit_self(limits: ParseLimits) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # SIGXCPU at the soft limit, SIGKILL at the hard one.
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_AS, (limits.max_memory_bytes, limits.max_memory_bytes))


def _child(argv: list[str]) -> int:
    request = json.loads(argv[0])
    limits = ParseLimits(**request["limits"])
    _limit_self(limits)
    detected = parse.Detected(request["kind"], request["mime"])
    zip_limits = parse.ZipLimits(limits.max_expanded_bytes, limits.max_xml_bytes)

    def reopen() -> BinaryIO:
        stream = os.fdopen(os.dup(0), "rb")  # extract() closes what it opens; fd 0 stays open
        stream.seek(0)
        return stream

    try:
        answer = {"text": parse.extract(reopen, detected, request["filename"], zip_limits)}
    except parse.ParseError as e:
        answer = {"error": str(e)}
    except MemoryError:
        answer = {"error": _memory_message(limits)}
    except RecursionError:
        answer = {"error": "The document is nested too deeply to read."}
    except Exception as e:  # noqa: BLE001 - any parser failure is this file's reason, in one sentence
        # Near the address-space limit, allocations fail inside C parsers as their own errors (lxml says
        # "unknown error"): name the limit then, not the symptom.
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        near = peak >= limits.max_memory_bytes // 2
        answer = {"error": _memory_message(limits) if near else f"Not readable: {type(e).__name__}: {e}"}
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))
