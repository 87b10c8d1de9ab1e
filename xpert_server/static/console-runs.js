// Threads and runs: the org's threads (filtered by xpert, status, time and who started them), a thread's
// conversation with its feedback and its runs, and a run's trace — replayed from its stored frames, then
// followed live while the run goes on (GET /threads/{id}/runs/{id}/stream). All through the public API.
import { ApiError, api, stream } from "/console/console-api.js";
import { approvalPanel } from "/console/console-approvals.js";
import { errorBox, facts, field, h, heading, pageSignal, select, showError, statusBadge, table, toast, when } from "/console/console-ui.js";
import { addFrame, newTrace, renderTrace, tokensLine } from "/console/console-trace.js";

export async function xpertNames() {
  const xperts = await api("POST", "/assistants/search", { limit: 1000 });
  return new Map(xperts.map((x) => [x.assistant_id, x.name]));
}

const enc = encodeURIComponent;
export const threadHref = (tid) => `#/threads/${enc(tid)}`;
export const runHref = (tid, rid) => `#/threads/${enc(tid)}/runs/${enc(rid)}`;
const short = (id) => String(id).slice(0, 8);

// ---- threads ---------------------------------------------------------------------------------------

const STATUSES = [["", "Any status"], ["busy", "busy (running)"], ["interrupted", "interrupted (waiting)"], ["error", "error"], ["idle", "idle"]];
const PERIODS = [["", "Any time"], ["1", "Last hour"], ["24", "Last 24 hours"], ["168", "Last 7 days"], ["720", "Last 30 days"]];
const threadFilters = { xpert: "", status: "", hours: "", principal: "" };
const SCAN = 500; // the newest threads a search looks through (the filters below narrow them in the page)

export async function threadsPage(view) {
  const names = await xpertNames();
  const xpert = select("xpert", [["", "All xperts"], ...[...names].map(([id, name]) => [id, name])], threadFilters.xpert);
  const status = select("status", STATUSES, threadFilters.status);
  const hours = select("since", PERIODS, threadFilters.hours);
  const principal = h("input", { name: "principal", type: "search", value: threadFilters.principal, autocomplete: "off" });
  const body = h("div", { "aria-live": "polite" });
  const failure = errorBox();
  const reload = async () => {
    Object.assign(threadFilters, { xpert: xpert.value, status: status.value, hours: hours.value, principal: principal.value.trim() });
    try {
      const found = await api("POST", "/threads/search", { limit: SCAN, sort_by: "updated_at", sort_order: "desc", ...(status.value ? { status: status.value } : {}) });
      const after = hours.value ? Date.now() - Number(hours.value) * 3600_000 : 0;
      const who = threadFilters.principal.toLowerCase();
      const rows = found.filter(
        (t) =>
          (!xpert.value || t.metadata.assistant_id === xpert.value) &&
          Date.parse(t.updated_at) >= after &&
          (!who || String(t.created_by || "").toLowerCase().includes(who)),
      );
      body.replaceChildren(
        h("p", { class: "muted" }, `${rows.length} thread(s)${found.length === SCAN ? ` among the newest ${SCAN}` : ""}.`),
        rows.length
          ? table(
              "Threads",
              ["Thread", "Xpert", "Status", "Updated", "End user"],
              rows.map((t) =>
                h(
                  "tr",
                  {},
                  h("th", { scope: "row" }, h("a", { href: threadHref(t.thread_id) }, t.metadata.title || `Thread ${short(t.thread_id)}`)),
                  h("td", {}, names.get(t.metadata.assistant_id) || t.metadata.assistant_id || "–"),
                  h("td", {}, statusBadge(t.status)),
                  h("td", {}, when(t.updated_at)),
                  h("td", {}, t.created_by ? h("code", {}, t.created_by) : h("span", { class: "muted" }, "none (an API key)")),
                ),
              ),
            )
          : h("p", { class: "muted empty" }, "No thread matches."),
      );
      failure.textContent = "";
    } catch (e) {
      showError(failure, e);
    }
  };
  for (const el of [xpert, status, hours]) el.addEventListener("change", reload);
  principal.addEventListener("change", reload);
  view.replaceChildren(
    heading("Threads and runs"),
    h(
      "form",
      { class: "filters", "aria-label": "Thread filters", onsubmit: (e) => (e.preventDefault(), reload()) },
      field("Xpert", xpert),
      field("Status", status),
      field("Updated", hours),
      field("End user", principal, "Who a thread is for: a widget's user, or the x-principal-user-id a key named."),
    ),
    failure,
    body,
  );
  await reload();
}

