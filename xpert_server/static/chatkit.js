// xpert-server ChatKit widget: one ES module, no dependencies, no build step.
//
//   import { createChatKit } from "https://<server>/chatkit/chatkit.js";
//   createChatKit(document.getElementById("chat"), {
//     api: { apiUrl: "https://<server>/api/ai", xpertId: "<assistant id>",
//            getClientSecret: async (current) => (await fetch("/my/session")).json().client_secret },
//     theme: "light", startScreen: { greeting: "Hi!" }, composer: { placeholder: "Ask…" },
//   });
//
// Option and event names follow XpertAI's ChatKit (@xpert-ai/chatkit-types). Everything the model or
// the user wrote reaches the page as text nodes: this file never assigns HTML strings to the DOM.

const TAG = "xpertai-chatkit";
const STYLE_URL = new URL("./chatkit.css", import.meta.url).href;
const DEFAULTS = {
  greeting: "What can I help with today?",
  placeholder: "Message the AI",
};
const REJOIN_ATTEMPTS = 8;
// At this width and below the history is an overlay over the chat instead of a column beside it.
const NARROW = 640;
const HISTORY_LIMIT = 50;

// ---------------------------------------------------------------------------------------------------
// DOM helper: elements from tag, attributes and children (strings become text nodes, never markup).

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "hidden") el.hidden = Boolean(value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Icons as SVG built node by node (no emoji: many systems lack the fonts). Shapes after Feather (MIT).
const ICONS = {
  attach: "M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48",
  plus: "M12 5v14M5 12h14",
  send: "M12 19V5M5 12l7-7 7 7",
  stop: "M7 7h10v10H7z",
  menu: "M3 6h18M3 12h18M3 18h18",
  tool: "M14.7 6.3a1 1 0 0 0 0 1.4l1.6 1.6a1 1 0 0 0 1.4 0l3.77-3.77a6 6 0 0 1-7.94 7.94l-6.91 6.91a2.12 2.12 0 0 1-3-3l6.91-6.91a6 6 0 0 1 7.94-7.94l-3.76 3.76z",
  book: "M2 3h6a4 4 0 0 1 4 4v14a3 3 0 0 0-3-3H2zM22 3h-6a4 4 0 0 0-4 4v14a3 3 0 0 1 3-3h7z",
  file: "M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8zM14 2v6h6",
  close: "M18 6L6 18M6 6l12 12",
};

function icon(name) {
  const NS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(NS, "svg");
  for (const [k, v] of Object.entries({ viewBox: "0 0 24 24", width: "1.1em", height: "1.1em", fill: name === "stop" ? "currentColor" : "none", stroke: "currentColor", "stroke-width": "2", "stroke-linecap": "round", "stroke-linejoin": "round", "aria-hidden": "true", class: "ck-icon" })) {
    svg.setAttribute(k, v);
  }
  const path = document.createElementNS(NS, "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}

// ---------------------------------------------------------------------------------------------------
// Safe Markdown: a small subset (paragraphs, headings, lists, quotes, code, emphasis, links) built as
// DOM nodes. Links keep only http(s) and mailto targets.

function safeUrl(raw) {
  try {
    const url = new URL(raw, document.baseURI);
    return ["http:", "https:", "mailto:"].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

const INLINE =
  /(`+)([\s\S]*?[^`])\1(?!`)|\*\*([\s\S]+?)\*\*|(?<!\w)__(?=\S)([\s\S]*?\S)__(?!\w)|\*(?=\S)([\s\S]*?\S)\*|\[([^\]]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g;

function inline(text) {
  const out = document.createDocumentFragment();
  const pattern = new RegExp(INLINE.source, "g"); // per call: the nested calls below must not share lastIndex
  let last = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (m.index > last) out.append(text.slice(last, m.index));
    if (m[1]) out.append(h("code", {}, m[2]));
    else if (m[3] !== undefined || m[4] !== undefined) out.append(h("strong", {}, inline(m[3] ?? m[4])));
    else if (m[5] !== undefined) out.append(h("em", {}, inline(m[5])));
    else if (m[6] !== undefined) out.append(link(m[7], inline(m[6]), m[0]));
    else if (m[8]) out.append(link(m[8], m[8], m[8]));
    last = pattern.lastIndex;
  }
  if (last < text.length) out.append(text.slice(last));
  return out;
}

function link(href, content, fallback) {
  const url = safeUrl(href);
  if (!url) return document.createTextNode(fallback);
  return h("a", { href: url, target: "_blank", rel: "noopener noreferrer nofollow" }, content);
}

function withBreaks(lines) {
  const frag = document.createDocumentFragment();
  lines.forEach((line, i) => {
    if (i) frag.append(h("br"));
    frag.append(inline(line));
  });
  return frag;
}

export function renderMarkdown(text) {
  const root = document.createDocumentFragment();
  const lines = String(text).replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const fence = line.match(/^\s*(```+|~~~+)\s*([\w+-]*)/);
    if (fence) {
      const body = [];
      for (i++; i < lines.length && !lines[i].trim().startsWith(fence[1]); i++) body.push(lines[i]);
      i++;
      root.append(h("pre", {}, h("code", { "data-lang": fence[2] || null }, body.join("\n"))));
      continue;
    }
    if (!line.trim()) {
      i++;
      continue;
    }
    const heading = line.match(/^(#{1,6})\s+(.*)$/);
    if (heading) {
      root.append(h(`h${Math.min(6, heading[1].length + 2)}`, {}, inline(heading[2])));
      i++;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      root.append(h("hr"));
      i++;
      continue;
    }
    if (/^\s*>/.test(line)) {
      const quoted = [];
      for (; i < lines.length && /^\s*>/.test(lines[i]); i++) quoted.push(lines[i].replace(/^\s*>\s?/, ""));
      root.append(h("blockquote", {}, renderMarkdown(quoted.join("\n"))));
      continue;
    }
    const item = /^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$/;
    const first = line.match(item);
    if (first) {
      const ordered = Boolean(first[2]);
      const list = h(ordered ? "ol" : "ul", { start: ordered && first[2] !== "1" ? first[2] : null });
      for (let m = first; i < lines.length && m && Boolean(m[2]) === ordered; m = lines[i]?.match(item)) {
        const body = [m[3]];
        // Indented lines that follow belong to the item.
        for (i++; i < lines.length && /^\s{2,}\S/.test(lines[i]) && !item.test(lines[i]); i++) body.push(lines[i].trim());
        list.append(h("li", {}, withBreaks(body)));
      }
      root.append(list);
      continue;
    }
    const para = [];
    for (; i < lines.length && lines[i].trim() && !/^(#{1,6}\s|\s*```|\s*~~~|\s*>)/.test(lines[i]) && !item.test(lines[i]); i++) {
      para.push(lines[i]);
    }
    if (!para.length) para.push(lines[i++]);
    root.append(h("p", {}, withBreaks(para)));
  }
  return root;
}

// ---------------------------------------------------------------------------------------------------
// SSE over fetch (EventSource cannot send an Authorization header): frames of {id, event, data}.

async function* readSse(response, signal) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let frame = { id: null, event: null, data: [] };
  const onAbort = () => reader.cancel().catch(() => {});
  signal?.addEventListener("abort", onAbort);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let nl;
      while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + (buffer.startsWith("\r\n", nl) ? 2 : 1));
        if (line === "") {
          if (frame.data.length || frame.event) {
            const raw = frame.data.join("\n");
            let data = raw;
            try {
              data = raw ? JSON.parse(raw) : null;
            } catch {
              // XpertAI's own server sends plain-text error frames: keep them as text.
            }
            yield { id: frame.id, event: frame.event, data };
          }
          frame = { id: null, event: null, data: [] };
        } else if (!line.startsWith(":")) {
          const colon = line.indexOf(":");
          const name = colon < 0 ? line : line.slice(0, colon);
          let value = colon < 0 ? "" : line.slice(colon + 1);
          if (value.startsWith(" ")) value = value.slice(1);
          if (name === "data") frame.data.push(value);
          else if (name === "id") frame.id = value;
          else if (name === "event") frame.event = value;
        }
      }
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    reader.releaseLock?.();
  }
}

