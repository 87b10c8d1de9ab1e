// The console's pages. Everything from the API reaches the DOM as text nodes: no HTML strings are assigned.
import { ApiError, api, apiUrl, session } from "/console/console-api.js";
import { errorBox, field, h, heading, nextId, refocus, select, showError, table, toast, when } from "/console/console-ui.js";
import { barChart, formatMs, formatNumber, legend, lineChart, sparkline } from "/console/console-charts.js";
import { createChatKit } from "/chatkit/chatkit.js";

export { h, toast };

// ---- overview ------------------------------------------------------------------------------------

const PERIODS = [
  ["1:hour", "Last 24 hours (hourly)"],
  ["7:hour", "Last 7 days (hourly)"],
  ["14:day", "Last 14 days"],
  ["30:day", "Last 30 days"],
  ["90:day", "Last 90 days"],
];
const overviewState = { period: "14:day", xpert: "" };

function bucketLabels(stats) {
  return stats.buckets.map((b) => {
    const d = new Date(b.start);
    const day = d.toISOString().slice(5, 10);
    const hour = d.toISOString().slice(11, 16);
    return stats.bucket === "hour" ? { short: `${day} ${hour}`, long: `${d.toISOString().slice(0, 10)} ${hour} UTC` } : { short: day, long: d.toISOString().slice(0, 10) };
  });
}

function figure(title, chart, extra, numbers) {
  return h("figure", { class: "card chart-card" }, h("figcaption", {}, title), extra, chart, numbers);
}

// The numbers behind a chart, for keyboards and screen readers (hovering shows them too): the buckets that
// have any, in a table that opens on demand.
function numbers(title, labels, series, format) {
  const rows = labels
    .map((l, i) => [l, series.map((x) => x.values[i])])
    .filter(([, values]) => values.some((v) => v !== null && v !== undefined && v !== 0))
    .map(([l, values]) => h("tr", {}, h("th", { scope: "row" }, l.long), values.map((v) => h("td", {}, format(v)))));
  if (!rows.length) return null;
  return h("details", { class: "numbers" }, h("summary", {}, "The numbers"), table(title, ["When", ...series.map((x) => x.name)], rows));
}

export async function overviewPage(view) {
  const [xperts] = await Promise.all([api("POST", "/assistants/search", { limit: 200 })]);
  const period = select("period", PERIODS, overviewState.period);
  const xpertSelect = select("xpert", [["", "All xperts"], ...xperts.map((x) => [x.assistant_id, x.name])], overviewState.xpert);
  const body = h("div", { class: "overview", "aria-live": "polite", "aria-busy": "true" });
  const failure = errorBox();
  const reload = async () => {
    overviewState.period = period.value;
    overviewState.xpert = xpertSelect.value;
    const [days, bucket] = period.value.split(":");
    const q = new URLSearchParams({ days, bucket });
    if (xpertSelect.value) q.set("xpert_id", xpertSelect.value);
    body.setAttribute("aria-busy", "true");
    try {
      const stats = await api("GET", `/console/stats?${q}`);
      body.replaceChildren(...renderOverview(stats));
      failure.textContent = "";
    } catch (e) {
      showError(failure, e);
    } finally {
      body.setAttribute("aria-busy", "false");
    }
  };
  period.addEventListener("change", reload);
  xpertSelect.addEventListener("change", reload);
  view.replaceChildren(
    heading("Overview"),
    h("form", { class: "filters", "aria-label": "Overview filters", onsubmit: (e) => e.preventDefault() }, field("Period", period), field("Xpert", xpertSelect)),
    failure,
    body,
  );
  await reload();
}