// ---- a thread: its conversation (with feedback) and its runs -----------------------------------------

async function feedbackOf(cid, messages) {
  const rated = await Promise.all(
    messages.filter((m) => m.role === "ai").map(async (m) => [m.id, (await api("GET", `/conversations/${enc(cid)}/messages/${enc(m.id)}/feedbacks`)).items]),
  );
  return new Map(rated);
}

// A message as the chat showed it: its text, and a line for each step the widget drew (a tool, a retrieval).
function content(c) {
  if (typeof c === "string") return h("p", { class: "said" }, c);
  if (!Array.isArray(c)) return h("p", { class: "said" }, JSON.stringify(c));
  const text = c.filter((x) => x.type === "text").map((x) => x.text).join("");
  const steps = c
    .filter((x) => x.type === "component" && x.data)
    .map((x) => h("li", {}, h("span", { class: "step-kind" }, x.data.type === "knowledges" ? "Retrieval " : "Tool "), x.data.title || x.data.tool || "", " · ", x.data.output ? String(x.data.output).slice(0, 200) : x.data.status || ""));
  return [steps.length ? h("ul", { class: "shown-steps" }, steps) : null, h("p", { class: "said" }, text)];
}

function conversation(messages, feedback) {
  if (!messages.length) return h("p", { class: "muted" }, "No message yet.");
  return h(
    "ol",
    { class: "messages" },
    messages.map((m) =>
      h(
        "li",
        { class: `message ${m.role}`, "data-role": m.role },
        h("div", { class: "step-head" }, h("strong", {}, m.role === "ai" ? "Assistant" : m.role === "human" ? "User" : m.role), m.status ? statusBadge(m.status) : null, h("span", { class: "muted" }, when(m.createdAt))),
        content(m.content),
        m.error ? h("p", { class: "error-text" }, m.error) : null,
        (feedback.get(m.id) || []).map((f) =>
          h("p", { class: `feedback ${f.rating}`, "data-rating": f.rating }, h("strong", {}, f.rating === "like" ? "👍 Liked" : "👎 Disliked"), f.content ? ` — “${f.content}”` : "", h("span", { class: "muted" }, ` · ${f.createdById || "someone"}, ${when(f.createdAt)}`)),
        ),
      ),
    ),
  );
}

function runsTable(tid, runs, names) {
  if (!runs.length) return h("p", { class: "muted" }, "No run yet.");
  return table(
    "Runs",
    ["Run", "Xpert", "Status", "Started", "Took"],
    runs.map((r) =>
      h(
        "tr",
        {},
        h("th", { scope: "row" }, h("a", { href: runHref(tid, r.run_id) }, `Run ${short(r.run_id)}`)),
        h("td", {}, names.get(r.assistant_id) || r.assistant_id),
        h("td", {}, statusBadge(r.status)),
        h("td", {}, when(r.created_at)),
        h("td", {}, ["pending", "running"].includes(r.status) ? "–" : `${Date.parse(r.updated_at) - Date.parse(r.created_at)} ms`),
      ),
    ),
  );
}

