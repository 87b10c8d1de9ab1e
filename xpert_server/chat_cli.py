"""`xpert chat`: talk to an xpert from the terminal, through the AI API and the Python SDK.

    xpert chat [--xpert SLUG] [--thread ID] [--api-url URL] [--api-key KEY]

The reply streams as it is written. Tool calls show when they start and end. When the xpert asks for
approval (an `on_interrupt`), the prompt asks approve/reject and the run resumes with the decision.
Commands: `/file PATH` attaches a file to the next message, `/new` starts a new conversation (on a
thread of its own: `POST /conversations`), `/quit` (or Ctrl-D) leaves. Ctrl-C during a reply cancels that run (`runs.cancel`), not the program.
`/tool NAME {json}` is sent as the message it is, as the widget sends it: the offline model calls that tool
(an approval demo: `/tool send_notification {"message":"hi"}`).

On a terminal replies are shown as Markdown (rich), re-rendered as they stream; piped, or with --plain, as
the text arrives. The server is XPERTAI_API_URL (or --api-url), else this machine's server as XPERT_HOST,
XPERT_PORT and XPERT_API_PREFIX say (what `xpert serve` listens on). Every connection error names the URL.

It is a client like any other: it works against any XpertAI-compatible server, local or remote.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.console import Console, Group
from rich.live import Live
from rich.markdown import Markdown
from rich.text import Text

from xpert_server.config import Settings

try:
    import xpert_sdk
    from xpert_sdk import Client, StreamEvent, chat_input, text_delta
    from xpert_sdk.types import AgentFile, Assistant

    HAVE_SDK = True
except ImportError:  # the server installs without the SDK; only this command needs it
    HAVE_SDK = False

HELP = (
    "Commands: /file PATH attaches a file, /new starts a new conversation, /tool NAME {json} calls a tool "
    "(the offline model's), /quit leaves. Ctrl-C cancels a reply."
)
# How much of a tool's input or output one status line shows.
PREVIEW = 120

ReadLine = Callable[[str], str]


@dataclass
class Turn:
    """How one streamed run ended."""

    run_id: str | None = None
    interrupt: dict[str, Any] | None = None  # the `on_interrupt` operation, when the run waits for a decision
    cancelled: bool = False


@dataclass
class Renderer:
    """Writes a run's frames to the terminal: text as it comes, tool calls and errors on their own lines."""

    out: TextIO
    prefix: str
    line_open: bool = False
    tools: dict[str, dict[str, Any]] = field(default_factory=dict)
    # On a terminal: the reply so far, shown as Markdown by a rich Live display re-rendered as it grows.
    console: Console | None = None
    reply: str = ""
    live: Live | None = None

    def show(self, event: StreamEvent) -> None:
        data = event.data
        if event.event == "error":  # a failure after the response started
            message = data.get("message") if isinstance(data, dict) else data
            self.note(f"[error] {message}")
            return
        if not isinstance(data, dict):
            return
        delta = text_delta(event)
        if delta:
            self.text(delta)
        elif data.get("type") == "message" and isinstance(data.get("data"), dict):
            body = data["data"]
            if body.get("type") == "component" and isinstance(body.get("data"), dict):
                self.component(str(body.get("id")), body["data"])
        elif data.get("type") == "event" and isinstance(data.get("data"), dict):
            payload = data["data"]
            if data.get("event") in ("on_agent_end", "on_error") and payload.get("error"):
                self.note(f"[error] {payload['error']}")

    def text(self, delta: str) -> None:
        if self.console is not None:
            self.reply += delta
            if self.live is None:
                self.live = Live(console=self.console, refresh_per_second=8, vertical_overflow="visible")
                self.live.start()
            self.live.update(Group(Text(self.prefix.rstrip(), style="bold"), Markdown(self.reply)))
            return
        if not self.line_open:
            self.out.write(self.prefix)
            self.line_open = True
        self.out.write(delta)
        self.out.flush()

    def component(self, call_id: str, data: dict[str, Any]) -> None:
        # Updates of one call arrive as partial dicts under the same id: merge them, as ChatKit does.
        merged = self.tools.setdefault(call_id, {})
        merged.update(data)
        name = merged.get("title") or merged.get("tool") or merged.get("type") or "tool"
        status = data.get("status")
        if status == "running":
            self.note(f"[tool {name}] running {_preview(merged.get('input'))}".rstrip())
        elif status == "success":
            self.note(f"[tool {name}] done: {_preview(merged.get('output'))}".rstrip(": "))
        elif status == "fail":
            self.note(f"[tool {name}] failed: {_preview(merged.get('error') or merged.get('output'))}")

    def note(self, line: str) -> None:
        self.end_line()
        self.out.write(line + "\n")
        self.out.flush()

    def end_line(self) -> None:
        if self.live is not None:  # the Markdown shown so far stays; what follows goes below it
            self.live.update(
                Group(Text(self.prefix.rstrip(), style="bold"), Markdown(self.reply)), refresh=True
            )
            self.live.stop()
            self.live, self.reply = None, ""
        if self.line_open:
            self.out.write("\n")
            self.line_open = False
            self.out.flush()


