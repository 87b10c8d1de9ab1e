// The demo host page: what a customer's page does. Its back end (POST /demo/session) keeps the API key
// and returns a client secret; the widget asks again through getClientSecret when one expires.
import { createChatKit } from "/chatkit/chatkit.js";

// `xpert` picks the xpert (the picker below sets it); `expires_after` is honoured only with the test hook.
const params = new URLSearchParams(location.search);
const forwarded = new URLSearchParams();
for (const name of ["xpert", "expires_after"]) if (params.has(name)) forwarded.set(name, params.get(name));

async function session() {
  const query = forwarded.toString();
  // The widget reads this Response itself: a failed session shows as its status and message.
  return fetch(`/demo/session${query ? `?${query}` : ""}`, { method: "POST", credentials: "same-origin" });
}

// The xperts this page may talk to (the back end lists them: every xpert of the default org on a
// loopback server, only `demo` on a public one); choosing one reloads the page with `?xpert=<slug>`.
function showPicker(xperts, current) {
  const picker = document.getElementById("xpert");
  if (xperts.length < 2) return;
  picker.replaceChildren(
    ...xperts.map((x) => {
      const option = document.createElement("option");
      option.value = x.slug;
      option.textContent = x.name === x.slug ? x.name : `${x.name} (${x.slug})`;
      option.selected = x.slug === current;
      return option;
    }),
  );
  picker.addEventListener("change", () => {
    const next = new URLSearchParams(location.search);
    next.set("xpert", picker.value);
    location.search = next.toString();
  });
  picker.closest("label").hidden = false;
}

const status = document.getElementById("status");
try {
  const answer = await session();
  if (!answer.ok) {
    const message = (await answer.json().catch(() => null))?.message;
    throw new Error(`the demo back end answered HTTP ${answer.status}${message ? `: ${message}` : ""}`);
  }
  const started = await answer.json();
  let first = started;
  showPicker(started.xperts ?? [], started.xpert);
  const demo = started.xpert === "demo";
  createChatKit(document.getElementById("chat"), {
    api: {
      apiUrl: started.apiUrl,
      xpertId: started.xpertId,
      // First the secret minted above, then the back end's own Response (the widget reads it).
      async getClientSecret(current) {
        const minted = !current && first;
        first = null;
        if (minted) return minted;
        return session();
      },
    },
    theme: { colorScheme: "light", radius: "round", color: { accent: { primary: "#4f46e5", level: 1 } } },
    startScreen: demo
      ? {
          greeting: "Hi! I'm the demo xpert. I run fully offline — attach a file and ask me about it.",
          prompts: [
            { label: "What can you do?", prompt: "What can you do?" },
            { label: "What time is it?", prompt: "What time is it?" },
            { label: "Calculate (3+4)×12", prompt: "What is (3+4)*12?" },
          ],
        }
      : { greeting: `Chat with ${started.xperts?.find((x) => x.slug === started.xpert)?.name ?? started.xpert}` },
    composer: {
      placeholder: demo ? "Message the demo xpert…" : "Message the xpert…",
      attachments: { enabled: true, maxSize: 20 * 1024 * 1024 },
    },
    history: { enabled: true },
  });
} catch (e) {
  status.textContent = `Could not start the demo: ${e.message}`;
}