// ---------------------------------------------------------------------------------------------------
// The API client: every call carries the client secret; a 401 fetches a fresh one and retries once.

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// An HTTP error as what it is: the server's message and the status ("Invalid token (HTTP 401)"), or the
// status alone when the body is no JSON message (a proxy's page, a framework's bare 500) — never a
// JSON parse error.
export async function errorMessage(response) {
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  let text = "";
  try {
    text = await response.clone().text();
  } catch {
    // an aborted body: the status says enough
  }
  let message = "";
  try {
    const body = JSON.parse(text);
    const m = body?.message ?? body?.error ?? body?.detail;
    message = Array.isArray(m) ? m.map((x) => (typeof x === "string" ? x : x?.msg ?? JSON.stringify(x))).join("; ") : typeof m === "string" ? m : m ? JSON.stringify(m) : "";
  } catch {
    // Plain text, short and on one line, is a message; an HTML page is not.
    const plain = text.trim();
    const type = response.headers.get("content-type") || "";
    if (type.startsWith("text/plain") && plain && plain.length <= 200 && !plain.includes("\n")) message = plain;
  }
  if (!message || message === response.statusText) return status;
  return `${message} (${status})`;
}

// What getClientSecret gave: a secret, {secret, …}, or the session endpoint's own Response (read here, so
// a failed session shows its status and message instead of a JSON parse error in the page's code).
async function secretFrom(result) {
  if (typeof Response === "undefined" || !(result instanceof Response)) return result;
  if (!result.ok) throw new ApiError(result.status, `Could not get a client secret: ${await errorMessage(result)}`);
  try {
    return await result.json();
  } catch {
    throw new ApiError(result.status, `Could not get a client secret: the session endpoint answered HTTP ${result.status} without JSON`);
  }
}

class ChatApi {
  constructor(api, log) {
    if (!api || !api.apiUrl || typeof api.getClientSecret !== "function") {
      throw new Error("ChatKit: options.api needs apiUrl and getClientSecret(currentClientSecret)");
    }
    this.apiUrl = String(api.apiUrl).replace(/\/+$/, "");
    this.getClientSecret = api.getClientSecret;
    this.xpertId = api.xpertId || null;
    this.secret = null;
    this.organizationId = null;
    this.refreshing = null;
    this.log = log;
  }

  async refresh(stale) {
    // Concurrent 401s share one refresh; a request that failed with an old secret just retries.
    if (this.secret !== stale) return;
    if (!this.refreshing) {
      this.refreshing = (async () => {
        let result;
        try {
          result = await secretFrom(await this.getClientSecret(this.secret));
        } catch (e) {
          if (e instanceof ApiError) throw e;
          // The page's own code failed; a SyntaxError here is its session endpoint answering no JSON.
          const why = e instanceof SyntaxError ? "the session endpoint did not answer JSON" : e?.message || String(e);
          throw new Error(`Could not get a client secret: ${why}`);
        }
        this.apply(result);
        this.log("client_secret.refresh", {});
      })().finally(() => {
        this.refreshing = null;
      });
    }
    await this.refreshing;
  }

  apply(result) {
    const secret = typeof result === "string" ? result : result?.secret ?? result?.client_secret;
    if (!secret) throw new Error("ChatKit: getClientSecret returned no secret");
    this.secret = secret;
    if (result && typeof result === "object") {
      this.organizationId = result.organizationId ?? this.organizationId;
      this.xpertId = this.xpertId || result.xpertId || result.assistantId || null;
    }
  }