export async function threadPage(view, tid) {
  const [thread, runs, names] = await Promise.all([api("GET", `/threads/${enc(tid)}`), api("GET", `/threads/${enc(tid)}/runs?limit=100`), xpertNames()]);
  const cid = thread.metadata.id;
  const messages = cid ? (await api("GET", `/conversations/${enc(cid)}/messages?limit=1000`)).items : [];
  const feedback = cid ? await feedbackOf(cid, messages) : new Map();
  view.replaceChildren(
    h("p", { class: "crumbs" }, h("a", { href: "#/threads" }, "Threads and runs")),
    heading(thread.metadata.title || `Thread ${short(tid)}`),
    facts([
      ["Thread", h("code", {}, tid)],
      ["Xpert", names.get(thread.metadata.assistant_id) || "–"],
      ["Status", statusBadge(thread.status)],
      ["End user", thread.created_by ? h("code", {}, thread.created_by) : h("span", { class: "muted" }, "none (an API key)")],
      ["Updated", when(thread.updated_at)],
    ]),
    h("section", { class: "card", "aria-labelledby": "conv-title" }, h("h2", { id: "conv-title" }, "Conversation"), conversation(messages, feedback)),
    h("section", { class: "card", "aria-labelledby": "runs-title" }, h("h2", { id: "runs-title" }, "Runs"), runsTable(tid, runs, names)),
  );
}

// ---- a run's trace -------------------------------------------------------------------------------------

const LIVE = ["pending", "running"];

export async function runPage(view, tid, rid, navigate) {
  const signal = pageSignal();
  const [run, names] = await Promise.all([api("GET", `/threads/${enc(tid)}/runs/${enc(rid)}`), xpertNames()]);
  const trace = newTrace({ base: Date.parse(run.created_at) });
  const traceBox = h("div", { class: "card" });
  const status = h("span", { id: "run-status", role: "status" }, statusBadge(run.status));
  const tokens = h("span", {}, "–");
  const failure = errorBox();
  const cancel = h("button", { type: "button", class: "danger", hidden: !LIVE.includes(run.status) }, "Cancel run");
  const approval = h("div");
  let current = run;
  const showRun = (r) => {
    current = r;
    status.replaceChildren(statusBadge(r.status));
    cancel.hidden = !LIVE.includes(r.status);
    approval.replaceChildren(r.status === "interrupted" ? approvalPanel(tid, r, trace, names, navigate) : "");
  };
  cancel.addEventListener("click", async () => {
    cancel.disabled = true;
    try {
      await api("POST", `/threads/${enc(tid)}/runs/${enc(rid)}/cancel`, {});
      toast("Cancel requested.");
    } catch (e) {
      showError(failure, e);
    } finally {
      cancel.disabled = false;
    }
  });
  let queued = false;
  const draw = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      traceBox.replaceChildren(h("h2", {}, "Trace", h("span", { class: "muted live", "data-steps": trace.steps.length }, ` · ${trace.steps.length} step(s)${trace.ended ? "" : " · live"}`)), renderTrace(trace));
      tokens.textContent = tokensLine(trace);
    });
  };
  view.replaceChildren(
    h("p", { class: "crumbs" }, h("a", { href: threadHref(tid) }, "Thread"), " / run"),
    heading(`Run ${short(rid)}`),
    facts([
      ["Run", h("code", {}, rid)],
      ["Xpert", names.get(run.assistant_id) || run.assistant_id],
      ["Status", status],
      ["Started", when(run.created_at)],
      ["Tokens", tokens],
    ]),
    h("div", { class: "actions" }, cancel),
    failure,
    approval,
    traceBox,
  );
  draw();
  // Replays the stored frames, then follows the run until it ends; then the run's final record.
  (async () => {
    try {
      await stream(`/threads/${enc(tid)}/runs/${enc(rid)}/stream`, (frame) => (addFrame(trace, frame), draw()), { signal });
      trace.ended = true;
      draw();
      if (!signal.aborted) showRun(await api("GET", `/threads/${enc(tid)}/runs/${enc(rid)}`));
    } catch (e) {
      if (signal.aborted) return;
      showError(failure, e instanceof ApiError ? e : new Error(`The run's stream broke: ${e.message}`));
    }
  })();
}
