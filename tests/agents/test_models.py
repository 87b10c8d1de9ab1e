"""Choosing the model: offline by default, the server-wide default, or the xpert's own `model:`."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from xpert_server.agents.definition import XpertSpec
from xpert_server.agents.graphs import ModelConfigError, resolve_model
from xpert_server.agents.offline import OfflineChatModel

SERVER = ("http://llm.internal:8000/v1", "qwen2.5-7b", "server-secret")


def spec(model: dict[str, Any] | None = None) -> XpertSpec:
    return XpertSpec.model_validate({"name": "X", "slug": "x", **({"model": model} if model else {})})


def test_offline_without_any_model() -> None:
    assert isinstance(resolve_model(spec()), OfflineChatModel)
    assert isinstance(resolve_model(spec(), (None, None, None)), OfflineChatModel)
    # A base URL without a model name is not a usable default.
    assert isinstance(resolve_model(spec(), ("http://x/v1", None, None)), OfflineChatModel)


def test_explicit_offline_wins_over_server_default() -> None:
    model = resolve_model(spec({"provider": "offline", "name": "demo-offline"}), SERVER)
    assert isinstance(model, OfflineChatModel) and model.model_name == "demo-offline"


def test_local_provider_without_the_build_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "llama_cpp" else real(name, *a)
    )
    with pytest.raises(
        ModelConfigError, match="provider `local` needs llama-cpp-python: run `make local-llm`"
    ):
        resolve_model(spec({"provider": "local", "name": "smollm2"}))


def test_local_provider_with_a_missing_gguf_file() -> None:
    pytest.importorskip("llama_cpp")
    with pytest.raises(ModelConfigError, match="no GGUF model file"):
        resolve_model(spec({"provider": "local", "name": "/nonexistent/model.gguf"}))


def test_openai_needs_a_name() -> None:
    pytest.importorskip("langchain_openai")
    with pytest.raises(ModelConfigError, match="model.name"):
        resolve_model(spec({"provider": "openai"}))


def test_missing_langchain_openai_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "langchain_openai", None)  # makes the import fail
    with pytest.raises(ModelConfigError, match="pip install langchain-openai"):
        resolve_model(spec(), SERVER)


def _key(model: Any) -> str:
    return str(model.openai_api_key.get_secret_value())


def test_server_default_model() -> None:
    pytest.importorskip("langchain_openai")
    model: Any = resolve_model(spec(), SERVER)
    assert type(model).__name__ == "ReasoningChatOpenAI"  # ChatOpenAI keeping `reasoning_content`
    assert model.model_name == "qwen2.5-7b" and model.openai_api_base == SERVER[0]
    assert _key(model) == "server-secret"
    assert model.streaming is True and model.stream_usage is True
    keyless: Any = resolve_model(spec(), (SERVER[0], SERVER[1], None))
    assert _key(keyless) == "not-needed"


def test_xpert_model(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("langchain_openai")
    monkeypatch.setenv("MY_LLM_KEY", "xpert-secret")
    model: Any = resolve_model(
        spec(
            {
                "name": "gpt-x",
                "base_url": "http://other/v1",
                "api_key_env": "MY_LLM_KEY",
                "temperature": 0.2,
                "max_tokens": 256,
                "options": {"timeout": 7},
            }
        ),
        SERVER,
    )
    assert model.model_name == "gpt-x" and model.openai_api_base == "http://other/v1"
    assert _key(model) == "xpert-secret"
    assert model.temperature == 0.2 and model.max_tokens == 256 and model.request_timeout == 7


def test_server_key_never_goes_to_another_url(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("langchain_openai")
    monkeypatch.delenv("UNSET_KEY_ENV", raising=False)
    own_url = {"name": "m", "base_url": "http://other/v1", "api_key_env": "UNSET_KEY_ENV"}
    other: Any = resolve_model(spec(own_url), SERVER)
    assert _key(other) == "not-needed"
    # Same endpoint as the server's, name only: the server's URL and key apply.
    same: Any = resolve_model(spec({"name": "m"}), SERVER)
    assert same.openai_api_base == SERVER[0] and _key(same) == "server-secret"


def test_openai_without_url_or_key_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("langchain_openai")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_ADMIN_KEY", raising=False)
    with pytest.raises(ModelConfigError, match="cannot configure model 'gpt-4o-mini'"):
        resolve_model(spec({"name": "gpt-4o-mini"}))
