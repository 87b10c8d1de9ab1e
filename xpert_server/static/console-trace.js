// A run's trace: its stored frames (XpertAI's protocol, runs/executor.py) folded into steps — model turns,
// tool calls with arguments and results, knowledge retrieval with document names and scores, approvals,
// tokens and timings — and drawn as a timeline. `traceOf()` folds; `renderTrace()` draws.
import { h } from "/console/console-ui.js";

// `base`: when the run was created (ms since the epoch). Frames carry no time of their own, and a page that
// opens on a running run gets its first frames replayed at once, so arrival times would mislead: only tool
// and retrieval steps (their own created_date and end_date) and the agent (its elapsed time) are timed.
export function newTrace({ base = null } = {}) {
  return { steps: [], byId: new Map(), tokens: null, status: null, base, ended: false };
}

function step(trace, id, kind, fields) {
  let s = trace.byId.get(id);
  if (!s) {
    s = { id, kind, at: fields.at, ...fields };
    trace.byId.set(id, s);
    trace.steps.push(s);
  }
  return s;
}

// One frame into the trace.
export function addFrame(trace, frame) {
  if (frame.type === "complete") {
    trace.ended = true;
    return;
  }
  if (frame.type === "event") {
    const d = frame.data || {};
    if (frame.event === "on_agent_start") step(trace, `agent-${d.id}`, "agent", { at: null, agent: d.agentKey, status: "running" });
    else if (frame.event === "on_agent_end") {
      const s = step(trace, `agent-${d.id}`, "agent", { at: null, agent: d.agentKey });
      Object.assign(s, { status: d.status, elapsed: d.elapsedTime, error: d.error });
      if (d.totalTokens !== undefined) trace.tokens = { input: d.inputTokens || 0, output: d.outputTokens || 0, total: d.totalTokens || 0 };
    } else if (frame.event === "on_interrupt") {
      const interrupts = (d.tasks || []).flatMap((task) => task.interrupts || []);
      step(trace, `interrupt-${trace.steps.length}`, "approval", { at: null, interrupts });
    } else if (frame.event === "on_conversation_end") trace.status = d.status;
    else if (frame.event === "on_message_end" && d.status === "error") step(trace, `error-${d.id}`, "error", { at: null, error: d.error || "The run failed." });
    return;
  }
  if (frame.type === "error") {
    step(trace, `error-${trace.steps.length}`, "error", { at: null, error: typeof frame.data === "string" ? frame.data : JSON.stringify(frame.data) });
    return;
  }
  if (frame.type !== "message" || !frame.data) return;
  const m = frame.data;
  if (m.type === "text" || m.type === "reasoning") {
    // One model turn per message id; its text arrives in pieces.
    const s = step(trace, `model-${m.id}`, "model", { at: null, text: "", reasoning: "", agent: m.agentKey });
    if (m.type === "text") s.text += m.text || "";
    else s.reasoning += m.text || "";
  } else if (m.type === "component") {
    const d = m.data || {};
    const retrieval = d.type === "knowledges" || String(m.id).startsWith("knowledges-");
    const at = d.created_date && trace.base !== null ? Date.parse(d.created_date) - trace.base : null;
    const s = step(trace, `component-${m.id}`, retrieval ? "retrieval" : "tool", { at, callId: m.id });
    for (const [k, v] of Object.entries(d)) if (v !== undefined) s[k] = v;
  }
}

// ---- drawing ---------------------------------------------------------------------------------------

