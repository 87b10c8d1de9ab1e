"""Built-in tools an xpert lists by name: `current_time`, `calculator`, `http_get`, `send_notification`.

Each has a title (shown in the tool's component), a config model (the `config:` beside its name in the
YAML, validated when the definition loads) and a factory that makes the LangChain tool from that config.
Tool failures raise ToolError: the tools node turns them into a failed component and an error ToolMessage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, ConfigDict, Field

from xpert_server.agents.tools import calc, http

TOOLSET = "builtin"


class ToolError(Exception):
    """A tool could not do what was asked; the message goes back to the model."""


class NoConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CurrentTimeArgs(BaseModel):
    timezone: str | None = Field(
        default=None, description="IANA time zone such as 'Europe/Paris' or 'Asia/Shanghai'; default UTC"
    )


class CalculatorArgs(BaseModel):
    expression: str = Field(description="An arithmetic expression, e.g. '12*7' or '(3+4)/2' or 'sqrt(2)'")


class HttpGetArgs(BaseModel):
    url: str = Field(description="An http:// or https:// URL on the public internet")


class NotificationArgs(BaseModel):
    message: str = Field(description="The text of the notification")
    to: str | None = Field(default=None, description="Who should receive it (optional)")


def current_time(timezone: str | None = None) -> str:
    try:
        zone = ZoneInfo(timezone) if timezone else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ToolError(f"unknown time zone {timezone!r}; use an IANA name such as 'Europe/Paris'") from None
    now = datetime.now(zone)
    return f"{now.isoformat(timespec='seconds')} ({now.strftime('%A')}, {zone.key})"


def calculator(expression: str) -> str:
    try:
        return calc.format_number(calc.evaluate(expression))
    except calc.CalcError as e:
        raise ToolError(str(e)) from None


def send_notification(message: str, to: str | None = None) -> str:
    # A harmless stand-in for a side effect worth approving: it only says what it would have sent.
    return f"Notification sent{f' to {to}' if to else ''}: {message}"


def _http_get_tool(config: BaseModel) -> BaseTool:
    assert isinstance(config, http.HttpGetConfig)

    async def http_get(url: str) -> str:
        try:
            return http.describe(await http.fetch(url, config))
        except http.FetchRefused as e:
            raise ToolError(str(e)) from None

    return StructuredTool.from_function(
        coroutine=http_get,
        name="http_get",
        description="Fetch a web page or API response with HTTP GET and return its status and text.",
        args_schema=HttpGetArgs,
    )


def _simple(
    fn: Callable[..., str], name: str, description: str, args: type[BaseModel]
) -> Callable[[BaseModel], BaseTool]:
    def make(_config: BaseModel) -> BaseTool:
        return StructuredTool.from_function(func=fn, name=name, description=description, args_schema=args)

    return make


@dataclass(frozen=True)
class Builtin:
    name: str
    title: str
    config_model: type[BaseModel]
    factory: Callable[[BaseModel], BaseTool]

    def make(self, config: dict[str, Any]) -> BaseTool:
        return self.factory(self.config_model.model_validate(config))


BUILTINS: dict[str, Builtin] = {
    b.name: b
    for b in (
        Builtin(
            "current_time",
            "Current time",
            NoConfig,
            _simple(
                current_time,
                "current_time",
                "The current date and time (ISO 8601), optionally in a time zone.",
                CurrentTimeArgs,
            ),
        ),
        Builtin(
            "calculator",
            "Calculator",
            NoConfig,
            _simple(
                calculator,
                "calculator",
                "Evaluate an arithmetic expression exactly and return the number.",
                CalculatorArgs,
            ),
        ),
        Builtin("http_get", "HTTP GET", http.HttpGetConfig, _http_get_tool),
        Builtin(
            "send_notification",
            "Send notification",
            NoConfig,
            _simple(
                send_notification,
                "send_notification",
                "Send a short notification message to a person.",
                NotificationArgs,
            ),
        ),
    )
}