function renderOverview(stats) {
  const t = stats.totals;
  const labels = bucketLabels(stats);
  const tokens = t.input_tokens + t.output_tokens;
  const cards = h(
    "dl",
    { class: "totals" },
    [
      ["Runs", formatNumber(t.runs), "runs"],
      ["Errors", `${formatNumber(t.errors)}${t.runs ? ` (${((100 * t.errors) / t.runs).toFixed(1)}%)` : ""}`, "errors"],
      ["p50 latency", formatMs(t.p50_ms), "p50"],
      ["p95 latency", formatMs(t.p95_ms), "p95"],
      ["Tokens", formatNumber(tokens), "tokens"],
    ].map(([k, v, name]) => h("div", { class: "card total", "data-total": name }, h("dt", {}, k), h("dd", {}, v))),
  );
  const runSeries = [
    { name: "runs", cls: "runs", values: stats.buckets.map((b) => b.runs - b.errors) },
    { name: "errors", cls: "errors", values: stats.buckets.map((b) => b.errors) },
  ];
  const runs = barChart({ label: `Runs and errors per ${stats.bucket}: ${t.runs} runs, ${t.errors} errors`, labels, series: runSeries, stacked: true });
  const latSeries = [
    { name: "p50", cls: "p50", values: stats.buckets.map((b) => b.p50_ms) },
    { name: "p95", cls: "p95", values: stats.buckets.map((b) => b.p95_ms) },
  ];
  const latency = lineChart({ label: `Run latency per ${stats.bucket}: p50 ${formatMs(t.p50_ms)}, p95 ${formatMs(t.p95_ms)}`, labels, series: latSeries, format: formatMs });
  const modelSeries = stats.models.map((m, i) => ({ name: m.model, cls: `m${i % 6}`, values: m.tokens_series }));
  const tokenChart = modelSeries.length
    ? barChart({ label: `Tokens per ${stats.bucket} by model: ${tokens} in all`, labels, series: modelSeries, stacked: true, unit: " tokens" })
    : h("p", { class: "muted empty" }, "No tokens reported in this period (a model that reports no usage counts nothing).");
  const busiest = Math.max(0, ...stats.xperts.flatMap((x) => x.runs_series)); // one scale for every row
  const byXpert = stats.xperts.length
    ? table(
        "Runs by xpert",
        ["Xpert", "Runs", "Errors", "p50", "p95", "Tokens", "Runs over time"],
        stats.xperts.map((x) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, x.name ? h("a", { href: `#/xperts/${encodeURIComponent(x.xpert_id)}` }, x.name) : h("span", { class: "muted" }, `${x.xpert_id} (deleted)`)),
            h("td", {}, formatNumber(x.runs)),
            h("td", {}, formatNumber(x.errors)),
            h("td", {}, formatMs(x.p50_ms)),
            h("td", {}, formatMs(x.p95_ms)),
            h("td", {}, formatNumber(x.input_tokens + x.output_tokens)),
            h("td", {}, sparkline(x.runs_series, `${x.name || x.xpert_id}: runs per ${stats.bucket}`, busiest)),
          ),
        ),
      )
    : h("p", { class: "muted empty" }, "No runs in this period.");
  const byModel = stats.models.length
    ? table(
        "Tokens by model",
        ["Model", "Runs", "Input tokens", "Output tokens"],
        stats.models.map((m) => h("tr", {}, h("th", { scope: "row" }, m.model), h("td", {}, formatNumber(m.runs)), h("td", {}, formatNumber(m.input_tokens)), h("td", {}, formatNumber(m.output_tokens)))),
      )
    : h("p", { class: "muted empty" }, "No model usage in this period.");
  const partial = stats.complete
    ? null
    : h("p", { class: "notice", role: "note" }, "This period holds more runs than one overview reads: the newest 100,000 are counted. Choose a shorter period or one xpert for every run.");
  return [
    partial,
    cards,
    h(
      "div",
      { class: "charts" },
      figure("Runs and errors", runs, legend(runSeries), numbers("Runs and errors", labels, runSeries, formatNumber)),
      figure("Run latency", latency, legend(latSeries), numbers("Run latency", labels, latSeries, formatMs)),
      figure("Tokens by model", tokenChart, modelSeries.length ? legend(modelSeries) : null, numbers("Tokens by model", labels, modelSeries, formatNumber)),
    ),
    h("section", { class: "card", "aria-labelledby": "by-xpert" }, h("h2", { id: "by-xpert" }, "By xpert"), byXpert),
    h("section", { class: "card", "aria-labelledby": "by-model" }, h("h2", { id: "by-model" }, "By model"), byModel),
  ];
}

// ---- xperts --------------------------------------------------------------------------------------