function json(value) {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

function code(label, value) {
  if (value === undefined || value === null || value === "") return null;
  return h("div", { class: "io" }, h("span", { class: "io-label" }, label), h("pre", { class: "code small", tabindex: "0" }, json(value)));
}

function duration(s) {
  if (s.created_date && s.end_date) return `${Math.max(0, Date.parse(s.end_date) - Date.parse(s.created_date))} ms`;
  return null;
}

function badge(status) {
  return status ? h("span", { class: `badge ${status}`, "data-status": status }, status) : null;
}

function line(label, title, ...rest) {
  return h("div", { class: "step-head" }, h("span", { class: "step-kind" }, label), h("strong", {}, title), ...rest);
}

function documents(rows) {
  if (!rows?.length) return h("p", { class: "muted" }, "No passage found.");
  return h(
    "ol",
    { class: "passages" },
    rows.map((d) => {
      const md = d.metadata || {};
      return h(
        "li",
        { class: "passage", "data-document": md.document_name || "" },
        h("div", {}, h("strong", { class: "doc-name" }, md.document_name || md.document_id || "document"), " ", h("span", { class: "score", "data-score": md.score }, `score ${Number(md.score).toFixed(3)}`), md.knowledgebase ? h("span", { class: "muted" }, ` · ${md.knowledgebase}`) : null),
        h("p", { class: "chunk" }, d.pageContent || ""),
      );
    }),
  );
}

function drawStep(s) {
  // The step's time from the run's start, when known (see newTrace).
  const at = s.at === null || s.at === undefined ? null : h("span", { class: "muted at" }, `at +${Math.max(0, Math.round(s.at))} ms`);
  if (s.kind === "model") {
    return h("li", { class: "step model", "data-kind": "model" }, line("Model", s.agent || "turn", at, duration(s) && h("span", { class: "muted" }, ` · ${duration(s)}`)), s.reasoning ? h("p", { class: "muted reasoning" }, s.reasoning) : null, h("p", { class: "said" }, s.text));
  }
  if (s.kind === "tool") {
    return h(
      "li",
      { class: "step tool", "data-kind": "tool", "data-tool": s.tool || s.title || "" },
      line("Tool call", s.title || s.tool || s.callId, badge(s.status), at, duration(s) && h("span", { class: "muted" }, ` · ${duration(s)}`)),
      code("Arguments", s.input),
      code("Result", s.output),
      s.error ? h("p", { class: "error-text" }, json(s.error)) : null,
    );
  }
  if (s.kind === "retrieval") {
    const q = s.input || {};
    return h(
      "li",
      { class: "step retrieval", "data-kind": "retrieval" },
      line("Retrieval", (q.knowledgebases || []).join(", ") || "knowledge", badge(s.status), at, duration(s) && h("span", { class: "muted" }, ` · ${duration(s)}`)),
      q.query ? h("p", {}, h("span", { class: "io-label" }, "Query "), q.query) : null,
      s.status === "running" ? null : documents(s.data),
      s.error ? h("p", { class: "error-text" }, json(s.error)) : null,
    );
  }
  if (s.kind === "approval") {
    const calls = s.interrupts.flatMap((i) => (i.value && i.value.toolCalls) || []);
    const message = s.interrupts.map((i) => i.value && i.value.message).filter(Boolean).join(" ");
    return h("li", { class: "step approval", "data-kind": "approval" }, line("Approval", "waiting for a decision", at), message ? h("p", {}, message) : null, calls.map((c) => code(`${c.name} arguments`, c.args)));
  }
  if (s.kind === "agent") {
    const extra = s.elapsed !== undefined ? h("span", { class: "muted" }, ` · ${s.elapsed} ms`) : null;
    return h("li", { class: "step agent", "data-kind": "agent" }, line("Agent", s.agent || "xpert", badge(s.status), at, extra), s.error ? h("p", { class: "error-text" }, json(s.error)) : null);
  }
  return h("li", { class: "step error", "data-kind": "error" }, line("Error", "", at), h("p", { class: "error-text" }, s.error));
}

export function renderTrace(trace) {
  if (!trace.steps.length) return h("p", { class: "muted" }, trace.ended ? "This run stored no frames." : "Waiting for the run's first frame…");
  return h("ol", { class: "trace", "aria-label": "Trace" }, trace.steps.map(drawStep));
}

export function tokensLine(trace) {
  const t = trace.tokens;
  return t ? `${t.total} tokens (${t.input} in, ${t.output} out)` : "–";
}
