"""Pick an xpert's chat model: its own `model:`, else the server-wide default, else the offline model."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel

from xpert_server.agents.definition import XpertSpec
from xpert_server.agents.offline import OfflineChatModel

if TYPE_CHECKING:
    from xpert_server.connections.endpoints import ModelEndpoint

# (XPERT_MODEL_BASE_URL, XPERT_MODEL, XPERT_MODEL_API_KEY) from Settings.
ServerModel = tuple[str | None, str | None, str | None]

# OpenAI-compatible servers without auth (vLLM, llama.cpp, Ollama) still need a non-empty key in the client.
NO_KEY = "not-needed"


class ModelConfigError(ValueError):
    """The xpert's model cannot be built (missing name, missing package, unsupported provider)."""


def resolve_model(
    spec: XpertSpec,
    settings_model: ServerModel = (None, None, None),
    connection: ModelEndpoint | None = None,
) -> BaseChatModel:
    """The model for `spec`:

    * `connection: name` → that connection's endpoint (`connection`, resolved by connections/service.py),
      its key, and `name` or the connection's first model;
    * `provider: offline` → the offline model (an explicit choice wins over the server default);
    * no `model:` → the server default (XPERT_MODEL, at XPERT_MODEL_BASE_URL when set), else offline;
    * `provider: openai` → ChatOpenAI (keeping `reasoning_content`); missing name/base_url fall back to the
      server's;
    * `provider: local` → SmolLM2 (or `name`: a GGUF path) in-process, after `make local-llm`.
    """
    base_url, name, api_key = settings_model
    m = spec.model
    if m is None:
        if not name:
            return OfflineChatModel()
        server_key = api_key or (None if base_url is None else NO_KEY)
        return _openai(name=name, base_url=base_url, api_key=server_key)
    if m.connection:
        return _connected(spec, connection)
    if m.provider == "offline":
        return OfflineChatModel(model_name=m.name) if m.name else OfflineChatModel()
    if m.provider == "local":
        return _local(spec)
    model_name = m.name or name
    if not model_name:
        raise ModelConfigError(
            f"xpert {spec.slug!r}: `model.name` is required (or set XPERT_MODEL for the server)"
        )
    url = m.base_url or base_url
    key: str | None = os.environ.get(m.api_key_env) if m.api_key_env else None
    if not key and url is not None and url == base_url:
        # Only the server's own endpoint gets the server's key: never send it to an xpert-chosen URL.
        key = api_key
    if not key and url is not None:
        key = NO_KEY
    # With no URL and no key, ChatOpenAI reads OPENAI_API_KEY itself.
    return _openai(
        name=model_name,
        base_url=url,
        api_key=key,
        temperature=m.temperature,
        max_tokens=m.max_tokens,
        **m.options,
    )


def _connected(spec: XpertSpec, endpoint: ModelEndpoint | None) -> BaseChatModel:
    m = spec.model
    assert m is not None and m.connection
    if endpoint is None:
        raise ModelConfigError(
            f"xpert {spec.slug!r}: model connection {m.connection!r} is not defined in its org or by the server"
        )
    model_name = m.name or (endpoint.models[0] if endpoint.models else None)
    if not model_name:
        raise ModelConfigError(
            f"xpert {spec.slug!r}: connection {m.connection!r} lists no models: set `model.name`"
        )
    return _openai(
        name=model_name,
        base_url=endpoint.base_url,
        api_key=endpoint.api_key or (NO_KEY if endpoint.base_url else None),
        temperature=m.temperature,
        max_tokens=m.max_tokens,
        **{**endpoint.options, **m.options, **endpoint.client_options()},
    )


def _openai(
    *,
    name: str,
    base_url: str | None,
    api_key: str | None,
    temperature: float | None = None,
    max_tokens: int | None = None,
    **options: Any,
) -> BaseChatModel:
    try:
        # Imported here: it costs ~0.5 s and is only needed once a real model is configured.
        import langchain_openai  # noqa: F401 - checked first: the subclass below may be imported already

        from xpert_server.agents.openai_compat import ReasoningChatOpenAI as ChatOpenAI
    except ImportError as e:
        raise ModelConfigError(
            "an OpenAI-compatible model is configured but `langchain-openai` is not installed: "
            "pip install langchain-openai"
        ) from e
    kwargs: dict[str, Any] = {"model": name, "streaming": True, "stream_usage": True}
    if base_url is not None:
        kwargs["base_url"] = base_url
    if api_key is not None:
        kwargs["api_key"] = api_key
    if temperature is not None:
        kwargs["temperature"] = temperature
    if max_tokens is not None:
        kwargs["max_tokens"] = max_tokens
    kwargs.update(options)
    try:
        return ChatOpenAI(**kwargs)
    except Exception as e:  # pydantic validation or a missing OPENAI_API_KEY: report it as configuration
        raise ModelConfigError(f"cannot configure model {name!r}: {e}") from e


def _local(spec: XpertSpec) -> BaseChatModel:
    from xpert_server.agents.local import LocalChatModel, LocalModelError, check_available

    m = spec.model
    assert m is not None
    try:
        path = check_available(m.name if m.name and m.name.endswith(".gguf") else None)
    except LocalModelError as e:
        raise ModelConfigError(f"xpert {spec.slug!r}: {e}") from e
    kwargs: dict[str, Any] = {"model_path": str(path)}
    if m.name and not m.name.endswith(".gguf"):
        kwargs["model_name"] = m.name
    if m.temperature is not None:
        kwargs["temperature"] = m.temperature
    if m.max_tokens is not None:
        kwargs["max_tokens"] = m.max_tokens
    for key in ("n_ctx",):
        if key in m.options:
            kwargs[key] = m.options[key]
    return LocalChatModel(**kwargs)
