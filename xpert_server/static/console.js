// The console: sign-in, then a page per section, chosen by the URL's hash (#/overview, #/xperts, …).
import { ApiError, currentSession, onSignedOut, signIn, signOut } from "/console/console-api.js";
import { approvalsPage } from "/console/console-approvals.js";
import { knowledgeBasePage, knowledgePage } from "/console/console-knowledge.js";
import { connectionsPage, h, keysPage, overviewPage, toast, xpertPage, xpertsPage } from "/console/console-pages.js";
import { runPage, threadPage, threadsPage } from "/console/console-runs.js";
import { newPage } from "/console/console-ui.js";
import { systemPage } from "/console/console-system.js";
import { webhooksPage } from "/console/console-webhooks.js";

const signin = document.getElementById("signin");
const form = document.getElementById("signin-form");
const keyInput = document.getElementById("signin-key");
const signinError = document.getElementById("signin-error");
const nav = document.getElementById("nav");
const who = document.getElementById("who");
const signoutButton = document.getElementById("signout");
const view = document.getElementById("view");

function showSignIn(message = "") {
  nav.hidden = true;
  signoutButton.hidden = true;
  who.textContent = "";
  view.replaceChildren();
  signin.hidden = false;
  signinError.textContent = message;
  document.title = "Sign in · xpert-server console";
  keyInput.focus();
}

function showApp(session) {
  signin.hidden = true;
  nav.hidden = false;
  signoutButton.hidden = false;
  // The operator's session sees the server (the System page) and no org; an org admin's, never the System page.
  const operator = session.role === "operator";
  for (const a of nav.querySelectorAll("a")) a.hidden = operator !== (a.getAttribute("href") === "#/system");
  who.textContent = operator ? "operator" : `org ${session.org_id}`;
  if (operator && !location.hash.startsWith("#/system")) location.hash = "#/system";
  else route();
}

function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

const ROUTES = [
  [/^#\/overview$/, "Overview", (m) => overviewPage(view)],
  [/^#\/xperts$/, "Xperts", () => xpertsPage(view, navigate)],
  [/^#\/xperts\/([^/]+)$/, "Xpert", (m) => xpertPage(view, decodeURIComponent(m[1]), navigate)],
  [/^#\/keys$/, "Keys", () => keysPage(view)],
  [/^#\/connections$/, "Connections", () => connectionsPage(view)],
  [/^#\/threads$/, "Threads and runs", () => threadsPage(view)],
  [/^#\/threads\/([^/]+)$/, "Thread", (m) => threadPage(view, decodeURIComponent(m[1]))],
  [/^#\/threads\/([^/]+)\/runs\/([^/]+)$/, "Run", (m) => runPage(view, decodeURIComponent(m[1]), decodeURIComponent(m[2]), navigate)],
  [/^#\/approvals$/, "Approvals", () => approvalsPage(view, navigate)],
  [/^#\/knowledge$/, "Knowledge", () => knowledgePage(view, navigate)],
  [/^#\/knowledge\/([^/]+)$/, "Knowledge base", (m) => knowledgeBasePage(view, decodeURIComponent(m[1]))],
  [/^#\/webhooks$/, "Webhooks", () => webhooksPage(view)],
  [/^#\/system$/, "System", () => systemPage(view)],
];

let rendering = 0;
async function route() {
  if (signin.hidden === false) return;
  const hash = location.hash || "#/overview";
  const found = ROUTES.map(([re, title, render]) => [hash.match(re), title, render]).find(([m]) => m);
  if (!found) {
    location.hash = "#/overview";
    return;
  }
  const [match, title, render] = found;
  const section = hash.split("/")[1];
  for (const a of nav.querySelectorAll("a")) {
    if (a.getAttribute("href") === `#/${section}`) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  document.title = `${title} · xpert-server console`;
  newPage(); // the page being left stops its streams and polls
  const mine = ++rendering;
  view.setAttribute("aria-busy", "true");
  view.replaceChildren(h("p", { class: "muted" }, "Loading…"));
  try {
    await render(match);
  } catch (e) {
    if (mine !== rendering) return;
    if (e instanceof ApiError && e.status === 401) return; // onSignedOut shows the form
    view.replaceChildren(h("h1", { tabindex: "-1" }, title), h("p", { class: "error", role: "alert" }, e instanceof ApiError ? `Error ${e.status}: ${e.message}` : String(e)));
  } finally {
    view.setAttribute("aria-busy", "false");
  }
  if (mine === rendering) view.querySelector("h1")?.focus();
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const key = keyInput.value.trim();
  if (!key) {
    signinError.textContent = "Paste an org admin API key.";
    keyInput.focus();
    return;
  }
  signinError.textContent = "";
  try {
    const session = await signIn(key);
    keyInput.value = ""; // the key is gone from the page once the session exists
    showApp(session);
  } catch (err) {
    signinError.textContent = err instanceof ApiError ? `Cannot sign in (${err.status}): ${err.message}` : `Cannot sign in: ${err.message}`;
    keyInput.focus();
  }
});

signoutButton.addEventListener("click", async () => {
  try {
    await signOut();
  } finally {
    showSignIn("");
    toast("Signed out.");
  }
});

onSignedOut((message) => showSignIn(`Signed out: ${message}`));
window.addEventListener("hashchange", route);

const session = await currentSession();
if (session) showApp(session);
else showSignIn();
