// The agent desktop: status, offered contacts, several chats at once, the
// customer-360 panel and keyboard shortcuts. State comes from
// `GET /api/v1/agent/desk` and is kept current by the live WebSocket; after a
// reconnect (or a `resync` event) the desk is read again, so nothing is missed.
// Contacts of every channel share the same views: a call shows the caller and
// takes notes only, an email shows its subject and sender and is answered by
// email; a contact that belongs to a ticket opens the ticket panel beside it
// (tickets.js), and tickets are also opened from the lists and the search.
// User text only reaches the page through `el` (textContent), never as HTML.

import {
  api,
  ApiError,
  connectLive,
  el,
  formatDateTime,
  formatDuration,
  formatTime,
  newKey,
  replaceChildren,
  secondsSince,
  t,
  toast,
} from "./common.js";
import { openStaffPage, topbar } from "./login.js";
import { knownTeams, messageNode, rememberTeams, ticketByNumber, TicketList, TicketPanel, ticketOfInteraction } from "./tickets.js";

/** Reasons an agent can give for not being ready (labels in the locale files). */
const NOT_READY_REASONS = ["break", "meal", "training", "meeting", "coaching", "personal"];

/** How long a "customer is typing" hint stays after the last typing event. */
const TYPING_SHOWN_MS = 4000;
/** At most one typing notice to the server per this many milliseconds. */
const TYPING_SENT_EVERY_MS = 2500;

const state = {
  session: null,
  me: null,
  presence: { state: "offline", reason: null, since: new Date().toISOString() },
  capacity: null,
  offers: new Map(), // chat id → {chat, queue, customer, expires_at}
  chats: new Map(), // chat id → ChatView
  order: [], // chat ids in the order their tabs show
  active: null,
  wrapUpCodes: null,
  queues: null, // [{id, name}] or null when unknown
  agents: null, // [{id, name, state}] or null when not allowed
  customers: new Map(), // customer id → customer (cache for names)
  agentNames: new Map(), // agent id → display name, from answers that carry them
  connected: false,
  phone: null, // whether the agent's SIP phone is registered; null while unknown
  panels: new Map(), // ticket id → TicketPanel
  tickets: new Map(), // ticket id → TicketWork (tickets opened outside a contact)
  activeTicket: null, // ticket id shown in the centre, when no contact is
  side: "ticket", // the right column's tab: "ticket" or "customer"
};

/** The symbol shown before a contact of each channel. */
const CHANNEL_ICON = { chat: "❝", voice: "☎", email: "✉" };
/** localStorage key of the back-office team the agent works in. */
const BACK_OFFICE_KEY = "moked.back_office_team";

const ui = {};

// ---------------------------------------------------------------- helpers

/** The id of a chat, whichever name the server gives it. */
function chatIdOf(c) {
  return Number(c.chat ?? c.id ?? c.interaction);
}

/** A customer id from a number or an embedded customer object. */
function customerIdOf(c) {
  const cust = c.customer;
  if (cust && typeof cust === "object") return Number(cust.id);
  return cust == null ? null : Number(cust);
}

/** The channel of a queue ("chat" when unknown). */
function queueChannel(id) {
  const q = state.queues && state.queues.find((x) => Number(x.id) === Number(id));
  return (q && q.channel) || "chat";
}

function channelIcon(channel) {
  return el("span", { class: ["channel-icon", `ch-${channel}`], "aria-label": t(`channel.${channel}`), title: t(`channel.${channel}`), text: CHANNEL_ICON[channel] || "•" });
}

function queueName(id) {
  const q = state.queues && state.queues.find((x) => Number(x.id) === Number(id));
  return q ? q.name : t("desk.queue_n", { id });
}

function agentName(id) {
  if (Number(id) === Number(state.me.id)) return state.me.display_name;
  const known = state.agentNames.get(Number(id));
  if (known) return known;
  const a = state.agents && state.agents.find((x) => Number(x.id) === Number(id));
  return a ? a.name : t("desk.agent_n", { id });
}

/**
 * Remembers agents' names an answer carries (`[{id, name}]` or `{id: name}`):
 * agents may not read the users list, so names come with the data that needs them.
 */
function rememberAgents(list) {
  if (Array.isArray(list)) {
    for (const a of list) if (a && a.name) state.agentNames.set(Number(a.id ?? a.agent ?? a.user), a.name);
  } else if (list && typeof list === "object") {
    for (const [id, name] of Object.entries(list)) if (typeof name === "string") state.agentNames.set(Number(id), name);
  }
}

/** The sender of a stored message as {kind, user}; accepts `"customer"` or `{kind, user}`. */
function senderOf(m) {
  const s = m.sender;
  if (typeof s === "string") return { kind: s, user: m.user ?? m.agent ?? null };
  return { kind: (s && s.kind) || "system", user: s && s.user != null ? s.user : null };
}

function presenceLabel(p) {
  if (p.state === "not_ready" && p.reason) return t(`presence.reason.${p.reason}`);
  return t(`presence.${p.state}`);
}

// ---------------------------------------------------------------- loading

async function loadDesk() {
  const desk = await api("GET", "/agent/desk");
  applyPresence(desk.presence, desk.since, desk.reason);
  if (desk.phone != null) setPhone(Boolean(desk.phone));
  state.capacity = desk.capacity ?? desk.capacities ?? null;
  state.offers.clear();
  for (const o of desk.offers || []) state.offers.set(chatIdOf(o), normalizeOffer(o));
  const live = new Set();
  for (const c of desk.chats || []) {
    const id = chatIdOf(c);
    live.add(id);
    const view = state.chats.get(id) || addChat(id, c);
    view.applyDesk(c);
    view.reloadMessages();
  }
  for (const id of [...state.chats.keys()]) if (!live.has(id)) removeChat(id);
  renderOffers();
  renderTabs();
  if (state.active == null && state.activeTicket == null && state.order.length) selectChat(state.order[0]);
}

function applyPresence(presence, since, reason) {
  if (presence && typeof presence === "object") {
    state.presence = {
      state: presence.state,
      reason: presence.reason ?? null,
      since: presence.since || since || state.presence.since,
    };
  } else if (presence) {
    state.presence = { state: presence, reason: reason ?? null, since: since || new Date().toISOString() };
  }
  renderPresence();
}

function normalizeOffer(o) {
  return { chat: chatIdOf(o), queue: o.queue, customer: customerIdOf(o), customer_name: o.customer_name || null, expires_at: o.expires_at || null };
}

async function loadQueues() {
  state.queues = (await api("GET", "/queues")).map((q) => ({ id: q.id, name: q.name, channel: q.channel }));
}

async function loadAgents() {
  const list = await api("GET", "/agents");
  state.agents = list.map((a) => ({ id: a.id ?? a.agent, name: a.name, state: a.state }));
  const me = list.find((a) => Number(a.id ?? a.agent) === Number(state.me.id));
  if (me && me.phone != null && state.phone == null) setPhone(Boolean(me.phone));
}

async function loadWrapUpCodes() {
  state.wrapUpCodes = await api("GET", "/wrap-up-codes");
}

async function customer(id, fresh = false) {
  if (!fresh && state.customers.has(id)) return state.customers.get(id);
  const c = await api("GET", `/customers/${id}`);
  state.customers.set(id, c);
  return c;
}

// ---------------------------------------------------------------- presence

function presenceSelector() {
  const select = el("select", { id: "presence", on: { change: () => changePresence(select.value) } });
  select.append(el("option", { value: "available", text: t("presence.available") }));
  const group = el("optgroup", { label: t("presence.not_ready") });
  for (const r of NOT_READY_REASONS) group.append(el("option", { value: `not_ready:${r}`, text: t(`presence.reason.${r}`) }));
  // Set by Moked when an offer rings out; shown, never chosen.
  group.append(el("option", { value: "not_ready:no_answer", disabled: true, text: t("presence.reason.no_answer") }));
  select.append(group, el("option", { value: "offline", text: t("presence.offline") }));
  ui.presence = select;
  ui.activity = el("span", { class: "activity", role: "status" });
  // The wrap-up after a transfer has no conversation to close: the agent ends it here.
  ui.endWrapUp = el("button", {
    type: "button",
    id: "end-wrap-up",
    hidden: true,
    text: t("presence.ready"),
    on: { click: () => changePresence("available") },
  });
  ui.presenceTime = el("span", { class: "status-time num", "aria-label": t("presence.time_in_status") });
  return el(
    "span",
    { class: "presence" },
    el("label", { for: "presence", text: t("presence.label") }),
    select,
    ui.activity,
    ui.endWrapUp,
    ui.presenceTime,
  );
}

