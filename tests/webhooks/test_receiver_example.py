"""docs/integrations.md's receiver, run as written: it verifies real deliveries and refuses a forgery."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
from pathlib import Path

import httpx

from tests.harness.app import ApiHarness, free_port
from tests.harness.chat import send

DOC = Path(__file__).resolve().parents[2] / "docs" / "integrations.md"


def receiver_source() -> str:
    found = re.search(r"<!-- receiver -->\n```python\n(.*?)```\n<!-- /receiver -->", DOC.read_text(), re.S)
    assert found, "docs/integrations.md lost its receiver example"
    return found.group(1)


async def _line(proc: asyncio.subprocess.Process, timeout: float = 20.0) -> str:
    """The receiver's next line of its own (http.server's access log lines skipped)."""
    assert proc.stdout is not None
    while True:
        line = (await asyncio.wait_for(proc.stdout.readline(), timeout)).decode()
        assert line, "the receiver exited"
        if not line.startswith("127.0.0.1 - "):
            return line.strip()


async def test_the_documented_receiver_verifies_deliveries(hooks: ApiHarness, tmp_path: Path) -> None:
    script, port = tmp_path / "receiver.py", free_port()
    script.write_text(receiver_source())
    admin, _ = await hooks.mint_key(role="admin")
    async with hooks.client(admin) as c, httpx.AsyncClient() as outside:
        made = (await c.post("/webhooks", json={"url": f"http://127.0.0.1:{port}/hook"})).json()
        env = {"XPERT_WEBHOOK_SECRET": made["secret"], "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        if "PYTHONPATH" in os.environ:
            env["PYTHONPATH"] = os.environ["PYTHONPATH"]
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(script), str(port), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=env
        )  # fmt: skip
        try:
            xpert = (await c.post("/assistants", json={"name": "R", "slug": "r"})).json()["assistant_id"]
            thread = (await c.post("/threads", json={})).json()["thread_id"]
            await c.post(f"/threads/{thread}/runs/wait", json={"assistant_id": xpert, "input": send("hi")})
            (run,) = (await c.get(f"/threads/{thread}/runs")).json()
            assert await _line(proc) == f"run.succeeded {run['run_id']}"
            forged = await outside.post(
                f"http://127.0.0.1:{port}/hook",
                content=b'{"type": "run.succeeded"}',
                headers={"webhook-id": "msg_x", "webhook-timestamp": str(int(time.time())),
                         "webhook-signature": "v1,AAAA"},
            )  # fmt: skip
            assert forged.status_code == 400
            assert await _line(proc) == "refused: no signature matches this secret"
        finally:
            proc.kill()
            await proc.wait()
