// Knowledge: the org's bases; a base's documents with their ingestion status (polled while any is still
// going) and errors; upload by drag and drop (POST /contexts/file, then /bulk and /process, as XpertAI's
// clients do); and a retrieval playground (POST /knowledges/{id}/search) with document names, chunks, scores.
import { api } from "/console/console-api.js";
import { errorBox, facts, field, h, heading, nextId, pageSignal, pause, select, showError, statusBadge, table, toast, when } from "/console/console-ui.js";

const enc = encodeURIComponent;
const DONE = ["finish", "error", "cancel"];
// XpertAI calls an ingested document `finish`; the console says what it means.
const label = (status) => ({ finish: "ready", waiting: "waiting", running: "ingesting", error: "error" })[status] || status;

export async function knowledgePage(view, navigate) {
  const bases = await api("GET", "/knowledges");
  const name = h("input", { name: "name", required: true, autocomplete: "off" });
  const description = h("input", { name: "description", autocomplete: "off" });
  const failure = errorBox();
  const form = h(
    "form",
    { class: "card grid-form", "aria-labelledby": "kb-new" },
    h("h2", { id: "kb-new" }, "New knowledge base"),
    field("Name", name),
    field("Description", description),
    failure,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Create knowledge base")),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const kb = await api("POST", "/knowledges", { name: name.value.trim(), description: description.value.trim() || undefined });
      navigate(`#/knowledge/${enc(kb.id)}`);
    } catch (err) {
      showError(failure, err);
    }
  });
  view.replaceChildren(
    heading("Knowledge"),
    bases.length
      ? table(
          "Knowledge bases",
          ["Name", "Description", "Updated"],
          bases.map((kb) => h("tr", {}, h("th", { scope: "row" }, h("a", { href: `#/knowledge/${enc(kb.id)}` }, kb.name)), h("td", {}, kb.description || "–"), h("td", {}, when(kb.updatedAt)))),
        )
      : h("p", { class: "muted empty" }, "No knowledge base yet."),
    form,
  );
}

function documentsTable(docs) {
  if (!docs.length) return h("p", { class: "muted empty" }, "No document yet: drop one above.");
  return table(
    "Documents",
    ["Document", "Status", "Progress", "Chunks", "Error", "Added"],
    docs.map((d) =>
      h(
        "tr",
        { "data-document": d.name },
        h("th", { scope: "row" }, d.name),
        h("td", {}, h("span", { class: `badge ${d.status}`, "data-status": d.status }, label(d.status))),
        h("td", {}, d.progress === null || d.progress === undefined ? "–" : `${Math.round(d.progress)}%`),
        h("td", {}, d.chunkNum ?? "–"),
        h("td", {}, d.status === "error" ? h("span", { class: "error-text" }, d.processMsg || "failed") : "–"),
        h("td", {}, when(d.createdAt)),
      ),
    ),
  );
}

function dropZone(onFiles) {
  const id = nextId("upload");
  const input = h("input", { id, type: "file", multiple: true, class: "sr-only" });
  const zone = h(
    "div",
    { class: "dropzone" },
    h("p", {}, "Drop files here, or "),
    h("label", { for: id, class: "button-like" }, "choose files"),
    input,
    h("p", { class: "hint" }, "Text, Markdown, PDF, Word, HTML… each is parsed, chunked and embedded."),
  );
  input.addEventListener("change", () => input.files.length && onFiles([...input.files]).finally(() => (input.value = "")));
  zone.addEventListener("dragover", (e) => (e.preventDefault(), zone.classList.add("over")));
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    if (e.dataTransfer?.files?.length) onFiles([...e.dataTransfer.files]);
  });
  return zone;
}

function playground(kb) {
  const query = h("input", { name: "query", type: "search", required: true, autocomplete: "off" });
  const mode = select("mode", [["hybrid", "hybrid"], ["dense", "dense (vectors)"], ["lexical", "lexical (words)"]], "hybrid");
  const topK = h("input", { name: "topK", type: "number", min: 1, max: 100, value: 5 });
  const results = h("div", { "aria-live": "polite" });
  const failure = errorBox();
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "kb-search" },
    h("h2", { id: "kb-search" }, "Retrieval playground"),
    h("div", { class: "filters" }, field("Query", query), field("Mode", mode), field("Results", topK)),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Search")),
    failure,
    results,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const found = await api("POST", `/knowledges/${enc(kb.id)}/search`, { query: query.value, mode: mode.value, topK: Number(topK.value) || 5 });
      failure.textContent = "";
      results.replaceChildren(
        found.items.length
          ? table(
              "Search results",
              ["Document", "Score", "Chunk"],
              found.items.map((x) => h("tr", { class: "hit" }, h("th", { scope: "row" }, x.document_name), h("td", { class: "score" }, x.score.toFixed(3)), h("td", { class: "chunk" }, x.content))),
            )
          : h("p", { class: "muted" }, "Nothing found."),
      );
    } catch (err) {
      showError(failure, err);
    }
  });
  return form;
}

export async function knowledgeBasePage(view, id) {
  const signal = pageSignal();
  const kb = await api("GET", `/knowledges/${enc(id)}`);
  const list = h("div", { "aria-live": "polite" });
  const failure = errorBox();
  let docs = await api("GET", `/knowledges/${enc(kb.id)}/documents`);
  let polling = false;
  const show = () => list.replaceChildren(documentsTable(docs));
  // While any document is still being ingested, its status is read again every second.
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      while (!signal.aborted && docs.some((d) => !DONE.includes(d.status))) {
        await pause(1000);
        if (signal.aborted) break;
        docs = await api("GET", `/knowledges/${enc(kb.id)}/documents`);
        show();
      }
    } catch (e) {
      showError(failure, e);
    } finally {
      polling = false;
    }
  };
  const upload = async (files) => {
    try {
      const added = [];
      for (const file of files) {
        const form = new FormData();
        form.append("file", file, file.name);
        const stored = await api("POST", "/contexts/file", form);
        added.push({ fileId: stored.id, name: file.name });
      }
      const created = await api("POST", `/knowledges/${enc(kb.id)}/bulk`, added);
      await api("POST", `/knowledges/${enc(kb.id)}/process`, created.map((d) => d.id));
      toast(`${created.length} document(s) added; ingesting.`);
      failure.textContent = "";
      docs = await api("GET", `/knowledges/${enc(kb.id)}/documents`);
      show();
      poll();
    } catch (e) {
      showError(failure, e);
    }
  };
  view.replaceChildren(
    h("p", { class: "crumbs" }, h("a", { href: "#/knowledge" }, "Knowledge")),
    heading(kb.name),
    facts([["Id", h("code", {}, kb.id)], kb.description ? ["Description", kb.description] : null, ["Embedder", kb.embeddingModel || "the server's"]]),
    h("section", { class: "card", "aria-labelledby": "kb-docs" }, h("h2", { id: "kb-docs" }, "Documents"), dropZone(upload), failure, list),
    playground(kb),
  );
  show();
  poll();
}