async function changePresence(value) {
  const [s, reason] = value.split(":");
  try {
    await api("PUT", "/agent/presence", reason ? { state: s, reason } : { state: s });
    state.presence = { state: s, reason: reason || null, since: new Date().toISOString() };
  } catch (e) {
    toast(e.message, "error");
  }
  renderPresence();
}

function renderPresence() {
  if (!ui.presence) return;
  const p = state.presence;
  // Offered, busy and wrap-up are states of an available agent: the selector
  // shows the choice, the label next to it what the agent is doing.
  const working = ["offered", "busy", "wrap_up"].includes(p.state);
  const value = p.state === "not_ready" ? `not_ready:${p.reason || "break"}` : working ? "available" : p.state;
  // Runs every second: touch the selector only when the state changed.
  if (ui.presence.value !== value) ui.presence.value = value;
  ui.activity.textContent = working ? t(`agent_state.${p.state}`) : "";
  const closing = [...state.chats.values()].some((view) => view.status === "ended");
  ui.endWrapUp.hidden = p.state !== "wrap_up" || closing;
  ui.presenceTime.textContent = formatDuration(secondsSince(p.since));
  ui.presenceTime.title = presenceLabel(p);
}

// ---------------------------------------------------------------- phone

/** The registration of the agent's SIP phone, in the top bar (no phone: no calls). */
function phoneIndicator() {
  ui.phone = el("span", { id: "phone-state", class: "phone-state", role: "status" });
  renderPhone();
  return ui.phone;
}

function setPhone(on) {
  state.phone = on;
  renderPhone();
}

function renderPhone() {
  if (!ui.phone) return;
  const known = state.phone != null;
  ui.phone.className = ["phone-state", known && (state.phone ? "on" : "off")].filter(Boolean).join(" ");
  ui.phone.dataset.registered = String(Boolean(state.phone));
  replaceChildren(
    ui.phone,
    el("span", { "aria-hidden": "true", text: "☎" }),
    " ",
    known ? t(state.phone ? "phone.registered" : "phone.none") : t("phone.unknown"),
  );
}

// ---------------------------------------------------------------- offers

/**
 * Brings the offers list in step with `state.offers`, keeping the items that
 * stay (a button under the pointer is not replaced while the agent clicks it).
 */
function renderOffers() {
  const shown = new Map([...ui.offers.querySelectorAll("li.offer")].map((li) => [Number(li.dataset.chat), li]));
  for (const [chat, li] of shown) if (!state.offers.has(chat)) li.remove();
  for (const o of state.offers.values()) if (!shown.has(o.chat)) ui.offers.append(offerItem(o));
  ui.offersEmpty.hidden = state.offers.size > 0;
  tickCountdowns();
}

function offerItem(o) {
  const cached = state.customers.get(o.customer);
  const name = o.customer_name || (cached && cached.name) || t("desk.new_contact");
  const channel = queueChannel(o.queue);
  const address = el("div", { class: "offer-address num", dir: "ltr" });
  const subject = el("div", { class: "offer-subject", dir: "auto" });
  fillOfferDetails(o, channel, address, subject);
  return el(
    "li",
    { class: ["offer", `offer-${channel}`], dataset: { chat: o.chat, channel } },
    el("div", {}, channelIcon(channel), " ", el("strong", { dir: "auto", text: name })),
    address,
    subject,
    el("div", { class: "muted" }, t(`channel.${channel}`), " · ", queueName(o.queue)),
    o.expires_at ? el("div", {}, t("desk.expires_in"), " ", el("span", { class: "countdown num", dataset: { expires: o.expires_at } })) : null,
    el(
      "div",
      { class: "actions" },
      el("button", { type: "button", class: "ok", on: { click: () => accept(o.chat) }, text: t("desk.accept") }),
      el("button", { type: "button", class: "secondary", on: { click: () => reject(o.chat) }, text: t("desk.reject") }),
    ),
  );
}

/**
 * What an offer shows beyond the name: the caller's number for a call, the
 * sender's address and the subject for an email (read from the customer and
 * the interaction once the offer is drawn).
 */
async function fillOfferDetails(o, channel, address, subject) {
  if (channel === "chat") return;
  try {
    if (o.customer != null) {
      const c = await customer(o.customer);
      address.textContent = (channel === "voice" ? c.phones : c.emails || [])?.[0] || "";
    }
    if (channel === "email") {
      const data = await api("GET", `/interactions/${o.chat}`);
      const first = (data.messages || (data.interaction && data.interaction.messages) || [])[0];
      const title = data.subject || (data.email && data.email.subject) || (first && firstLine(first.body));
      if (title) subject.textContent = title;
    }
  } catch {
    // The name and queue are enough to take the offer.
  }
}

function firstLine(text) {
  const line = String(text || "").split("\n").find((l) => l.trim()) || "";
  return line.length > 80 ? `${line.slice(0, 80)}…` : line;
}

function tickCountdowns() {
  for (const node of document.querySelectorAll("[data-expires]")) {
    const left = Math.max(0, Math.ceil((new Date(node.dataset.expires).getTime() - Date.now()) / 1000));
    node.textContent = formatDuration(left);
  }
}

async function accept(chat) {
  try {
    await api("POST", `/interactions/${chat}/accept`);
    const offer = state.offers.get(chat);
    state.offers.delete(chat);
    renderOffers();
    const view = state.chats.get(chat) || addChat(chat, offer || { chat });
    view.reloadMessages();
    selectChat(chat);
  } catch (e) {
    toast(e.message, "error");
    if (e instanceof ApiError && (e.status === 404 || e.status === 409)) {
      state.offers.delete(chat);
      renderOffers();
    }
  }
}

async function reject(chat) {
  try {
    await api("POST", `/interactions/${chat}/reject`);
  } catch (e) {
    toast(e.message, "error");
  }
  state.offers.delete(chat);
  renderOffers();
}

// ---------------------------------------------------------------- chats

function addChat(id, data) {
  const view = new ChatView(id, data);
  state.chats.set(id, view);
  state.order.push(id);
  ui.chatArea.append(view.root);
  renderTabs();
  return view;
}

function removeChat(id) {
  const view = state.chats.get(id);
  if (!view) return;
  view.root.remove();
  state.chats.delete(id);
  state.order = state.order.filter((x) => x !== id);
  if (state.active === id) {
    state.active = null;
    if (state.order.length) selectChat(state.order[0]);
    else showNoChat();
  }
  renderTabs();
}

function selectChat(id) {
  if (!state.chats.has(id)) return;
  state.active = id;
  state.activeTicket = null;
  for (const w of state.tickets.values()) w.root.hidden = true;
  for (const [cid, view] of state.chats) view.root.hidden = cid !== id;
  ui.noChat.hidden = true;
  const view = state.chats.get(id);
  view.unread = 0;
  renderTabs();
  renderOpenTickets();
  renderSide();
  view.focusComposer();
}

function showNoChat() {
  if (state.activeTicket != null) return;
  ui.noChat.hidden = false;
  renderSide();
  replaceChildren(ui.c360, el("p", { class: "empty", text: t("c360.none") }));
}