def _preview(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= PREVIEW else text[: PREVIEW - 1] + "…"


def _interrupt_lines(operation: dict[str, Any]) -> list[str]:
    """What the xpert asks to be approved, one line per tool call (or per request)."""
    lines: list[str] = []
    for task in operation.get("tasks") or []:
        for item in (task.get("interrupts") or []) if isinstance(task, dict) else []:
            value = item.get("value") if isinstance(item, dict) else item
            if not isinstance(value, dict):
                lines.append(_preview(value))
                continue
            if isinstance(value.get("message"), str):
                lines.append(value["message"])
            for call in value.get("toolCalls") or value.get("clientToolCalls") or []:
                if isinstance(call, dict):
                    lines.append(f"  {call.get('name', 'tool')} {_preview(call.get('args'))}".rstrip())
            if not lines:
                lines.append(_preview(value))
    return lines or ["The xpert is waiting for a decision."]


class ChatSession:
    """One terminal conversation with one xpert: a thread, the files to send next, the runs."""

    def __init__(
        self,
        client: Client,
        xpert: Assistant,
        out: TextIO,
        read_line: ReadLine,
        thread_id: str | None = None,
        console: Console | None = None,
    ) -> None:
        self.console = console  # Markdown replies on a terminal (None: plain text)
        self.client = client
        self.xpert = xpert
        self.out = out
        self.read_line = read_line
        self.thread_id = thread_id
        self.files: list[AgentFile] = []
        self.label = str((xpert.get("metadata") or {}).get("slug") or xpert.get("name") or "xpert")

    def say(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def handle(self, line: str) -> bool:
        """Act on one line of input; False when the user asked to leave."""
        line = line.strip()
        if not line:
            return True
        command, _, rest = line.partition(" ")
        if not line.startswith("/") or command == "/tool":
            # `/tool …` is a message: the offline model reads it (as it does from the widget).
            self.send(line)
            return True
        if command in ("/quit", "/exit", "/q"):
            return False
        if command == "/new":
            self.new_conversation()
        elif command == "/file":
            self.attach(rest.strip())
        elif command == "/help":
            self.say(HELP)
        else:
            self.say(f"Unknown command {command}. {HELP}")
        return True

    def attach(self, arg: str) -> None:
        try:
            parts = shlex.split(arg)
        except ValueError:
            parts = [arg]
        if len(parts) != 1:
            self.say("Usage: /file PATH")
            return
        path = Path(parts[0]).expanduser()
        if not path.is_file():
            self.say(f"No such file: {path}")
            return
        try:
            uploaded = self.client.contexts.upload_file(path)
        except xpert_sdk.NotFoundError as e:
            self.say(
                f"This server does not accept file uploads (POST /contexts/file answered 404: {e.message})."
            )
            return
        except xpert_sdk.XpertError as e:
            self.say(f"Could not upload {path.name}: {failure(self.client, e)}")
            return
        self.files.append(uploaded)
        size = uploaded.get("size", path.stat().st_size)
        self.say(f"Attached {path.name} ({size} bytes); it goes with your next message.")

    def new_conversation(self) -> None:
        """`/new`: a conversation with this xpert on a thread of its own; the next message continues it."""
        self.thread_id, self.files = None, []
        try:
            conversation = self.client.conversations.create(xpert_id=self.xpert["xpert_id"])
        except xpert_sdk.NotFoundError:  # a server without POST /conversations: a thread at the next message
            self.say("New conversation: your next message starts a new thread.")
            return
        except xpert_sdk.XpertError as e:
            self.say(f"[error] Could not start a conversation: {failure(self.client, e)}")
            return
        self.thread_id = conversation["threadId"]
        self.say(f"New conversation {conversation['id']} (thread {self.thread_id})")

    def ensure_thread(self) -> str:
        if self.thread_id is None:
            self.thread_id = self.client.threads.create()["thread_id"]
            self.say(f"(thread {self.thread_id})")
        return self.thread_id

    def send(self, text: str) -> None:
        try:
            thread_id = self.ensure_thread()
            files, self.files = self.files, []
            turn = self.stream(thread_id, chat_input(text, files=files or None))
            while turn.interrupt is not None and turn.run_id is not None and not turn.cancelled:
                decision = self.ask_approval(turn.interrupt)
                resume = {
                    "action": "resume",
                    "target": {"executionId": turn.run_id},
                    "decision": {"type": decision},
                }
                turn = self.stream(thread_id, resume)
        except xpert_sdk.XpertError as e:
            self.say(f"[error] {failure(self.client, e)}")

    def stream(self, thread_id: str, run_input: Any) -> Turn:
        renderer = Renderer(self.out, f"{self.label}> ", console=self.console)
        turn = Turn()
        events = self.client.runs.stream(thread_id, self.xpert["xpert_id"], input=run_input)
        try:
            with events:
                for event in events:
                    renderer.show(event)
                    data = event.data
                    if isinstance(data, dict) and data.get("event") == "on_interrupt":
                        operation = data.get("data")
                        turn.interrupt = operation if isinstance(operation, dict) else {}
        except KeyboardInterrupt:
            renderer.end_line()
            turn.cancelled = True
            self.cancel(thread_id, events.run_id)
        renderer.end_line()
        turn.run_id = events.run_id
        return turn

    def cancel(self, thread_id: str, run_id: str | None) -> None:
        """Ctrl-C: stop the run on the server too (leaving the stream alone would let it run on)."""
        try:
            if run_id is not None:
                self.client.runs.cancel(thread_id, run_id)
            else:  # interrupted before the run said its id: cancel whatever is active on the thread
                for run in self.client.runs.list(thread_id, limit=10):
                    if run.get("status") in ("pending", "running"):
                        self.client.runs.cancel(thread_id, run["run_id"])
        except xpert_sdk.XpertError as e:
            self.say(f"[cancelled here, but the server did not confirm: {failure(self.client, e)}]")
            return
        self.say("[cancelled]")

    def ask_approval(self, operation: dict[str, Any]) -> str:
        self.say("The xpert asks for approval:")
        for line in _interrupt_lines(operation):
            self.say(line)
        try:
            answer = self.read_line("Approve? [y/N] ")
        except (EOFError, KeyboardInterrupt):
            answer = ""
            self.say("")
        decision = "confirm" if answer.strip().lower() in ("y", "yes") else "reject"
        self.say("Approved." if decision == "confirm" else "Rejected.")
        return decision


def failure(client: Client, e: Exception) -> str:
    """What went wrong, naming the server when it could not be reached or refused the key."""
    if isinstance(e, xpert_sdk.APIConnectionError):
        return f"Cannot reach the server at {client.api_url}: {e}"
    if isinstance(e, xpert_sdk.AuthenticationError):
        return (
            f"The server at {client.api_url} refused the API key ({e.message}): "
            "set XPERTAI_API_KEY or pass --api-key."
        )
    return str(e)


def find_xpert(client: Client, wanted: str | None) -> Assistant:
    """The xpert named by slug or id; without one, the only xpert there is, or `demo`."""
    if wanted:
        found = client.assistants.search(limit=1, metadata={"slug": wanted})
        if found:
            return found[0]
        try:
            return client.assistants.get(wanted)
        except xpert_sdk.NotFoundError:
            raise LookupError(f"No xpert with slug or id {wanted!r}.") from None
    every = client.assistants.search(limit=100)
    if len(every) == 1:
        return every[0]
    for xpert in every:
        if (xpert.get("metadata") or {}).get("slug") == "demo":
            return xpert
    slugs = ", ".join(str((x.get("metadata") or {}).get("slug") or x.get("xpert_id")) for x in every)
    raise LookupError(f"Choose an xpert with --xpert: {slugs or 'the server has none'}.")


def run_chat(
    client: Client,
    xpert_ref: str | None,
    thread_id: str | None,
    out: TextIO,
    read_line: ReadLine,
    console: Console | None = None,
) -> int:
    """The chat loop; returns the exit code."""
    try:
        xpert = find_xpert(client, xpert_ref)
        if thread_id is not None:
            client.threads.get(thread_id)
    except LookupError as e:
        print(e, file=sys.stderr)
        return 1
    except (xpert_sdk.AuthenticationError, xpert_sdk.APIConnectionError) as e:
        print(failure(client, e), file=sys.stderr)
        return 1
    except xpert_sdk.NotFoundError:
        print(f"No thread {thread_id!r} on the server at {client.api_url}.", file=sys.stderr)
        return 1
    session = ChatSession(client, xpert, out, read_line, thread_id, console)
    out.write(f"Chatting with {xpert.get('name')} ({session.label}) at {client.api_url}. {HELP}\n")
    if thread_id is not None:
        out.write(f"(thread {thread_id})\n")
    while True:
        try:
            line = read_line("you> ")
        except EOFError:
            out.write("\n")
            return 0
        except KeyboardInterrupt:  # at the prompt there is no run to cancel: say how to leave instead
            out.write("\n(Ctrl-C cancels a reply; /quit or Ctrl-D leaves.)\n")
            continue
        try:
            if not session.handle(line):
                return 0
        except KeyboardInterrupt:  # e.g. during an upload: abandon that step, keep the chat
            out.write("\n[interrupted]\n")
        out.flush()


def _read_line(prompt: str) -> str:
    # input() writes the prompt to stdout and uses readline (history, editing) on a terminal.
    return input(prompt)


XpertOption = Annotated[
    str | None, typer.Option("--xpert", "-x", help="The xpert's slug (or id). Default: demo.")
]
ThreadOption = Annotated[
    str | None, typer.Option("--thread", help="Continue this thread instead of a new one.")
]
ApiUrlOption = Annotated[
    str | None,
    typer.Option(
        "--api-url",
        envvar="XPERTAI_API_URL",
        help="The AI API's base URL. Default: this machine's server (XPERT_HOST, XPERT_PORT).",
    ),
]
PlainOption = Annotated[
    bool, typer.Option("--plain", help="Show replies as their raw text, not rendered as Markdown.")
]
ApiKeyOption = Annotated[
    str | None, typer.Option("--api-key", envvar="XPERTAI_API_KEY", help="An API key (sk-x-…).")
]


def local_api_url() -> str:
    """The API of `xpert serve` on this machine, as its XPERT_* settings say (default port 8000)."""
    try:
        return Settings.from_env().api_url()
    except (TypeError, ValueError):  # a malformed XPERT_* value: the server would not start with it either
        return Settings().api_url()


def chat(
    xpert: XpertOption = None,
    thread: ThreadOption = None,
    api_url: ApiUrlOption = None,
    api_key: ApiKeyOption = None,
    plain: PlainOption = False,
) -> None:
    """Chat with an xpert in the terminal (streams replies; /file, /new, /quit; Ctrl-C cancels a reply)."""
    if not HAVE_SDK:
        print(
            "`xpert chat` needs the Python SDK: pip install -e sdk/ (or pip install xpert-sdk).",
            file=sys.stderr,
        )
        raise typer.Exit(2)
    if not api_key:
        print("No API key: set XPERTAI_API_KEY or pass --api-key.", file=sys.stderr)
        raise typer.Exit(2)
    console = None if plain or not sys.stdout.isatty() else Console()
    with Client(api_url=api_url or local_api_url(), api_key=api_key) as client:
        code = run_chat(client, xpert, thread, sys.stdout, _read_line, console)
    raise typer.Exit(code)


__all__ = ["ChatSession", "Renderer", "chat", "find_xpert", "run_chat"]
