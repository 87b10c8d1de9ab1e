"""The console's second part in a real browser (Playwright + Debian's Chromium): a run's trace with its tool
call and retrieval; a live run's trace growing; approving a waiting run and watching it finish; uploading a
document, watching it become ready and searching it; a feedback given through the widget's API shown on its
conversation; redelivering a webhook; an org admin sees neither the System page nor another org's data;
every page at 390 px without sideways scrolling and without serious axe-core violations.

Screenshots go to test-artifacts/ (console-<page>-<desktop|phone>.png)."""

from __future__ import annotations

import re
import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tests.agents.fake_openai import FakeOpenAI
from tests.chatkit.browser import chromium, require_chromium
from tests.conftest import own_database
from tests.console.axe import axe_source
from tests.console.test_browser import DESKTOP, PHONE, check_page, new_page, shot, sign_in
from tests.harness.app import ApiHarness, new_org, open_harness
from tests.harness.chat import send
from tests.harness.uvicorn import bound_socket, serve_in_process
from tests.harness.xperts import SCRIPTED
from tests.knowledge.common import wait_processed
from xpert_server.auth.console import OPERATOR_ORG

MANUAL = "To reset the router, hold the reset button for ten seconds until the light blinks amber."


@dataclass
class Receiver:
    """A webhook target that counts what it is sent."""

    hits: list[bytes] = field(default_factory=list)

    async def hook(self, request: Request) -> PlainTextResponse:
        self.hits.append(await request.body())
        return PlainTextResponse("ok")

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/hook", self.hook, methods=["POST"])])


@dataclass
class World:
    harness: ApiHarness
    base: str
    key: str
    org: str
    ids: dict[str, str]
    receiver: Receiver
    other_thread: str  # a thread of another org


def xpert_yaml(folder: Path, org: str, llm: str) -> None:
    (folder / "support.yaml").write_text(
        textwrap.dedent(
            f"""
            name: Support bot
            slug: support
            org: {org}
            knowledge: [manuals]
            tools: [current_time]
            model: {{provider: openai, name: tool-bot, base_url: '{llm}', options: {{max_retries: 0}}}}
            """
        ),
        encoding="utf-8",
    )
    for slug, name in (("approval", "Careful bot"), ("slowpoke", "Slow bot")):
        (folder / f"{slug}.yaml").write_text(
            f"name: {name}\nslug: {slug}\norg: {org}\ngraph: {SCRIPTED}:{slug}\n", encoding="utf-8"
        )


@pytest.fixture(scope="module")
async def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    require_chromium()
    fake, org, receiver = FakeOpenAI(), new_org(), Receiver()
    folder = tmp_path_factory.mktemp("console-ops-xperts")
    async with serve_in_process(fake.app(), "") as llm, serve_in_process(receiver.app(), "") as target:
        xpert_yaml(folder, org, f"{llm.base_url}/v1")
        url = own_database(request, tmp_path_factory.mktemp("console-ops-db"), "xpert_console_ops")
        data = tmp_path_factory.mktemp("console-ops-data")
        async with open_harness(
            data, url, xperts_dir=folder, files_dir=data / "uploads", webhook_private_orgs=(org,)
        ) as h:
            key, _ = await h.mint_key(org)
            ids: dict[str, str] = {}
            async with h.client(key) as c:
                for x in (await c.post("/assistants/search", json={"limit": 100})).json():
                    ids[x["metadata"]["slug"]] = x["assistant_id"]
                kb = (await c.post("/knowledges", json={"name": "manuals"})).json()
                ids["kb"] = kb["id"]
                docs = [{"name": "router-manual.md", "text": MANUAL}]
                (doc,) = (await c.post(f"/knowledges/{kb['id']}/bulk", json=docs)).json()
                await c.post(f"/knowledges/{kb['id']}/process", json=[doc["id"]])
                (ready,) = await wait_processed(c, kb["id"], [doc["id"]])
                assert ready["status"] == "finish", ready
                # A run that calls a tool after retrieving from the manual, and tells a webhook it ended.
                tid = (await c.post("/threads", json={})).json()["thread_id"]
                ids["thread"] = tid
                wait = await c.post(
                    f"/threads/{tid}/runs/wait",
                    json={
                        "assistant_id": ids["support"],
                        "input": send("call current_time {}"),
                        "webhook": f"{target.base_url}/hook",
                    },
                )
                assert wait.status_code == 201, wait.text
                (run,) = (await c.get(f"/threads/{tid}/runs")).json()
                ids["run"] = run["run_id"]
            other_key, _ = await h.mint_key(new_org())
            async with h.client(other_key) as c:
                other = (await c.post("/threads", json={"metadata": {"title": "org B secret"}})).json()
            sock = bound_socket()
            async with serve_in_process(h.app, sock=sock):
                base = f"http://127.0.0.1:{sock.getsockname()[1]}"
                yield World(h, base, key, org, ids, receiver, other["thread_id"])