  async fetch(method, path, { json, body, headers = {}, signal } = {}) {
    if (!this.secret) await this.refresh(null);
    for (let attempt = 0; ; attempt++) {
      const used = this.secret;
      const h = { ...headers, authorization: `Bearer ${used}` };
      if (this.organizationId) h["organization-id"] = this.organizationId;
      if (json !== undefined) h["content-type"] = "application/json";
      const response = await fetch(this.apiUrl + path, {
        method,
        headers: h,
        body: json !== undefined ? JSON.stringify(json) : body,
        signal,
        cache: "no-store",
      });
      if (response.status !== 401 || attempt > 0) return response;
      // "Token expired" is the normal case; any other 401 gets one fresh secret too.
      this.log("client_secret.rejected", { message: await errorMessage(response) });
      await this.refresh(used);
    }
  }

  async json(method, path, options) {
    const response = await this.fetch(method, path, options);
    if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
    return response.status === 202 || response.status === 204 ? null : response.json();
  }
}

// ---------------------------------------------------------------------------------------------------
// One AI message: text and reasoning blocks merged by id, tool/knowledge steps, an approval panel.

function pretty(value) {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2);
}

const STATUS_LABEL = { running: "running…", success: "done", fail: "failed", error: "failed" };

class AiMessage {
  constructor(el) {
    this.el = el;
    this.body = el.querySelector(".ck-body");
    this.blocks = new Map();
    this.pending = new Set();
    this.timer = null;
    this.sources = new Map(); // document name → best score, from the knowledge steps' results
  }

  reset() {
    this.blocks.clear();
    this.sources.clear();
    this.body.replaceChildren();
    for (const extra of this.el.querySelectorAll(".ck-error, .ck-note, .ck-approval, .ck-sources")) extra.remove();
    this.el.dataset.status = "thinking";
  }

  text(kind, id, chunk) {
    const key = `${kind}:${id}`;
    let block = this.blocks.get(key);
    if (!block) {
      const node =
        kind === "reasoning"
          ? h("details", { class: "ck-reasoning" }, h("summary", {}, "Reasoning"), h("div", { class: "ck-md" }))
          : h("div", { class: "ck-md" });
      block = { kind, text: "", node, target: kind === "reasoning" ? node.lastChild : node };
      this.blocks.set(key, block);
      this.body.append(node);
    }
    block.text += chunk;
    this.schedule(block);
  }

  schedule(block) {
    // Re-render Markdown at most every 30 ms: smooth streaming without re-parsing on every delta.
    this.pending.add(block);
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), 30);
  }

  flush() {
    clearTimeout(this.timer);
    this.timer = null;
    for (const block of this.pending) block.target.replaceChildren(renderMarkdown(block.text));
    this.pending.clear();
  }

  component(id, data) {
    const key = `component:${id}`;
    let block = this.blocks.get(key);
    if (!block) {
      block = { kind: "component", data: {}, node: h("details", { class: "ck-step", "data-step-id": id }) };
      this.blocks.set(key, block);
      this.body.append(block.node);
    }
    Object.assign(block.data, data || {});
    renderStep(block.node, block.data);
    if (isKnowledge(block.data)) for (const d of retrieved(block.data)) this.addSource(d);
  }

  // Source chips under the answer: the documents its knowledge steps returned (XpertAI's `knowledges`
  // component frames, as every client gets them), each once, with its best score.
  addSource({ name, score, knowledgebase }) {
    if (!name) return;
    const known = this.sources.get(name);
    if (known && (known.score ?? -Infinity) >= (score ?? -Infinity)) return;
    this.sources.set(name, { score, knowledgebase });
    let row = this.el.querySelector(".ck-sources");
    if (!row) {
      row = h("div", { class: "ck-sources", role: "list", "aria-label": "Sources" });
      this.body.after(row);
    }
    row.replaceChildren(
      ...[...this.sources].map(([doc, s]) =>
        h(
          "span",
          { class: "ck-source", role: "listitem", title: [s.knowledgebase, s.score != null ? `score ${formatScore(s.score)}` : null].filter(Boolean).join(" · ") || doc },
          icon("file"),
          h("span", { class: "ck-source-name" }, doc),
        ),
      ),
    );
  }

  content(content) {
    // A stored message: a string, or XpertAI's list of content blocks.
    if (typeof content === "string") return this.text("text", "_", content);
    for (const part of Array.isArray(content) ? content : []) {
      if (typeof part === "string") this.text("text", "_", part);
      else if (part?.type === "text" || part?.type === "reasoning") this.text(part.type, part.id ?? "_", part.text ?? "");
      else if (part?.type === "component") this.component(part.id ?? Math.random(), part.data);
    }
  }

  approval(operation, decide) {
    this.el.querySelector(".ck-approval")?.remove();
    const calls = toolCallsOf(operation);
    const buttons = [
      h("button", { type: "button", class: "ck-approve", "data-action": "approve" }, "Approve"),
      h("button", { type: "button", class: "ck-reject", "data-action": "reject" }, "Reject"),
    ];
    const panel = h(
      "div",
      { class: "ck-approval", role: "group", "aria-label": "Approval needed" },
      h("div", { class: "ck-approval-title" }, "Approval needed"),
      calls.map((c) =>
        h("div", { class: "ck-approval-call" }, h("code", {}, c.name), c.args ? h("pre", {}, pretty(c.args)) : null),
      ),
      h("div", { class: "ck-approval-actions" }, buttons),
    );
    const onClick = async (type) => {
      for (const b of buttons) b.disabled = true;
      panel.dataset.decision = type;
      panel.querySelector(".ck-approval-title").textContent = type === "confirm" ? "Approved" : "Rejected";
      await decide(type);
    };
    buttons[0].addEventListener("click", () => onClick("confirm"));
    buttons[1].addEventListener("click", () => onClick("reject"));
    this.el.append(panel);
  }

  finish(status, error) {
    this.flush();
    this.el.dataset.status = status || "success";
    if (error && status !== "interrupted") this.error(error);
    // A run stopped by the user ends "interrupted" with a reason; one waiting for approval has none.
    if (error && status === "interrupted" && !this.el.querySelector(".ck-note")) {
      this.el.append(h("div", { class: "ck-note" }, "Stopped"));
    }
  }

  error(message) {
    this.flush();
    this.el.dataset.status = "error";
    let node = this.el.querySelector(".ck-error");
    if (!node) this.el.append((node = h("div", { class: "ck-error", role: "alert" })));
    node.textContent = String(message);
  }
}

