// Shared helpers for the Moked staff pages (login, desktop, wallboard, admin).
//
// Plain ES module, no build step. Every user-visible string comes from
// `/locales/{lang}/{part}.json`; user text only ever reaches the page through
// `textContent` (see `el`), never through innerHTML.

/** Languages the UI speaks; Hebrew first because it is the default. */
export const LANGS = ["he", "en"];

/** Languages written right to left. */
const RTL = new Set(["he"]);

let strings = {};
let currentLang = "he";

/**
 * Picks a supported language: the `wanted` one if supported, else the browser's,
 * else Hebrew. `wanted` may be null.
 */
export function pickLang(wanted) {
  if (wanted && LANGS.includes(wanted)) return wanted;
  for (const l of navigator.languages || []) {
    const base = String(l).slice(0, 2).toLowerCase();
    if (LANGS.includes(base)) return base;
  }
  return "he";
}

/**
 * Loads `/locales/{lang}/{part}.json` into the string table, sets `<html lang dir>`
 * and translates every element with `data-i18n` (textContent), `data-i18n-placeholder`,
 * `data-i18n-aria-label` or `data-i18n-title`. Returns the loaded table.
 */
export async function loadLocale(lang, part = "staff") {
  currentLang = pickLang(lang);
  const res = await fetch(`/locales/${currentLang}/${part}.json`, { credentials: "same-origin" });
  if (!res.ok) throw new Error(`locale ${currentLang}/${part}: HTTP ${res.status}`);
  strings = await res.json();
  document.documentElement.lang = currentLang;
  document.documentElement.dir = dirOf(currentLang);
  translatePage(document);
  return strings;
}

/** `"rtl"` or `"ltr"` for a language code. */
export function dirOf(lang) {
  return RTL.has(lang) ? "rtl" : "ltr";
}

/** The language loaded by `loadLocale` ("he" or "en"). */
export function lang() {
  return currentLang;
}

/**
 * Looks a key up in the loaded strings and fills `{name}` placeholders from `vars`.
 * A missing key returns the key itself (visible, so it gets noticed and fixed).
 */
export function t(key, vars = {}) {
  const s = strings[key];
  if (typeof s !== "string") return key;
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/**
 * Translates the elements under `root` that carry `data-i18n*` attributes (see `loadLocale`).
 * Call it again after building markup that uses those attributes.
 */
export function translatePage(root) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  const attrs = [
    ["i18nPlaceholder", "placeholder"],
    ["i18nAriaLabel", "aria-label"],
    ["i18nTitle", "title"],
  ];
  for (const [data, attr] of attrs) {
    const sel = "[data-" + data.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase()) + "]";
    for (const node of root.querySelectorAll(sel)) node.setAttribute(attr, t(node.dataset[data]));
  }
}

/**
 * Builds a DOM element. `attrs` keys: `class`, `text` (textContent), `on` (object of
 * event listeners), `dataset` (object), `style` is refused (CSP); booleans set/omit the
 * attribute; anything else is set with setAttribute. Children: nodes, strings (as text
 * nodes), arrays, null/false (skipped). User text is never parsed as HTML.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    else if (key === "text") node.textContent = String(value);
    else if (key === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "value") node.value = value;
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  appendChildren(node, children);
  return node;
}

function appendChildren(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) appendChildren(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
  }
}

/** Removes every child of `node` and appends `children` (same rules as `el`). */
export function replaceChildren(node, ...children) {
  node.replaceChildren();
  appendChildren(node, children);
  return node;
}

/**
 * An API failure: `status` (HTTP code, 0 for a network error), `problem` (the parsed
 * RFC 9457 problem JSON or null), `field` (the problem's `field`, if any) and a
 * readable `message` (the problem's detail or title).
 */
export class ApiError extends Error {
  constructor(status, problem, fallback) {
    super((problem && (problem.detail || problem.title)) || fallback);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
    this.field = (problem && problem.field) || null;
  }
}

let csrfToken = null;

/** Remembers the session's CSRF token; `api` sends it on POST/PUT/DELETE. */
export function setCsrfToken(token) {
  csrfToken = token || null;
}

/**
 * Calls the JSON API: `api("GET", "/queues")` → parsed JSON (or null for 204).
 * Paths are relative to `/api/v1`. Sends the cookie and, on writes, `X-CSRF-Token`.
 * Throws `ApiError` on a non-2xx answer (with the problem's `field`) or a network error.
 * A 401 dispatches a `moked:unauthorized` event on `window` (pages redirect to login).
 */