@pytest.fixture(scope="module")
async def browser(world: World) -> AsyncIterator[Browser]:
    async with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def axe(request: pytest.FixtureRequest) -> str:
    return axe_source(request.config)


async def signed_in(browser: Browser, w: World, viewport: dict[str, int] = DESKTOP) -> Page:
    p = await new_page(browser, viewport)
    await sign_in(p, w)  # type: ignore[arg-type]
    await expect(p.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    return p


async def test_a_runs_trace_shows_its_tool_call_and_retrieval(
    browser: Browser, world: World, axe: str
) -> None:
    w, failures = world, list[str]()
    p = await signed_in(browser, w)
    await p.get_by_role("link", name="Threads").click()
    await expect(p.get_by_role("heading", name="Threads and runs", level=1)).to_be_visible()
    await p.get_by_label("Xpert").select_option(label="Support bot")
    await check_page(p, axe, "threads-desktop", failures)
    await p.get_by_role("link", name="call current_time {}").click()
    await expect(p.locator("[data-role=ai]")).to_contain_text("Tool said:")
    await check_page(p, axe, "thread-desktop", failures)
    await p.get_by_role("link", name=re.compile(r"^Run ")).first.click()
    trace = p.locator("ol.trace")
    tool = trace.locator("[data-kind=tool][data-tool=current_time]")
    await expect(tool).to_contain_text("Arguments")
    await expect(tool).to_contain_text("UTC")
    await expect(tool.locator("[data-status]")).to_have_text("success")
    retrieval = trace.locator("[data-kind=retrieval]")
    await expect(retrieval.locator(".doc-name")).to_have_text("router-manual.md")
    assert float(await retrieval.locator(".score").first.get_attribute("data-score") or 0) > 0
    await expect(retrieval).to_contain_text("hold the reset button")
    await expect(trace.locator("[data-kind=model]")).to_contain_text("Tool said:")
    await expect(p.locator("#run-status")).to_have_text("success")
    await expect(p.locator("dd", has_text="tokens")).to_contain_text(
        re.compile(r"\d+ tokens \(\d+ in, \d+ out\)")
    )
    await check_page(p, axe, "run-desktop", failures)
    await p.context.close()
    assert not failures, "\n".join(failures)


async def test_a_live_runs_trace_grows_until_it_ends(browser: Browser, world: World) -> None:
    w = world
    async with w.harness.client(w.key) as c:
        tid = (await c.post("/threads", json={})).json()["thread_id"]
        run = (
            await c.post(
                f"/threads/{tid}/runs", json={"assistant_id": w.ids["slowpoke"], "input": send("go")}
            )
        ).json()
    p = await signed_in(browser, w)
    await p.goto(f"{w.base}/console#/threads/{tid}/runs/{run['run_id']}")
    said = p.locator("ol.trace [data-kind=model] .said")
    await expect(said).not_to_have_text("")
    first = len(await said.inner_text())
    await expect(p.locator("h2 .live")).to_contain_text("live")
    await p.wait_for_timeout(1500)
    later = len(await said.inner_text())
    assert later > first, (first, later)  # the trace grew while the page was open
    await shot(p, "run-live-desktop")
    await expect(p.locator("#run-status")).to_have_text("success", timeout=30_000)
    await expect(p.locator("h2 .live")).not_to_contain_text("live")
    assert len(await said.inner_text()) > later
    await p.context.close()


async def test_cancel_a_running_run(browser: Browser, world: World) -> None:
    w = world
    async with w.harness.client(w.key) as c:
        tid = (await c.post("/threads", json={})).json()["thread_id"]
        body = {"assistant_id": w.ids["slowpoke"], "input": send("go")}
        run = (await c.post(f"/threads/{tid}/runs", json=body)).json()
    p = await signed_in(browser, w)
    await p.goto(f"{w.base}/console#/threads/{tid}/runs/{run['run_id']}")
    await expect(p.locator("ol.trace [data-kind=model] .said")).not_to_have_text("")
    await p.get_by_role("button", name="Cancel run").click()
    await expect(p.locator("#run-status")).not_to_have_text(re.compile("^(pending|running|success)$"))
    await expect(p.get_by_role("button", name="Cancel run")).to_be_hidden()
    async with w.harness.client(w.key) as c:
        ended = (await c.get(f"/threads/{tid}/runs/{run['run_id']}")).json()
    assert ended["status"] not in ("pending", "running", "success"), ended
    await expect(p.locator("#run-status")).to_have_text(ended["status"])
    await p.context.close()


async def test_approving_a_waiting_run_finishes_it(browser: Browser, world: World, axe: str) -> None:
    w, failures = world, list[str]()
    async with w.harness.client(w.key) as c:
        tid = (await c.post("/threads", json={})).json()["thread_id"]
        reply = await c.post(
            f"/threads/{tid}/runs/wait", json={"assistant_id": w.ids["approval"], "input": send("clean up")}
        )
        assert reply.status_code == 201, reply.text
    p = await signed_in(browser, w)
    await p.get_by_role("link", name="Approvals").click()
    card = p.locator(".approval-card", has_text="Careful bot")
    await expect(card).to_contain_text("Delete the files in /tmp/old?")
    await check_page(p, axe, "approvals-desktop", failures)
    await card.get_by_role("button", name="Approve").click()
    await expect(p.get_by_role("heading", name=re.compile(r"^Run "), level=1)).to_be_visible()
    await expect(p.locator("#run-status")).to_have_text("success", timeout=30_000)
    await expect(p.locator("ol.trace [data-kind=tool]")).to_contain_text("3 files deleted")
    await expect(p.locator("ol.trace [data-kind=model]")).to_contain_text("Deleted 3 files.")
    await p.get_by_role("link", name="Approvals").click()
    await expect(p.get_by_text("No run is waiting for a decision.")).to_be_visible()
    await p.context.close()
    assert not failures, "\n".join(failures)


async def test_answering_for_a_client_tool_finishes_the_run(browser: Browser, world: World) -> None:
    w = world
    client_tools = {"clientTools": [{"name": "get_location", "description": "The user's city"}]}
    async with w.harness.client(w.key) as c:
        tid = (await c.post("/threads", json={})).json()["thread_id"]
        body = {
            "assistant_id": w.ids["support"],
            "input": send("call get_location {}"),
            "context": client_tools,
        }
        assert (await c.post(f"/threads/{tid}/runs/wait", json=body)).status_code == 201
        (waiting,) = (await c.get(f"/threads/{tid}/runs")).json()
        assert waiting["status"] == "interrupted", waiting
    p = await signed_in(browser, w)
    await p.goto(f"{w.base}/console#/approvals")
    card = p.locator(".approval-card", has=p.get_by_role("link", name=f"Run {waiting['run_id'][:8]}"))
    await card.get_by_label(re.compile("^Result of get_location")).fill("Paris")
    await card.get_by_role("button", name="Send the result").click()
    await expect(p.locator("#run-status")).to_have_text("success", timeout=30_000)
    await expect(p.locator("ol.trace [data-kind=model]")).to_contain_text("Tool said: Paris")
    await p.context.close()


async def test_upload_a_document_watch_it_become_ready_and_search_it(
    browser: Browser, world: World, axe: str, tmp_path: Path
) -> None:
    w, failures = world, list[str]()
    p = await signed_in(browser, w)
    await p.get_by_role("link", name="Knowledge").click()
    await p.get_by_role("link", name="manuals").click()
    await expect(p.get_by_role("heading", name="manuals", level=1)).to_be_visible()
    doc = tmp_path / "billing-faq.md"
    doc.write_text("# Billing\n\nInvoices are sent on the first working day of each month by email.\n")
    # Dropped on the zone, as a person drags a file from their desktop.
    handle = await p.evaluate_handle(
        """([name, text]) => { const dt = new DataTransfer();
            dt.items.add(new File([text], name, {type: "text/markdown"})); return dt; }""",
        [doc.name, doc.read_text()],
    )
    await p.locator(".dropzone").dispatch_event("drop", {"dataTransfer": handle})
    row = p.locator("tr[data-document='billing-faq.md']")
    await expect(row).to_be_visible()
    await expect(row.locator("[data-status]")).to_have_attribute("data-status", "finish", timeout=60_000)
    await expect(row.locator("[data-status]")).to_have_text("ready")
    await p.get_by_label("Query").fill("when are invoices sent")
    await p.get_by_role("button", name="Search").click()
    first = p.locator("tr.hit").first
    await expect(first.locator("th")).to_have_text("billing-faq.md")
    await expect(first.locator(".chunk")).to_contain_text("first working day")
    assert float(await first.locator(".score").inner_text()) > 0
    await check_page(p, axe, "knowledge-base-desktop", failures)
    await p.get_by_role("link", name="Knowledge", exact=True).first.click()
    await check_page(p, axe, "knowledge-desktop", failures)
    await p.context.close()
    assert not failures, "\n".join(failures)


async def test_a_feedback_given_in_the_widget_shows_on_its_conversation(
    browser: Browser, world: World
) -> None:
    w = world
    async with w.harness.client(w.key) as c:
        secret = (await c.post("/v1/chatkit/sessions", json={"xpert_id": w.ids["support"]})).json()
    # What the widget sends: its user's conversation and the rating of an answer (its client secret).
    async with w.harness.client(secret["client_secret"]) as c:
        tid = (await c.post("/threads", json={})).json()["thread_id"]
        body = {"assistant_id": w.ids["support"], "input": send("hello from the widget")}
        assert (await c.post(f"/threads/{tid}/runs/wait", json=body)).status_code == 201
        cid = (await c.get(f"/threads/{tid}")).json()["metadata"]["id"]
        messages = (await c.get(f"/conversations/{cid}/messages")).json()["items"]
        ai = next(m for m in messages if m["role"] == "ai")
        rating = {"rating": "dislike", "content": "Not what I asked"}
        given = await c.post(f"/conversations/{cid}/messages/{ai['id']}/feedbacks", json=rating)
        assert given.status_code == 201, given.text
    p = await signed_in(browser, w)
    await p.goto(f"{w.base}/console#/threads/{tid}")
    await expect(p.locator("[data-role=human]")).to_contain_text("hello from the widget")
    feedback = p.locator("[data-role=ai] .feedback")
    await expect(feedback).to_have_attribute("data-rating", "dislike")
    await expect(feedback).to_contain_text("Not what I asked")
    await p.context.close()


async def test_redeliver_a_webhook(browser: Browser, world: World, axe: str) -> None:
    w, failures = world, list[str]()
    p = await signed_in(browser, w)
    await p.get_by_role("link", name="Webhooks").click()
    row = p.locator("tr[data-delivery]").first
    await expect(row.locator("[data-status]")).to_have_text("succeeded", timeout=30_000)
    # Usually 1; more when an attempt timed out under load and was retried (at least once, by design).
    attempts = int(await row.locator(".attempt-count").inner_text())
    assert attempts >= 1
    before = len(w.receiver.hits)
    await check_page(p, axe, "webhooks-desktop", failures)
    await row.get_by_role("button", name=re.compile("Redeliver")).click()
    await expect(p.locator("tr[data-delivery]").first.locator(".attempt-count")).to_have_text(
        str(attempts + 1), timeout=30_000
    )
    await expect(p.locator("tr[data-delivery]").first.locator("[data-status]")).to_have_text("succeeded")
    assert len(w.receiver.hits) == before + 1
    assert w.receiver.hits[-1] == w.receiver.hits[0]  # the same body again
    await p.context.close()
    assert not failures, "\n".join(failures)


async def test_an_org_admin_sees_no_system_page_and_no_other_orgs_data(
    browser: Browser, world: World
) -> None:
    w = world
    p = await signed_in(browser, w)
    await expect(p.get_by_role("link", name="System")).to_have_count(0)
    await p.goto(f"{w.base}/console#/system")
    await expect(p.get_by_role("heading", name="System", level=1)).to_be_visible()
    await expect(p.locator("#view [role=alert]")).to_contain_text("operator")
    await p.goto(f"{w.base}/console#/threads")
    await expect(p.locator("#view table")).to_be_visible()
    assert "org B secret" not in await p.content()
    await p.goto(f"{w.base}/console#/threads/{w.other_thread}")
    await expect(p.locator("#view [role=alert]")).to_contain_text("not found")
    await p.context.close()


async def test_the_operator_sees_the_system_page(browser: Browser, world: World, axe: str) -> None:
    w, failures = world, list[str]()
    operator, _ = await w.harness.mint_key(OPERATOR_ORG, role="operator")
    for viewport, size in ((DESKTOP, "desktop"), (PHONE, "phone")):
        p = await new_page(browser, viewport)
        await sign_in(p, w, operator)  # type: ignore[arg-type]
        await expect(p.get_by_role("heading", name="System", level=1)).to_be_visible()
        await expect(p.locator("#who")).to_have_text("operator")
        await expect(p.get_by_role("link", name="Overview")).to_be_hidden()  # no org's pages
        await expect(p.locator(f"tr[data-org='{w.org}']")).to_be_visible()
        await expect(p.locator("tr[data-setting=connections_secret] td")).to_have_text("••••••")
        await expect(p.locator("[data-fact=database]")).to_contain_text("ok")
        await check_page(p, axe, f"system-{size}", failures)
        await p.context.close()
    assert not failures, "\n".join(failures)


async def test_every_new_page_fits_a_phone(browser: Browser, world: World, axe: str) -> None:
    w, failures = world, list[str]()
    p = await signed_in(browser, w, PHONE)
    ids = w.ids
    for name, hash_ in (
        ("threads", "#/threads"),
        ("thread", f"#/threads/{ids['thread']}"),
        ("run", f"#/threads/{ids['thread']}/runs/{ids['run']}"),
        ("approvals", "#/approvals"),
        ("knowledge", "#/knowledge"),
        ("knowledge-base", f"#/knowledge/{ids['kb']}"),
        ("webhooks", "#/webhooks"),
    ):
        await p.goto(f"{w.base}/console{hash_}")
        if name == "run":
            await expect(p.locator("ol.trace [data-kind=retrieval]")).to_be_visible()
        await check_page(p, axe, f"{name}-phone", failures)
    await p.context.close()
    assert not failures, "\n".join(failures)