function renderTabs() {
  // The tabs are rebuilt: a keyboard user's focus goes back to the same chat's tab.
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest(".chat-tab");
  const focusedChat = focused ? focused.dataset.chat : null;
  const tabs = state.order.map((id, i) => {
    const view = state.chats.get(id);
    return el(
      "li",
      { role: "presentation" },
      el(
        "button",
        {
          type: "button",
          role: "tab",
          class: "chat-tab secondary",
          dataset: { chat: id },
          "aria-selected": String(id === state.active),
          "aria-controls": `chat-${id}`,
          on: { click: () => selectChat(id) },
        },
        el("span", {}, el("kbd", { text: String(i + 1) }), " ", el("bdi", { text: view.title() })),
        el("span", { class: "state", text: t(`desk.chat_state.${view.status}`) }),
        view.unread ? el("span", { class: "badge", "aria-label": t("desk.unread"), text: String(view.unread) }) : null,
      ),
    );
  });
  replaceChildren(ui.tabs, tabs.length ? tabs : el("li", { class: "empty", text: t("desk.no_chats") }));
  if (focusedChat) {
    const again = ui.tabs.querySelector(`.chat-tab[data-chat="${CSS.escape(focusedChat)}"]`);
    if (again) again.focus();
  }
  const cap = chatCapacity();
  ui.chatCount.textContent = cap ? t("desk.chat_count_cap", { n: state.order.length, cap }) : String(state.order.length);
}

/** The agent's chat capacity, from the desk (a number or a per-channel list). */
function chatCapacity() {
  const c = state.capacity;
  if (typeof c === "number") return c;
  if (Array.isArray(c)) {
    const chat = c.find((x) => x.channel === "chat");
    return chat ? chat.max_concurrent : null;
  }
  if (c && typeof c === "object") return c.chat ?? null;
  return null;
}

/** One conversation: its messages, reply box, and the transfer and wrap-up forms. */
class ChatView {
  constructor(id, data) {
    this.id = id;
    this.queue = data.queue ?? null;
    this.customerId = customerIdOf(data);
    this.customerName = data.customer_name || (data.customer && data.customer.name) || null;
    this.status = data.ended_at || data.state === "ended" ? "ended" : "connected";
    this.channel = data.channel || queueChannel(this.queue);
    this.ticketId = null;
    this.unread = 0;
    this.messageIds = new Set();
    this.noteMode = false;
    this.lastTypingSent = 0;
    this.typingTimer = null;
    this.build();
  }

  applyDesk(c) {
    this.queue = c.queue ?? this.queue;
    this.customerId = customerIdOf(c) ?? this.customerId;
    if (c.customer_name) this.customerName = c.customer_name;
    if (c.wrap_up_until) this.wrapUntil = c.wrap_up_until;
    const s = c.state || c.status;
    if (s === "ended" || s === "wrap_up" || c.ended_at) this.setEnded();
  }

  title() {
    const cached = this.customerId != null && state.customers.get(this.customerId);
    return (cached && cached.name) || this.customerName || t("desk.chat_n", { id: this.id });
  }

  build() {
    this.heading = el("h2", { id: `chat-${this.id}-title`, dir: "auto", text: this.title() });
    this.icon = el("span", { class: "chat-icon" });
    this.queueLabel = el("span", { class: "muted" });
    this.subline = el("div", { class: "chat-subline", dir: "auto" });
    this.messages = el("div", { class: "messages", role: "log", "aria-live": "polite", "aria-labelledby": `chat-${this.id}-title` });
    this.typing = el("div", { class: "typing", "aria-live": "polite" });
    this.endButton = el("button", { type: "button", class: "danger", on: { click: () => this.end() }, text: t("desk.end") });
    this.transferButton = el("button", { type: "button", class: "secondary", on: { click: () => this.toggleTransfer() }, text: t("desk.transfer") });
    this.transferForm = el("div", { class: "inline-form", hidden: true });
    this.wrapForm = el("div", { class: "inline-form wrapup", hidden: true });
    this.composer = this.buildComposer();
    this.root = el(
      "section",
      { id: `chat-${this.id}`, class: "chat-area", role: "tabpanel", hidden: true, "aria-labelledby": `chat-${this.id}-title` },
      el("div", { class: "chat-head" }, this.icon, this.heading, this.queueLabel, el("span", { class: "spacer" }), this.transferButton, this.endButton),
      this.subline,
      this.transferForm,
      this.wrapForm,
      this.messages,
      this.typing,
      this.composer,
    );
    this.refreshHead();
  }

  buildComposer() {
    const id = `reply-${this.id}`;
    this.textarea = el("textarea", { id, rows: "2", maxlength: "4000", on: { keydown: (e) => this.onKey(e), input: () => this.onInput() } });
    this.noteToggle = el("input", { type: "checkbox", id: `note-${this.id}`, on: { change: () => this.setNoteMode(this.noteToggle.checked) } });
    this.sendButton = el("button", { type: "button", class: "primary", on: { click: () => this.send() }, text: t("desk.send") });
    this.replyLabel = el("label", { for: id, class: "sr-only", text: t("desk.reply_label") });
    return el(
      "div",
      { class: "composer" },
      this.replyLabel,
      this.textarea,
      el("div", { class: "opts" }, el("label", { for: `note-${this.id}` }, this.noteToggle, t("desk.note_toggle")), this.sendButton),
    );
  }

  refreshHead() {
    this.heading.textContent = this.title();
    replaceChildren(this.icon, channelIcon(this.channel));
    this.root.dataset.channel = this.channel;
    this.queueLabel.textContent = this.queue != null ? queueName(this.queue) : "";
    this.refreshSubline();
    // A call is spoken on the phone: the desktop writes notes only.
    if (this.channel === "voice" && !this.noteMode) {
      this.noteToggle.checked = true;
      this.setNoteMode(true);
    }
    this.noteToggle.disabled = this.channel === "voice";
    const ended = this.status !== "connected";
    this.endButton.hidden = ended;
    this.transferButton.hidden = ended;
    this.textarea.disabled = ended && !this.noteMode;
  }

  /** The caller's number of a call, the subject and sender of an email, the ticket's number. */
  refreshSubline() {
    const c = this.customerId != null ? state.customers.get(this.customerId) : null;
    const parts = [];
    if (this.channel === "voice" && c && (c.phones || []).length) parts.push(el("span", { class: "num caller", text: c.phones[0] }));
    if (this.channel === "email") {
      if (this.emailSubject) parts.push(el("bdi", { class: "email-subject", text: this.emailSubject }));
      if (this.emailFrom) parts.push(el("bdi", { class: "muted email-from", text: this.emailFrom }));
    }
    if (this.ticketDisplay) parts.push(el("span", { class: "num ticket-ref", text: this.ticketDisplay }));
    replaceChildren(this.subline, parts.map((p, i) => (i ? [" · ", p] : p)));
    this.subline.hidden = parts.length === 0;
  }

  focusComposer() {
    if (this.status !== "connected" && !this.wrapForm.hidden) {
      const sel = this.wrapForm.querySelector("select");
      if (sel) sel.focus();
      return;
    }
    this.textarea.focus();
  }

  setNoteMode(on) {
    this.noteMode = on;
    this.composer.classList.toggle("note-mode", on);
    this.textarea.placeholder = on ? t("desk.note_placeholder") : t("desk.reply_placeholder");
    this.sendButton.textContent = on ? t("desk.add_note") : t("desk.send");
    this.refreshHead();
  }

