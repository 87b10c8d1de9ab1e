// Webhooks: the org's subscriptions and its delivery log (subscriptions' and runs' own URLs), with each
// delivery's attempts and a redeliver button (POST /webhooks/deliveries/{id}/redeliver).
import { api } from "/console/console-api.js";
import { errorBox, field, h, heading, pageSignal, pause, select, showError, statusBadge, table, toast, when } from "/console/console-ui.js";

const enc = encodeURIComponent;
const FILTERS = [["", "All deliveries"], ["pending", "pending"], ["succeeded", "succeeded"], ["failed", "failed"]];
const state = { status: "" };

function subscriptions(hooks) {
  if (!hooks.length) return h("p", { class: "muted empty" }, "No subscription (runs may still name their own webhook URL).");
  return table(
    "Subscriptions",
    ["URL", "Events", "State", "Secret", "Created"],
    hooks.map((w) => h("tr", {}, h("th", { scope: "row" }, h("code", {}, w.url)), h("td", {}, w.events.join(", ")), h("td", {}, w.active ? "active" : "paused"), h("td", {}, h("code", {}, `…${w.secret_hint || ""}`)), h("td", {}, when(w.created_at)))),
  );
}

async function attempts(id, box) {
  const d = await api("GET", `/webhooks/deliveries/${enc(id)}`);
  box.replaceChildren(
    d.attempt_log.length
      ? h("ol", { class: "attempts" }, d.attempt_log.map((a) => h("li", {}, `#${a.attempt} ${when(a.at)} · ${a.status_code ?? "no answer"} · ${a.latency_ms} ms`, a.error ? h("span", { class: "error-text" }, ` · ${a.error}`) : null)))
      : h("p", { class: "muted" }, "Not attempted yet."),
  );
}

export async function webhooksPage(view) {
  const signal = pageSignal();
  const hooks = await api("GET", "/webhooks");
  const status = select("status", FILTERS, state.status);
  const log = h("div", { "aria-live": "polite" });
  const failure = errorBox();
  const reload = async () => {
    state.status = status.value;
    const q = new URLSearchParams({ limit: "100" });
    if (status.value) q.set("status", status.value);
    const deliveries = await api("GET", `/webhooks/deliveries?${q}`);
    log.replaceChildren(
      deliveries.length
        ? table(
            "Deliveries",
            ["Event", "Status", "Attempts", "Last answer", "Created", ""],
            deliveries.map((d) => {
              const more = h("div", { class: "attempt-box" });
              const redeliver = h("button", { type: "button", class: "secondary small", "aria-label": `Redeliver ${d.event} ${d.id.slice(0, 8)}` }, "Redeliver");
              redeliver.addEventListener("click", async () => {
                redeliver.disabled = true;
                try {
                  await api("POST", `/webhooks/deliveries/${enc(d.id)}/redeliver`, {});
                  toast("Redelivery queued.");
                  await reload();
                  await follow();
                } catch (e) {
                  showError(failure, e);
                  redeliver.disabled = false;
                }
              });
              const details = h("details", {}, h("summary", {}, "Attempts"), more);
              details.addEventListener("toggle", () => details.open && attempts(d.id, more).catch((e) => showError(failure, e)));
              return h(
                "tr",
                { "data-delivery": d.id },
                h("th", { scope: "row" }, d.event, h("div", { class: "muted small" }, h("code", {}, d.id.slice(0, 8)))),
                h("td", {}, statusBadge(d.status)),
                h("td", { class: "attempt-count" }, String(d.attempts)),
                h("td", {}, d.last_status ? String(d.last_status) : d.last_error || "–"),
                h("td", {}, when(d.created_at)),
                h("td", {}, redeliver, details),
              );
            }),
          )
        : h("p", { class: "muted empty" }, "No delivery yet."),
    );
  };
  // After a redelivery, the log is read again until no delivery is pending (a few seconds at most).
  const follow = async () => {
    for (let i = 0; i < 20 && !signal.aborted && log.querySelector('[data-status="pending"]'); i++) {
      await pause(1000);
      if (!signal.aborted) await reload();
    }
  };
  status.addEventListener("change", () => reload().catch((e) => showError(failure, e)));
  view.replaceChildren(
    heading("Webhooks"),
    h("section", { class: "card", "aria-labelledby": "wh-subs" }, h("h2", { id: "wh-subs" }, "Subscriptions"), subscriptions(hooks)),
    h("section", { class: "card", "aria-labelledby": "wh-log" }, h("h2", { id: "wh-log" }, "Delivery log"), h("form", { class: "filters", onsubmit: (e) => e.preventDefault() }, field("Show", status)), failure, log),
  );
  await reload();
  follow();
}
