// The demo xpert's approval as agent-chat-ui meets it through LangGraph's JS SDK: the interrupt from the
// thread's state, normalised as `useStream` hands it to a UI (the SDK's own `normalizeInterruptForClient`),
// then agent-chat-ui's resume (`input: {}` beside `command.resume.decisions`). Prints JSON for
// tests/langgraph/test_js_sdk.py. Env: LANGGRAPH_SDK_DIR, API_URL, API_KEY (a key of the demo's org).
const path = require("node:path");
const sdk = path.join(process.env.LANGGRAPH_SDK_DIR, "@langchain/langgraph-sdk");
const { Client } = require(sdk);
const { normalizeInterruptForClient } = require(path.join(sdk, "dist/ui/index.cjs"));

async function main() {
  const client = new Client({ apiUrl: process.env.API_URL, apiKey: process.env.API_KEY });
  const ask = { messages: [{ role: "user", content: '/tool send_notification {"message": "from js"}' }] };
  const thread = await client.threads.create();
  await client.runs.wait(thread.thread_id, "demo", { input: ask });
  const state = await client.threads.getState(thread.thread_id);
  const out = { shown: normalizeInterruptForClient(state.tasks.at(-1).interrupts.at(-1)).value };
  out.resumed = await client.runs.wait(thread.thread_id, "demo", {
    input: {},
    command: { resume: { decisions: [{ type: "approve" }] } },
  });
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