export async function xpertsPage(view, navigate) {
  const xperts = await api("POST", "/assistants/search", { limit: 200 });
  const list = xperts.length
    ? table(
        "Xperts",
        ["Name", "Id", "Version", "Updated"],
        xperts.map((x) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, h("a", { href: `#/xperts/${encodeURIComponent(x.assistant_id)}` }, x.name)),
            h("td", {}, h("code", {}, x.assistant_id)),
            h("td", {}, x.version),
            h("td", {}, when(x.updated_at)),
          ),
        ),
      )
    : h("p", { class: "muted empty" }, "No xperts yet: create one below.");
  const connections = await api("GET", "/connections").catch(() => []);
  view.replaceChildren(
    heading("Xperts"),
    h("section", { class: "card" }, list),
    h(
      "section",
      { class: "card", "aria-labelledby": "new-xpert" },
      h("h2", { id: "new-xpert" }, "New xpert"),
      xpertForm(null, connections, async (body) => {
        const made = await api("POST", "/assistants", body);
        toast(`Created xpert “${made.name}”.`);
        navigate(`#/xperts/${encodeURIComponent(made.assistant_id)}`);
      }),
    ),
  );
}

const FORM_KEYS = ["name", "slug", "description", "system_prompt", "model"];
const KEEP = "__keep__";

