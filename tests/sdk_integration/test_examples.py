"""The examples/ scripts run as programs against the real server, configured only by XPERTAI_API_URL/KEY."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.graphs_scripted import LONG_TICKER_TEXT
from tests.harness.served import Served

EXAMPLES = Path(__file__).parents[2] / "examples"
MANUAL = """# Frobnicator 3000 manual

Unpack the Frobnicator and place it on a flat surface away from water.

Maintenance: the Frobnicator must be descaled every 30 days with the blue cleaning tablets.

Warranty: two years from the date of purchase, void if opened.
"""


def run_example(live: Served, name: str, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True, text=True, env=live.client_env(), timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"{name} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done


@pytest.mark.parametrize("name", ["minimal_chat.py", "minimal_chat_async.py"])
def test_minimal_chat(live: Served, name: str) -> None:
    out = run_example(live, name, "demo", "hello from the example").stdout
    result = json.loads(out)
    assert result["role"] == "ai"
    assert "hello from the example" in result["content"]  # the offline model quotes the question


@pytest.mark.parametrize("name", ["minimal_chat.py", "minimal_chat_async.py"])
def test_minimal_chat_with_an_unknown_slug_says_so(live: Served, name: str) -> None:
    done = subprocess.run([sys.executable, str(EXAMPLES / name), "no-such-xpert"], capture_output=True,
                          text=True, env=live.client_env(), timeout=60, check=False)  # fmt: skip
    assert done.returncode == 1 and "Assistant not found: no-such-xpert" in done.stderr


@pytest.mark.parametrize("name", ["stream_chat.py", "stream_chat_async.py"])
def test_stream_chat_prints_the_reply_as_it_comes(live: Served, name: str) -> None:
    proc = subprocess.Popen([sys.executable, str(EXAMPLES / name), "sdk-ticker", "go"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=live.client_env())  # fmt: skip
    assert proc.stdout is not None
    arrivals: list[tuple[float, bytes]] = []
    while chunk := proc.stdout.read1(4096):
        arrivals.append((time.monotonic(), chunk))
    assert proc.wait(timeout=30) == 0, proc.stderr.read() if proc.stderr else ""
    assert b"".join(c for _, c in arrivals).decode() == LONG_TICKER_TEXT + "\n"
    # The ticker takes ~1.6 s: text streamed to the terminal arrives in pieces spread over that time.
    assert len(arrivals) > 5
    assert arrivals[-1][0] - arrivals[0][0] > 0.8


@pytest.mark.parametrize("name", ["upload_file.py", "upload_file_async.py"])
def test_upload_a_file_then_ask_about_it(live: Served, tmp_path: Path, name: str) -> None:
    manual = tmp_path / "manual.md"
    manual.write_text(MANUAL, encoding="utf-8")
    out = run_example(live, name, str(manual), "--question", "How often must it be descaled?").stdout
    result = json.loads(out)
    assert result["role"] == "ai" and "30 days" in result["content"]


@pytest.mark.parametrize(
    "name, args",
    [
        ("minimal_chat.py", ["sdk-unreachable", "hello"]),
        ("minimal_chat_async.py", ["sdk-unreachable", "hello"]),
        ("stream_chat.py", ["sdk-unreachable", "hello"]),
        ("stream_chat_async.py", ["sdk-unreachable", "hello"]),
        ("upload_file.py", ["{manual}", "--xpert", "sdk-unreachable"]),
        ("upload_file_async.py", ["{manual}", "--xpert", "sdk-unreachable"]),
    ],
)
def test_every_example_reports_a_failed_run_and_exits_non_zero(
    live: Served, tmp_path: Path, name: str, args: list[str]
) -> None:
    manual = tmp_path / "manual.md"
    manual.write_text(MANUAL, encoding="utf-8")
    argv = [a.format(manual=manual) for a in args]
    done = subprocess.run([sys.executable, str(EXAMPLES / name), *argv], capture_output=True, text=True,
                          env=live.client_env(), timeout=60, check=False)  # fmt: skip
    assert done.returncode == 1, f"{name}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    assert "The run failed" in done.stderr and "http://127.0.0.1:1/v1" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
