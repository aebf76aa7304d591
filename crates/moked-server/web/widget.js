// The Moked customer chat widget.
//
// Embed with one tag on any website:
//   <script src="https://moked.example/widget.js" data-org="demo" data-lang="he" async></script>
//
// Everything the widget fetches (its stylesheet, its strings, the API, the WebSocket) is
// addressed from the origin of this script's own `src`, so it works on pages of any
// origin. It draws inside a shadow root, so the host page's CSS cannot break it. User
// text only ever reaches the page through `textContent`, never as HTML.
//
// Life of a chat: pre-chat form (`GET /api/v1/widget/{org}/config`) → `POST .../chats`
// (we keep `{chat, token}` in localStorage, so a reload resumes) → WebSocket for live
// events, with reconnection and backoff; messages wait in an outbox (also in
// localStorage) until the server acknowledges them with a stored id, and every resend
// reuses the message's idempotency key, so nothing is stored twice → at the end, a 1–5
// rating and a way to start again.
(function () {
  "use strict";

  const script = document.currentScript || document.querySelector("script[data-org][src*='widget.js']");
  if (!script || window.__mokedWidget) return;
  window.__mokedWidget = true;

  const ORIGIN = new URL(script.src, location.href).origin;
  const WS_ORIGIN = ORIGIN.replace(/^http/, "ws");
  const ORG = script.dataset.org;
  const LANG = pickLang();
  const STORE_KEY = `moked-widget:${ORIGIN}:${ORG}`;
  const OPEN_KEY = `${STORE_KEY}:open`;
  const MAX_BODY = 4000;
  const TYPING_EVERY_MS = 2000;
  const TYPING_SHOWN_MS = 4000;
  const RESEND_AFTER_MS = 5000;
  const MAX_BACKOFF_MS = 15000;
  const WAITING_REFRESH_MS = 20000;

  if (!ORG) {
    console.error("Moked widget: the script tag needs data-org");
    return;
  }

  // ---------------------------------------------------------------- language

  /** data-lang, else the host page's language, else the browser's; Hebrew by default. */
  function pickLang() {
    const wanted = [script.dataset.lang, document.documentElement.lang, ...(navigator.languages || [])];
    for (const candidate of wanted) {
      const base = String(candidate || "").slice(0, 2).toLowerCase();
      if (base === "he" || base === "en") return base;
    }
    return "he";
  }

  let strings = {};

  /** A string from the widget locale with `{name}` placeholders filled from `vars`. */
  function t(key, vars) {
    const text = typeof strings[key] === "string" ? strings[key] : key;
    return text.replace(/\{(\w+)\}/g, (m, name) => (vars && name in vars ? String(vars[name]) : m));
  }

  /** Like `t` for keys built at run time; returns null when the locale lacks the key. */
  function tMaybe(key, vars) {
    return typeof strings[key] === "string" ? t(key, vars) : null;
  }

  // ---------------------------------------------------------------- DOM

  /** Builds an element; `text` sets textContent, `on` adds listeners; children are nodes or text. */
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = String(value);
      else if (key === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
      else if (key === "value") node.value = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** The chat-bubble icon of the launcher, drawn as SVG nodes (no markup parsing). */
  function chatIcon() {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS(ns, "path");
    path.setAttribute(
      "d",
      "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z",
    );
    svg.appendChild(path);
    return svg;
  }

  // ---------------------------------------------------------------- API

  /** An API failure: HTTP status (0: network), the problem's `field` and text. */
  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
      this.status = status;
      this.field = (problem && problem.field) || null;
    }
  }

  /** Calls `/api/v1{path}` with JSON; with the chat token once a chat exists. */
  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    let res;
    try {
      res = await fetch(`${ORIGIN}/api/v1${path}`, {
        method,
        headers,
        mode: "cors",
        credentials: "omit",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, null);
    }
    const text = res.status === 204 ? "" : await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }

  /** The text a customer should read for a failed call. */
  function errorText(err) {
    if (err.status === 429) return t("error.rate_limited");
    if (err.field) return tMaybe(`invalid.${err.field}`) || err.message;
    if (err.status === 0 || err.status >= 500) return t("error.generic");
    return err.message || t("error.generic");
  }

  // ---------------------------------------------------------------- saved session

  /** `{chat, token, outbox, ended, rated}` of this org's chat, if any (survives reloads). */
  function loadSaved() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORE_KEY) || "null");
      return saved && saved.chat && saved.token ? saved : null;
    } catch {
      return null;
    }
  }

  function save() {
    try {
      if (!state.chat) {
        localStorage.removeItem(STORE_KEY);
        return;
      }
      const outbox = state.outbox.map((m) => ({ key: m.key, body: m.body, at: m.at }));
      localStorage.setItem(
        STORE_KEY,
        JSON.stringify({ chat: state.chat, token: state.token, outbox, ended: state.ended, rated: state.rated }),
      );
    } catch {
      // Storage can be full or disabled (private mode): the chat still works, it only
      // will not survive a reload.
    }
  }

  function savePanelOpen(open) {
    try {
      sessionStorage.setItem(OPEN_KEY, open ? "1" : "0");
    } catch {
      // See save().
    }
  }

  function panelWasOpen() {
    try {
      return sessionStorage.getItem(OPEN_KEY) === "1";
    } catch {
      return false;
    }
  }

  // ---------------------------------------------------------------- state

  const state = {
    config: null,
    chat: null,
    token: null,
    status: { state: "unknown" },
    agentName: null,
    ended: false,
    rated: false,
    outbox: [], // {key, body, at, node, tries, lastTry, inflight}
    seen: new Set(), // ids of messages on screen
    ws: null,
    backoff: 1000,
    reconnectTimer: null,
    resendTimer: null,
    lastTypingSent: 0,
    typingTimer: null,
    open: false,
    unread: 0,
  };

  // ---------------------------------------------------------------- status

  /** Accepts the status in any of the JSON shapes serde may give it. */
  function normStatus(raw) {
    if (!raw) return { state: "unknown" };
    if (typeof raw === "string") return { state: raw };
    const tag = raw.state || raw.type || raw.status || raw.kind;
    if (typeof tag === "string") return Object.assign({}, raw, { state: tag });
    const keys = Object.keys(raw);
    if (keys.length === 1 && raw[keys[0]] && typeof raw[keys[0]] === "object") {
      return Object.assign({}, raw[keys[0]], { state: keys[0] });
    }
    return { state: "unknown" };
  }

  /** Estimated wait in seconds from a number, `{secs}`-like object or ISO 8601 duration. */
  function waitSeconds(st) {
    const raw = st.estimated_wait_s !== undefined ? st.estimated_wait_s : st.estimated_wait;
    if (raw === null || raw === undefined) return null;
    if (typeof raw === "number") return raw;
    if (typeof raw === "object") return raw.seconds ?? raw.secs ?? null;
    const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(String(raw));
    if (!m) return null;
    return (+m[1] || 0) * 86400 + (+m[2] || 0) * 3600 + (+m[3] || 0) * 60 + (+m[4] || 0);
  }

  function setStatus(raw) {
    const st = normStatus(raw);
    if (st.state === "unknown") return;
    state.status = st;
    if (st.agent_name) state.agentName = st.agent_name;
    if (st.state === "ended") {
      endChat(null);
      return;
    }
    renderStatus();
  }

  function renderStatus() {
    const box = ui.status;
    if (!box) return;
    const st = state.status;
    box.replaceChildren();
    if (st.state === "queued") {
      const pos = Number(st.position);
      box.append(h("strong", { text: pos <= 1 ? t("status.queued_first") : t("status.queued", { position: pos }) }));
      const wait = waitSeconds(st);
      let waitText = t("status.wait_unknown");
      if (wait !== null && wait < 60) waitText = t("status.wait_under_minute");
      else if (wait !== null) waitText = t("status.wait_minutes", { minutes: Math.ceil(wait / 60) });
      box.append(h("span", { text: waitText }));
    } else if (st.state === "offered") {
      box.append(h("strong", { text: t("status.offered") }));
    } else if (st.state === "connected") {
      box.append(h("strong", { text: t("status.connected", { agent: state.agentName || t("sender.agent") }) }));
    } else if (st.state === "ended") {
      box.append(h("strong", { text: t("status.ended") }));
    }
  }

  // ---------------------------------------------------------------- UI skeleton

  const ui = {};

  function buildShell() {
    const host = h("div", { id: "moked-chat-widget" });
    const shadow = host.attachShadow({ mode: "open" });
    const css = h("link", { rel: "stylesheet", href: `${ORIGIN}/static/widget.css` });
    const root = h("div", { class: "mk", dir: LANG === "he" ? "rtl" : "ltr", lang: LANG, hidden: true });
    // Show nothing until our stylesheet is in, so the page never flashes raw buttons.
    const reveal = () => root.removeAttribute("hidden");
    css.addEventListener("load", reveal);
    css.addEventListener("error", reveal);

    ui.launcherText = h("span", { class: "mk-launcher-open", text: t("launcher.open") });
    ui.badge = h("span", { class: "mk-badge", hidden: true });
    ui.launcher = h(
      "button",
      {
        type: "button",
        class: "mk-launcher",
        "aria-expanded": "false",
        "aria-controls": "mk-panel",
        "aria-label": t("launcher.open"),
        on: { click: () => setOpen(!state.open) },
      },
      chatIcon(),
      ui.launcherText,
      ui.badge,
    );

    ui.title = h("h2", { class: "mk-title", id: "mk-title", text: t("panel.label") });
    ui.endBtn = h("button", {
      type: "button",
      hidden: true,
      "aria-label": t("panel.end_label"),
      text: t("panel.end"),
      on: { click: customerEnds },
    });
    ui.body = h("div", { class: "mk-body" });
    ui.panel = h(
      "div",
      { class: "mk-panel", id: "mk-panel", role: "dialog", "aria-labelledby": "mk-title", hidden: true },
      h(
        "div",
        { class: "mk-header" },
        h("div", { class: "mk-header-text" }, ui.title, h("p", { class: "mk-subtitle", text: t("panel.subtitle") })),
        ui.endBtn,
        h("button", {
          type: "button",
          class: "mk-icon-btn",
          "aria-label": t("panel.minimize"),
          text: "—",
          on: { click: () => setOpen(false) },
        }),
      ),
      ui.body,
    );
    ui.panel.addEventListener("keydown", (e) => {
      if (e.key === "Escape") setOpen(false);
    });
    root.append(ui.panel, ui.launcher);
    shadow.append(css, root);
    document.body.appendChild(host);
  }

  function setOpen(open) {
    state.open = open;
    savePanelOpen(open);
    ui.panel.hidden = !open;
    ui.launcher.setAttribute("aria-expanded", String(open));
    ui.launcher.setAttribute("aria-label", open ? t("launcher.close") : t("launcher.open"));
    if (open) {
      state.unread = 0;
      renderBadge();
      const focusable = ui.body.querySelector("textarea, input, select, button");
      if (focusable) focusable.focus();
      scrollToEnd();
    } else {
      ui.launcher.focus();
    }
  }

  function renderBadge() {
    ui.badge.hidden = state.unread === 0;
    ui.badge.textContent = String(state.unread);
    ui.badge.setAttribute("aria-label", t("launcher.unread", { count: state.unread }));
  }

  function setTitle() {
    if (state.config && state.config.org_name) ui.title.textContent = t("panel.title", { org: state.config.org_name });
  }

  function showView(...nodes) {
    ui.body.replaceChildren(...nodes);
  }

  function showLoading() {
    showView(h("div", { class: "mk-center", role: "status" }, h("p", { text: t("loading") })));
  }

  function showError(text, retry) {
    showView(
      h(
        "div",
        { class: "mk-center" },
        h("p", { role: "alert", text }),
        h("button", { type: "button", class: "mk-secondary-btn", text: t("action.retry"), on: { click: retry } }),
      ),
    );
  }

  // ---------------------------------------------------------------- pre-chat form

  async function startPrechat() {
    ui.endBtn.hidden = true;
    if (!state.config) {
      showLoading();
      try {
        await loadConfig();
      } catch (err) {
        showError(err.status === 404 ? t("error.unavailable") : t("error.load"), startPrechat);
        return;
      }
    }
    showPrechat();
  }

  /** The form's fields: the configured ones the API takes (name, phone), name first. */
  function prechatFields() {
    const known = ["name", "phone"];
    const configured = Array.isArray(state.config.prechat) ? state.config.prechat : [];
    const fields = configured.filter((f) => f && known.includes(f.field));
    if (!fields.some((f) => f.field === "name")) fields.unshift({ field: "name", required: true });
    return fields;
  }

  /** The chat queues a customer may choose from. */
  function queues() {
    return state.config && Array.isArray(state.config.queues) ? state.config.queues : [];
  }

  function fieldRow(id, labelText, required, control) {
    const error = h("div", { class: "mk-error", id: `${id}-error`, "aria-live": "polite" });
    control.id = id;
    control.setAttribute("aria-describedby", `${id}-error`);
    if (required) control.setAttribute("aria-required", "true");
    const label = h("label", { for: id }, labelText, required ? null : " ");
    if (!required) label.append(h("span", { class: "mk-optional", text: t("field.optional") }));
    return h("div", { class: "mk-field" }, label, control, error);
  }

  function showPrechat() {
    const controls = {};
    const rows = prechatFields().map(({ field, required }) => {
      const input =
        field === "phone"
          ? h("input", { type: "tel", name: "phone", autocomplete: "tel", inputmode: "tel", maxlength: 40 })
          : h("input", { type: "text", name: "name", autocomplete: "name", maxlength: 200 });
      controls[field] = { input, required: !!required };
      return fieldRow(`mk-f-${field}`, t(`field.${field}`), !!required, input);
    });
    if (queues().length > 1) {
      const select = h(
        "select",
        { name: "queue" },
        queues().map((q) => h("option", { value: q.id, text: q.name })),
      );
      controls.queue = { input: select, required: false };
      rows.push(fieldRow("mk-f-queue", t("field.queue"), true, select));
    }
    const submit = h("button", { type: "submit", class: "mk-primary-btn", text: t("prechat.start") });
    const formError = h("div", { class: "mk-error", role: "alert" });
    const form = h(
      "form",
      { class: "mk-scroll", novalidate: true },
      h("p", { class: "mk-intro", text: t("prechat.intro") }),
      rows,
      formError,
      submit,
      h("p", { class: "mk-small", text: t("prechat.privacy") }),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      submitPrechat(form, controls, submit, formError);
    });
    showView(form);
    if (state.open) controls.name.input.focus();
  }

  function setFieldError(control, text) {
    const slot = control.input.parentElement.querySelector(".mk-error");
    slot.textContent = text || "";
    if (text) control.input.setAttribute("aria-invalid", "true");
    else control.input.removeAttribute("aria-invalid");
  }

  async function submitPrechat(form, controls, submit, formError) {
    formError.textContent = "";
    let firstBad = null;
    for (const control of Object.values(controls)) {
      const empty = control.required && !control.input.value.trim();
      setFieldError(control, empty ? t("field.required") : "");
      if (empty && !firstBad) firstBad = control.input;
    }
    if (firstBad) {
      firstBad.focus();
      return;
    }
    const body = { name: controls.name.input.value.trim(), lang: LANG };
    if (controls.phone && controls.phone.input.value.trim()) body.phone = controls.phone.input.value.trim();
    if (controls.queue) {
      // The select holds text; the API wants the queue's id as the config gave it (a number).
      const chosen = queues().find((q) => String(q.id) === controls.queue.input.value);
      if (chosen) body.queue = chosen.id;
    }
    submit.disabled = true;
    try {
      const opened = await api("POST", `/widget/${encodeURIComponent(ORG)}/chats`, body);
      beginChat(opened);
    } catch (err) {
      const control = err.field && controls[err.field];
      if (control) {
        setFieldError(control, errorText(err));
        control.input.focus();
      } else {
        formError.textContent = errorText(err);
      }
    } finally {
      submit.disabled = false;
    }
  }

  // ---------------------------------------------------------------- the conversation

  function beginChat(opened) {
    Object.assign(state, { chat: opened.chat, token: opened.token, ended: false, rated: false, outbox: [] });
    state.seen = new Set();
    state.agentName = null;
    save();
    showConversation();
    systemLine(t("system.welcome"));
    setStatus(opened.status);
    connect();
  }

  function showConversation() {
    ui.status = h("div", { class: "mk-status", role: "status", "aria-live": "polite" });
    ui.banner = h("div", { class: "mk-banner", role: "status", hidden: true, text: t("status.reconnecting") });
    ui.log = h("div", { class: "mk-log", role: "log", "aria-live": "polite", "aria-label": t("log.label") });
    ui.scroll = h("div", { class: "mk-scroll" }, ui.log);
    ui.typing = h("div", { class: "mk-typing", "aria-live": "polite" });
    ui.input = h("textarea", {
      rows: 1,
      id: "mk-compose",
      maxlength: MAX_BODY,
      placeholder: t("composer.placeholder"),
      on: { keydown: composerKey, input: composerInput },
    });
    ui.composerError = h("div", { class: "mk-error mk-composer-error", role: "alert" });
    ui.composer = h(
      "form",
      { class: "mk-composer", on: { submit: (e) => (e.preventDefault(), sendFromComposer()) } },
      h("label", { for: "mk-compose", class: "mk-sr", text: t("composer.label") }),
      ui.input,
      h("button", { type: "submit", class: "mk-send", text: t("composer.send") }),
    );
    ui.endBtn.hidden = false;
    showView(ui.status, ui.banner, ui.scroll, ui.typing, ui.composerError, ui.composer);
    renderStatus();
    if (state.open) ui.input.focus();
  }

  function composerKey(e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      sendFromComposer();
    }
  }

  function composerInput() {
    ui.composerError.textContent = "";
    const now = Date.now();
    if (!ui.input.value.trim() || now - state.lastTypingSent < TYPING_EVERY_MS) return;
    state.lastTypingSent = now;
    if (wsOpen()) state.ws.send(JSON.stringify({ type: "typing" }));
    else api("POST", `/widget/chats/${encodeURIComponent(state.chat)}/typing`).catch(() => {});
  }

  function formatTime(ts) {
    const date = ts ? new Date(ts) : new Date();
    if (Number.isNaN(date.getTime())) return "";
    const options = { hour: "2-digit", minute: "2-digit", hour12: false };
    if (state.config && state.config.time_zone) options.timeZone = state.config.time_zone;
    try {
      return new Intl.DateTimeFormat(LANG, options).format(date);
    } catch {
      return new Intl.DateTimeFormat(LANG, { hour: "2-digit", minute: "2-digit", hour12: false }).format(date);
    }
  }

  function scrollToEnd() {
    if (ui.scroll) ui.scroll.scrollTop = ui.scroll.scrollHeight;
  }

  /** Draws one message bubble; returns the node (kept on outbox items to update ticks). */
  function drawMessage(own, body, sentAt, senderLabel) {
    const meta = h("div", { class: "mk-meta" }, h("span", { class: "mk-time", text: formatTime(sentAt) }));
    const node = h(
      "div",
      { class: own ? "mk-msg mk-msg-own" : "mk-msg mk-msg-agent" },
      h("span", { class: "mk-sr", text: `${senderLabel}: ` }),
      h("div", { class: "mk-bubble", text: body }),
      meta,
    );
    if (own) meta.append(h("span", { class: "mk-tick" }));
    ui.log.append(node);
    scrollToEnd();
    return node;
  }

  function setTick(node, kind) {
    const tick = node && node.querySelector(".mk-tick");
    if (!tick) return;
    tick.className = `mk-tick mk-tick-${kind}`;
    tick.textContent = kind === "pending" ? "🕓" : kind === "sent" ? "✓" : "✓✓";
    tick.setAttribute("aria-label", t(`tick.${kind}`));
    tick.setAttribute("title", t(`tick.${kind}`));
    tick.setAttribute("role", "img");
  }

  function systemLine(text) {
    if (!ui.log) return;
    ui.log.append(h("div", { class: "mk-system", text }));
    scrollToEnd();
  }

  /** "customer", "agent", "system" or "note": the server sends `{kind, user}`. */
  function senderKind(msg) {
    return typeof msg.sender === "string" ? msg.sender : (msg.sender && msg.sender.kind) || "agent";
  }

  /** Shows a stored message (from history or an event) once, whatever the path it came by. */
  function showStoredMessage(msg, fromEvent) {
    if (!msg || msg.id === undefined || state.seen.has(String(msg.id))) return;
    const kind = senderKind(msg);
    if (kind === "note") return; // never sent to customers; refuse to draw one anyway
    if (kind === "customer") {
      const pending = findPending(msg);
      if (pending) {
        acknowledge(pending, msg);
        return;
      }
    }
    state.seen.add(String(msg.id));
    if (kind === "system") {
      systemLine(msg.body);
      return;
    }
    const own = kind === "customer";
    const label = own ? t("sender.you") : msg.agent_name || state.agentName || t("sender.agent");
    const node = drawMessage(own, msg.body, msg.sent_at, label);
    if (own) setTick(node, "delivered");
    if (!own && fromEvent) {
      hideTyping();
      if (!state.open) {
        state.unread += 1;
        renderBadge();
      }
    }
  }

  /** The outbox entry a stored customer message answers: by idempotency key, else by text. */
  function findPending(msg) {
    if (msg.idempotency_key) return state.outbox.find((p) => p.key === msg.idempotency_key) || null;
    return state.outbox.find((p) => p.body === msg.body) || null;
  }

  function acknowledge(pending, msg) {
    state.outbox = state.outbox.filter((p) => p !== pending);
    save();
    const id = String(msg.id);
    if (state.seen.has(id)) {
      // Already on screen (history loaded after a reload showed it): drop the copy.
      pending.node.remove();
      return;
    }
    state.seen.add(id);
    setTick(pending.node, "delivered");
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function sendFromComposer() {
    const body = ui.input.value.trim();
    if (!body || state.ended) return;
    if (body.length > MAX_BODY) {
      ui.composerError.textContent = t("composer.too_long", { max: MAX_BODY });
      return;
    }
    ui.input.value = "";
    // A message ends the typing spell: the next keystroke is news to the agent.
    state.lastTypingSent = 0;
    queueMessage({ key: newKey(), body, at: new Date().toISOString() });
    flushOutbox();
  }

  function queueMessage(item) {
    item.node = drawMessage(true, item.body, item.at, t("sender.you"));
    item.tries = 0;
    item.lastTry = 0;
    item.inflight = false;
    setTick(item.node, "pending");
    state.outbox.push(item);
    save();
  }

  /**
   * Sends what the server has not acknowledged: over the socket when it is open, else
   * (or when the socket did not answer twice) by POST. Always the item's own key.
   */
  function flushOutbox() {
    const now = Date.now();
    for (const item of state.outbox) {
      if (item.inflight || (item.lastTry && now - item.lastTry < RESEND_AFTER_MS)) continue;
      item.lastTry = now;
      item.tries += 1;
      if (wsOpen() && item.tries <= 2) {
        state.ws.send(JSON.stringify({ type: "message", body: item.body, idempotency_key: item.key }));
        setTick(item.node, "sent");
      } else {
        postMessage(item);
      }
    }
    clearTimeout(state.resendTimer);
    if (state.outbox.length) state.resendTimer = setTimeout(flushOutbox, RESEND_AFTER_MS);
  }

  async function postMessage(item) {
    item.inflight = true;
    setTick(item.node, "sent");
    try {
      const msg = await api("POST", `/widget/chats/${encodeURIComponent(state.chat)}/messages`, {
        body: item.body,
        idempotency_key: item.key,
      });
      const stored = msg && msg.message ? msg.message : msg;
      if (state.outbox.includes(item)) acknowledge(item, stored || { id: item.key });
    } catch (err) {
      if (err.status === 0 || err.status >= 500 || err.status === 429) {
        setTick(item.node, "pending"); // kept in the outbox, tried again later
      } else {
        // The server refused it for good (too long, chat over): say so, stop trying.
        state.outbox = state.outbox.filter((p) => p !== item);
        save();
        item.node.classList.add("mk-failed");
        ui.composerError.textContent = errorText(err);
      }
    } finally {
      item.inflight = false;
    }
  }

  // ---------------------------------------------------------------- typing

  function showTyping(name) {
    if (!ui.typing) return;
    ui.typing.textContent = name ? t("typing.agent", { agent: name }) : t("typing.someone");
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(hideTyping, TYPING_SHOWN_MS);
  }

  function hideTyping() {
    clearTimeout(state.typingTimer);
    if (ui.typing) ui.typing.textContent = "";
  }

  // ---------------------------------------------------------------- WebSocket

  function wsOpen() {
    return state.ws && state.ws.readyState === WebSocket.OPEN;
  }

  function connect() {
    if (!state.chat || state.ended || state.ws) return;
    const url = `${WS_ORIGIN}/api/v1/widget/chats/${encodeURIComponent(state.chat)}/ws?token=${encodeURIComponent(state.token)}`;
    const ws = new WebSocket(url);
    state.ws = ws;
    ws.addEventListener("open", () => {
      state.backoff = 1000;
      if (ui.banner) ui.banner.hidden = true;
      // Whatever happened while we were away (messages, the agent joining) is in the history.
      refresh().then(flushOutbox);
    });
    ws.addEventListener("message", (e) => {
      let event = null;
      try {
        event = JSON.parse(e.data);
      } catch {
        return;
      }
      handleEvent(event);
    });
    ws.addEventListener("close", () => {
      if (state.ws !== ws) return;
      state.ws = null;
      if (!state.chat || state.ended) return;
      if (ui.banner) ui.banner.hidden = false;
      clearTimeout(state.reconnectTimer);
      state.reconnectTimer = setTimeout(connect, state.backoff);
      state.backoff = Math.min(state.backoff * 2, MAX_BACKOFF_MS);
      flushOutbox(); // the socket is down: POST what is waiting
    });
  }

  function disconnect() {
    clearTimeout(state.reconnectTimer);
    const ws = state.ws;
    state.ws = null;
    if (ws) ws.close();
  }

  function handleEvent(ev) {
    if (!ev || (ev.chat !== undefined && String(ev.chat) !== String(state.chat))) return;
    switch (ev.type) {
      case "queue_position":
        setStatus({ state: "queued", position: ev.position, estimated_wait_s: ev.estimated_wait_s });
        break;
      case "chat_connected":
        state.agentName = ev.agent_name || state.agentName;
        systemLine(t("system.connected", { agent: state.agentName || t("sender.agent") }));
        setStatus({ state: "connected", agent_name: state.agentName });
        break;
      case "message":
        showStoredMessage(ev.message, true);
        break;
      case "message_ack":
      case "ack": {
        const msg = ev.message || { id: ev.id, idempotency_key: ev.idempotency_key };
        const pending = state.outbox.find((p) => p.key === (ev.idempotency_key || msg.idempotency_key));
        if (pending) acknowledge(pending, msg);
        break;
      }
      case "error":
        socketRefused(ev);
        break;
      case "resync":
        refresh(); // we missed events: the history has them
        break;
      case "typing":
        if (ev.from === "agent") showTyping(state.agentName);
        break;
      case "chat_transferred":
        // The server tells the customer in a system message of its own; we only stop
        // showing the previous agent as connected.
        setStatus({ state: "offered" });
        break;
      case "chat_ended":
        endChat(ev.by || "system");
        break;
      default:
        break;
    }
  }

  /** The server refused a frame; a refused message stays queued only if a retry can help. */
  function socketRefused(ev) {
    const item = ev.idempotency_key && state.outbox.find((p) => p.key === ev.idempotency_key);
    const temporary = !ev.status || ev.status === 429 || ev.status >= 500;
    if (item && !temporary) {
      state.outbox = state.outbox.filter((p) => p !== item);
      save();
      item.node.classList.add("mk-failed");
    }
    if (!temporary && ui.composerError) {
      ui.composerError.textContent = errorText({ status: ev.status, field: ev.field, message: ev.detail || "" });
    }
    if (ev.status === 409) endChat("system");
  }

  /** Re-reads the chat (status and messages) and shows what is new. */
  async function refresh() {
    if (!state.chat) return;
    try {
      const data = await api("GET", `/widget/chats/${encodeURIComponent(state.chat)}`);
      for (const msg of data.messages || []) showStoredMessage(msg, false);
      setStatus(data.status);
    } catch (err) {
      if (err.status === 401 || err.status === 403 || err.status === 404) forgetChat();
    }
  }

  // ---------------------------------------------------------------- the end and the rating

  async function customerEnds() {
    if (!state.chat || state.ended) return;
    try {
      await api("POST", `/widget/chats/${encodeURIComponent(state.chat)}/end`);
      endChat("customer");
    } catch (err) {
      if (err.status === 409) endChat("system");
      else if (ui.composerError) ui.composerError.textContent = errorText(err);
    }
  }

  function endChat(by) {
    if (state.ended && ui.rating) return;
    const firstTime = !state.ended;
    state.ended = true;
    state.status = { state: "ended" };
    save();
    disconnect();
    clearTimeout(state.resendTimer);
    hideTyping();
    if (firstTime && by) systemLine(tMaybe(`system.ended_by_${by}`) || t("status.ended"));
    renderStatus();
    ui.endBtn.hidden = true;
    if (ui.composer) ui.composer.hidden = true;
    if (ui.banner) ui.banner.hidden = true;
    if (state.rated) showThanks();
    else showRating();
  }

  function showRating() {
    let score = 0;
    const label = h("div", { class: "mk-score-label", "aria-live": "polite" });
    const error = h("div", { class: "mk-error", role: "alert" });
    const buttons = [1, 2, 3, 4, 5].map((n) =>
      h("button", {
        type: "button",
        class: "mk-score",
        "aria-pressed": "false",
        "aria-label": t("rating.score", { score: n, label: t(`rating.${n}`) }),
        text: String(n),
        on: {
          click: () => {
            score = n;
            for (const b of buttons) b.setAttribute("aria-pressed", String(b === buttons[n - 1]));
            label.textContent = t(`rating.${n}`);
            error.textContent = "";
          },
        },
      }),
    );
    const comment = h("textarea", { id: "mk-rating-comment", maxlength: 2000 });
    const submit = h("button", { type: "submit", class: "mk-primary-btn", text: t("rating.submit") });
    const form = h(
      "form",
      { class: "mk-rating mk-closing" },
      h("h3", { id: "mk-rating-q", text: t("rating.question") }),
      h("div", { class: "mk-scores", role: "group", "aria-labelledby": "mk-rating-q" }, buttons),
      label,
      fieldRow("mk-rating-comment", t("rating.comment"), false, comment),
      error,
      submit,
      h("button", { type: "button", class: "mk-secondary-btn", text: t("new_chat"), on: { click: newChat } }),
    );
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!score) {
        error.textContent = t("rating.choose");
        buttons[0].focus();
        return;
      }
      submit.disabled = true;
      try {
        await api("POST", `/widget/chats/${encodeURIComponent(state.chat)}/rating`, {
          score,
          comment: comment.value.trim(),
        });
        state.rated = true;
        save();
        showThanks();
      } catch (err) {
        error.textContent = errorText(err);
      } finally {
        submit.disabled = false;
      }
    });
    placeClosing(form);
  }

  function showThanks() {
    placeClosing(
      h(
        "div",
        { class: "mk-closing" },
        h("p", { class: "mk-thanks", role: "status", text: t("rating.thanks") }),
        h("p", { text: t("rating.goodbye") }),
        h("button", { type: "button", class: "mk-primary-btn", text: t("new_chat"), on: { click: newChat } }),
      ),
    );
  }

  /** The rating (or thanks) goes under the conversation, which stays readable above it. */
  function placeClosing(node) {
    if (ui.rating) ui.rating.remove();
    ui.rating = node;
    if (ui.scroll) {
      ui.scroll.append(node);
      scrollToEnd();
    } else {
      showView(node);
    }
    const first = node.querySelector("button");
    if (first && state.open) first.focus();
  }

  function forgetChat() {
    disconnect();
    clearTimeout(state.resendTimer);
    Object.assign(state, { chat: null, token: null, ended: false, rated: false, outbox: [], agentName: null });
    state.seen = new Set();
    state.status = { state: "unknown" };
    ui.rating = null;
    ui.status = null;
    ui.log = null;
    ui.scroll = null;
    save();
  }

  function newChat() {
    forgetChat();
    startPrechat();
  }

  // ---------------------------------------------------------------- start

  /** Picks up a chat saved by an earlier page: its history, its outbox, then live events. */
  async function resume(saved) {
    Object.assign(state, { chat: saved.chat, token: saved.token, ended: !!saved.ended, rated: !!saved.rated });
    showConversation();
    try {
      const data = await api("GET", `/widget/chats/${encodeURIComponent(state.chat)}`);
      for (const msg of data.messages || []) showStoredMessage(msg, false);
      for (const item of saved.outbox || []) queueMessage({ key: item.key, body: item.body, at: item.at });
      setStatus(data.status);
      if (state.ended) endChat(null);
      else connect();
      flushOutbox();
    } catch (err) {
      if (err.status === 401 || err.status === 403 || err.status === 404) {
        newChat();
      } else {
        showError(t("error.load"), () => resume(saved));
      }
    }
  }

  let configPromise = null;

  /** The organization's widget settings, fetched once (again after a failure). */
  function loadConfig() {
    if (!configPromise) {
      configPromise = api("GET", `/widget/${encodeURIComponent(ORG)}/config`).then((config) => {
        state.config = config;
        setTitle();
        return config;
      });
      configPromise.catch(() => {
        configPromise = null;
      });
    }
    return configPromise;
  }

  async function loadStrings() {
    const res = await fetch(`${ORIGIN}/locales/${LANG}/widget.json`, { mode: "cors", credentials: "omit" });
    if (!res.ok) throw new Error(`widget strings: HTTP ${res.status}`);
    strings = await res.json();
  }

  async function main() {
    try {
      await loadStrings();
    } catch (err) {
      console.error("Moked widget: cannot load its strings", err);
      return;
    }
    buildShell();
    loadConfig().catch(() => {}); // the title; the form shows its own error
    const saved = loadSaved();
    if (saved && saved.ended && saved.rated) {
      // That conversation is over and rated: a new visit starts a new chat.
      forgetChat();
      startPrechat();
    } else if (saved) resume(saved);
    else startPrechat();
    if (panelWasOpen()) setOpen(true);
    // Place-in-line events are the live path; while waiting, an occasional re-read also
    // catches a change whose event was missed (a reconnect, a throttled announcement).
    setInterval(() => {
      const waiting = state.status.state === "queued" || state.status.state === "offered";
      if (state.chat && !state.ended && waiting && wsOpen()) refresh();
    }, WAITING_REFRESH_MS);
  }

  if (document.body) main();
  else document.addEventListener("DOMContentLoaded", main);
})();
