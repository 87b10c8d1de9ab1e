"""`xpert chat` driven as a subprocess with piped stdin, against the real server."""

from __future__ import annotations

import io
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rich.console import Console
from xpert_sdk import Client, StreamEvent

from tests.graphs_scripted import APPROVAL_DONE, APPROVAL_KEPT, APPROVAL_PLAN, LONG_TICKER_TEXT
from tests.harness.served import Served, cli, server_env, spawn
from tests.sdk_integration.test_examples import MANUAL
from xpert_server.chat_cli import ChatSession, Renderer

THREAD_LINE = re.compile(r"\(thread ([0-9a-f-]{36})\)")


def chat(live: Served, stdin: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return cli("chat", *args, stdin=stdin, env={**live.client_env(), **env}, timeout=90)


class ChatProcess:
    """An interactive `xpert chat`: write lines, wait for output, send signals."""

    def __init__(self, live: Served, *args: str) -> None:
        self.proc = spawn(["chat", *args], env=live.client_env(), stdin=True)
        self.output = ""
        assert self.proc.stdout is not None
        pipe = self.proc.stdout
        self._reader = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self._reader.start()

    def _read(self, pipe: io.TextIOBase) -> None:
        while char := pipe.read(1):
            self.output += char

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def wait_for(self, text: str, after: int = 0, timeout: float = 20) -> int:
        """Wait until `text` appears past offset `after`; return the offset just past it."""
        deadline = time.monotonic() + timeout
        while (at := self.output.find(text, after)) < 0:
            assert self.proc.poll() is None or time.monotonic() < deadline, f"exited:\n{self.output}"
            assert time.monotonic() < deadline, f"{text!r} never appeared:\n{self.output}"
            time.sleep(0.01)
        return at + len(text)

    def close(self) -> int:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            return self.proc.wait(timeout=20)
        finally:
            self._reader.join(timeout=5)


@pytest.fixture
def sdk(live: Served) -> Iterator[Client]:
    with Client(live.api, live.key) as client:
        yield client


def test_a_chat_turn_streams_the_reply(live: Served, sdk: Client) -> None:
    done = chat(live, "go\n/quit\n", "--xpert", "sdk-ticker")
    assert done.returncode == 0, done.stderr
    assert "Chatting with SDK test ticker (sdk-ticker)" in done.stdout
    assert f"sdk-ticker> {LONG_TICKER_TEXT}\n" in done.stdout
    (thread_id,) = THREAD_LINE.findall(done.stdout)
    assert sdk.runs.list(thread_id)[0]["status"] == "success"


def test_the_reply_arrives_while_it_is_written(live: Served) -> None:
    session = ChatProcess(live, "--xpert", "sdk-ticker")
    try:
        session.send("go")
        at = session.wait_for("t2 ")
        assert "t39" not in session.output[:at], "the first words show before the last are written"
        session.wait_for("t39 ", at)
        session.send("/quit")
    finally:
        assert session.close() == 0


def test_new_starts_another_thread(live: Served, sdk: Client) -> None:
    done = chat(live, "first message\nstill first\n/new\nsecond message\n/quit\n")
    assert done.returncode == 0, done.stderr
    first, second = THREAD_LINE.findall(done.stdout)
    assert first != second
    assert "New conversation" in done.stdout
    firsts = [m["content"] for m in sdk.threads.get(first)["values"]["messages"] if m["type"] == "human"]
    seconds = [m["content"] for m in sdk.threads.get(second)["values"]["messages"] if m["type"] == "human"]
    assert (firsts, seconds) == (["first message", "still first"], ["second message"])
    # `/new` made the conversation at once (POST /conversations), bound to the xpert chatted with.
    (conversation,) = sdk.conversations.search(where={"threadId": second})["items"]
    assert f"New conversation {conversation['id']} (thread {second})" in done.stdout
    assert (
        conversation["xpertId"] == sdk.conversations.search(where={"threadId": first})["items"][0]["xpertId"]
    )
    assert conversation["title"] == "second message"


def test_thread_option_continues_a_thread(live: Served, sdk: Client) -> None:
    thread = sdk.threads.create()
    done = chat(live, "continuing\n/quit\n", "--thread", thread["thread_id"])
    assert done.returncode == 0, done.stderr
    assert THREAD_LINE.findall(done.stdout) == [thread["thread_id"]]
    assert sdk.runs.list(thread["thread_id"])[0]["status"] == "success"


def test_file_attaches_to_the_next_message(live: Served, sdk: Client, tmp_path: Path) -> None:
    manual = tmp_path / "manual.md"
    manual.write_text(MANUAL, encoding="utf-8")
    done = chat(
        live, f"/file {manual}\nHow often must it be descaled?\n/file {tmp_path / 'nope.pdf'}\n/quit\n"
    )
    assert done.returncode == 0, done.stderr
    assert f"No such file: {tmp_path / 'nope.pdf'}" in done.stdout
    assert f"Attached manual.md ({len(MANUAL)} bytes)" in done.stdout
    assert "30 days" in done.stdout.split("demo> ", 1)[1]
    (thread_id,) = THREAD_LINE.findall(done.stdout)
    conversation = sdk.threads.get(thread_id)["metadata"]["id"]
    human = sdk.conversations.messages(conversation)["items"][0]
    assert human["role"] == "human" and [f.get("originalName") for f in human.get("attachments") or []] == [
        "manual.md"
    ]


def test_file_on_a_server_without_uploads_says_so(tmp_path: Path) -> None:
    # In process, over a mock transport that answers as a server without the route does.
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"statusCode": 404, "message": f"Cannot POST {request.url.path}"})

    out = io.StringIO()
    file = tmp_path / "notes.txt"
    file.write_text("notes")
    with Client("http://testserver/api/ai", "sk-x-test", transport=httpx.MockTransport(handler)) as client:
        session = ChatSession(client, {"xpert_id": "x-1", "name": "X"}, out, input)
        assert session.handle(f"/file {file}")
    assert out.getvalue() == (
        "This server does not accept file uploads (POST /contexts/file answered 404: "
        "Cannot POST /api/ai/contexts/file).\n"
    )
    assert session.files == []


