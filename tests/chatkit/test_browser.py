"""The widget in a real browser (Playwright + Debian's Chromium) against a live server.

Every page records every response it receives; after each test none may contain the API key (or any
`sk-x-` key at all). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.async_api import Page, Response, Route, expect

from tests.chatkit.browser import (
    API_KEY,
    TIMEOUT,
    Live,
    Recorder,
    composer,
    open_demo,
    reply,
    say,
    shot,
)
from tests.chatkit.graphs import SLOW_TEXT, STEPS_ANSWER
from tests.harness.clock import manual_clock

DEMO_YAML = Path(__file__).resolve().parents[2] / "xpert_server" / "xperts" / "demo.yaml"


def demo_has_approval_tool() -> bool:
    spec = yaml.safe_load(DEMO_YAML.read_text(encoding="utf-8"))
    tools = spec.get("tools") or []
    named = {t if isinstance(t, str) else t.get("name") for t in tools}
    approvals = set(spec.get("approvals") or []) | {
        t.get("name") for t in tools if isinstance(t, dict) and t.get("require_approval")
    }
    return "send_notification" in named and "send_notification" in approvals


# ---- tests -------------------------------------------------------------------------------------------------


async def test_send_a_message_and_see_the_streamed_reply(page: tuple[Page, Recorder], live: Live) -> None:
    p, rec = page
    await open_demo(p, live)
    await expect(p.locator(".ck-greeting")).to_contain_text("demo xpert")
    await shot(p, "start-screen")
    await say(p, "Hello, who are you?")
    await expect(p.locator("[data-role=user]").last).to_have_text("Hello, who are you?")
    ai = await reply(p)
    await expect(ai).to_have_attribute("data-status", "success")
    await expect(ai).to_contain_text("offline model")
    assert rec.api_calls("POST", r"/api/ai/threads/[^/]+/runs/stream$")
    await shot(p, "reply")


async def test_replies_render_as_they_arrive(page: tuple[Page, Recorder], live: Live) -> None:
    p, _ = page
    await open_demo(p, live, "?xpert=slow")
    await say(p, "Count slowly")
    ai = p.locator("[data-role=ai]").last
    # Part of the text is on screen while the run is still going.
    await expect(ai).to_contain_text("w3 ", timeout=TIMEOUT)
    assert await ai.get_attribute("data-status") == "thinking"
    assert SLOW_TEXT.strip() not in (await ai.inner_text())
    await expect(p.locator(".ck-stop")).to_be_visible()
    await shot(p, "streaming")
    ai = await reply(p)
    assert (await ai.inner_text()).strip() == SLOW_TEXT.strip()


async def test_attach_a_file_and_ask_about_it(
    page: tuple[Page, Recorder], live: Live, tmp_path: Path
) -> None:
    p, rec = page
    await open_demo(p, live)
    note = tmp_path / "herons.txt"
    note.write_text(
        "Field notes.\n\nThe secret code word for the picnic is HERON-42.\n\nBring sandwiches.\n",
        encoding="utf-8",
    )
    async with p.expect_file_chooser() as chooser:
        await p.locator(".ck-attach").click()
    await (await chooser.value).set_files(str(note))
    chip = p.locator(".ck-attachments .ck-chip")
    await expect(chip).to_have_attribute("data-state", "ready", timeout=TIMEOUT)
    await say(p, "What is the secret code word for the picnic?")
    ai = await reply(p)
    await expect(ai).to_contain_text("HERON-42")
    await expect(p.locator("[data-role=user]").last.locator(".ck-chip")).to_contain_text("herons.txt")
    (upload,) = rec.api_calls("POST", r"/api/ai/contexts/file$")
    (run,) = rec.api_calls("POST", r"/runs/stream$")
    files = json.loads(run.post_data or "{}")["input"]["message"]["input"]["files"]
    assert files[0]["originalName"] == "herons.txt"
    assert "multipart/form-data" in (await upload.all_headers())["content-type"]
    await shot(p, "attachment")


async def test_reload_and_find_the_conversation_in_the_sidebar(
    page: tuple[Page, Recorder], live: Live
) -> None:
    p, rec = page
    await open_demo(p, live)
    await say(p, "Remember the lighthouse")
    await reply(p)
    await p.reload()
    # The conversation comes back (the visitor's cookie keeps the principal across secrets)...
    item = p.locator(".ck-history-item", has_text="Remember the lighthouse")
    await expect(item).to_be_visible(timeout=TIMEOUT)
    await expect(p.locator("[data-role=user]").first).to_have_text("Remember the lighthouse", timeout=TIMEOUT)
    # ...and can be opened from the sidebar after starting a new chat.
    await p.locator("[data-action=new-chat]").click()
    await expect(p.locator("[data-role=user]")).to_have_count(0)
    await item.click()
    await expect(p.locator("[data-role=user]").first).to_have_text("Remember the lighthouse", timeout=TIMEOUT)
    await expect(item).to_have_attribute("aria-current", "true")
    search = rec.api_calls("POST", r"/api/ai/conversations/search$")
    assert json.loads(search[-1].post_data or "{}")["order"] == {"updatedAt": "DESC"}
    assert rec.api_calls("GET", r"/api/ai/conversations/[^/]+/messages")
    await shot(p, "history")


async def test_an_expired_secret_is_renewed_and_the_chat_goes_on(
    page: tuple[Page, Recorder], live: Live
) -> None:
    p, rec = page
    expired: list[str] = []

    async def on_response(r: Response) -> None:
        if r.status == 401:
            expired.append((await r.json())["message"])

    p.on("response", on_response)
    with manual_clock(live.harness.services) as clock:
        await open_demo(p, live, "?expires_after=2")
        await say(p, "First message")
        await reply(p, 0)
        clock.advance(3)  # the secret is now past its expires_at
        await say(p, "Second message")
        ai = await reply(p, 1)
    await expect(ai).to_have_attribute("data-status", "success")
    assert "Token expired" in expired
    assert len(rec.api_calls("POST", r"/demo/session")) >= 2
    await expect(p.locator(".ck-banner")).to_be_hidden()


@pytest.mark.xfail(
    not demo_has_approval_tool(),
    strict=True,
    reason="the demo xpert's approval tool send_notification (agents issue) is not in demo.yaml yet",
)
async def test_approve_a_tool_call(page: tuple[Page, Recorder], live: Live) -> None:
    p, rec = page
    await open_demo(p, live)
    await say(p, '/tool send_notification {"message":"hi"}')
    panel = p.locator(".ck-approval")
    await expect(panel).to_be_visible(timeout=TIMEOUT)
    await expect(panel).to_contain_text("send_notification")
    await shot(p, "approval")
    await panel.locator("[data-action=approve]").click()
    await expect(panel).to_have_attribute("data-decision", "confirm")
    resumed = await reply(p, -1)
    await expect(resumed).to_have_attribute("data-status", "success", timeout=TIMEOUT)
    runs = rec.api_calls("POST", r"/runs/stream$")
    body = json.loads(runs[-1].post_data or "{}")
    assert body["input"]["action"] == "resume" and body["input"]["decision"] == {"type": "confirm"}
    assert body["input"]["target"]["executionId"]
    await shot(p, "approved")


async def test_tool_and_knowledge_steps_are_collapsible(page: tuple[Page, Recorder], live: Live) -> None:
    p, _ = page
    await open_demo(p, live, "?xpert=steps")
    await say(p, "What is the capital of France?")
    ai = await reply(p)
    tool = ai.locator("details.ck-step[data-kind=tool]")
    knowledge = ai.locator("details.ck-step[data-kind=knowledge]")
    await expect(tool).to_have_attribute("data-status", "success")
    await expect(tool.locator("summary")).to_contain_text("Look up a capital")
    await expect(knowledge).to_have_attribute("data-status", "success")
    assert await tool.get_attribute("open") is None  # collapsed until clicked
    await tool.locator("summary").click()
    await expect(tool.locator(".ck-step-body")).to_contain_text("France")
    await expect(tool.locator(".ck-step-body")).to_contain_text("Paris")
    await knowledge.locator("summary").click()
    await expect(knowledge).to_contain_text("atlas.md")
    # The answer's Markdown became elements: bold text and a safe link.
    await expect(ai.locator(".ck-md strong")).to_have_text("capital")
    link = ai.locator(".ck-md a")
    await expect(link).to_have_attribute("href", "https://example.com/atlas")
    await expect(link).to_have_attribute("rel", re.compile("noopener"))
    assert STEPS_ANSWER.startswith("The **capital**")
    await shot(p, "steps")


async def test_html_in_a_message_renders_as_text(page: tuple[Page, Recorder], live: Live) -> None:
    p, _ = page
    await open_demo(p, live)
    attack = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> **hi**'
    await say(p, attack)
    await expect(p.locator("[data-role=user]").last.locator(".ck-bubble")).to_have_text(attack)
    ai = await reply(p)
    await expect(ai).to_contain_text("<img src=x onerror=")  # the offline model quotes it back: as text
    await p.wait_for_timeout(300)
    assert await p.evaluate("() => window.__pwned") is None
    assert await p.locator("xpertai-chatkit img, xpertai-chatkit script").count() == 0
    await shot(p, "html-as-text")


async def test_markdown_never_becomes_live_html(page: tuple[Page, Recorder], live: Live) -> None:
    p, _ = page
    await open_demo(p, live)
    result = await p.evaluate(
        """async () => {
          const { renderMarkdown } = await import('/chatkit/chatkit.js');
          const box = document.createElement('div');
          box.append(renderMarkdown([
            '# Head <b>x</b>', '', '<img src=x onerror="window.__md=1">', '',
            '[click](javascript:window.__md=2) [ok](https://example.com/a?b=1)', '',
            '- item <svg onload="window.__md=3">', '- **bold** and `<code>`', '',
            '```', '<script>window.__md=4</script>', '```', '> quote <iframe src=x></iframe>',
          ].join('\\n')));
          document.body.append(box);
          await new Promise(r => setTimeout(r, 100));
          return {
            tags: [...box.querySelectorAll('*')].map(e => e.tagName.toLowerCase()),
            links: [...box.querySelectorAll('a')].map(a => a.getAttribute('href')),
            text: box.textContent, pwned: window.__md ?? null,
          };
        }"""
    )
    assert result["pwned"] is None
    assert not {"img", "script", "svg", "iframe", "b"} & set(result["tags"]), result["tags"]
    assert {"h3", "ul", "li", "strong", "code", "pre", "blockquote", "a"} <= set(result["tags"])
    assert result["links"] == ["https://example.com/a?b=1"]
    assert "javascript:window.__md=2" in result["text"] and "<script>" in result["text"]


async def test_stop_cancels_the_run(page: tuple[Page, Recorder], live: Live) -> None:
    p, rec = page
    await open_demo(p, live, "?xpert=slow")
    await say(p, "Count slowly, I will stop you")
    ai = p.locator("[data-role=ai]").last
    await expect(ai).to_contain_text("w2 ", timeout=TIMEOUT)
    await p.locator(".ck-stop").click()
    await expect(ai).to_have_attribute("data-status", "interrupted", timeout=TIMEOUT)
    await expect(ai.locator(".ck-note")).to_have_text("Stopped")
    assert SLOW_TEXT.strip() not in await ai.inner_text()
    await expect(p.locator(".ck-history-item", has_text="Count slowly, I will stop you")).to_be_visible()
    (cancel,) = rec.api_calls("POST", r"/runs/[^/]+/cancel$")
    await expect(p.locator(".ck-send")).to_be_visible()
    thread_id, run_id = re.findall(r"/threads/([^/]+)/runs/([^/]+)/cancel", cancel.url)[0]
    async with live.harness.client(API_KEY) as c:
        runs = (await c.get(f"/threads/{thread_id}/runs")).json()
    assert [r["status"] for r in runs if r["run_id"] == run_id] == ["interrupted"]
    await shot(p, "stopped")


async def test_a_page_reloaded_mid_run_rejoins_the_run(page: tuple[Page, Recorder], live: Live) -> None:
    p, rec = page
    await open_demo(p, live, "?xpert=slow")
    await say(p, "Count slowly while I reload")
    await expect(p.locator("[data-role=ai]").last).to_contain_text("w3 ", timeout=TIMEOUT)
    await p.reload()
    ai = p.locator("[data-role=ai]").last
    # The reloaded page finds the message still thinking and follows the run live to its end.
    await expect(ai).to_have_attribute("data-status", "thinking", timeout=TIMEOUT)
    await expect(p.locator(".ck-stop")).to_be_visible()
    ai = await reply(p)
    await expect(ai).to_have_attribute("data-status", "success")
    assert (await ai.inner_text()).strip() == SLOW_TEXT.strip()  # replayed once, no duplicates
    assert rec.api_calls("GET", r"/api/ai/threads/[^/]+/runs/[^/]+/stream$")
    await shot(p, "rejoined-after-reload")


async def test_a_dropped_stream_rejoins_with_last_event_id(page: tuple[Page, Recorder], live: Live) -> None:
    p, rec = page
    cut: dict[str, Any] = {}

    async def drop_after_a_few_frames(route: Route) -> None:
        # Let the run start for real, then hand the page only its first frames, as if the network dropped.
        response = await route.fetch(timeout=TIMEOUT)
        frames = (await response.text()).split("\n\n")
        kept = [f for f in frames if f.strip()][:8]
        cut["last_id"] = re.findall(r"^id: (\S+)$", kept[-1], re.MULTILINE)[-1]
        await route.fulfill(response=response, body="\n\n".join(kept) + "\n\n")

    await p.route(re.compile(r".*/runs/stream$"), drop_after_a_few_frames)
    await open_demo(p, live, "?xpert=slow")
    await say(p, "Count slowly over a bad network")
    ai = await reply(p)
    await expect(ai).to_have_attribute("data-status", "success")
    assert (await ai.inner_text()).strip() == SLOW_TEXT.strip()  # nothing lost, nothing twice
    joins = rec.api_calls("GET", r"/runs/[^/]+/stream$")
    assert joins, "the widget never rejoined"
    assert (await joins[0].all_headers()).get("last-event-id") == cut["last_id"]


async def test_the_widget_embedded_on_another_origin(page: tuple[Page, Recorder], live: Live) -> None:
    p, rec = page
    # The page and the session route are examples/chatkit_backend.py's, as docs/chatkit.md runs it.
    await p.goto(live.shop)
    await expect(p.locator(".ck-greeting")).to_have_text("How can I help?", timeout=TIMEOUT)
    await expect(composer(p)).to_have_attribute("placeholder", "Ask anything…")
    await say(p, "Where is my parcel?")
    ai = await reply(p)
    await expect(ai).to_have_attribute("data-status", "success")
    api = [q for q in rec.requests if q.url.startswith(live.base + "/api/ai/")]
    origins = {(await q.all_headers()).get("origin") for q in api if q.method == "POST"}
    assert origins == {live.shop}, origins
    assert rec.api_calls("POST", re.escape(live.shop) + r"/api/chatkit/session$")
    await shot(p, "other-origin")


async def test_the_api_key_never_reaches_the_browser(page: tuple[Page, Recorder], live: Live) -> None:
    """A session touching every kind of response (page, widget, session, history, stream, upload, reload):
    the page fixture then checks all of them for the key."""
    p, rec = page
    await open_demo(p, live)
    await say(p, "hello")
    await reply(p)
    await p.reload()
    await expect(p.locator(".ck-history-item").first).to_be_visible(timeout=TIMEOUT)
    await expect(p.locator("[data-role=user]").first).to_have_text(
        "hello", timeout=TIMEOUT
    )  # messages loaded
    async with live.harness.client(None) as c:
        session = await c.post(f"{live.base}/demo/session")
    assert API_KEY not in session.text
    kinds = {r.url.split("?")[0].rsplit("/", 1)[-1] for r in rec.responses}
    assert {"chatkit.js", "session", "search", "stream", "messages"} <= kinds, kinds