  onKey(e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.send();
    }
  }

  onInput() {
    // Text follows its own direction; the empty box (and its placeholder) the page's.
    if (this.textarea.value) this.textarea.setAttribute("dir", "auto");
    else this.textarea.removeAttribute("dir");
    this.sendTyping();
  }

  sendTyping() {
    if (this.noteMode || this.status !== "connected") return;
    const now = Date.now();
    if (now - this.lastTypingSent < TYPING_SENT_EVERY_MS) return;
    this.lastTypingSent = now;
    api("POST", `/interactions/${this.id}/typing`).catch(() => {});
  }

  async send() {
    const body = this.textarea.value.trim();
    if (!body) return;
    this.sendButton.disabled = true;
    try {
      const msg = this.noteMode
        ? await api("POST", `/interactions/${this.id}/notes`, { body })
        : await api("POST", `/interactions/${this.id}/messages`, { body, idempotency_key: newKey() });
      this.textarea.value = "";
      this.textarea.removeAttribute("dir");
      if (msg && this.channel === "email" && this.ticketId != null) this.loadEmails();
      else if (msg) this.addMessage(this.noteMode && !msg.sender ? { ...msg, sender: { kind: "note", user: state.me.id } } : msg);
    } catch (e) {
      toast(e.message, "error");
    } finally {
      this.sendButton.disabled = false;
      this.textarea.focus();
    }
  }

  async reloadMessages() {
    try {
      const data = await api("GET", `/interactions/${this.id}`);
      const inter = data.interaction || data;
      rememberAgents(data.agents || data.agent_names);
      this.queue = this.queue ?? inter.queue;
      if (this.customerId == null) this.customerId = customerIdOf(inter);
      // The customer's name labels their messages: read it first.
      if (this.customerId != null) await customer(this.customerId).catch(() => null);
      const all = [...(data.messages || inter.messages || [])];
      for (const n of data.notes || []) all.push({ ...n, sender: n.sender || { kind: "note", user: n.agent ?? n.user } });
      all.sort((a, b) => new Date(a.sent_at) - new Date(b.sent_at));
      // Merged, not replaced: a message that came live while this was read stays.
      if (inter.channel) this.channel = inter.channel;
      for (const m of all) this.addMessage(m, true);
      if (inter.ended_at && this.status === "connected") this.setEnded();
      await this.findTicket(data);
      this.refreshHead();
      renderTabs();
      if (state.active === this.id) renderSide();
    } catch (e) {
      toast(e.message, "error");
    }
  }

  insert(text) {
    insertText(this.textarea, text);
  }

  /** The ticket this contact belongs to; an email's conversation is then read from it. */
  async findTicket(data) {
    if (this.ticketId == null) {
      try {
        this.ticketId = await ticketOfInteraction(this.id, data, this.customerId);
      } catch {
        this.ticketId = null;
      }
    }
    if (this.ticketId != null && this.channel === "email") await this.loadEmails();
  }

  /** Draws the ticket's conversation with each email's subject and sender. */
  async loadEmails() {
    try {
      const list = await api("GET", `/tickets/${this.ticketId}/messages`);
      const mine = list.filter((m) => m.party !== "note" || Number(m.interaction) === Number(this.id));
      const lastEmail = [...mine].reverse().find((m) => m.email && m.party === "customer");
      if (lastEmail) {
        this.emailSubject = lastEmail.email.subject;
        this.emailFrom = lastEmail.email.from;
      } else {
        // Messages without their headers: the ticket's subject (an email's ticket
        // takes the email's subject) and the customer's address stand in.
        const panel = panelFor(this.ticketId);
        if (!panel.ticket) await panel.load();
        const c = this.customerId != null ? await customer(this.customerId).catch(() => null) : null;
        this.emailSubject = panel.ticket ? panel.ticket.subject : null;
        this.emailFrom = c && (c.emails || []).length ? c.emails[0] : null;
      }
      this.messageIds = new Set(mine.map((m) => m.id));
      replaceChildren(this.messages, mine.map((m) => messageNode(m, this.title())));
      this.messages.scrollTop = this.messages.scrollHeight;
      this.refreshSubline();
    } catch (e) {
      toast(e.message, "error");
    }
  }

  /** Called for a live message: an email contact reads its conversation again (with the headers). */
  onLiveMessage(m) {
    if (this.channel === "email" && this.ticketId != null) {
      clearTimeout(this.emailTimer);
      this.emailTimer = setTimeout(() => this.loadEmails(), 300);
      if (state.active !== this.id) {
        this.unread += 1;
        renderTabs();
      }
      return;
    }
    this.addMessage(m);
  }

  addMessage(m, quiet = false) {
    if (m.id != null && this.messageIds.has(m.id)) return;
    if (m.id != null) this.messageIds.add(m.id);
    const s = senderOf(m);
    const named = m.sender_name || (m.sender && m.sender.name);
    if (named && s.user != null) state.agentNames.set(Number(s.user), named);
    const who = {
      customer: () => el("bdi", { text: this.title() }),
      agent: () => el("bdi", { text: agentName(s.user) }),
      note: () => t("desk.note_by", { name: agentName(s.user) }),
      system: () => t("desk.system"),
    }[s.kind] || (() => s.kind);
    const node = el(
      "div",
      { class: ["msg", s.kind] },
      el("span", { class: "body", dir: "auto", text: m.body }),
      el("span", { class: "meta" }, who(), " · ", el("span", { class: "num", text: m.sent_at ? formatTime(m.sent_at) : "" })),
    );
    const at = m.sent_at ? new Date(m.sent_at).getTime() : Date.now();
    node.dataset.at = String(at);
    const later = [...this.messages.children].find((n) => Number(n.dataset.at) > at);
    this.messages.insertBefore(node, later || null);
    this.messages.scrollTop = this.messages.scrollHeight;
    if (s.kind === "customer") this.showTyping(false);
    if (!quiet && state.active !== this.id) {
      this.unread += 1;
      renderTabs();
    }
  }

  showTyping(on) {
    clearTimeout(this.typingTimer);
    this.typing.textContent = on ? t("desk.customer_typing", { name: this.title() }) : "";
    if (on) this.typingTimer = setTimeout(() => this.showTyping(false), TYPING_SHOWN_MS);
  }

  async end() {
    try {
      await api("POST", `/interactions/${this.id}/end`);
      this.setEnded();
    } catch (e) {
      toast(e.message, "error");
    }
  }

  setEnded() {
    if (this.status === "ended") return;
    this.status = "ended";
    this.transferForm.hidden = true;
    this.showTyping(false);
    this.refreshHead();
    this.showWrapUp();
    renderTabs();
  }

  showWrapUp() {
    const id = `wrap-${this.id}`;
    const select = el(
      "select",
      { id, name: "code", required: true },
      el("option", { value: "", text: t("desk.wrap_pick") }),
      (state.wrapUpCodes || []).map((c) => el("option", { value: c.id, text: c.label ? `${c.label} (${c.code})` : c.code })),
    );
    const error = el("div", { class: "field-error", role: "alert" });
    const done = el("button", { type: "button", class: "primary", text: t("desk.wrap_done") });
    done.addEventListener("click", () => this.wrapUp(select, error));
    replaceChildren(
      this.wrapForm,
      el("div", { class: "field" }, el("label", { for: id, text: t("desk.wrap_label") }), select, error),
      done,
      this.wrapUntil
        ? el("span", { class: "muted" }, t("desk.wrap_time_left"), " ", el("span", { class: "num", dataset: { expires: this.wrapUntil } }))
        : null,
    );
    this.wrapForm.hidden = false;
    if (state.active === this.id) select.focus();
  }

  async wrapUp(select, error) {
    if (!select.value) {
      error.textContent = t("desk.wrap_required");
      select.setAttribute("aria-invalid", "true");
      select.focus();
      return;
    }
    try {
      await api("POST", `/interactions/${this.id}/wrap-up`, { code: Number(select.value) });
      removeChat(this.id);
      toast(t("desk.wrapped_up"));
    } catch (e) {
      error.textContent = e.message;
    }
  }

  toggleTransfer() {
    if (!this.transferForm.hidden) {
      this.transferForm.hidden = true;
      return;
    }
    this.buildTransfer();
    this.transferForm.hidden = false;
    this.transferForm.querySelector("select").focus();
  }

  buildTransfer() {
    const id = `transfer-${this.id}`;
    const select = el("select", { id }, el("option", { value: "", text: t("desk.transfer_pick") }));
    const queues = el("optgroup", { label: t("desk.transfer_queues") });
    for (const q of state.queues || []) {
      // A call goes to a voice queue, a chat to a chat queue: the contact keeps its channel.
      const sameChannel = (q.channel || "chat") === this.channel;
      if (Number(q.id) !== Number(this.queue) && sameChannel) queues.append(el("option", { value: `queue:${q.id}`, text: q.name }));
    }
    select.append(queues);
    if (state.agents) {
      const agents = el("optgroup", { label: t("desk.transfer_agents") });
      for (const a of state.agents) {
        if (Number(a.id) === Number(state.me.id)) continue;
        agents.append(el("option", { value: `agent:${a.id}`, text: `${a.name} — ${t(`agent_state.${a.state}`)}` }));
      }
      select.append(agents);
    }
    const error = el("div", { class: "field-error", role: "alert" });
    replaceChildren(
      this.transferForm,
      el("div", { class: "field" }, el("label", { for: id, text: t("desk.transfer_to") }), select, error),
      el("button", { type: "button", class: "primary", on: { click: () => this.transfer(select, error) }, text: t("desk.transfer_go") }),
      el("button", { type: "button", class: "secondary", on: { click: () => (this.transferForm.hidden = true) }, text: t("common.cancel") }),
      state.agents ? null : el("p", { class: "muted", text: t("desk.transfer_no_agents") }),
    );
  }

  async transfer(select, error) {
    if (!select.value) {
      error.textContent = t("desk.transfer_required");
      select.focus();
      return;
    }
    const [kind, target] = select.value.split(":");
    try {
      await api("POST", `/interactions/${this.id}/transfer`, { [kind]: Number(target) });
      toast(t("desk.transferred"));
      removeChat(this.id);
    } catch (e) {
      error.textContent = e.message;
    }
  }
}