def test_approval_approve_then_reject(live: Served, sdk: Client) -> None:
    done = chat(live, "clean up\ny\nclean up again\nn\n/quit\n", "--xpert", "sdk-approval")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    approved, rejected = out.split("Approve? [y/N] ")[1:3]
    assert (
        f"sdk-approval> {APPROVAL_PLAN}\nThe xpert asks for approval:\nDelete the files in /tmp/old?\n" in out
    )
    assert '  delete_files {"path": "/tmp/old"}\n' in out
    assert approved.startswith(
        "Approved.\n"
        '[tool delete_files] running {"path": "/tmp/old"}\n'
        "[tool delete_files] done: 3 files deleted\n"
        f"sdk-approval> {APPROVAL_DONE}\n"
    )
    assert rejected.startswith(f"Rejected.\nsdk-approval> {APPROVAL_KEPT}\n")
    assert "[tool" not in rejected

    (thread_id,) = THREAD_LINE.findall(out)
    statuses = [r["status"] for r in reversed(sdk.runs.list(thread_id))]
    assert statuses == ["interrupted", "success", "interrupted", "success"]
    assert sdk.threads.get(thread_id)["status"] == "idle"


def test_ctrl_c_cancels_the_run_not_the_program(live: Served, sdk: Client) -> None:
    session = ChatProcess(live, "--xpert", "sdk-slowpoke")
    try:
        session.send("take your time")
        at = session.wait_for("t3 ")
        session.proc.send_signal(signal.SIGINT)
        at = session.wait_for("[cancelled]\nyou> ", at)
        (thread_id,) = THREAD_LINE.findall(session.output)
        (run,) = sdk.runs.list(thread_id)
        deadline = time.monotonic() + 10
        while run["status"] != "interrupted" and time.monotonic() < deadline:
            time.sleep(0.05)
            run = sdk.runs.get(thread_id, run["run_id"])
        assert run["status"] == "interrupted"

        # Still chatting: the thread is free again for the next message.
        session.send("/new")
        session.send("/quit")
    finally:
        code = session.close()
    assert code == 0, session.output
    assert "t199" not in session.output


def test_ctrl_c_at_the_prompt_does_not_quit(live: Served) -> None:
    session = ChatProcess(live)
    try:
        session.wait_for("you> ")
        session.proc.send_signal(signal.SIGINT)
        session.wait_for("(Ctrl-C cancels a reply; /quit or Ctrl-D leaves.)\nyou> ")
    finally:
        code = session.close()  # EOF on stdin: leaves like /quit
    assert code == 0


def test_unknown_xpert_and_bad_key_say_what_is_wrong(live: Served) -> None:
    unknown = chat(live, "", "--xpert", "no-such-xpert")
    assert unknown.returncode == 1 and "No xpert with slug or id 'no-such-xpert'." in unknown.stderr
    bad_key = chat(live, "", "--api-key", "sk-x-wrong")
    assert bad_key.returncode == 1
    assert f"The server at {live.api} refused the API key (Invalid token)" in bad_key.stderr
    no_key = cli("chat", stdin="", env=server_env(XPERTAI_API_URL=live.api))
    assert no_key.returncode == 2 and "No API key: set XPERTAI_API_KEY or pass --api-key." in no_key.stderr
    nowhere = chat(live, "", "--api-url", "http://127.0.0.1:9/api/ai")
    assert (
        nowhere.returncode == 1 and "Cannot reach the server at http://127.0.0.1:9/api/ai" in nowhere.stderr
    )