function toolCallsOf(operation) {
  const calls = [];
  for (const task of operation?.tasks ?? []) {
    for (const interrupt of task?.interrupts ?? []) {
      const value = interrupt?.value ?? {};
      const list = value.toolCalls ?? value.tool_calls ?? value.clientToolCalls ?? value.actionRequests ?? [];
      for (const c of Array.isArray(list) ? list : []) calls.push({ name: c.name ?? c.tool ?? "tool", args: c.args ?? c.arguments });
      if (!Array.isArray(list) || !list.length) calls.push({ name: value.name ?? "action", args: value });
    }
  }
  return calls;
}

function isKnowledge(data) {
  return data.type === "knowledges" || data.category === "Computer";
}

// A knowledge step's results as {name, score, knowledgebase, text}: the document's name from the
// metadata XpertAI's retrievers send (`document_name`, else `source`, `title`, `name`).
function retrieved(data) {
  return (Array.isArray(data.data) ? data.data : []).map((d) => {
    const meta = d?.metadata ?? {};
    const score = Number(meta.score ?? meta.relevance_score ?? d?.score);
    return {
      name: String(meta.document_name ?? meta.source ?? meta.title ?? d?.title ?? d?.name ?? ""),
      score: Number.isFinite(score) ? score : null,
      knowledgebase: meta.knowledgebase ?? null,
      text: d?.pageContent ?? d?.content ?? d,
    };
  });
}

function formatScore(score) {
  return Math.abs(score) >= 10 ? score.toFixed(1) : score.toFixed(3);
}

function renderStep(node, data) {
  const knowledge = isKnowledge(data);
  const status = data.status || "running";
  node.dataset.status = status;
  node.dataset.kind = knowledge ? "knowledge" : "tool";
  if (data.tool) node.dataset.tool = data.tool;
  const title = knowledge ? "Knowledge retrieval" : data.title || data.tool || "Tool";
  const parts = [
    h(
      "summary",
      {},
      h("span", { class: "ck-step-icon", "aria-hidden": "true" }, icon(knowledge ? "book" : "tool")),
      h("span", { class: "ck-step-title" }, title),
      h("span", { class: "ck-step-status" }, STATUS_LABEL[status] ?? status),
    ),
  ];
  const body = h("div", { class: "ck-step-body" });
  const query = knowledge ? data.message ?? data.input?.query : null;
  if (query) body.append(h("div", { class: "ck-label" }, "Query"), h("pre", {}, pretty(query)));
  else if (data.input !== undefined) body.append(h("div", { class: "ck-label" }, "Input"), h("pre", {}, pretty(data.input)));
  if (Array.isArray(data.data)) {
    body.append(
      h("div", { class: "ck-label" }, "Results"),
      h(
        "ol",
        { class: "ck-docs" },
        retrieved(data).map((d) =>
          h(
            "li",
            { class: "ck-doc" },
            h(
              "div",
              { class: "ck-doc-head" },
              h("span", { class: "ck-doc-name" }, d.name || "document"),
              d.knowledgebase ? h("span", { class: "ck-doc-kb" }, d.knowledgebase) : null,
              d.score != null ? h("span", { class: "ck-doc-score", title: "relevance score" }, `score ${formatScore(d.score)}`) : null,
            ),
            h("pre", {}, pretty(d.text)),
          ),
        ),
      ),
    );
  } else if (data.output !== undefined && data.output !== null) {
    body.append(h("div", { class: "ck-label" }, "Output"), h("pre", {}, pretty(data.output)));
  }
  if (data.error) body.append(h("div", { class: "ck-label" }, "Error"), h("pre", {}, String(data.error)));
  node.replaceChildren(...parts, body);
}

// ---------------------------------------------------------------------------------------------------
// The element.

export class XpertChatKit extends HTMLElement {
  constructor() {
    super();
    this.options = null;
    this.api = null;
    this.threadId = null;
    this.conversationId = null;
    this.attachments = [];
    this.run = null; // the run being streamed: {threadId, runId, lastEventId, ai, done}
    this.busy = false;
    this.started = false;
    this.generation = 0; // bumped on thread switches: late replies of an old thread are dropped
    this.build();
  }

  // ----- public API (as XpertAI's / OpenAI's ChatKit element) ---------------------------------------

  setOptions(options) {
    this.options = options || {};
    this.api = new ChatApi(this.options.api, (name, data) => this.emit("chatkit.log", { name, data }));
    this.applyOptions();
    if (this.isConnected) this.start();
  }

  focusComposer() {
    this.textarea.focus();
  }

  async setThreadId(threadId) {
    if (threadId) await this.loadThread(threadId);
    else this.newChat();
  }

  async sendUserMessage({ text } = {}) {
    await this.send(String(text ?? ""));
  }

  connectedCallback() {
    if (this.options) this.start();
  }