// ---------------------------------------------------------------- customer 360

async function renderCustomer360(view) {
  if (view.customerId == null) {
    replaceChildren(ui.c360, el("p", { class: "empty", text: t("c360.unknown") }));
    return;
  }
  const id = view.customerId;
  // The latest render wins: a chat switch or a search hit opened meanwhile.
  const token = (ui.c360Token = {});
  replaceChildren(ui.c360, el("p", { class: "muted", text: t("common.loading") }));
  try {
    const [c, history] = await Promise.all([customer(id, true), api("GET", `/customers/${id}/interactions`)]);
    if (ui.c360Token !== token) return;
    replaceChildren(ui.c360, profile(c), notesEditor(c), historyList(history, view.id));
  } catch (e) {
    replaceChildren(ui.c360, el("p", { class: "error-box", text: e.message }));
  }
}

function profile(c) {
  const row = (key, value) => (value ? [el("dt", { text: t(`c360.${key}`) }), el("dd", {}, value)] : null);
  const tier = c.tier || "standard";
  return el(
    "section",
    { "aria-labelledby": "c360-name" },
    el("h2", { id: "c360-name" }, el("bdi", { text: c.name })),
    el(
      "dl",
      {},
      row("tier", el("span", { class: ["tier", tier], text: t(`tier.${tier}`) })),
      row("phones", (c.phones || []).length ? el("span", { class: "num", text: c.phones.join(", ") }) : null),
      row("emails", (c.emails || []).join(", ")),
      row("israeli_id", c.israeli_id ? el("span", { class: "num", text: maskId(c.israeli_id) }) : null),
    ),
  );
}

/** The ID number as the agent may see it: only its last three digits. */
function maskId(id) {
  const s = String(id);
  if (s.includes("*")) return s;
  return "*".repeat(Math.max(0, s.length - 3)) + s.slice(-3);
}

function notesEditor(c) {
  const area = el("textarea", { id: "c360-notes", name: "notes", dir: "auto", value: c.notes || "" });
  const error = el("div", { class: "field-error", role: "alert" });
  const save = el("button", { type: "button", class: "secondary", text: t("c360.save_notes") });
  save.addEventListener("click", async () => {
    error.textContent = "";
    save.disabled = true;
    try {
      const updated = await api("PUT", `/customers/${c.id}`, customerUpdate(c, area.value));
      state.customers.set(c.id, updated || { ...c, notes: area.value });
      toast(t("c360.notes_saved"));
    } catch (e) {
      error.textContent = e.message;
    } finally {
      save.disabled = false;
    }
  });
  return el("div", { class: "field" }, el("label", { for: "c360-notes", text: t("c360.notes") }), area, error, save);
}

/** The body of `PUT /customers/{id}` (the whole customer) with new notes. */
function customerUpdate(c, notes) {
  return { name: c.name, phones: c.phones || [], emails: c.emails || [], israeli_id: c.israeli_id ?? null, tier: c.tier || "standard", notes };
}

function historyList(history, currentChat) {
  const list = Array.isArray(history) ? history : history.interactions || history.items || [];
  if (!Array.isArray(history)) rememberAgents(history.agents || history.agent_names);
  for (const i of list) rememberAgents(i.agents || i.agent_names);
  // Newest first: the last contacts matter most to the conversation at hand.
  const past = list
    .filter((i) => Number(i.id) !== Number(currentChat))
    .sort((x, y) => new Date(y.created_at) - new Date(x.created_at));
  const items = past.map((i) =>
    el(
      "li",
      {},
      el(
        "details",
        {},
        el(
          "summary",
          {},
          el("strong", { text: t(`channel.${i.channel}`) }),
          " · ",
          el("span", { class: "num", text: formatDateTime(i.created_at) }),
          " · ",
          queueName(i.queue),
        ),
        el("ol", { class: "timeline" }, (i.timeline || []).map(timelineEntry)),
      ),
    ),
  );
  return el(
    "section",
    { "aria-labelledby": "c360-history" },
    el("h3", { id: "c360-history", text: t("c360.history") }),
    items.length ? el("ul", { class: "history" }, items) : el("p", { class: "muted", text: t("c360.no_history") }),
  );
}

function timelineEntry(entry) {
  const step = entry.step || entry;
  const kind = step.kind;
  const details = [];
  if (step.queue != null) details.push(queueName(step.queue));
  if (step.agent != null) details.push(agentName(step.agent));
  if (step.to_queue != null) details.push(queueName(step.to_queue));
  if (step.to_agent != null) details.push(agentName(step.to_agent));
  if (step.code != null) details.push(wrapCodeLabel(step.code));
  if (step.score != null) details.push(t("c360.score", { score: step.score }));
  return el(
    "li",
    {},
    el("span", { class: "num", text: formatTime(entry.at) }),
    " ",
    t(`timeline.${kind}`),
    details.length ? ` — ${details.join(", ")}` : "",
  );
}

function wrapCodeLabel(id) {
  const c = (state.wrapUpCodes || []).find((x) => Number(x.id) === Number(id));
  return c ? c.label || c.code : String(id);
}

// ---------------------------------------------------------------- live events

function onEvent(ev) {
  const d = ev.data && typeof ev.data === "object" ? { type: ev.type, ...ev.data } : ev;
  const handler = handlers[d.type];
  if (handler) handler(d);
}

const handlers = {
  offer(d) {
    if (d.agent != null && Number(d.agent) !== Number(state.me.id)) return;
    const offer = normalizeOffer(d);
    state.offers.set(offer.chat, offer);
    renderOffers();
    toast(t("desk.offer_arrived"));
    // The caller or writer is shown before the agent takes the contact.
    if (offer.customer != null) {
      state.side = "customer";
      renderCustomer360({ id: offer.chat, customerId: offer.customer });
      showSide();
    }
  },
  offer_withdrawn(d) {
    state.offers.delete(chatIdOf(d));
    renderOffers();
  },
  chat_connected(d) {
    if (d.agent != null && Number(d.agent) !== Number(state.me.id)) return;
    const id = chatIdOf(d);
    state.offers.delete(id);
    renderOffers();
    if (!state.chats.has(id)) {
      addChat(id, d).reloadMessages();
      if (state.active == null) selectChat(id);
    }
  },
  message(d) {
    const view = state.chats.get(chatIdOf(d));
    if (view && d.message) view.onLiveMessage(d.message);
  },
  typing(d) {
    const view = state.chats.get(chatIdOf(d));
    if (view && d.from === "customer") view.showTyping(true);
  },
  chat_transferred(d) {
    const id = chatIdOf(d);
    if (Number(d.from_agent) === Number(state.me.id) && state.chats.has(id)) removeChat(id);
  },
  chat_ended(d) {
    const view = state.chats.get(chatIdOf(d));
    if (!view) return;
    if (d.by === "customer") toast(t("desk.customer_left", { name: view.title() }));
    view.setEnded();
  },
  wrap_up_done(d) {
    removeChat(chatIdOf(d));
  },
  agent_state(d) {
    if (state.agents) {
      const a = state.agents.find((x) => Number(x.id) === Number(d.agent));
      if (a) a.state = d.state;
    }
    if (Number(d.agent) !== Number(state.me.id)) return;
    state.presence = { state: d.state, reason: d.reason ?? null, since: d.since || new Date().toISOString() };
    renderPresence();
  },
  phone(d) {
    if (Number(d.agent) === Number(state.me.id)) setPhone(Boolean(d.registered));
  },
  ticket(d) {
    if (d.ticket) ticketChanged(d.ticket, true);
  },
  sla(d) {
    toast(t(`tickets.sla_${d.kind}`, { number: d.number != null ? `#${d.number}` : "" }), d.kind === "breach" ? "error" : "info");
    const panel = state.panels.get(Number(d.ticket));
    if (panel) panel.load();
    refreshLists();
  },
  resync() {
    loadDesk().catch((e) => toast(e.message, "error"));
  },
};

