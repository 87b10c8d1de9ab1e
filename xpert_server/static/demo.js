// The demo host page: what a customer's page does. Its back end (POST /demo/session) keeps the API key
// and returns a client secret; the widget asks again through getClientSecret when one expires.
import { createChatKit } from "/chatkit/chatkit.js";

// Forwarded to the back end, which honours them only when the server runs with its test hook.
const params = new URLSearchParams(location.search);
const forwarded = new URLSearchParams();
for (const name of ["xpert", "expires_after"]) if (params.has(name)) forwarded.set(name, params.get(name));

async function session() {
  const query = forwarded.toString();
  const response = await fetch(`/demo/session${query ? `?${query}` : ""}`, { method: "POST", credentials: "same-origin" });
  if (!response.ok) throw new Error(`The demo back end answered ${response.status}`);
  return response.json();
}

const status = document.getElementById("status");
try {
  let first = await session();
  createChatKit(document.getElementById("chat"), {
    api: {
      apiUrl: first.apiUrl,
      xpertId: first.xpertId,
      async getClientSecret(current) {
        const s = first && !current ? first : await session();
        first = null;
        return { secret: s.client_secret, organizationId: s.organizationId };
      },
    },
    theme: { colorScheme: "light", radius: "round", color: { accent: { primary: "#4f46e5", level: 1 } } },
    startScreen: {
      greeting: "Hi! I'm the demo xpert. I run fully offline.",
      prompts: [
        { label: "What can you do?", prompt: "What can you do?" },
        { label: "What time is it?", prompt: "What time is it?" },
        { label: "Summarize a file", prompt: "Summarize the attached file." },
      ],
    },
    composer: { placeholder: "Message the demo xpert…", attachments: { enabled: true, maxSize: 20 * 1024 * 1024 } },
    history: { enabled: true },
  });
} catch (e) {
  status.textContent = `Could not start the demo: ${e.message}`;
}
