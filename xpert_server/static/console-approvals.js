// Approvals: runs stopped for a person (a tool call to confirm) or a client tool (a tool the chat client
// runs). Approve or reject — with the arguments patched, as XpertAI's approvals allow — or answer for the
// client tool, by starting the resume run the chat clients start (POST /threads/{id}/runs with
// `{"action": "resume", …}`); then the page follows that run's trace.
import { api, stream } from "/console/console-api.js";
import { runHref, threadHref, xpertNames } from "/console/console-runs.js";
import { addFrame, newTrace } from "/console/console-trace.js";
import { errorBox, field, h, heading, nextId, pageSignal, showError, when } from "/console/console-ui.js";

const enc = encodeURIComponent;

function pendingCalls(trace) {
  const asks = trace.steps.filter((s) => s.kind === "approval");
  const last = asks[asks.length - 1];
  if (!last) return { calls: [], clientCalls: [], message: "" };
  const values = last.interrupts.map((i) => i.value || {});
  return {
    calls: values.flatMap((v) => v.toolCalls || []),
    clientCalls: values.flatMap((v) => v.clientToolCalls || []),
    message: values.map((v) => v.message).filter(Boolean).join(" "),
  };
}

// The decision form for one waiting run (`trace`: its frames, for the calls it waits on).
export function approvalPanel(tid, run, trace, names, navigate) {
  const { calls, clientCalls, message } = pendingCalls(trace);
  const failure = errorBox();
  const editors = calls.map((c) => {
    const area = h("textarea", { rows: 3, spellcheck: "false", id: nextId("args") }, JSON.stringify(c.args ?? {}, null, 2));
    return { call: c, area, field: field(`Arguments of ${c.name}`, area, "Change them to approve a patched call.") };
  });
  // A client tool waits for its result: the person answers in the client's place.
  const answers = clientCalls.map((c) => {
    const area = h("textarea", { rows: 2, spellcheck: "false", id: nextId("result") });
    return { call: c, area, field: field(`Result of ${c.name} ${JSON.stringify(c.args ?? {})}`, area, "What the client tool would answer (text or JSON).") };
  });
  const decide = async (type, button) => {
    const body = { action: "resume", target: { executionId: run.run_id }, decision: { type } };
    try {
      if (type === "confirm") {
        const patched = [];
        for (const { call, area } of editors) {
          const args = JSON.parse(area.value || "{}");
          if (JSON.stringify(args) !== JSON.stringify(call.args ?? {})) patched.push({ id: call.id, args });
        }
        if (patched.length) body.patch = { toolCalls: patched };
        if (answers.length) {
          const toolMessages = answers.map(({ call, area }) => ({ tool_call_id: call.id, name: call.name, content: area.value, status: "success" }));
          body.decision.payload = { toolMessages };
        }
      }
    } catch (e) {
      showError(failure, new Error(`The arguments are not JSON: ${e.message}`));
      return;
    }
    button.disabled = true;
    const request = { assistant_id: run.assistant_id, input: body };
    // A run's client tools are declared by its client, on every run (context.clientTools): answering in the
    // client's place, the console declares the ones it answers for (their names; the results are given).
    if (clientCalls.length) {
      const names = [...new Set(clientCalls.map((c) => c.name))];
      request.context = { clientTools: names.map((name) => ({ name, description: `${name} (answered in the console)` })) };
    }
    try {
      const next = await api("POST", `/threads/${enc(tid)}/runs`, request);
      navigate(runHref(tid, next.run_id));
    } catch (e) {
      showError(failure, e);
      button.disabled = false;
    }
  };
  const approve = h("button", { type: "button" }, clientCalls.length && !calls.length ? "Send the result" : "Approve");
  const reject = h("button", { type: "button", class: "danger" }, "Reject");
  approve.addEventListener("click", () => decide("confirm", approve));
  reject.addEventListener("click", () => decide("reject", reject));
  const title = nextId("approval");
  return h(
    "section",
    { class: "card approval-card", "aria-labelledby": title, "data-run": run.run_id },
    h("h2", { id: title }, `Waiting: ${names.get(run.assistant_id) || "xpert"}`),
    h("p", { class: "muted" }, h("a", { href: runHref(tid, run.run_id) }, `Run ${run.run_id.slice(0, 8)}`), " in ", h("a", { href: threadHref(tid) }, "its thread"), `, since ${when(run.updated_at)}`),
    message ? h("p", {}, message) : null,
    editors.map((e) => e.field),
    answers.map((a) => a.field),
    calls.length || clientCalls.length ? null : h("p", { class: "muted" }, "The run asks for a decision without tool calls."),
    failure,
    h("div", { class: "actions" }, approve, reject),
  );
}

export async function approvalsPage(view, navigate) {
  const signal = pageSignal();
  const names = await xpertNames();
  const threads = await api("POST", "/threads/search", { status: "interrupted", limit: 100, sort_by: "updated_at", sort_order: "desc" });
  const waiting = [];
  for (const t of threads) {
    const [run] = await api("GET", `/threads/${enc(t.thread_id)}/runs?status=interrupted&limit=1`);
    if (!run) continue;
    const trace = newTrace();
    await stream(`/threads/${enc(t.thread_id)}/runs/${enc(run.run_id)}/stream`, (f) => addFrame(trace, f), { signal });
    waiting.push(approvalPanel(t.thread_id, run, trace, names, navigate));
  }
  view.replaceChildren(
    heading("Approvals"),
    h("p", { class: "muted" }, waiting.length ? `${waiting.length} run(s) waiting for a decision.` : "No run is waiting for a decision."),
    ...waiting,
  );
}