function onConnection(up) {
  const wasDown = !state.connected;
  state.connected = up;
  ui.conn.textContent = up ? t("live.connected") : t("live.reconnecting");
  ui.conn.classList.toggle("down", !up);
  // Events sent while we were away are lost: read the desk again.
  if (up && wasDown && ui.ready) loadDesk().catch((e) => toast(e.message, "error"));
}

// ---------------------------------------------------------------- keyboard

function onShortcut(e) {
  const inField = e.target.closest && e.target.closest("input, textarea, select");
  if (e.key === "?" && !inField && !e.altKey && !e.ctrlKey) {
    e.preventDefault();
    ui.help.showModal();
    return;
  }
  if (!e.altKey || e.ctrlKey || e.metaKey) return;
  const first = [...state.offers.keys()][0];
  const active = state.active != null ? state.chats.get(state.active) : null;
  const digit = /^Digit([1-9])$/.exec(e.code);
  const act = {
    KeyA: () => first != null && accept(first),
    KeyR: () => first != null && reject(first),
    KeyE: () => active && active.status === "connected" && active.end(),
    KeyW: () => active && active.status !== "connected" && active.focusComposer(),
    KeyF: () => ui.searchInput.focus(),
    KeyT: () => showListTab("mine", true),
  }[e.code];
  if (digit) {
    const id = state.order[Number(digit[1]) - 1];
    if (id != null) selectChat(id);
  } else if (act) act();
  else return;
  e.preventDefault();
}

function helpDialog() {
  const rows = [
    ["Alt+A", "shortcut.accept"],
    ["Alt+R", "shortcut.reject"],
    ["Alt+1…9", "shortcut.switch"],
    ["Alt+E", "shortcut.end"],
    ["Alt+W", "shortcut.wrap"],
    ["Alt+F", "shortcut.search"],
    ["Alt+T", "shortcut.tickets"],
    ["Enter", "shortcut.send"],
    ["Shift+Enter", "shortcut.newline"],
    ["?", "shortcut.help"],
  ];
  const dialog = el(
    "dialog",
    { class: "shortcuts-dialog", "aria-labelledby": "help-title" },
    el("h2", { id: "help-title", text: t("shortcut.title") }),
    el("table", {}, el("tbody", {}, rows.map(([k, key]) => el("tr", {}, el("td", {}, el("kbd", { class: "num", text: k })), el("td", { text: t(key) }))))),
    el("form", { method: "dialog" }, el("button", { class: "primary", text: t("common.close") })),
  );
  return dialog;
}

// ---------------------------------------------------------------- search

