// The console's calls to the API: with the session cookie (sent by the browser, unreadable here) and the
// session's CSRF token in a header. The admin key is used once, for the sign-in call, and kept nowhere.
const prefix = document.querySelector('meta[name="xpert-api"]').content.replace(/\/$/, "");
export const apiUrl = location.origin + prefix;
const CSRF = "xpert-console-csrf"; // sessionStorage: this tab only, and worthless without the cookie

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// Listeners told when the session is gone (401): the page goes back to the sign-in form.
const signedOut = new Set();
export function onSignedOut(fn) {
  signedOut.add(fn);
}

function csrfHeader() {
  const token = sessionStorage.getItem(CSRF);
  return token ? { "x-xpert-csrf": token } : {};
}

async function failure(response) {
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  const message = (data && typeof data.message === "string" && data.message) || `${response.status} ${response.statusText}`;
  if (response.status === 401) for (const fn of signedOut) fn(message);
  return new ApiError(response.status, message);
}

// A server-sent event stream read with fetch (EventSource cannot send the CSRF header): `onFrame(data, id)`
// for each event's JSON data, until the stream ends or `signal` aborts. A run's stream replays its stored
// frames, then follows the run live (api/runs.py `join_stream`).
export async function stream(path, onFrame, { signal } = {}) {
  const response = await fetch(prefix + path, {
    headers: { accept: "text/event-stream", ...csrfHeader() },
    credentials: "same-origin",
    cache: "no-store",
    signal,
  });
  if (!response.ok) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let id = null;
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("id:")) id = line.slice(3).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (!data.length) continue; // a comment (keep-alive)
      let parsed;
      try {
        parsed = JSON.parse(data.join("\n"));
      } catch {
        parsed = { type: "text", text: data.join("\n") };
      }
      onFrame(parsed, id);
    }
  }
}

export async function api(method, path, body, { key } = {}) {
  const headers = { accept: "application/json" };
  const form = body instanceof FormData; // an upload: the browser writes its multipart content type
  if (body !== undefined && !form) headers["content-type"] = "application/json";
  if (key) headers["x-api-key"] = key;
  else Object.assign(headers, csrfHeader());
  const response = await fetch(prefix + path, {
    method,
    headers,
    body: body === undefined || form ? body : JSON.stringify(body),
    credentials: "same-origin",
    cache: "no-store",
  });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const message = (data && typeof data.message === "string" && data.message) || `${response.status} ${response.statusText}`;
    if (response.status === 401 && !key) for (const fn of signedOut) fn(message);
    throw new ApiError(response.status, message);
  }
  return data;
}

// The session as the server describes it (org, the key it was made from, expiry); kept in memory only.
let current = null;
export const session = () => current;

export async function signIn(key) {
  current = await api("POST", "/console/sessions", undefined, { key });
  sessionStorage.setItem(CSRF, current.csrf_token);
  return current;
}

export async function currentSession() {
  if (!sessionStorage.getItem(CSRF)) return null;
  try {
    current = await api("GET", "/console/session");
    return current;
  } catch {
    sessionStorage.removeItem(CSRF);
    return null;
  }
}

export async function signOut() {
  try {
    await api("DELETE", "/console/session");
  } finally {
    current = null;
    sessionStorage.removeItem(CSRF);
  }
}
