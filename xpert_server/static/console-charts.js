// Inline SVG charts: bars (stacked or not) and lines, scaled by their viewBox to any width. Every bar and
// point carries a <title>, so hovering (or a screen reader) gives the numbers behind it.
const NS = "http://www.w3.org/2000/svg";
// Narrower drawings on a phone, so that their labels stay legible once scaled to the screen.
const W = matchMedia("(max-width: 600px)").matches ? 360 : 640;
const H = 200;
const PAD = { left: 48, right: 8, top: 10, bottom: 26 };

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined && value !== null) el.setAttribute(name, String(value));
  for (const child of children) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return el;
}

export function formatNumber(n) {
  if (n === null || n === undefined) return "–";
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (Math.abs(n) >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

export function formatMs(ms) {
  if (ms === null || ms === undefined) return "–";
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

function niceMax(value) {
  if (value <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= value) return m * step;
  return 10 * step;
}

function frame(label, max, format, labels) {
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": label, class: "chart", focusable: "false" });
  const inner = H - PAD.top - PAD.bottom;
  for (const f of [0, 0.5, 1]) {
    const y = PAD.top + inner * (1 - f);
    svg.append(s("line", { x1: PAD.left, x2: W - PAD.right, y1: y, y2: y, class: "grid" }));
    svg.append(s("text", { x: PAD.left - 6, y: y + 4, "text-anchor": "end", class: "axis" }, format(max * f)));
  }
  // A few bucket labels under the axis: first, middle, last.
  const n = labels.length;
  const slot = (W - PAD.left - PAD.right) / Math.max(1, n);
  for (const i of [...new Set([0, Math.floor((n - 1) / 2), n - 1])]) {
    if (i < 0) continue;
    const x = PAD.left + slot * (i + 0.5);
    const anchor = i === 0 ? "start" : i === n - 1 ? "end" : "middle";
    svg.append(s("text", { x: i === 0 ? PAD.left : i === n - 1 ? W - PAD.right : x, y: H - 8, "text-anchor": anchor, class: "axis" }, labels[i].short));
  }
  return { svg, inner, slot };
}

// series: [{ name, cls, values: [number] }], labels: [{ short, long }] aligned with values.
export function barChart({ label, labels, series, stacked = false, format = formatNumber, unit = "" }) {
  const totals = labels.map((_, i) => (stacked ? series.reduce((a, x) => a + (x.values[i] || 0), 0) : Math.max(0, ...series.map((x) => x.values[i] || 0))));
  const max = niceMax(Math.max(0, ...totals));
  const { svg, inner, slot } = frame(label, max, format, labels);
  const groups = stacked ? 1 : series.length;
  const width = Math.max(1, (slot * 0.8) / groups);
  labels.forEach((l, i) => {
    let base = 0;
    series.forEach((x, k) => {
      const v = x.values[i] || 0;
      const hgt = (v / max) * inner;
      const left = PAD.left + slot * i + slot * 0.1 + (stacked ? 0 : k * width);
      const y = PAD.top + inner - hgt - (stacked ? (base / max) * inner : 0);
      const bar = s("rect", { x: left, y, width: stacked ? slot * 0.8 : width, height: Math.max(hgt, v > 0 ? 1 : 0), class: `bar ${x.cls}`, "data-series": x.name, "data-value": v });
      bar.append(s("title", {}, `${l.long} — ${x.name}: ${format(v)}${unit}`));
      svg.append(bar);
      if (stacked) base += v;
    });
    // An invisible full-height target per bucket: hovering anywhere over a bucket shows all its numbers.
    const all = series.map((x) => `${x.name}: ${format(x.values[i] || 0)}${unit}`).join(", ");
    const hit = s("rect", { x: PAD.left + slot * i, y: PAD.top, width: slot, height: inner, class: "hit", "data-bucket": l.long });
    hit.append(s("title", {}, `${l.long} — ${all}`));
    svg.append(hit);
  });
  return svg;
}

export function lineChart({ label, labels, series, format = formatNumber }) {
  const values = series.flatMap((x) => x.values.filter((v) => v !== null && v !== undefined));
  const max = niceMax(Math.max(0, ...values));
  const { svg, inner, slot } = frame(label, max, format, labels);
  for (const x of series) {
    let d = "";
    x.values.forEach((v, i) => {
      if (v === null || v === undefined) return;
      const px = PAD.left + slot * (i + 0.5);
      const py = PAD.top + inner - (v / max) * inner;
      d += `${d ? "L" : "M"}${px.toFixed(1)},${py.toFixed(1)}`;
    });
    if (d) svg.append(s("path", { d, class: `line ${x.cls}` }));
    x.values.forEach((v, i) => {
      if (v === null || v === undefined) return;
      const dot = s("circle", { cx: PAD.left + slot * (i + 0.5), cy: PAD.top + inner - (v / max) * inner, r: 4, class: `dot ${x.cls}`, "data-series": x.name, "data-value": v });
      dot.append(s("title", {}, `${labels[i].long} — ${x.name}: ${format(v)}`));
      svg.append(dot);
    });
  }
  return svg;
}

export function sparkline(values, label, scale = Math.max(0, ...values)) {
  const max = niceMax(scale);
  const w = 120;
  const h = 24;
  const slot = w / Math.max(1, values.length);
  const svg = s("svg", { viewBox: `0 0 ${w} ${h}`, class: "spark", role: "img", "aria-label": label });
  values.forEach((v, i) => {
    const hgt = (v / max) * (h - 2);
    const bar = s("rect", { x: i * slot + slot * 0.1, y: h - hgt, width: slot * 0.8, height: hgt, class: "bar runs" });
    bar.append(s("title", {}, `${v} runs`));
    svg.append(bar);
  });
  return svg;
}

export function legend(series) {
  const ul = document.createElement("ul");
  ul.className = "legend";
  for (const x of series) {
    const li = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = `swatch ${x.cls}`;
    swatch.setAttribute("aria-hidden", "true");
    li.append(swatch, document.createTextNode(x.name));
    ul.append(li);
  }
  return ul;
}