/** Turns a snippet (HTML-escaped text with `<mark>` around matches) into nodes, never parsing it as HTML. */
function snippetNodes(snippet) {
  const unescape = (text) =>
    text.replace(/&(lt|gt|quot|#39|#x27|amp);/g, (_, name) => ({ lt: "<", gt: ">", quot: '"', "#39": "'", "#x27": "'", amp: "&" })[name]);
  return snippet.split(/(<mark>[^<]*<\/mark>)/).map((part) => {
    const marked = /^<mark>([^<]*)<\/mark>$/.exec(part);
    return marked ? el("mark", { text: unescape(marked[1]) }) : unescape(part);
  });
}

function searchBox() {
  ui.searchResults = el("ul", { class: "search-results", "aria-live": "polite" });
  ui.searchInput = el("input", { type: "search", id: "search-q", name: "q", dir: "auto", autocomplete: "off", placeholder: t("search.placeholder") });
  const form = el(
    "form",
    { class: "search-form", role: "search", on: { submit: (e) => (e.preventDefault(), runSearch()) } },
    el("label", { for: "search-q", class: "sr-only", text: t("search.label") }),
    ui.searchInput,
    el("button", { type: "submit", class: "secondary", text: t("search.button") }),
  );
  return [form, ui.searchResults];
}

async function runSearch() {
  const q = ui.searchInput.value.trim();
  if (!q) {
    replaceChildren(ui.searchResults);
    return;
  }
  try {
    // "#1042" (or a bare number of a ticket) opens that ticket.
    if (/^#\d+$/.test(q)) {
      const ticket = await ticketByNumber(q);
      if (ticket) {
        openTicket(Number(ticket.id));
        replaceChildren(ui.searchResults);
        return;
      }
    }
    const { results } = await api("GET", `/search?q=${encodeURIComponent(q)}&limit=10`);
    if (ui.searchInput.value.trim() !== q) return;
    replaceChildren(
      ui.searchResults,
      results.length ? results.map(searchResult) : el("li", { class: "empty", text: t("search.none") }),
    );
  } catch (e) {
    replaceChildren(ui.searchResults, el("li", { class: "error-box", text: e.message }));
  }
}

function searchResult(hit) {
  return el(
    "li",
    {},
    el(
      "button",
      { type: "button", class: "search-hit", on: { click: () => openHit(hit) } },
      el("span", { class: ["kind", hit.kind], text: t(`search.kind.${hit.kind}`) }),
      " ",
      el("bdi", { class: "title", text: hit.title }),
      el("span", { class: "snippet" }, snippetNodes(hit.snippet)),
    ),
  );
}

/** Shows the customer of a hit in the customer-360 panel. */
async function openHit(hit) {
  if (hit.kind === "ticket") {
    openTicket(Number(hit.id));
    return;
  }
  try {
    let customerId = hit.id;
    if (hit.kind !== "customer") {
      customerId = customerIdOf(await api("GET", `/interactions/${hit.id}`));
    }
    if (customerId == null) return;
    await renderCustomer360({ id: null, customerId });
  } catch (e) {
    toast(e.message, "error");
  }
}

// ---------------------------------------------------------------- tickets

/** The ticket the centre shows: the opened ticket, or the active contact's. */
function currentTicketId() {
  if (state.activeTicket != null) return state.activeTicket;
  const view = state.active != null ? state.chats.get(state.active) : null;
  return view ? view.ticketId : null;
}

/** The right column: a ticket tab (when there is a ticket) and the customer-360 tab. */
function sideTabs() {
  const tab = (name, key) =>
    el("button", {
      type: "button",
      role: "tab",
      id: `side-tab-${name}`,
      class: "secondary",
      "aria-controls": `side-${name}`,
      on: {
        click: () => {
          state.side = name;
          showSide();
        },
      },
      text: t(key),
    });
  ui.sideTicketTab = tab("ticket", "side.ticket");
  ui.sideCustomerTab = tab("customer", "side.customer");
  ui.ticketBox = el("div", { id: "side-ticket", role: "tabpanel", "aria-labelledby": "side-tab-ticket", class: "ticket-box" });
  ui.c360 = el("div", { id: "side-customer", role: "tabpanel", "aria-labelledby": "side-tab-customer", class: "c360" });
  return [el("div", { class: "tabs side-tabs", role: "tablist" }, ui.sideTicketTab, ui.sideCustomerTab), ui.ticketBox, ui.c360];
}

function showSide() {
  const hasTicket = currentTicketId() != null;
  const onTicket = hasTicket && state.side === "ticket";
  ui.sideTicketTab.hidden = !hasTicket;
  ui.sideTicketTab.setAttribute("aria-selected", String(onTicket));
  ui.sideCustomerTab.setAttribute("aria-selected", String(!onTicket));
  ui.ticketBox.hidden = !onTicket;
  ui.c360.hidden = onTicket;
}

/** Draws the right column for what the centre shows: its ticket panel and its customer. */
function renderSide() {
  const tid = currentTicketId();
  if (tid != null) {
    state.side = "ticket";
    replaceChildren(ui.ticketBox, panelFor(tid).root);
  } else {
    replaceChildren(ui.ticketBox);
  }
  const view = state.activeTicket == null && state.active != null ? state.chats.get(state.active) : null;
  const work = state.activeTicket != null ? state.tickets.get(state.activeTicket) : null;
  if (view) renderCustomer360(view);
  else if (work && work.customerId != null) renderCustomer360({ id: null, customerId: work.customerId });
  else replaceChildren(ui.c360, el("p", { class: "empty", text: t("c360.none") }));
  showSide();
}

function panelFor(id) {
  let panel = state.panels.get(id);
  if (!panel) {
    panel = new TicketPanel(id, {
      me: state.me,
      session: state.session,
      agents: () => state.agents,
      insert: insertIntoComposer,
      changed: (ticket) => ticketChanged(ticket, false),
      acted: refreshLists,
    });
    state.panels.set(id, panel);
    panel.load();
  }
  return panel;
}

/** A canned response goes into the composer of what the centre shows. */
function insertIntoComposer(text) {
  const target = state.activeTicket != null ? state.tickets.get(state.activeTicket) : state.chats.get(state.active);
  if (target) target.insert(text);
}

/** Ticket ids whose back-office team was last seen set (to tell a hand-back). */
const escalatedSeen = new Set();
/** Tickets handed back to this agent while the page was open. */
const returned = new Set();

/**
 * A ticket changed (a live event, or a panel read it): every view of it follows,
 * and the lists are read again. `live` events also re-read an open panel.
 */
function ticketChanged(ticket, live) {
  const id = Number(ticket.id);
  rememberTeams(ticket);
  if (ticket.back_office_team) escalatedSeen.add(id);
  else if (escalatedSeen.delete(id) && ticket.assignee && Number(ticket.assignee.id) === Number(state.me.id)) {
    returned.add(id);
    toast(t("tickets.returned", { number: ticket.display || `#${ticket.number}` }));
  }
  if (live) {
    const panel = state.panels.get(id);
    if (panel) panel.load();
  }
  const work = state.tickets.get(id);
  if (work) {
    work.apply(ticket);
    if (live) work.load();
  }
  for (const view of state.chats.values()) {
    if (view.ticketId !== id) continue;
    view.ticketDisplay = ticket.display || `#${ticket.number}`;
    view.refreshSubline();
    if (live && view.channel === "email") view.loadEmails();
  }
  renderOpenTickets();
  if (live) refreshLists();
}

/** A ticket opened outside a contact: its conversation and a composer (reply by email, or a note). */
class TicketWork {
  constructor(id) {
    this.id = id;
    this.customerId = null;
    this.label = `#${id}`;
    this.subject = "";
    this.noteMode = false;
    this.heading = el("h2", { id: `ticket-work-${id}-title`, dir: "auto" });
    this.messages = el("div", { class: "messages", role: "log", "aria-live": "polite", "aria-labelledby": `ticket-work-${id}-title` });
    const replyId = `ticket-reply-${id}`;
    this.textarea = el("textarea", { id: replyId, rows: "3", maxlength: "4000", dir: "auto", placeholder: t("ticket.reply_placeholder") });
    this.noteToggle = el("input", { type: "checkbox", id: `ticket-note-${id}`, on: { change: () => this.setNoteMode(this.noteToggle.checked) } });
    this.sendButton = el("button", { type: "button", class: "primary", on: { click: () => this.send() }, text: t("ticket.send_email") });
    this.root = el(
      "section",
      { id: `ticket-work-${id}`, class: "chat-area ticket-work", hidden: true, "aria-labelledby": `ticket-work-${id}-title` },
      el(
        "div",
        { class: "chat-head" },
        this.heading,
        el("span", { class: "spacer" }),
        el("button", { type: "button", class: "secondary", on: { click: () => closeTicket(this.id) }, text: t("common.close") }),
      ),
      this.messages,
      el(
        "div",
        { class: "composer" },
        el("label", { for: replyId, class: "sr-only", text: t("ticket.reply_label") }),
        this.textarea,
        el("div", { class: "opts" }, el("label", { for: `ticket-note-${id}` }, this.noteToggle, t("desk.note_toggle")), this.sendButton),
      ),
    );
  }

  apply(ticket) {
    this.label = ticket.display || `#${ticket.number}`;
    this.subject = ticket.subject;
    this.customerId = ticket.customer ? Number(ticket.customer.id) : null;
    this.customerName = ticket.customer ? ticket.customer.name : null;
    replaceChildren(this.heading, el("span", { class: "num", text: this.label }), " ", el("bdi", { text: ticket.subject }));
  }

  async load() {
    try {
      const list = await api("GET", `/tickets/${this.id}/messages`);
      replaceChildren(this.messages, list.length ? list.map((m) => messageNode(m, this.customerName)) : el("p", { class: "empty", text: t("ticket.no_messages") }));
      this.messages.scrollTop = this.messages.scrollHeight;
    } catch (e) {
      replaceChildren(this.messages, el("p", { class: "error-box", text: e.message }));
    }
  }

  setNoteMode(on) {
    this.noteMode = on;
    this.root.querySelector(".composer").classList.toggle("note-mode", on);
    this.textarea.placeholder = on ? t("desk.note_placeholder") : t("ticket.reply_placeholder");
    this.sendButton.textContent = on ? t("desk.add_note") : t("ticket.send_email");
  }

  insert(text) {
    insertText(this.textarea, text);
  }

  async send() {
    const body = this.textarea.value.trim();
    if (!body) return;
    this.sendButton.disabled = true;
    try {
      if (this.noteMode) await api("POST", `/tickets/${this.id}/notes`, { body });
      else await api("POST", `/tickets/${this.id}/reply`, { body });
      this.textarea.value = "";
      toast(t(this.noteMode ? "ticket.note_added" : "ticket.reply_sent"));
      await this.load();
      const panel = state.panels.get(this.id);
      if (panel) panel.load();
    } catch (e) {
      toast(e.message, "error");
    } finally {
      this.sendButton.disabled = false;
    }
  }
}

/** Adds text at the end of a composer (a canned response), on its own line. */
function insertText(textarea, text) {
  const before = textarea.value.replace(/\s+$/, "");
  textarea.value = before ? `${before}\n${text}` : text;
  textarea.setAttribute("dir", "auto");
  textarea.focus();
}

/** Opens a ticket in the centre (from a list, the search or its number). */
function openTicket(id) {
  let work = state.tickets.get(id);
  if (!work) {
    work = new TicketWork(id);
    state.tickets.set(id, work);
    ui.chatArea.append(work.root);
    work.load();
  }
  state.activeTicket = id;
  state.active = null;
  for (const view of state.chats.values()) view.root.hidden = true;
  for (const [tid, w] of state.tickets) w.root.hidden = tid !== id;
  ui.noChat.hidden = true;
  state.side = "ticket";
  renderTabs();
  renderOpenTickets();
  const panel = panelFor(id);
  if (panel.ticket) work.apply(panel.ticket);
  renderSide();
}

function closeTicket(id) {
  const work = state.tickets.get(id);
  if (!work) return;
  work.root.remove();
  state.tickets.delete(id);
  if (state.activeTicket === id) {
    state.activeTicket = null;
    if (state.order.length) selectChat(state.order[0]);
    else showNoChat();
  }
  renderOpenTickets();
}

/** The tickets opened in the centre, as tabs under the contacts. */
function renderOpenTickets() {
  if (!ui.openTickets) return;
  const items = [...state.tickets.values()].map((w) =>
    el(
      "li",
      { role: "presentation" },
      el(
        "button",
        {
          type: "button",
          role: "tab",
          class: "chat-tab secondary ticket-tab",
          dataset: { ticket: w.id },
          "aria-selected": String(state.activeTicket === w.id),
          on: { click: () => openTicket(w.id) },
        },
        el("span", {}, el("span", { class: "num", text: w.label }), " ", el("bdi", { text: w.subject })),
      ),
    ),
  );
  replaceChildren(ui.openTickets, items);
  ui.openTicketsHead.hidden = items.length === 0;
}

// ---------------------------------------------------------------- ticket lists

/** The left column's views: contacts, my tickets, and a back-office team's tickets. */
function listTabs() {
  ui.mine = new TicketList("assignee=me&limit=100", openTicket, "tickets.none_mine");
  ui.backOffice = new TicketList("", openTicket, "tickets.none_back_office");
  ui.openTickets = el("ul", { class: "chat-list open-tickets", role: "tablist", "aria-label": t("tickets.open") });
  ui.openTicketsHead = el("h3", { text: t("tickets.open"), hidden: true });
  ui.boTeam = el("select", { id: "back-office-team", name: "team", on: { change: () => chooseBackOfficeTeam(ui.boTeam.value) } });
  ui.listPanels = {
    contacts: el("div", { id: "list-contacts", role: "tabpanel" }, el("h2", {}, t("desk.chats"), " ", ui.chatCount), ui.tabs, ui.openTicketsHead, ui.openTickets),
    mine: el("div", { id: "list-mine", role: "tabpanel", hidden: true }, numberForm(), ui.mine.root),
    backoffice: el(
      "div",
      { id: "list-backoffice", role: "tabpanel", hidden: true },
      el("div", { class: "field" }, el("label", { for: "back-office-team", text: t("tickets.back_office_team") }), ui.boTeam),
      ui.backOffice.root,
    ),
  };
  ui.listTabs = {};
  for (const name of Object.keys(ui.listPanels)) {
    ui.listTabs[name] = el("button", {
      type: "button",
      role: "tab",
      id: `list-tab-${name}`,
      class: "secondary",
      "aria-controls": `list-${name}`,
      "aria-selected": String(name === "contacts"),
      on: { click: () => showListTab(name) },
      text: t(`tickets.tab.${name}`),
    });
  }
  return [el("div", { class: "tabs list-tabs", role: "tablist" }, Object.values(ui.listTabs)), Object.values(ui.listPanels)];
}

function showListTab(name, focus = false) {
  for (const [n, panel] of Object.entries(ui.listPanels)) {
    panel.hidden = n !== name;
    ui.listTabs[n].setAttribute("aria-selected", String(n === name));
  }
  if (name === "mine") ui.mine.load().then(markReturned);
  if (name === "backoffice") fillBackOfficeTeams();
  if (focus) (name === "mine" ? document.getElementById("ticket-number") : ui.listTabs[name]).focus();
}

/** "Open ticket #…" by its number. */
function numberForm() {
  const input = el("input", { id: "ticket-number", name: "number", inputmode: "numeric", autocomplete: "off", placeholder: "#1042" });
  const error = el("div", { class: "field-error", role: "alert" });
  const form = el(
    "form",
    { class: "search-form ticket-number-form" },
    el("label", { for: "ticket-number", class: "sr-only", text: t("tickets.open_number") }),
    input,
    el("button", { type: "submit", class: "secondary", text: t("tickets.open_go") }),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    try {
      const ticket = await ticketByNumber(input.value);
      if (ticket) openTicket(Number(ticket.id));
      else error.textContent = t("tickets.not_found");
    } catch (err) {
      error.textContent = err.message;
    }
  });
  return [form, error];
}

async function fillBackOfficeTeams() {
  const teams = await knownTeams();
  const saved = localStorage.getItem(BACK_OFFICE_KEY) || "";
  replaceChildren(
    ui.boTeam,
    el("option", { value: "", text: t("ticket.pick_team") }),
    teams.map((team) => el("option", { value: team.id, text: team.name, selected: String(team.id) === saved })),
  );
  if (saved && ui.boTeam.value === saved) chooseBackOfficeTeam(saved);
}

function chooseBackOfficeTeam(id) {
  localStorage.setItem(BACK_OFFICE_KEY, id);
  if (!id) {
    ui.backOffice.tickets = [];
    ui.backOffice.render();
    return;
  }
  ui.backOffice.query = `back_office_team=${encodeURIComponent(id)}&limit=100`;
  ui.backOffice.load();
}

/** A ticket handed back to me carries a "returned" mark in my list. */
function markReturned() {
  for (const li of ui.mine.root.querySelectorAll("li.ticket-item")) {
    if (returned.has(Number(li.dataset.ticket)) && !li.querySelector(".returned")) {
      li.classList.add("is-returned");
      li.querySelector(".ticket-meta").append(el("span", { class: "returned", text: t("tickets.returned_mark") }));
    }
  }
}

let listsTimer = null;
/** Reads the ticket lists again soon (a burst of ticket events gives one read). */
function refreshLists() {
  clearTimeout(listsTimer);
  listsTimer = setTimeout(() => {
    ui.mine.load().then(markReturned);
    if (ui.backOffice.query) ui.backOffice.load();
  }, 300);
}

// ---------------------------------------------------------------- page

function layout() {
  ui.offersEmpty = el("li", { class: "empty", text: t("desk.no_offers") });
  ui.offers = el("ul", { class: "offers-list", "aria-live": "assertive" }, ui.offersEmpty);
  ui.tabs = el("ul", { class: "chat-list", role: "tablist", "aria-label": t("desk.chats") });
  ui.chatCount = el("span", { class: "muted" });
  ui.noChat = el("p", { class: "empty", text: t("desk.no_chat_selected") });
  ui.chatArea = el("main", { class: "panel chat-column", id: "chats" }, ui.noChat);
  ui.conn = el("span", { class: "conn", role: "status" });
  ui.help = helpDialog();
  const helpButton = el("button", { type: "button", class: "secondary", on: { click: () => ui.help.showModal() }, text: t("shortcut.button") });
  return [
    topbar(state.session, "desktop", presenceSelector(), phoneIndicator(), ui.conn, helpButton),
    el(
      "div",
      { class: "desk" },
      el(
        "aside",
        { class: "panel work-column", "aria-label": t("desk.work") },
        searchBox(),
        el("h2", { text: t("desk.offers") }),
        ui.offers,
        listTabs(),
      ),
      ui.chatArea,
      el("aside", { class: "panel side-column", "aria-label": t("side.title") }, el("h2", { class: "sr-only", text: t("side.title") }), sideTabs()),
    ),
    ui.help,
  ];
}

async function start() {
  const session = await openStaffPage("agent");
  if (!session) return;
  state.session = session;
  state.me = session.user;
  const app = document.getElementById("app");
  app.className = "desktop";
  replaceChildren(app, layout());
  app.removeAttribute("aria-busy");
  showNoChat();
  document.addEventListener("keydown", onShortcut);
  setInterval(() => {
    renderPresence();
    tickCountdowns();
  }, 1000);
  const side = await Promise.allSettled([loadQueues(), loadAgents(), loadWrapUpCodes()]);
  try {
    await loadDesk();
  } catch (e) {
    // A supervisor or admin opening this page has no desk in the live center.
    if (e instanceof ApiError && e.status === 404) {
      replaceChildren(ui.noChat, t("desk.not_agent"));
      return;
    }
    toast(e.message, "error");
  }
  for (const r of side) if (r.status === "rejected" && r.reason.status !== 403) toast(r.reason.message, "error");
  ui.ready = true;
  connectLive(onEvent, onConnection);
  refreshLists();
}

start();
