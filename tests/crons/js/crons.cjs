// Drives this server's crons with LangGraph's JS SDK (@langchain/langgraph-sdk, installed outside the repo) and
// prints what it saw as JSON, for tests/crons/test_sdks.py to check.
// Env: LANGGRAPH_SDK_DIR (its node_modules folder), API_URL, API_KEY, ASSISTANT, PRINCIPAL (the end user it acts
// for: it then sees its own crons only).
const path = require("node:path");
const { Client } = require(path.join(process.env.LANGGRAPH_SDK_DIR, "@langchain/langgraph-sdk"));

async function main() {
  const client = new Client({
    apiUrl: process.env.API_URL,
    apiKey: process.env.API_KEY,
    defaultHeaders: { "x-principal-user-id": process.env.PRINCIPAL },
  });
  const assistant = process.env.ASSISTANT;
  const input = { messages: [{ role: "user", content: "from node" }] };
  const out = {};
  const thread = await client.threads.create();
  out.threadId = thread.thread_id;
  out.forThread = await client.crons.createForThread(thread.thread_id, assistant, {
    schedule: "* * * * *",
    input,
    metadata: { from: "js" },
    timezone: "Europe/Paris",
  });
  out.stateless = await client.crons.create(assistant, {
    schedule: "0 9 * * *",
    input,
    onRunCompleted: "keep",
    endTime: new Date(Date.now() + 86400000 * 30),
  });
  out.search = await client.crons.search({ threadId: thread.thread_id });
  out.count = await client.crons.count({ assistantId: assistant });
  out.updated = await client.crons.update(out.stateless.cron_id, { enabled: false });
  await client.crons.delete(out.stateless.cron_id);
  out.countAfter = await client.crons.count({ assistantId: assistant });
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
