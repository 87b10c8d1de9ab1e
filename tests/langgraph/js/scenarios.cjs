// Drives this server with LangGraph's JS SDK (@langchain/langgraph-sdk, installed outside the repo) and
// prints what it saw as JSON, for tests/langgraph/test_js_sdk.py to check.
// Env: LANGGRAPH_SDK_DIR (its node_modules folder), API_URL, API_KEY.
const path = require("node:path");
const { Client } = require(path.join(process.env.LANGGRAPH_SDK_DIR, "@langchain/langgraph-sdk"));

async function collect(parts) {
  const out = [];
  for await (const part of parts) out.push({ event: part.event, data: part.data, id: part.id ?? null });
  return out;
}

async function main() {
  const client = new Client({ apiUrl: process.env.API_URL, apiKey: process.env.API_KEY });
  const hi = { messages: [{ role: "user", content: "hi" }] };
  const out = {};

  // No streamMode (the JS SDK sends none): LangGraph's default, values.
  let thread = await client.threads.create();
  out.defaultMode = await collect(client.runs.stream(thread.thread_id, "greeter", { input: hi }));

  // Several modes, with the run id from Content-Location.
  const created = [];
  out.modes = await collect(
    client.runs.stream(null, "greeter", {
      input: hi,
      streamMode: ["updates", "messages-tuple", "custom"],
      context: { user_name: "Node" },
      onRunCreated: (meta) => created.push(meta),
    }),
  );
  out.created = created;

  // interrupt → command.resume → completion.
  thread = await client.threads.create();
  out.interrupted = await client.runs.wait(thread.thread_id, "asker", { input: hi });
  out.resumed = await collect(
    client.runs.stream(thread.thread_id, "asker", { command: { resume: "green" }, streamMode: "values" }),
  );

  // join with Last-Event-ID.
  thread = await client.threads.create();
  const run = await client.runs.create(thread.thread_id, "greeter", { input: hi, streamMode: ["values", "updates"] });
  await client.runs.join(thread.thread_id, run.run_id);
  out.joined = await collect(client.runs.joinStream(thread.thread_id, run.run_id));
  out.tail = await collect(
    client.runs.joinStream(thread.thread_id, run.run_id, { lastEventId: out.joined[1].id }),
  );

  // An XpertAI run (XpertAI's chat input) joined as LangGraph events by naming modes.
  thread = await client.threads.create();
  out.xpertaiReply = await client.runs.wait(thread.thread_id, "greeter", {
    input: { action: "send", message: { input: { input: "hi" } } },
  });
  const [xpertaiRun] = await client.runs.list(thread.thread_id);
  out.crossJoined = await collect(
    client.runs.joinStream(thread.thread_id, xpertaiRun.run_id, { streamMode: ["values", "messages-tuple"] }),
  );

  // LangGraph's defaults: a second run on a busy thread is enqueued; cancel (wait) answers the run.
  thread = await client.threads.create();
  const first = await client.runs.create(thread.thread_id, "ticker", { input: hi });
  const second = await client.runs.create(thread.thread_id, "ticker", { input: hi });
  out.cancelled = await client.runs.cancel(thread.thread_id, first.run_id, true);
  await client.runs.join(thread.thread_id, second.run_id);
  out.enqueued = (await client.runs.list(thread.thread_id)).map((r) => [r.run_id === first.run_id, r.status]);

  // A failure: wait raises with __error__.
  try {
    await client.runs.wait(null, "broken", { input: hi });
    out.waitError = null;
  } catch (e) {
    out.waitError = String(e.message);
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
