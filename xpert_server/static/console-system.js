// System: the server as its operator sees it (GET /console/system, an operator's session only) — mode,
// database and Redis with their health, queue depth and live processes, version, every org, and the
// effective settings with secrets masked.
import { api } from "/console/console-api.js";
import { facts, h, heading, table, when } from "/console/console-ui.js";

function probe(p) {
  if (!p) return "not used";
  return p.ok ? `ok (${p.latencyMs} ms)` : `failing: ${p.error}`;
}

function value(v) {
  if (v === null || v === undefined) return h("span", { class: "muted" }, "unset");
  return h("code", {}, Array.isArray(v) ? v.join(", ") || "(none)" : String(v));
}

export async function systemPage(view) {
  const s = await api("GET", "/console/system");
  view.replaceChildren(
    heading("System"),
    facts([
      ["Mode", s.mode, { "data-fact": "mode" }],
      ["Version", s.version],
      ["Database", `${s.database} · ${probe(s.health.database)}`, { "data-fact": "database" }],
      ["Database URL", h("code", {}, s.database_url)],
      ["Redis", s.redis_url ? `${s.redis_url} · ${probe(s.health.redis)}` : "not used (embedded)", { "data-fact": "redis" }],
      ["Queue depth", String(s.queue_depth), { "data-fact": "queue" }],
      ["Workers alive", String(s.workers_alive)],
    ]),
    h(
      "section",
      { class: "card", "aria-labelledby": "sys-orgs" },
      h("h2", { id: "sys-orgs" }, `Organizations (${s.orgs.length})`),
      table(
        "Organizations",
        ["Org", "Name", "Xperts", "Active keys", "Threads", "Created"],
        s.orgs.map((o) => h("tr", { "data-org": o.id }, h("th", { scope: "row" }, h("code", {}, o.id)), h("td", {}, o.name || "–"), h("td", {}, o.xperts), h("td", {}, o.keys), h("td", {}, o.threads), h("td", {}, when(o.created_at)))),
      ),
    ),
    h(
      "section",
      { class: "card", "aria-labelledby": "sys-procs" },
      h("h2", { id: "sys-procs" }, "Processes"),
      s.processes.length
        ? table("Processes", ["Process", "Kind"], s.processes.map((p) => h("tr", {}, h("th", { scope: "row" }, h("code", {}, p.id)), h("td", {}, p.kind))))
        : h("p", { class: "muted" }, "This process runs everything (embedded)."),
      h("p", { class: "muted" }, `Queue: ${Object.entries(s.queue).map(([k, v]) => `${k} ${v}`).join(" · ")}`),
    ),
    h(
      "section",
      { class: "card", "aria-labelledby": "sys-settings" },
      h("h2", { id: "sys-settings" }, "Effective settings"),
      h("p", { class: "muted" }, "Secrets are masked; URLs lose their passwords."),
      table("Settings", ["Setting", "Value"], s.settings.map((x) => h("tr", { "data-setting": x.name }, h("th", { scope: "row" }, h("code", {}, x.env)), h("td", {}, value(x.value))))),
    ),
  );
}