function xpertForm(current, connections, submit) {
  const def = current ? current.definition : {};
  const name = h("input", { name: "name", required: true, maxlength: 200, value: def.name || "", autocomplete: "off" });
  const slug = h("input", { name: "slug", value: def.slug || "", pattern: "[a-z0-9][a-z0-9_-]*", autocomplete: "off", spellcheck: "false" });
  const description = h("input", { name: "description", value: def.description || "", autocomplete: "off" });
  const prompt = h("textarea", { name: "system_prompt", rows: 4 }, def.system_prompt || "");
  const models = connections.filter((c) => c.kind === "model");
  const model = def.model || {};
  // A model declared in place (provider, URL) is the operator's to change: the form keeps it as it is.
  const inPlace = def.model && !def.model.connection;
  const keep = inPlace ? [[KEEP, `Keep as declared (${def.model.name || def.model.provider || "model"})`]] : [];
  const connection = select("connection", [...keep, ["", "The server's default model"], ...models.map((c) => [c.name, `${c.name} (${c.scope === "server" ? "server" : "org"})`])], inPlace ? KEEP : model.connection || "");
  const modelName = h("input", { name: "model_name", value: model.name || "", autocomplete: "off", list: nextId("models") });
  const datalist = h("datalist", { id: modelName.getAttribute("list") }, models.flatMap((c) => c.models.map((m) => h("option", { value: m }))));
  // The model name means something only with a connection: otherwise the field is off (and says why).
  const syncModel = () => (modelName.disabled = !connection.value || connection.value === KEEP);
  connection.addEventListener("change", syncModel);
  syncModel();
  const rest = Object.fromEntries(Object.entries(def).filter(([k]) => !FORM_KEYS.includes(k) && !["org", "graph"].includes(k)));
  const extra = h("textarea", { name: "extra", rows: 5, spellcheck: "false", class: "mono" }, Object.keys(rest).length ? JSON.stringify(rest, null, 2) : "");
  const failure = errorBox();
  const button = h("button", { type: "submit" }, current ? "Save changes" : "Create xpert");
  const form = h(
    "form",
    { class: "grid-form", novalidate: true },
    field("Name", name),
    field("Slug", slug, current ? "Its stable name in the org." : "Optional: made from the name when empty."),
    field("Description", description),
    field("System prompt", prompt),
    field("Model connection", connection, "A named model endpoint of this org or the server's (Connections)."),
    field("Model name", modelName, "With a connection: leave empty for its first model."),
    datalist,
    field("Other definition fields (JSON object)", extra, "tools, knowledge, approvals, max_steps… Fields only the operator may set are refused with a 403 naming them."),
    failure,
    h("div", { class: "actions" }, button),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    failure.textContent = "";
    if (!name.value.trim()) {
      failure.textContent = "Name: required.";
      name.focus();
      return;
    }
    let others = {};
    if (extra.value.trim()) {
      try {
        others = JSON.parse(extra.value);
        if (!others || typeof others !== "object" || Array.isArray(others)) throw new Error("not an object");
      } catch (err) {
        failure.textContent = `Other definition fields: not a JSON object (${err.message}).`;
        extra.focus();
        return;
      }
    }
    const definition = { ...others, system_prompt: prompt.value || null };
    if (connection.value === KEEP) delete definition.model;
    else if (connection.value) definition.model = { connection: connection.value, ...(modelName.value ? { name: modelName.value } : {}) };
    else if (current && def.model) definition.model = null;
    const body = { name: name.value.trim(), description: description.value || null, definition };
    if (slug.value.trim()) body.slug = slug.value.trim();
    button.disabled = true;
    try {
      await submit(body);
    } catch (err) {
      showError(failure, err);
      failure.focus?.();
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function modelLine(def) {
  const m = def.model;
  if (!m) return "Model: the server's default model.";
  if (m.connection) return `Model: ${m.name || "the first model"} of the connection ${m.connection}.`;
  const where = m.base_url ? ` at ${m.base_url}` : "";
  return `Model: ${m.name || "(unnamed)"} (${m.provider || "openai"}${where}), declared in its definition.`;
}

function usedConnections(def) {
  const out = [];
  if (def.model && def.model.connection) out.push({ name: def.model.connection, use: `model${def.model.name ? ` ${def.model.name}` : ""}` });
  for (const m of def.mcp || []) {
    const name = typeof m === "string" ? m : m.connection;
    if (name) out.push({ name, use: "MCP server" });
  }
  return out;
}

export async function xpertPage(view, id, navigate) {
  const path = `/assistants/${encodeURIComponent(id)}`;
  const [xpert, versions, connections] = await Promise.all([api("GET", path), api("GET", `${path}/versions?limit=20`), api("GET", "/connections").catch(() => [])]);
  const latest = versions[0] || { definition: {} };
  const def = latest.definition || {};
  const known = new Map(connections.map((c) => [c.name, c]));
  const uses = usedConnections(def);
  const playground = h("div", { class: "playground", id: "playground" });
  const playButton = h("button", { type: "button", "aria-controls": "playground" }, "Open the playground");
  playButton.addEventListener("click", () => {
    playButton.hidden = true;
    openPlayground(playground, xpert);
  });
  const remove = h("button", { type: "button", class: "danger" }, "Delete xpert");
  const removeError = errorBox();
  remove.addEventListener("click", async () => {
    if (!confirm(`Delete the xpert “${xpert.name}”? Its threads stay; it cannot be undone.`)) return;
    try {
      await api("DELETE", path);
      toast(`Deleted xpert “${xpert.name}”.`);
      navigate("#/xperts");
    } catch (e) {
      showError(removeError, e);
    }
  });
  view.replaceChildren(
    h("p", { class: "crumbs" }, h("a", { href: "#/xperts" }, "Xperts"), " / "),
    heading(xpert.name),
    h("p", { class: "muted" }, xpert.description || "", " ", h("code", {}, xpert.assistant_id), ` · version ${xpert.version} · updated ${when(xpert.updated_at)}`),
    h("section", { class: "card", "aria-labelledby": "pg" }, h("h2", { id: "pg" }, "Playground"), h("p", { class: "muted" }, "Chat with this xpert as a widget user would: the same ChatKit widget, with a short-lived client secret bound to this xpert."), playButton, playground),
    h(
      "section",
      { class: "card", "aria-labelledby": "uses" },
      h("h2", { id: "uses" }, "Model and connections"),
      h("p", {}, modelLine(def)),
      uses.length
        ? h("ul", {}, uses.map((u) => h("li", {}, h("strong", {}, u.name), ` — ${u.use} `, known.has(u.name) ? h("span", { class: "muted" }, `(${known.get(u.name).scope === "server" ? "the server's" : "this org's"}${known.get(u.name).url ? `, ${known.get(u.name).url}` : ""})`) : h("span", { class: "error-text" }, "(not found: create it under Connections)"))))
        : h("p", { class: "muted" }, "It uses no named connection."),
    ),
    h("section", { class: "card", "aria-labelledby": "def" }, h("h2", { id: "def" }, "Definition"), h("pre", { class: "code", tabindex: "0", "aria-label": "Definition (JSON)" }, JSON.stringify(def, null, 2))),
    h(
      "section",
      { class: "card", "aria-labelledby": "versions" },
      h("h2", { id: "versions" }, "Versions"),
      table("Versions", ["Version", "Name", "Created"], versions.map((v) => h("tr", {}, h("th", { scope: "row" }, v.version), h("td", {}, v.name), h("td", {}, when(v.created_at))))),
    ),
    h(
      "section",
      { class: "card", "aria-labelledby": "edit" },
      h("h2", { id: "edit" }, "Edit"),
      xpertForm(latest, connections, async (body) => {
        await api("PATCH", path, body);
        toast("Saved: a new version.");
        await xpertPage(view, id, navigate);
        refocus(view);
      }),
    ),
    h("section", { class: "card", "aria-labelledby": "danger" }, h("h2", { id: "danger" }, "Delete"), removeError, remove),
  );
}

function openPlayground(el, xpert) {
  createChatKit(el, {
    api: {
      apiUrl,
      xpertId: xpert.assistant_id,
      async getClientSecret() {
        const s = await api("POST", "/v1/chatkit/sessions", { xpert_id: xpert.assistant_id, expires_after: 900 });
        return s.client_secret;
      },
    },
    theme: { colorScheme: "light", radius: "round", color: { accent: { primary: "#4338ca", level: 1 } } },
    startScreen: { greeting: `Try ${xpert.name}.` },
    composer: { placeholder: `Message ${xpert.name}…` },
    history: { enabled: true },
  });
}

// ---- keys ----------------------------------------------------------------------------------------

const EXPIRY = [
  ["", "Never"],
  ["86400", "1 day"],
  ["604800", "7 days"],
  ["2592000", "30 days"],
  ["7776000", "90 days"],
  ["31536000", "1 year"],
];

export async function keysPage(view) {
  const [keys, xperts] = await Promise.all([api("GET", "/keys"), api("POST", "/assistants/search", { limit: 200 })]);
  const names = new Map(xperts.map((x) => [x.assistant_id, x.name]));
  const failure = errorBox();
  const mine = session()?.key_id;
  const rows = keys.map((k) => {
    const revoke = k.status === "revoked" ? null : h("button", { type: "button", class: "danger small", "aria-label": `Revoke key ${k.name || k.hint}` }, "Revoke");
    revoke?.addEventListener("click", async () => {
      const self = k.id === mine ? " This is the key this console signed in with: revoking it signs you out." : "";
      if (!confirm(`Revoke the key ${k.name ? `“${k.name}” ` : ""}(${k.hint})? Clients using it stop within a second.${self}`)) return;
      try {
        await api("DELETE", `/keys/${encodeURIComponent(k.id)}`);
        toast(`Revoked ${k.hint}.`);
        await keysPage(view);
        refocus(view);
      } catch (e) {
        showError(failure, e);
      }
    });
    return h(
      "tr",
      { "data-key": k.id },
      h("th", { scope: "row" }, k.name || h("span", { class: "muted" }, "(no name)"), k.id === mine ? h("span", { class: "tag" }, "this session") : null),
      h("td", {}, h("code", {}, k.hint)),
      h("td", {}, k.role),
      h("td", {}, k.xpert_id ? names.get(k.xpert_id) || k.xpert_id : "all xperts"),
      h("td", {}, h("span", { class: `status ${k.status}` }, k.status)),
      h("td", {}, when(k.expires_at)),
      h("td", {}, revoke),
    );
  });
  const name = h("input", { name: "name", maxlength: 200, autocomplete: "off" });
  const role = select("role", [["app", "app — uses the org's xperts"], ["admin", "admin — manages the org"]], "app");
  const binding = select("xpert", [["", "All xperts"], ...xperts.map((x) => [x.assistant_id, x.name])], "");
  const expiry = select("expires", EXPIRY, "");
  const created = h("div", { class: "once", hidden: true, role: "region", "aria-label": "New key", tabindex: "-1" });
  const createError = errorBox();
  const form = h(
    "form",
    { class: "grid-form", novalidate: true },
    field("Name", name),
    field("Role", role),
    field("Xpert binding", binding, "A bound key may use that xpert only."),
    field("Expires", expiry),
    createError,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Create key")),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    createError.textContent = "";
    const body = { name: name.value || null, role: role.value };
    if (binding.value) body.xpert_id = binding.value;
    if (expiry.value) body.expires_in = Number(expiry.value);
    try {
      const made = await api("POST", "/keys", body);
      await keysPage(view);
      const box = view.querySelector(".once");
      const value = h("input", { readonly: true, value: made.key, class: "mono", id: "new-key-value", "aria-describedby": "new-key-note" });
      const copy = h("button", { type: "button", class: "secondary" }, "Copy");
      copy.addEventListener("click", async () => {
        value.select();
        try {
          await navigator.clipboard.writeText(made.key);
          toast("Copied.");
        } catch {
          toast("Select the key and copy it.");
        }
      });
      box.replaceChildren(
        h("h2", {}, `Key “${made.name || made.hint}” created`),
        h("p", { id: "new-key-note" }, "Copy it now: it is shown this once and stored only as a hash."),
        h("label", { for: "new-key-value" }, "The new key"),
        h("div", { class: "row" }, value, copy),
      );
      box.hidden = false;
      box.focus();
    } catch (err) {
      showError(createError, err);
    }
  });
  view.replaceChildren(
    heading("API keys"),
    created,
    h("section", { class: "card" }, failure, keys.length ? table("API keys", ["Name", "Key", "Role", "Xpert", "Status", "Expires", ""], rows) : h("p", { class: "muted" }, "No keys.")),
    h("section", { class: "card", "aria-labelledby": "new-key" }, h("h2", { id: "new-key" }, "New key"), form),
  );
}

// ---- connections ---------------------------------------------------------------------------------

export async function connectionsPage(view) {
  const list = await api("GET", "/connections");
  const failure = errorBox();
  const rows = list.map((c) => {
    const del = c.scope === "org" ? h("button", { type: "button", class: "danger small", "aria-label": `Delete connection ${c.name}` }, "Delete") : null;
    del?.addEventListener("click", async () => {
      if (!confirm(`Delete the connection “${c.name}”? Xperts that use it will fail until it is back.`)) return;
      try {
        await api("DELETE", `/connections/${encodeURIComponent(c.name)}`);
        toast(`Deleted ${c.name}.`);
        await connectionsPage(view);
        refocus(view);
      } catch (e) {
        showError(failure, e);
      }
    });
    return h(
      "tr",
      {},
      h("th", { scope: "row" }, c.name),
      h("td", {}, c.kind),
      h("td", {}, c.scope === "server" ? "server (read-only)" : "org"),
      h("td", { class: "wrap" }, c.url || "–"),
      h("td", { class: "wrap" }, c.models.join(", ") || "–"),
      h("td", {}, c.hint ? h("code", {}, c.hint) : "–"),
      h("td", {}, del),
    );
  });
  const name = h("input", { name: "name", required: true, maxlength: 100, pattern: "[a-z0-9][a-z0-9_-]*", autocomplete: "off", spellcheck: "false" });
  const kind = select("kind", [["model", "model endpoint (OpenAI-compatible)"], ["mcp", "MCP server (HTTP)"]], "model");
  const url = h("input", { name: "url", type: "url", required: true, autocomplete: "off", spellcheck: "false" });
  const models = h("input", { name: "models", autocomplete: "off" });
  const key = h("input", { name: "api_key", type: "password", autocomplete: "off" });
  const transport = select("transport", [["http", "streamable HTTP"], ["sse", "SSE"]], "http");
  const description = h("input", { name: "description", autocomplete: "off" });
  const modelOnly = [field("Models (comma-separated)", models), field("API key", key, "Stored encrypted; shown as a hint only.")];
  const mcpOnly = [field("Transport", transport)];
  const sync = () => {
    for (const f of modelOnly) f.hidden = kind.value !== "model";
    for (const f of mcpOnly) f.hidden = kind.value !== "mcp";
  };
  kind.addEventListener("change", sync);
  const createError = errorBox();
  const form = h(
    "form",
    { class: "grid-form", novalidate: true },
    field("Name", name, "Lower-case letters, digits, - and _."),
    field("Kind", kind),
    field("URL", url),
    ...modelOnly,
    ...mcpOnly,
    field("Description", description),
    createError,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Create connection")),
  );
  sync();
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    createError.textContent = "";
    const body = { name: name.value.trim(), kind: kind.value, url: url.value.trim(), description: description.value || null };
    if (kind.value === "model") {
      body.models = models.value.split(",").map((m) => m.trim()).filter(Boolean);
      if (key.value) body.api_key = key.value;
    } else body.transport = transport.value;
    try {
      await api("POST", "/connections", body);
      toast(`Created connection ${body.name}.`);
      await connectionsPage(view);
      refocus(view);
    } catch (err) {
      showError(createError, err);
    }
  });
  view.replaceChildren(
    heading("Connections"),
    h("section", { class: "card" }, failure, list.length ? table("Connections", ["Name", "Kind", "Scope", "URL", "Models", "Secret", ""], rows) : h("p", { class: "muted" }, "No connections.")),
    h("section", { class: "card", "aria-labelledby": "new-conn" }, h("h2", { id: "new-conn" }, "New connection"), form),
  );
}
