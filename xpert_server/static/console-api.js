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

export async function api(method, path, body, { key } = {}) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (key) headers["x-api-key"] = key;
  else {
    const token = sessionStorage.getItem(CSRF);
    if (token) headers["x-xpert-csrf"] = token;
  }
  const response = await fetch(prefix + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
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