export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && method !== "HEAD" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let res;
  try {
    res = await fetch("/api/v1" + path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, null, t("error.network"));
  }
  if (res.status === 401) window.dispatchEvent(new CustomEvent("moked:unauthorized"));
  if (res.status === 204) return null;
  const text = await res.text();
  const data = text ? safeJson(text) : null;
  if (!res.ok) throw new ApiError(res.status, data, `HTTP ${res.status}`);
  return data;
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Loads the session (`GET /session`), remembers its CSRF token and returns it; on 401
 * sends the browser to `/login?next=<this page>` and returns null.
 */
export async function requireSession() {
  try {
    const session = await api("GET", "/session");
    setCsrfToken(session.csrf_token);
    return session;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      location.href = "/login?next=" + encodeURIComponent(location.pathname);
      return null;
    }
    throw e;
  }
}

/**
 * Opens the staff WebSocket (`/api/v1/ws`) and calls `onEvent(json)` for every live
 * event; reconnects with backoff (1 s, 2 s, 4 s … 15 s) and calls `onStatus(true|false)`
 * when the connection comes and goes. Returns `{close()}`.
 */
export function connectLive(onEvent, onStatus = () => {}, path = "/api/v1/ws") {
  let ws = null;
  let delay = 1000;
  let closed = false;
  let timer = null;
  const open = () => {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(`${proto}//${location.host}${path}`);
    ws.onopen = () => {
      delay = 1000;
      onStatus(true);
    };
    ws.onmessage = (m) => {
      const ev = safeJson(m.data);
      if (ev) onEvent(ev);
    };
    ws.onclose = () => {
      onStatus(false);
      if (closed) return;
      timer = setTimeout(open, delay);
      delay = Math.min(delay * 2, 15000);
    };
  };
  open();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      if (ws) ws.close();
    },
  };
}

/** The organization's time zone for formatting (set from `session.org.time_zone`). */
let timeZone = "Asia/Jerusalem";

/** Sets the time zone used by `formatTime`/`formatDateTime` (null keeps Asia/Jerusalem). */
export function setTimeZone(zone) {
  if (zone) timeZone = zone;
}

/** "14:05" for an ISO timestamp (or Date), in the organization's time zone. */
export function formatTime(ts) {
  return new Intl.DateTimeFormat(currentLang, { timeZone, hour: "2-digit", minute: "2-digit", hour12: false }).format(
    new Date(ts),
  );
}

/** Date and time ("22.11.2026, 14:05") for an ISO timestamp, in the organization's time zone. */
export function formatDateTime(ts) {
  return new Intl.DateTimeFormat(currentLang, {
    timeZone,
    dateStyle: "short",
    timeStyle: "short",
    hour12: false,
  }).format(new Date(ts));
}

/** A duration in seconds as "m:ss", or "h:mm:ss" from one hour (wallboard, time in state). */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.floor(Number(seconds) || 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** Seconds elapsed since an ISO timestamp (never negative). */
export function secondsSince(ts) {
  return Math.max(0, Math.floor((Date.now() - new Date(ts).getTime()) / 1000));
}

/** A random idempotency key for message sends (UUID v4 where available). */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/**
 * Shows a short message in the page's `#toast` region (role="status"), creating it if
 * needed; `kind` is "info" or "error". The text is set with textContent.
 */
export function toast(message, kind = "info") {
  let region = document.getElementById("toast");
  if (!region) {
    region = el("div", { id: "toast", class: "toast-region", role: "status", "aria-live": "polite" });
    document.body.appendChild(region);
  }
  const item = el("div", { class: ["toast", kind === "error" && "toast-error"], text: message });
  region.appendChild(item);
  setTimeout(() => item.remove(), 5000);
}

/**
 * Shows an API error next to a form: the message goes into the element with
 * `data-error-for="<field>"` inside `form` when the problem names a field (and that
 * input gets aria-invalid), otherwise into `toast`.
 */
export function showFormError(form, err) {
  clearFormErrors(form);
  const field = err && err.field;
  const slot = field ? form.querySelector(`[data-error-for="${CSS.escape(field)}"]`) : null;
  if (slot) {
    slot.textContent = err.message;
    const input = form.querySelector(`[name="${CSS.escape(field)}"]`);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
  } else {
    toast(err && err.message ? err.message : String(err), "error");
  }
}

/** Clears what `showFormError` set in `form`. */
export function clearFormErrors(form) {
  for (const slot of form.querySelectorAll("[data-error-for]")) slot.textContent = "";
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
}
