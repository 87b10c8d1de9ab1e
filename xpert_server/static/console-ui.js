// The console's building blocks: elements, fields, tables, errors. Everything from the API reaches the DOM
// as text nodes: no HTML strings are assigned.
import { ApiError } from "/console/console-api.js";

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "hidden") el.hidden = Boolean(value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

let uid = 0;
export const nextId = (p) => `${p}-${++uid}`;

export function field(label, input, hint) {
  const id = input.id || (input.id = nextId("f"));
  const hintEl = hint ? h("span", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintEl) input.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), input, hintEl);
}

export function select(name, options, value) {
  return h("select", { name }, options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
}

export function errorBox() {
  return h("p", { class: "error", role: "alert" });
}

export function showError(box, e) {
  box.textContent = e instanceof ApiError ? `${e.status === 403 ? "Not allowed" : `Error ${e.status}`}: ${e.message}` : String(e.message || e);
}

export function toast(text) {
  const el = document.getElementById("toast");
  el.textContent = text;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.textContent = ""), 6000);
}

export function when(iso) {
  if (!iso) return "–";
  const d = new Date(iso);
  return d.toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

export function table(caption, headers, rows) {
  // Each cell names its column, so that on a phone (console.css) a row reads as a small card.
  for (const row of rows) [...row.children].forEach((cell, i) => headers[i] && cell.setAttribute("data-label", headers[i]));
  return h(
    "div",
    { class: "table-wrap" },
    h("table", {}, h("caption", { class: "sr-only" }, caption), h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))), h("tbody", {}, rows)),
  );
}

// After a page re-renders itself (a save, a delete), focus goes back to its heading, not to the body.
export function refocus(view) {
  view.querySelector("h1")?.focus();
}

export function heading(text) {
  return h("h1", { tabindex: "-1" }, text);
}

// The page being shown owns one AbortController: leaving it (console.js calls `newPage`) stops its streams
// and polls.
let pageController = new AbortController();
export function newPage() {
  pageController.abort();
  pageController = new AbortController();
}
export const pageSignal = () => pageController.signal;

// Waits `ms`, or less when the page is left (then `pageSignal().aborted` is true).
export function pause(ms) {
  const signal = pageSignal();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

// Facts about a thing, as a description list.
export function facts(rows) {
  return h("dl", { class: "facts" }, rows.filter(Boolean).map(([k, v, attrs = {}]) => h("div", {}, h("dt", {}, k), h("dd", attrs, v))));
}

export function statusBadge(status) {
  return h("span", { class: `badge ${status}`, "data-status": status }, status);
}
