// Drives this server's thread-centric protocol (the v2 streaming) with LangGraph's JS SDK
// (`client.threads.stream`, @langchain/langgraph-sdk, installed outside the repo) and prints what it saw as
// JSON, for tests/langgraph/test_js_sdk.py to check. Env: LANGGRAPH_SDK_DIR, API_URL, API_KEY.
const path = require("node:path");
const { Client } = require(path.join(process.env.LANGGRAPH_SDK_DIR, "@langchain/langgraph-sdk"));

const hi = { messages: [{ role: "user", content: "hi" }] };

function within(ms, promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function until(check, what) {
  for (let i = 0; i < 400; i += 1) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never: ${what}`);
}

function lifecycle(events) {
  return events
    .filter((e) => e.method === "lifecycle" && e.params.namespace.length === 0)
    .map((e) => e.params.data.event);
}

// A chat turn: the reply's text token by token through `thread.messages`, the final state from `output`.
async function chat(client) {
  const thread = client.threads.stream({ assistantId: "greeter" });
  const started = await thread.run.start({ input: hi });
  const messages = [];
  for await (const message of thread.messages) {
    const deltas = [];
    for await (const delta of message.text) deltas.push(delta);
    messages.push({ id: message.id, node: message.node, deltas, text: await message.text });
  }
  const output = await within(20000, thread.output, "output");
  await thread.close();
  return { runId: started.run_id, messages, output };
}

// An interrupt: seen on the `input` channel, answered with `input.respond`, the next run completes.
async function interrupt(client) {
  const thread = client.threads.stream({ assistantId: "asker" });
  const events = [];
  thread.onEvent((e) => events.push(e));
  await thread.run.start({ input: hi });
  await until(() => thread.interrupts.length > 0, "an interrupt");
  const [pending] = thread.interrupts;
  await thread.input.respond({ interrupt_id: pending.interruptId, namespace: pending.namespace, response: "green" });
  await until(() => lifecycle(events).includes("completed"), "the resumed run's end");
  const state = await client.threads.getState(thread.threadId);
  await thread.close();
  return { interrupts: [pending], lifecycle: lifecycle(events), values: state.values };
}

// A cancel: the run stops, its root lifecycle ends it, and the SDK's values stream closes.
async function cancel(client) {
  const thread = client.threads.stream({ assistantId: "long-ticker" });
  const events = [];
  thread.onEvent((e) => events.push(e));
  const { run_id: runId } = await thread.run.start({ input: hi });
  const ticks = await thread.subscribe(["custom"]);
  const seen = [];
  for await (const event of ticks) {
    seen.push(event.params.data.payload.tick);
    if (seen.length === 3) break;
  }
  await client.runs.cancel(thread.threadId, runId);
  const snapshots = [];
  await within(20000, (async () => {
    for await (const values of thread.values) snapshots.push(values);
  })(), "the values stream to close");
  const run = await client.runs.get(thread.threadId, runId);
  await thread.close();
  const customs = events.filter((e) => e.method === "custom").map((e) => e.params.data.payload.tick);
  return { lifecycle: lifecycle(events), interrupted: thread.interrupted, status: run.status, customs };
}

// A reconnect: the first event stream is cut mid-run; the SDK reconnects and goes on without loss or repeat.
async function reconnect(client) {
  let cut = false;
  const reconnects = [];
  const cutting = async (url, init) => {
    const response = await fetch(url, init);
    const wantsCustom = typeof init?.body === "string" && init.body.includes("custom");
    if (cut || !String(url).endsWith("/stream/events") || !wantsCustom || !response.body) return response;
    cut = true;
    let seen = 0;
    const reader = response.body.getReader();
    const body = new ReadableStream({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        controller.enqueue(value);
        seen += (Buffer.from(value).toString().match(/event: custom/g) || []).length;
        if (seen >= 5) {
          reader.cancel().catch(() => {});
          controller.error(new Error("connection dropped (by the test)"));
        }
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  const thread = client.threads.stream({
    assistantId: "ticker",
    fetch: cutting,
    onReconnect: (info) => reconnects.push(info.attempt),
    reconnectDelayMs: () => 50,
  });
  const events = [];
  thread.onEvent((e) => events.push(e));
  await thread.run.start({ input: hi });
  const ticks = await thread.subscribe(["custom"]);
  const seen = [];
  await within(20000, (async () => {
    for await (const event of ticks) {
      seen.push(event.params.data.payload.tick);
      if (seen.length === 30) break;
    }
  })(), "30 ticks");
  await until(() => lifecycle(events).includes("completed"), "the run's end");
  await thread.close();
  const ids = events.map((e) => e.event_id);
  return { cut, reconnects, ticks: seen, uniqueIds: new Set(ids).size === ids.length, seqs: events.map((e) => e.seq) };
}

async function main() {
  const client = new Client({ apiUrl: process.env.API_URL, apiKey: process.env.API_KEY });
  const out = {};
  out.chat = await within(30000, chat(client), "chat");
  out.interrupt = await within(30000, interrupt(client), "interrupt");
  out.cancel = await within(30000, cancel(client), "cancel");
  out.reconnect = await within(30000, reconnect(client), "reconnect");
  process.stdout.write(JSON.stringify(out));
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(String(err && err.stack ? err.stack : err));
    process.exit(1);
  },
);
