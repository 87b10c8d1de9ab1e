"""The widget's first five minutes and first bad day, in Chromium: a phone-sized screen (390×844), keyboard
and screen-reader cues, HTTP errors shown as what they are, sources under answers, the demo's prompts
and its xpert picker.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tests.chatkit.browser import TIMEOUT, Live, Recorder, composer, open_demo, reply, say, shot

PHONE = {"width": 390, "height": 844}

# Boxes of the widget's parts, read inside its shadow root.
BOXES = """() => {
  const root = document.querySelector('xpertai-chatkit').shadowRoot;
  const box = (sel) => { const el = root.querySelector(sel); if (!el) return null;
    const r = el.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height,
    visible: getComputedStyle(el).visibility !== 'hidden' && r.width > 0 && r.x + r.width > 0}; };
  const ta = root.querySelector('textarea');
  const cs = getComputedStyle(ta);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `${cs.fontSize} ${cs.fontFamily}`;
  const send = [...root.querySelectorAll('.ck-send, .ck-stop')].find((b) => !b.hidden);
  const sr = send.getBoundingClientRect();
  return {
    textarea: box('textarea'), send: {x: sr.x, y: sr.y, w: sr.width, h: sr.height},
    attach: box('.ck-attach'), header: box('.ck-header'), sidebar: box('.ck-sidebar'), main: box('.ck-main'),
    placeholder: ctx.measureText(ta.placeholder).width,
    textareaInner: ta.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight),
    pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
    widgetOverflow: root.querySelector('.ck').scrollWidth - root.querySelector('.ck').clientWidth,
    bar: document.querySelector('.bar').getBoundingClientRect().height,
  };
}"""


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


@pytest.fixture
async def phone(browser: Browser, live: Live) -> AsyncIterator[tuple[Page, Recorder]]:
    context = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    p = await context.new_page()
    rec = Recorder()
    p.on("response", lambda r: rec.responses.append(r))
    p.on("request", lambda q: rec.requests.append(q))
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield p, rec
        assert not errors, errors
        assert not await rec.leaks(), "an API key reached the browser"
    finally:
        await context.close()


async def boxes(p: Page) -> dict[str, Any]:
    result: dict[str, Any] = await p.evaluate(BOXES)
    return result


# ---- a phone ------------------------------------------------------------------------------------------------


async def test_on_a_phone_the_chat_keeps_the_width_and_history_overlays_it(
    phone: tuple[Page, Recorder], live: Live
) -> None:
    p, _ = phone
    await open_demo(p, live)
    toggle = p.locator(".ck-toggle")
    await expect(toggle).to_have_attribute("aria-expanded", "false")
    await expect(p.locator(".ck-sidebar")).to_be_hidden()
    b = await boxes(p)
    assert b["textarea"]["w"] >= 200, b["textarea"]  # it was one word wide beside the sidebar
    assert b["placeholder"] <= b["textareaInner"], (b["placeholder"], b["textareaInner"])  # not clipped
    assert not overlaps(b["send"], b["textarea"]) and not overlaps(b["attach"], b["textarea"])
    assert b["send"]["x"] + b["send"]["w"] <= PHONE["width"]
    assert b["pageOverflow"] <= 0 and b["widgetOverflow"] <= 0, b
    assert b["header"]["h"] <= 48 and b["bar"] <= 48, (b["header"], b["bar"])  # was ~190 px together
    await shot(p, "phone-start")

    await say(p, "What can you do?")
    await reply(p)
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-expanded", "true")
    item = p.locator(".ck-history-item", has_text="What can you do?")
    await expect(item).to_be_visible(timeout=TIMEOUT)
    opened = await boxes(p)
    assert opened["main"]["w"] == b["main"]["w"], "the history squeezed the chat instead of overlaying it"
    assert opened["sidebar"]["w"] <= PHONE["width"] * 0.86 and opened["pageOverflow"] <= 0
    await shot(p, "phone-history")
    await item.click()  # picking a conversation closes the overlay
    await expect(toggle).to_have_attribute("aria-expanded", "false")
    await expect(p.locator(".ck-sidebar")).to_be_hidden()
    await toggle.click()
    await p.keyboard.press("Escape")
    await expect(toggle).to_have_attribute("aria-expanded", "false")
    await expect(toggle).to_be_focused()
    b = await boxes(p)
    assert b["pageOverflow"] <= 0 and b["widgetOverflow"] <= 0
    await p.wait_for_timeout(300)  # the overlay's slide-out, for the screenshot
    await shot(p, "phone-reply")


# ---- accessibility ---------------------------------------------------------------------------------------


async def test_the_history_toggle_says_whether_the_history_is_shown(
    page: tuple[Page, Recorder], live: Live
) -> None:
    p, _ = page
    await open_demo(p, live)
    toggle = p.locator(".ck-toggle")
    await expect(toggle).to_have_attribute("aria-expanded", "true")
    await expect(toggle).to_have_attribute("aria-controls", "ck-history")
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-expanded", "false")
    await expect(p.locator(".ck-sidebar")).to_be_hidden()
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-expanded", "true")
    await expect(p.locator(".ck-sidebar")).to_be_visible()


async def test_the_live_region_is_busy_while_a_reply_streams(page: tuple[Page, Recorder], live: Live) -> None:
    p, _ = page
    await open_demo(p, live, "?xpert=slow")
    log = p.locator(".ck-messages")
    await expect(log).to_have_attribute("role", "log")
    await expect(log).to_have_attribute("aria-busy", "false")
    await say(p, "Count slowly")
    await expect(p.locator("[data-role=ai]").last).to_contain_text("w3 ", timeout=TIMEOUT)
    assert await log.get_attribute("aria-busy") == "true"  # tokens arrive, nothing is announced yet
    await reply(p)
    await expect(log).to_have_attribute("aria-busy", "false")


async def test_keyboard_focus_is_visible(page: tuple[Page, Recorder], live: Live) -> None:
    p, _ = page
    await open_demo(p, live)
    await composer(p).focus()
    await p.keyboard.press("Shift+Tab")  # back from the composer: the attach button
    outline = await p.evaluate(
        """() => { const el = document.querySelector('xpertai-chatkit').shadowRoot.activeElement;
          const cs = getComputedStyle(el);
          return {cls: el.className, style: cs.outlineStyle, width: parseFloat(cs.outlineWidth)}; }"""
    )
    assert outline["cls"] == "ck-attach", outline
    assert outline["style"] != "none" and outline["width"] >= 2, outline
    await p.keyboard.press("Tab")  # the composer shows a ring around itself
    ring = await p.evaluate(
        """() => getComputedStyle(document.querySelector('xpertai-chatkit').shadowRoot
          .querySelector('.ck-composer')).boxShadow"""
    )
    assert ring != "none" and "0px 0px 0px 2px" in ring, ring
    await shot(p, "focus")


# ---- errors as what they are ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trouble", "expect_text"),
    [
        ("plain500", ["HTTP 500", "Internal Server Error"]),
        ("revoked", ["HTTP 502", "answered 401", "Check XPERTAI_API_KEY"]),
    ],
)
async def test_a_failed_session_shows_its_status_and_message(
    page: tuple[Page, Recorder], live: Live, trouble: str, expect_text: list[str]
) -> None:
    p, rec = page
    if trouble == "revoked":
        key, org = await live.harness.mint_key(role="app")
        (record,) = await live.harness.services.storage.list_api_keys(org)
        await live.harness.services.storage.revoke_api_key(record.id)
        live.harness.services.auth.forget()
        live.trouble.update(session="key", key=key)
    else:
        live.trouble.update(session="plain500")
    await p.goto(live.troubled)
    banner = p.locator(".ck-banner")
    await expect(banner).to_be_visible(timeout=TIMEOUT)
    text = await banner.inner_text()
    assert text.startswith("Could not get a client secret"), text
    for part in expect_text:
        assert part in text, text
    assert "JSON" not in text and "Unexpected token" not in text, text
    (session,) = rec.api_calls("POST", r"/api/chatkit/session$")
    answer = await session.response()
    assert answer is not None
    if trouble == "revoked":  # the example back end answers JSON, never a bare 500
        assert answer.status == 502 and (await answer.json())["message"].endswith("Check XPERTAI_API_KEY.")
    await shot(p, f"session-{trouble}")


async def test_api_errors_read_as_status_and_message(page: tuple[Page, Recorder], live: Live) -> None:
    p, _ = page
    await open_demo(p, live)
    messages = await p.evaluate(
        """async () => {
          const { errorMessage } = await import('/chatkit/chatkit.js');
          const r = (body, status, statusText, type) =>
            errorMessage(new Response(body, { status, statusText, headers: { 'content-type': type } }));
          return [
            await r('{"statusCode":401,"message":"Invalid token"}', 401, 'Unauthorized', 'application/json'),
            await r('Internal Server Error', 500, 'Internal Server Error', 'text/plain'),
            await r('upstream timed out', 504, 'Gateway Timeout', 'text/plain'),
            await r('<html><body><h1>502 Bad Gateway</h1></body></html>', 502, 'Bad Gateway', 'text/html'),
            await r('{"message":["a","b"]}', 422, '', 'application/json'),
          ];
        }"""
    )
    assert messages == [
        "Invalid token (HTTP 401 Unauthorized)",
        "HTTP 500 Internal Server Error",
        "upstream timed out (HTTP 504 Gateway Timeout)",
        "HTTP 502 Bad Gateway",
        "a; b (HTTP 422)",
    ]


# ---- sources ----------------------------------------------------------------------------------------------


async def test_answers_show_their_sources_and_the_panel_names_and_scores_them(
    page: tuple[Page, Recorder], live: Live
) -> None:
    p, _ = page
    await open_demo(p, live, "?xpert=steps")
    await say(p, "What is the capital of France?")
    ai = await reply(p)
    chips = ai.locator(".ck-sources .ck-source")
    await expect(chips).to_have_count(2)
    await expect(chips.nth(0)).to_have_text("atlas.md")
    await expect(chips.nth(0)).to_have_attribute("title", "Geography · score 0.873")
    await expect(chips.nth(1)).to_have_text("europe.md")
    panel = ai.locator("details.ck-step[data-kind=knowledge]")
    await panel.locator("summary").click()
    first = panel.locator(".ck-doc").nth(0)
    await expect(first.locator(".ck-doc-name")).to_have_text("atlas.md")
    await expect(first.locator(".ck-doc-score")).to_have_text("score 0.873")
    await expect(first.locator(".ck-doc-kb")).to_have_text("Geography")
    await expect(panel.locator(".ck-doc").nth(1).locator(".ck-doc-name")).to_have_text("europe.md")
    await shot(p, "sources")
    # The same chips come back with the stored message.
    await p.reload()
    await expect(p.locator("[data-role=ai]").last.locator(".ck-source")).to_have_count(2, timeout=TIMEOUT)


# ---- the demo page ------------------------------------------------------------------------------------------


async def test_every_demo_prompt_gets_a_real_answer(page: tuple[Page, Recorder], live: Live) -> None:
    p, rec = page
    await open_demo(p, live)
    labels = await p.locator(".ck-prompt").all_inner_texts()
    assert len(labels) == 3 and not any("file" in label.lower() for label in labels), labels
    expected = {
        "What can you do?": ["Tell the time", "Calculate", "approval", "files and knowledge"],
        "What time is it?": ["The current time is"],
        "Calculate (3+4)×12": ["= 84"],
    }
    for i, label in enumerate(labels):
        if i:
            await p.locator("[data-action=new-chat]").click()
        await p.locator(".ck-prompt", has_text=label).click()
        ai = await reply(p)
        await expect(ai).to_have_attribute("data-status", "success")
        text = await ai.inner_text()
        assert "can't" not in text, text
        for part in expected[label]:
            assert part in text, (label, text)
    for run in rec.api_calls("POST", r"/runs/stream$"):
        assert "files" not in (run.post_data or "")  # no prompt sends a message about a file it lacks
    await shot(p, "what-can-you-do")


async def test_the_demo_page_picks_an_xpert(page: tuple[Page, Recorder], live: Live) -> None:
    p, rec = page
    await open_demo(p, live)
    picker = p.locator("select#xpert")
    await expect(picker).to_be_visible()
    slugs = await picker.locator("option").evaluate_all("(os) => os.map((o) => o.value)")
    assert {"demo", "slow", "steps"} <= set(slugs), slugs
    await expect(picker).to_have_value("demo")
    await picker.select_option("steps")
    await expect(p).to_have_url(re.compile(r"\?xpert=steps$"))
    await expect(picker).to_have_value("steps", timeout=TIMEOUT)
    await say(p, "Which step?")
    ai = await reply(p)
    await expect(ai).to_contain_text("capital")
    runs = rec.api_calls("POST", r"/runs/stream$")
    assert live.ids["steps"] in (runs[-1].post_data or "")