  // ----- layout -----------------------------------------------------------------------------------

  build() {
    const root = this.attachShadow({ mode: "open" });
    this.textarea = h("textarea", { name: "message", rows: 1, "aria-label": "Message", autocomplete: "off" });
    this.fileInput = h("input", { type: "file", multiple: true, hidden: true, "aria-hidden": "true", tabindex: -1 });
    this.attachButton = h("button", { type: "button", class: "ck-attach", "aria-label": "Attach a file", title: "Attach a file", hidden: true }, icon("attach"));
    this.sendButton = h("button", { type: "submit", class: "ck-send", "aria-label": "Send", title: "Send" }, icon("send"));
    this.stopButton = h("button", { type: "button", class: "ck-stop", "aria-label": "Stop", title: "Stop", hidden: true }, icon("stop"));
    this.chips = h("div", { class: "ck-attachments" });
    this.form = h(
      "form",
      { class: "ck-composer" },
      this.chips,
      h("div", { class: "ck-row" }, this.attachButton, this.fileInput, this.textarea, this.sendButton, this.stopButton),
    );
    this.history = h("ul", { class: "ck-history", "aria-label": "Conversations" });
    this.sidebar = h(
      "aside",
      { class: "ck-sidebar", part: "history", id: "ck-history", "aria-label": "History" },
      h("button", { type: "button", class: "ck-new", "data-action": "new-chat", onclick: () => this.newChat() }, icon("plus"), " New chat"),
      h("div", { class: "ck-history-title" }, "History"),
      this.history,
    );
    this.titleEl = h("span", { class: "ck-title" });
    this.banner = h("div", { class: "ck-banner", role: "alert", hidden: true });
    this.greeting = h("h2", { class: "ck-greeting" });
    this.prompts = h("div", { class: "ck-prompts" });
    this.startScreen = h("div", { class: "ck-start" }, this.greeting, this.prompts);
    // A polite log, busy while a reply streams: screen readers read the finished reply, not every token.
    this.messages = h("div", { class: "ck-messages", role: "log", "aria-live": "polite", "aria-busy": "false" });
    this.scroller = h("div", { class: "ck-scroll" }, this.startScreen, this.messages);
    this.main = h(
      "section",
      { class: "ck-main" },
      h(
        "header",
        { class: "ck-header", part: "header" },
        (this.toggle = h("button", { type: "button", class: "ck-toggle", "aria-label": "History", "aria-controls": "ck-history", "aria-expanded": "true", onclick: () => this.toggleHistory() }, icon("menu"))),
        this.titleEl,
      ),
      this.banner,
      this.scroller,
      this.form,
    );
    this.scrim = h("div", { class: "ck-scrim", "aria-hidden": "true", onclick: () => this.toggleHistory(false) });
    this.root = h("div", { class: "ck", part: "root", "data-narrow": "false" }, this.sidebar, this.scrim, this.main);
    // Hidden until its stylesheet is in: no flash of unstyled widget, and no focus ring but ours.
    this.root.style.visibility = "hidden";
    const reveal = () => { this.root.style.visibility = ""; };
    root.append(h("link", { rel: "stylesheet", href: STYLE_URL, onload: reveal, onerror: reveal }), this.root);
    // Narrow (a phone, a small embed): the history overlays the chat, closed until asked for.
    new ResizeObserver(() => this.layout()).observe(this.root);
    this.root.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && this.root.dataset.narrow === "true" && this.root.classList.contains("ck-history-open")) {
        this.toggleHistory(false);
        this.toggle.focus();
      }
    });

    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.send(this.textarea.value);
    });
    this.textarea.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.send(this.textarea.value);
      }
    });
    this.textarea.addEventListener("input", () => this.autosize());
    this.attachButton.addEventListener("click", () => this.fileInput.click());
    this.fileInput.addEventListener("change", () => {
      const files = [...this.fileInput.files];
      this.fileInput.value = "";
      for (const file of files) this.upload(file);
    });
    this.stopButton.addEventListener("click", () => this.stop());
  }

  layout() {
    const narrow = this.root.clientWidth > 0 && this.root.clientWidth <= NARROW;
    if (String(narrow) === this.root.dataset.narrow) return;
    this.root.dataset.narrow = String(narrow);
    this.root.classList.remove("ck-history-open");
    this.syncToggle();
  }

  historyShown() {
    if (this.options?.history?.enabled === false) return false;
    return this.root.dataset.narrow === "true" ? this.root.classList.contains("ck-history-open") : !this.root.classList.contains("ck-no-history");
  }

  // Desktop: the sidebar column collapses and comes back. Narrow: the overlay opens and closes.
  toggleHistory(show = !this.historyShown()) {
    if (this.root.dataset.narrow === "true") this.root.classList.toggle("ck-history-open", show);
    else this.root.classList.toggle("ck-no-history", !show);
    this.syncToggle();
    if (show && this.root.dataset.narrow === "true") this.sidebar.querySelector("button")?.focus();
  }

  syncToggle() {
    this.toggle.setAttribute("aria-expanded", String(this.historyShown()));
    this.toggle.hidden = this.options?.history?.enabled === false;
  }

  applyOptions() {
    const o = this.options;
    const theme = typeof o.theme === "string" ? { colorScheme: o.theme } : o.theme || {};
    this.root.dataset.scheme = theme.colorScheme === "dark" ? "dark" : "light";
    this.root.dataset.radius = theme.radius || "round";
    this.root.dataset.density = theme.density || "normal";
    const vars = {
      "--ck-accent": theme.color?.accent?.primary,
      "--ck-font": theme.typography?.fontFamily,
      "--ck-font-mono": theme.typography?.fontFamilyMono,
      "--ck-base": theme.typography?.baseSize ? `${theme.typography.baseSize}px` : null,
      "--ck-surface-bg": theme.color?.surface?.background,
      "--ck-surface-fg": theme.color?.surface?.foreground,
    };
    for (const [name, value] of Object.entries(vars)) {
      if (value) this.root.style.setProperty(name, String(value));
      else this.root.style.removeProperty(name);
    }
    this.textarea.placeholder = o.composer?.placeholder || DEFAULTS.placeholder;
    const attachments = o.composer?.attachments;
    this.attachButton.hidden = !attachments?.enabled;
    if (attachments?.accept) this.fileInput.accept = Object.entries(attachments.accept).flatMap(([mime, exts]) => [mime, ...(exts || [])]).join(",");
    this.greeting.textContent = o.startScreen?.greeting || DEFAULTS.greeting;
    this.prompts.replaceChildren(
      ...(o.startScreen?.prompts || []).map((p) =>
        h("button", { type: "button", class: "ck-prompt", onclick: () => this.send(p.prompt ?? p.label) }, p.label ?? p.prompt),
      ),
    );
    this.root.classList.toggle("ck-no-history", o.history?.enabled === false);
    this.sidebar.hidden = o.history?.enabled === false;
    this.syncToggle();
    this.setTitle(null);
  }

  setTitle(title) {
    this.titleEl.textContent = this.options?.header?.title?.text || title || "New chat";
  }

  autosize() {
    this.textarea.style.height = "auto";
    this.textarea.style.height = `${Math.min(this.textarea.scrollHeight, 200)}px`;
  }

  emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }

  showError(message) {
    this.banner.textContent = String(message);
    this.banner.hidden = false;
    this.emit("chatkit.error", { error: new Error(String(message)) });
  }

  clearError() {
    this.banner.hidden = true;
    this.banner.textContent = "";
  }

  setBusy(busy) {
    this.busy = busy;
    this.stopButton.hidden = !busy;
    this.sendButton.hidden = busy;
    this.root.dataset.busy = busy ? "true" : "false";
    this.messages.setAttribute("aria-busy", busy ? "true" : "false");
  }

  scrollDown() {
    const s = this.scroller;
    if (s.scrollHeight - s.scrollTop - s.clientHeight < 120) s.scrollTop = s.scrollHeight;
  }

  // ----- messages -----------------------------------------------------------------------------------

  addUser(text, files = []) {
    this.startScreen.hidden = true;
    const el = h(
      "div",
      { class: "ck-msg ck-user", "data-role": "user" },
      h("div", { class: "ck-bubble" }, text),
      files.length ? h("div", { class: "ck-files" }, files.map((f) => h("span", { class: "ck-chip" }, icon("file"), f.originalName || f.name || "file"))) : null,
    );
    this.messages.append(el);
    this.scroller.scrollTop = this.scroller.scrollHeight;
    return el;
  }

  addAi(status = "thinking") {
    this.startScreen.hidden = true;
    const el = h("div", { class: "ck-msg ck-ai", "data-role": "ai", "data-status": status }, h("div", { class: "ck-body" }));
    this.messages.append(el);
    this.scrollDown();
    return new AiMessage(el);
  }

  // ----- start, threads, history --------------------------------------------------------------------

  storageKey() {
    return `xpertai-chatkit:${this.api.apiUrl}:${this.api.xpertId || ""}:thread`;
  }

  async start() {
    if (this.started) return;
    this.started = true;
    try {
      await this.api.refresh(null);
      if (!this.api.xpertId) {
        // A secret bound to one xpert finds it here; otherwise the first the secret may see.
        const [first] = await this.api.json("POST", "/assistants/search", { json: { limit: 1 } });
        this.api.xpertId = first?.assistant_id ?? null;
      }
      const initial = this.options.initialThread !== undefined ? this.options.initialThread : this.remembered();
      this.emit("chatkit.ready");
      this.refreshHistory();
      if (initial) await this.loadThread(initial);
    } catch (e) {
      this.showError(e.message || e);
    }
  }

  remembered() {
    try {
      return localStorage.getItem(this.storageKey());
    } catch {
      return null;
    }
  }

  remember(threadId) {
    try {
      if (threadId) localStorage.setItem(this.storageKey(), threadId);
      else localStorage.removeItem(this.storageKey());
    } catch {
      // Storage may be disabled (private mode, sandboxed frames): the widget works without it.
    }
  }

  setThread(threadId, conversationId) {
    const changed = threadId !== this.threadId;
    this.threadId = threadId;
    this.conversationId = conversationId ?? null;
    this.remember(threadId);
    this.markActive();
    if (changed) this.emit("chatkit.thread.change", { threadId });
  }

  pick(threadId) {
    if (this.root.dataset.narrow === "true") this.toggleHistory(false);
    this.loadThread(threadId);
  }

  newChat() {
    if (this.root.dataset.narrow === "true" && this.historyShown()) this.toggleHistory(false);
    this.generation++;
    this.detachRun();
    this.messages.replaceChildren();
    this.startScreen.hidden = false;
    this.clearError();
    this.setThread(null, null);
    this.setTitle(null);
    this.textarea.focus();
  }

  detachRun() {
    // Leave a streaming run to finish on the server; this view stops following it.
    this.run?.abort?.abort();
    this.run = null;
    this.setBusy(false);
  }

  async refreshHistory() {
    if (this.options.history?.enabled === false) return;
    try {
      const page = await this.api.json("POST", "/conversations/search", {
        json: { limit: HISTORY_LIMIT, order: { updatedAt: "DESC" } },
      });
      const mine = (page?.items ?? []).filter((c) => !c.xpertId || !this.api.xpertId || c.xpertId === this.api.xpertId);
      this.history.replaceChildren(
        ...mine.map((c) =>
          h(
            "li",
            {},
            h(
              "button",
              { type: "button", class: "ck-history-item", "data-thread-id": c.threadId, "data-conversation-id": c.id, title: c.title || "New chat", onclick: () => this.pick(c.threadId) },
              c.title || "New chat",
            ),
          ),
        ),
      );
      this.markActive();
    } catch (e) {
      this.emit("chatkit.log", { name: "history.error", data: { message: e.message } });
    }
  }

  markActive() {
    for (const b of this.history.querySelectorAll(".ck-history-item")) {
      b.classList.toggle("ck-active", b.dataset.threadId === this.threadId);
      if (b.dataset.threadId === this.threadId) b.setAttribute("aria-current", "true");
      else b.removeAttribute("aria-current");
    }
  }

  async loadThread(threadId) {
    const generation = ++this.generation;
    this.detachRun();
    this.clearError();
    this.emit("chatkit.thread.load.start", { threadId });
    try {
      const thread = await this.api.json("GET", `/threads/${encodeURIComponent(threadId)}`);
      const conversationId = thread?.metadata?.id;
      const page = await this.api.json("GET", `/conversations/${encodeURIComponent(conversationId)}/messages?limit=1000`);
      if (generation !== this.generation) return;
      this.messages.replaceChildren();
      this.startScreen.hidden = false;
      this.setThread(threadId, conversationId);
      this.setTitle(thread?.metadata?.title);
      let last = null;
      for (const m of page?.items ?? []) {
        if (m.role === "human" || m.role === "user") {
          this.addUser(typeof m.content === "string" ? m.content : textOf(m.content), m.attachments || []);
        } else if (m.role === "ai" || m.role === "assistant") {
          last = { message: m, view: this.addAi(m.status || "success") };
          last.view.content(m.content);
          last.view.finish(m.status, m.error);
        }
      }
      this.scroller.scrollTop = this.scroller.scrollHeight;
      this.emit("chatkit.thread.load.end", { threadId });
      // A run still in flight (page reloaded mid-reply), or one waiting for approval: replay its stream
      // from the start into its message, then follow it live.
      const status = last?.message.status;
      if (last && last.message.executionId && (status === "thinking" || status === "interrupted" || thread.status === "busy")) {
        last.view.reset();
        await this.follow({ threadId, runId: last.message.executionId, lastEventId: null, ai: last.view, done: false }, false);
      }
    } catch (e) {
      if (generation !== this.generation) return;
      if (e.status === 404) {
        this.newChat();
        this.refreshHistory();
      } else {
        this.showError(e.message || e);
      }
    }
  }

  // ----- sending and streaming --------------------------------------------------------------------

  async send(text) {
    text = String(text ?? "").trim();
    if (this.busy || this.attachments.some((a) => a.state === "uploading")) return;
    const files = this.attachments.filter((a) => a.state === "ready").map((a) => a.file);
    if (!text && !files.length) return;
    this.textarea.value = "";
    this.autosize();
    this.attachments = [];
    this.chips.replaceChildren();
    this.clearError();
    this.addUser(text, files);
    await this.startRun({ action: "send", message: { input: { input: text, ...(files.length ? { files } : {}) } } }, text);
  }

  async startRun(input, title) {
    const generation = this.generation;
    this.setBusy(true);
    const ai = this.addAi();
    this.emit("chatkit.response.start");
    try {
      if (!this.threadId) {
        const thread = await this.api.json("POST", "/threads", { json: {} });
        if (generation !== this.generation) return;
        this.setThread(thread.thread_id, thread.metadata?.id);
        if (title) this.setTitle(title);
      }
      const run = { threadId: this.threadId, runId: null, lastEventId: null, ai, done: false, abort: new AbortController() };
      this.run = run;
      const response = await this.api.fetch("POST", `/threads/${encodeURIComponent(run.threadId)}/runs/stream`, {
        json: { assistant_id: this.api.xpertId, input },
        signal: run.abort.signal,
      });
      if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
      await this.follow(run, true, response);
    } catch (e) {
      if (e.name !== "AbortError") ai.error(e.message || e);
      this.setBusy(false);
    }
  }

  // Read a run's stream to its `complete` frame, rejoining with Last-Event-ID whenever it drops.
  async follow(run, fresh, response = null) {
    this.run = run;
    run.abort ??= new AbortController();
    run.closed = new Promise((resolve) => (run.close = resolve));
    this.setBusy(true);
    let attempts = 0;
    try {
      for (;;) {
        if (response) {
          try {
            await this.consume(run, response);
          } catch (e) {
            if (e.name === "AbortError" || run.abort.signal.aborted) return;
            this.emit("chatkit.log", { name: "stream.dropped", data: { message: e.message } });
          }
          if (run.done || run.abort.signal.aborted) break;
        }
        if (++attempts > REJOIN_ATTEMPTS) throw new Error("The connection was lost. Reload to see the reply.");
        if (attempts > 1) await sleep(Math.min(4000, 250 * 2 ** (attempts - 2)));
        response = await this.rejoin(run);
      }
      run.ai.finish(run.ai.el.dataset.status === "thinking" ? "success" : run.ai.el.dataset.status);
    } catch (e) {
      if (e.name !== "AbortError") run.ai.error(e.message || e);
    } finally {
      if (this.run === run) {
        this.run = null;
        this.setBusy(false);
      }
      run.close();
      if (fresh || run.done) this.emit("chatkit.response.end");
      this.refreshHistory();
    }
  }

  async rejoin(run) {
    try {
      if (!run.runId) {
        // Dropped before `on_message_start` named the run: the thread's newest run is ours.
        const runs = await this.api.json("GET", `/threads/${encodeURIComponent(run.threadId)}/runs?limit=1`);
        run.runId = runs?.[0]?.run_id;
        if (!run.runId) throw new ApiError(404, "The run was not found.");
      }
      const headers = run.lastEventId ? { "last-event-id": run.lastEventId } : {};
      const response = await this.api.fetch(
        "GET",
        `/threads/${encodeURIComponent(run.threadId)}/runs/${encodeURIComponent(run.runId)}/stream`,
        { headers, signal: run.abort.signal },
      );
      if (response.ok) return response;
      const error = new ApiError(response.status, await errorMessage(response));
      if (response.status < 500) throw error;
      return null;
    } catch (e) {
      if (e instanceof ApiError && e.status < 500) throw e;
      if (e.name === "AbortError") throw e;
      return null; // network trouble: try again after a pause
    }
  }

  async consume(run, response) {
    for await (const frame of readSse(response, run.abort.signal)) {
      if (frame.id) run.lastEventId = frame.id;
      const data = frame.data;
      if (frame.event === "complete" || data?.type === "complete") {
        run.done = true;
        return;
      }
      if (frame.event === "error") {
        run.ai.error(typeof data === "string" ? data : data?.message ?? "The run failed.");
        run.done = true;
        return;
      }
      if (data && typeof data === "object") this.apply(run, data);
      this.scrollDown();
    }
  }

  apply(run, payload) {
    const ai = run.ai;
    if (payload.type === "message") {
      const d = payload.data;
      if (typeof d === "string") ai.text("text", "_", d);
      else if (d?.type === "text" || d?.type === "reasoning") ai.text(d.type, d.id ?? "_", d.text ?? "");
      else if (d?.type === "component") ai.component(d.id, d.data);
      return;
    }
    if (payload.type !== "event") return;
    const d = payload.data || {};
    switch (payload.event) {
      case "on_conversation_start":
        this.conversationId = d.id ?? this.conversationId;
        if (d.title) this.setTitle(d.title);
        break;
      case "on_message_start":
        run.runId = d.executionId ?? run.runId;
        if (d.id) ai.el.dataset.messageId = d.id;
        break;
      case "on_interrupt":
        ai.approval(d, (type) => this.resume(run, type));
        break;
      case "on_message_end":
        ai.finish(d.status, d.error);
        break;
      case "on_conversation_end":
        if (d.title) this.setTitle(d.title);
        if (d.status === "interrupted" && d.operation && !ai.el.querySelector(".ck-approval")) {
          ai.approval(d.operation, (type) => this.resume(run, type));
        }
        break;
      case "on_error":
        ai.error(d.error ?? "The run failed.");
        break;
      case "on_client_effect":
        this.emit("chatkit.effect", { name: d.name, data: d.args });
        break;
      default:
        this.emit("chatkit.log", { name: payload.event, data: d });
    }
  }

  async resume(run, type) {
    // The buttons appear while the interrupted run is still closing its stream: wait for its end, or
    // the thread would still be busy.
    await run.closed;
    await this.startRun({ action: "resume", target: { executionId: run.runId }, decision: { type } });
  }

  async stop() {
    const run = this.run;
    if (!run?.runId) return;
    this.stopButton.disabled = true;
    try {
      await this.api.json("POST", `/threads/${encodeURIComponent(run.threadId)}/runs/${encodeURIComponent(run.runId)}/cancel`, { json: {} });
    } catch (e) {
      this.showError(e.message || e);
    } finally {
      this.stopButton.disabled = false;
    }
  }

  // ----- attachments --------------------------------------------------------------------------------

  async upload(file) {
    const limits = this.options.composer?.attachments || {};
    if (limits.maxCount && this.attachments.length >= limits.maxCount) return this.showError(`At most ${limits.maxCount} files.`);
    if (limits.maxSize && file.size > limits.maxSize) return this.showError(`${file.name} is too large.`);
    const entry = { state: "uploading", file: null, name: file.name };
    const label = h("span", { class: "ck-chip-name" }, file.name);
    const status = h("span", { class: "ck-chip-status" }, "uploading…");
    const remove = h("button", { type: "button", class: "ck-chip-remove", "aria-label": `Remove ${file.name}` }, icon("close"));
    const chip = h("span", { class: "ck-chip", "data-state": "uploading" }, icon("file"), label, status, remove);
    remove.addEventListener("click", () => {
      this.attachments = this.attachments.filter((a) => a !== entry);
      chip.remove();
    });
    this.attachments.push(entry);
    this.chips.append(chip);
    try {
      const form = new FormData();
      form.append("file", file, file.name);
      if (this.threadId) form.append("threadId", this.threadId);
      entry.file = await this.api.json("POST", "/contexts/file", { body: form });
      entry.state = "ready";
      status.textContent = "";
    } catch (e) {
      entry.state = "error";
      status.textContent = `failed: ${e.message || e}`;
    }
    chip.dataset.state = entry.state;
  }
}

function textOf(content) {
  if (typeof content === "string") return content;
  return (Array.isArray(content) ? content : [])
    .map((p) => (typeof p === "string" ? p : p?.type === "text" ? p.text : ""))
    .join("");
}

if (!customElements.get(TAG)) customElements.define(TAG, XpertChatKit);

/**
 * Mount ChatKit. `target` is the `<xpertai-chatkit>` element, a container to put one in, or a selector;
 * `createChatKit(options)` alone appends one to `document.body`. Returns the element.
 */
export function createChatKit(target, options) {
  if (options === undefined && target && typeof target === "object" && !(target instanceof Element)) {
    options = target;
    target = document.body;
  }
  let el = typeof target === "string" ? document.querySelector(target) : target;
  if (!el) throw new Error(`ChatKit: no element ${target}`);
  if (el.localName !== TAG) {
    const chat = document.createElement(TAG);
    el.append(chat);
    el = chat;
  }
  el.setOptions(options);
  return el;
}

export default createChatKit;