def test_approval_of_a_built_in_agent_tool(live: Served, sdk: Client) -> None:
    # `sdk-guarded` is the built-in agent (offline model) with a calculator that needs approval.
    done = chat(live, "what is 12*7\ny\nwhat is 3+4\nn\n/quit\n", "--xpert", "sdk-guarded")
    assert done.returncode == 0, done.stderr
    approved, rejected = done.stdout.split("Approve? [y/N] ")[1:3]
    assert 'calculator {"expression": "12*7"}' in done.stdout
    assert approved.startswith("Approved.\n[tool ") and "done: 84\n" in approved
    assert "sdk-guarded> " in approved and "84" in approved.split("sdk-guarded> ", 1)[1]
    assert rejected.startswith("Rejected.\n") and "done: 7" not in rejected
    (thread_id,) = THREAD_LINE.findall(done.stdout)
    assert [r["status"] for r in reversed(sdk.runs.list(thread_id))] == [
        "interrupted",
        "success",
        "interrupted",
        "success",
    ]


def test_without_an_api_url_it_reaches_this_machines_server_on_xpert_port(live: Served) -> None:
    # No XPERTAI_API_URL: the server `xpert serve` would start here with these XPERT_* settings.
    done = cli("chat", stdin="/quit\n", env=server_env(XPERTAI_API_KEY=live.key, XPERT_PORT=str(live.port)))
    assert done.returncode == 0, done.stderr
    assert f"at {live.api}." in done.stdout
    # …and when nothing listens there, the error names the URL it tried.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        idle = probe.getsockname()[1]
    nowhere = cli("chat", stdin="", env=server_env(XPERTAI_API_KEY=live.key, XPERT_PORT=str(idle)))
    assert nowhere.returncode == 1
    assert f"Cannot reach the server at http://127.0.0.1:{idle}/api/ai" in nowhere.stderr


def test_tool_is_sent_as_the_widget_sends_it_and_asks_for_approval(live: Served, sdk: Client) -> None:
    done = chat(live, '/tool send_notification {"message": "hi"}\ny\n/quit\n', "--xpert", "demo")
    assert done.returncode == 0, done.stderr
    assert "Unknown command" not in done.stdout
    assert "The xpert asks for approval:" in done.stdout and "send_notification" in done.stdout
    approved = done.stdout.split("Approve? [y/N] ", 1)[1]
    assert approved.startswith("Approved.\n[tool ") and "] done: Notification sent: hi\n" in approved
    (thread_id,) = THREAD_LINE.findall(done.stdout)
    human = [m["content"] for m in sdk.threads.get(thread_id)["values"]["messages"] if m["type"] == "human"]
    assert human == ['/tool send_notification {"message": "hi"}']


def test_a_connection_lost_mid_chat_names_the_url() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    out = io.StringIO()
    with Client("http://127.0.0.1:8765/api/ai", "sk-x-test", transport=httpx.MockTransport(refuse)) as client:
        session = ChatSession(client, {"xpert_id": "x-1", "name": "X"}, out, input)
        assert session.handle("hello")
    assert out.getvalue() == (
        "[error] Cannot reach the server at http://127.0.0.1:8765/api/ai: [Errno 111] Connection refused\n"
    )


def test_replies_render_as_markdown_on_a_terminal() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=60, color_system="standard")
    renderer = Renderer(io.StringIO(), "demo> ", console=console)
    reply = "# Steps\n\nUse **descaler** and `water`:\n\n- fill the tank\n- run the cycle\n"
    for i in range(0, len(reply), 7):  # as it streams, in pieces that split the markup
        renderer.show(
            StreamEvent(id=None, event="message", data={"type": "message", "data": reply[i : i + 7]})
        )
    renderer.end_line()
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())
    last = shown[shown.rindex("demo>") :]  # the final render (earlier ones were redrawn over)
    assert "**" not in last and "`" not in last and "# Steps" not in last, last
    assert "Use descaler and water:" in last and "• fill the tank" in last and "• run the cycle" in last
    assert "\x1b[1m" in screen.getvalue()  # bold, from the terminal's escape codes


def test_piped_replies_stay_raw_text() -> None:
    out = io.StringIO()
    renderer = Renderer(out, "demo> ")
    renderer.show(StreamEvent(id=None, event="message", data={"type": "message", "data": "**bold**"}))
    renderer.end_line()
    assert out.getvalue() == "demo> **bold**\n"
