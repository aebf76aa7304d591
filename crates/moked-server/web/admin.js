// The admin page: one tab per kind of configuration (queues, skills, agents,
// teams, wrap-up codes, business hours, phones' SIP accounts, the SIP
// addresses of voice queues, and for tickets: canned responses and macros,
// SLA policies and escalation rules), each a list and a create/edit form.
// The server validates; its problem answers name the field, and the message is
// shown under that field. After a change the server reloads the live center.

import { api, clearFormErrors, el, replaceChildren, showFormError, t, toast } from "./common.js";
import { openStaffPage, topbar } from "./login.js";

const CHANNELS = ["chat", "voice", "email", "walk_in", "callback", "back_office"];
const ROLES = ["agent", "supervisor", "admin"];
const LANGS = ["he", "en"];
const STATUSES = ["new", "open", "pending_customer", "pending_internal", "solved", "closed"];
const PRIORITIES = ["low", "normal", "high", "urgent"];
const TRIGGERS = ["breach", "category"];
const DAYS = [0, 1, 2, 3, 4, 5, 6]; // 0 = Sunday, the first working day in Israel
const SLOT_MINUTES = 30;
const SLOTS = 1440 / SLOT_MINUTES;

/** Lists the forms' selects draw from, read once per tab switch. */
const refs = { skills: [], teams: [], hours: [], users: [], queues: [] };
const ui = {};
let current = "queues";
/** While the mouse button is down over the hours grid: the value being painted. */
const grid = { painting: null };
document.addEventListener("mouseup", () => (grid.painting = null));

// ---------------------------------------------------------------- tab definitions

const nameOf = (list, id) => {
  const item = list.find((x) => Number(x.id) === Number(id));
  return item ? item.name : "—";
};

const TABS = {
  queues: {
    path: "/queues",
    columns: [
      ["name", (q) => q.name],
      ["channel", (q) => t(`channel.${q.channel}`)],
      ["skill", (q) => (q.skill == null ? "—" : nameOf(refs.skills, q.skill))],
      ["service_level_seconds", (q) => String(q.service_level_seconds)],
      ["priority", (q) => String(q.priority ?? 0)],
      ["auto_accept", (q) => t(q.auto_accept ? "common.yes" : "common.no")],
      ["business_hours", (q) => (q.business_hours == null ? t("admin.always_open") : nameOf(refs.hours, q.business_hours))],
    ],
    fields: () => [
      { name: "name", type: "text", required: true },
      { name: "channel", type: "select", options: CHANNELS.map((c) => [c, t(`channel.${c}`)]), default: "chat" },
      { name: "skill", type: "select", nullable: true, options: refs.skills.map((s) => [s.id, s.name]), numeric: true },
      { name: "service_level_seconds", type: "number", min: 0, default: 20 },
      { name: "priority", type: "number", default: 0 },
      { name: "wrap_up_seconds", type: "number", min: 0, default: 60 },
      { name: "offer_timeout_seconds", type: "number", min: 0, default: 0 },
      { name: "auto_accept", type: "checkbox" },
      { name: "business_hours", type: "select", nullable: true, nullLabel: "admin.always_open", options: refs.hours.map((h) => [h.id, h.name]), numeric: true },
    ],
  },
  skills: {
    path: "/skills",
    columns: [["name", (s) => s.name]],
    fields: () => [{ name: "name", type: "text", required: true }],
  },
  users: {
    path: "/users",
    columns: [
      ["display_name", (u) => u.display_name],
      ["login", (u) => u.login],
      ["role", (u) => t(`role.${u.role}`)],
      ["team", (u) => (u.team == null ? "—" : nameOf(refs.teams, u.team))],
      ["lang", (u) => t(`lang.${u.lang}`)],
    ],
    fields: (item) => [
      { name: "login", type: "text", required: true, readonly: Boolean(item), autocomplete: "off" },
      { name: "display_name", type: "text", required: true },
      { name: "role", type: "select", options: ROLES.map((r) => [r, t(`role.${r}`)]), default: "agent" },
      { name: "team", type: "select", nullable: true, options: refs.teams.map((x) => [x.id, x.name]), numeric: true },
      { name: "lang", type: "select", options: LANGS.map((l) => [l, t(`lang.${l}`)]), default: "he" },
      { name: "password", type: "password", required: !item, autocomplete: "new-password", hint: item ? "admin.password_reset_hint" : null },
    ],
    extra: userExtras,
    // Login is fixed once created; an empty password keeps the current one.
    body: (data, item) => {
      const body = { ...data };
      if (item) delete body.login;
      if (!body.password) delete body.password;
      return body;
    },
  },
  teams: {
    path: "/teams",
    columns: [["name", (x) => x.name]],
    fields: () => [{ name: "name", type: "text", required: true }],
  },
  wrap_up_codes: {
    path: "/wrap-up-codes",
    columns: [
      ["code", (c) => c.code],
      ["label", (c) => c.label],
    ],
    fields: () => [
      { name: "code", type: "text", required: true },
      { name: "label", type: "text", required: true },
    ],
  },
  business_hours: {
    path: "/business-hours",
    columns: [
      ["name", (h) => h.name],
      ["time_zone", (h) => h.time_zone],
      ["hours_per_week", (h) => String(weeklyHours(h.intervals || []))],
    ],
    fields: () => [
      { name: "name", type: "text", required: true },
      { name: "time_zone", type: "text", required: true, default: "Asia/Jerusalem" },
    ],
    extra: hoursExtras,
  },
  // Keyed by the agent: PUT replaces the account; the password never comes back.
  sip_accounts: {
    path: "/sip/accounts",
    columns: [
      ["user", (a) => userName(a.user)],
      ["username", (a) => a.username],
      ["realm", (a) => a.realm],
      ["phone", (a) => t(a.registered ? "admin.phone_registered" : "admin.phone_unregistered")],
    ],
    fields: (item) => [
      { name: "user", type: "select", numeric: true, readonly: Boolean(item), options: refs.users.filter((u) => !item || u.id === item.user).map((u) => [u.id, u.display_name]) },
      { name: "username", type: "text", required: true, autocomplete: "off" },
      { name: "password", type: "password", required: true, autocomplete: "new-password", hint: "admin.sip_password_hint" },
    ],
    write: (data) => ["PUT", `/sip/accounts/${data.user}`, { username: data.username, password: data.password }],
    remove: (item) => `/sip/accounts/${item.user}`,
    title: (item) => item.username,
  },
  // Keyed by the address callers dial: sip:ADDRESS@host.
  sip_routes: {
    path: "/sip/routes",
    columns: [
      ["address", (r) => r.address],
      ["queue", (r) => nameOf(refs.queues, r.queue)],
    ],
    fields: (item) => [
      { name: "address", type: "text", required: true, readonly: Boolean(item), autocomplete: "off", hint: "admin.sip_address_hint" },
      { name: "queue", type: "select", numeric: true, options: refs.queues.filter((q) => q.channel === "voice").map((q) => [q.id, q.name]) },
    ],
    write: (data) => ["PUT", `/sip/routes/${encodeURIComponent(data.address)}`, { queue: data.queue }],
    remove: (item) => `/sip/routes/${encodeURIComponent(item.address)}`,
    title: (item) => item.address,
  },
  // A macro is a canned response with actions; form fields named
  // "actions.x" match the field the server names in its problems.
  canned_responses: {
    path: "/canned-responses",
    columns: [
      ["name", (c) => c.name],
      ["lang", (c) => t(`lang.${c.lang}`)],
      ["body", (c) => clip(c.body)],
      ["macro_actions", (c) => describeActions(c.actions || {})],
    ],
    fields: () => [
      { name: "name", type: "text", required: true },
      { name: "lang", type: "select", options: LANGS.map((l) => [l, t(`lang.${l}`)]), default: document.documentElement.lang === "en" ? "en" : "he" },
      { name: "body", type: "textarea", required: true, hint: "admin.placeholders_hint" },
      { name: "actions.status", type: "select", nullable: true, nullLabel: "admin.unchanged", options: STATUSES.map((s) => [s, t(`ticket.status.${s}`)]), get: (c) => c.actions?.status },
      { name: "actions.priority", type: "select", nullable: true, nullLabel: "admin.unchanged", options: PRIORITIES.map((p) => [p, t(`ticket.priority.${p}`)]), get: (c) => c.actions?.priority },
      { name: "actions.category", type: "text", get: (c) => c.actions?.category },
      { name: "actions.add_tags", type: "text", hint: "admin.tags_hint", get: (c) => (c.actions?.add_tags || []).join(" ") },
      { name: "actions.remove_tags", type: "text", hint: "admin.tags_hint", get: (c) => (c.actions?.remove_tags || []).join(" ") },
      { name: "actions.team", type: "select", nullable: true, nullLabel: "admin.unchanged", numeric: true, options: refs.teams.map((x) => [x.id, x.name]), get: (c) => c.actions?.team },
      { name: "actions.assignee", type: "select", nullable: true, nullLabel: "admin.unchanged", numeric: true, options: refs.users.map((u) => [u.id, u.display_name]), get: (c) => c.actions?.assignee },
      { name: "actions.note", type: "textarea", get: (c) => c.actions?.note },
    ],
    body: (data) => ({
      name: data.name,
      lang: data.lang,
      body: data.body,
      actions: {
        status: data["actions.status"],
        priority: data["actions.priority"],
        category: data["actions.category"] || null,
        add_tags: words(data["actions.add_tags"]),
        remove_tags: words(data["actions.remove_tags"]),
        team: data["actions.team"],
        assignee: data["actions.assignee"],
        note: data["actions.note"] || null,
      },
    }),
    remove: (item) => `/canned-responses/${item.id}`,
    title: (item) => item.name,
  },
  sla_policies: {
    path: "/admin/sla-policies",
    columns: [
      ["name", (p) => p.name],
      ["priority", (p) => (p.priority ? t(`ticket.priority.${p.priority}`) : t("admin.any"))],
      ["category", (p) => p.category || t("admin.any")],
      ["first_response_minutes", (p) => String(p.first_response_minutes)],
      ["resolution_minutes", (p) => String(p.resolution_minutes)],
    ],
    fields: () => [
      { name: "name", type: "text", required: true },
      { name: "priority", type: "select", nullable: true, nullLabel: "admin.any", options: PRIORITIES.map((p) => [p, t(`ticket.priority.${p}`)]) },
      { name: "category", type: "text", hint: "admin.any_hint" },
      { name: "first_response_minutes", type: "number", min: 1, default: 240, hint: "admin.business_minutes_hint" },
      { name: "resolution_minutes", type: "number", min: 1, default: 2400, hint: "admin.business_minutes_hint" },
    ],
    body: (data) => ({ ...data, category: data.category || null }),
    remove: (item) => `/admin/sla-policies/${item.id}`,
    title: (item) => item.name,
  },
  escalation_rules: {
    path: "/admin/escalation-rules",
    columns: [
      ["name", (r) => r.name],
      ["trigger", (r) => (r.trigger.kind === "category" ? t("admin.trigger_category", { category: r.trigger.category }) : t("admin.trigger.breach"))],
      ["back_office_team", (r) => nameOf(refs.teams, r.team)],
    ],
    fields: () => [
      { name: "name", type: "text", required: true },
      { name: "trigger", type: "select", options: TRIGGERS.map((k) => [k, t(`admin.trigger.${k}`)]), get: (r) => r.trigger.kind },
      { name: "category", type: "text", hint: "admin.trigger_category_hint", get: (r) => r.trigger.category },
      { name: "team", type: "select", numeric: true, options: refs.teams.map((x) => [x.id, x.name]) },
    ],
    body: (data) => ({
      name: data.name,
      trigger: data.trigger === "category" ? { kind: "category", category: data.category } : { kind: "breach" },
      team: data.team,
    }),
    remove: (item) => `/admin/escalation-rules/${item.id}`,
    title: (item) => item.name,
  },
};

/** Space- or comma-separated words as a list. */
function words(text) {
  return (text || "").split(/[\s,]+/).filter(Boolean);
}

/** A long text cut for a table cell. */
function clip(text) {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** A macro's actions in a few words, or "—" for a plain canned response. */
function describeActions(a) {
  const parts = [];
  if (a.status) parts.push(t(`ticket.status.${a.status}`));
  if (a.priority) parts.push(t(`ticket.priority.${a.priority}`));
  if (a.category) parts.push(a.category);
  if (a.team != null) parts.push(nameOf(refs.teams, a.team));
  if (a.assignee != null) parts.push(userName(a.assignee));
  for (const tag of a.add_tags || []) parts.push(`+${tag}`);
  for (const tag of a.remove_tags || []) parts.push(`−${tag}`);
  if (a.note) parts.push(t("admin.with_note"));
  return parts.length ? parts.join(" · ") : "—";
}

function userName(id) {
  const user = refs.users.find((u) => Number(u.id) === Number(id));
  return user ? user.display_name : "—";
}

function weeklyHours(intervals) {
  const minutes = intervals.reduce((s, i) => s + (i.closes_minute - i.opens_minute), 0);
  return Math.round((minutes / 60) * 10) / 10;
}

// ---------------------------------------------------------------- list

async function loadRefs() {
  const [skills, teams, hours, users, queues] = await Promise.all(
    ["/skills", "/teams", "/business-hours", "/users", "/queues"].map((path) => api("GET", path)),
  );
  Object.assign(refs, { skills, teams, hours, users, queues });
}

async function showTab(name) {
  current = name;
  // The weekly grid needs the full width: list above, form below.
  ui.panel.classList.toggle("wide", name === "business_hours");
  for (const b of ui.tabs.querySelectorAll("[role=tab]")) b.setAttribute("aria-selected", String(b.dataset.tab === name));
  replaceChildren(ui.list, el("p", { class: "muted", text: t("common.loading") }));
  replaceChildren(ui.form);
  try {
    await loadRefs();
    const items = await api("GET", TABS[name].path);
    renderList(name, items);
    renderForm(name, null);
  } catch (e) {
    replaceChildren(ui.list, el("p", { class: "error-box", role: "alert", text: e.message }));
  }
}

function renderList(name, items) {
  const tab = TABS[name];
  const header = el("tr", {}, tab.columns.map(([key]) => el("th", { scope: "col", text: t(`field.${key}`) })), el("th", { scope: "col", text: t("admin.actions") }));
  const rows = items.map((item) =>
    el(
      "tr",
      {},
      tab.columns.map(([, value]) => el("td", { text: value(item) })),
      el(
        "td",
        {},
        el("button", { type: "button", class: "secondary", on: { click: () => editItem(name, item) }, text: t("admin.edit") }),
        tab.remove ? el("button", { type: "button", class: "secondary", on: { click: () => removeItem(name, item) }, text: t("admin.delete") }) : null,
      ),
    ),
  );
  replaceChildren(
    ui.list,
    el(
      "div",
      { class: "chat-head" },
      el("h2", { id: "list-title", text: t(`admin.tab.${name}`) }),
      el("span", { class: "spacer" }),
      el("button", { type: "button", class: "primary", on: { click: () => renderForm(name, null, true) }, text: t("admin.new") }),
    ),
    items.length
      ? el("table", { class: "grid", "aria-labelledby": "list-title" }, el("thead", {}, header), el("tbody", {}, rows))
      : el("p", { class: "muted", text: t("admin.empty") }),
  );
}

/** Opens the edit form; users are read again for their skills and capacities. */
async function editItem(name, item) {
  try {
    const full = name === "users" || name === "business_hours" ? await api("GET", `${TABS[name].path}/${item.id}`) : item;
    renderForm(name, full || item, true);
  } catch (e) {
    toast(e.message, "error");
  }
}

async function removeItem(name, item) {
  if (!window.confirm(t("admin.delete_confirm", { name: TABS[name].title(item) }))) return;
  try {
    await api("DELETE", TABS[name].remove(item));
    toast(t("admin.deleted"));
    await showTab(name);
  } catch (e) {
    toast(e.message, "error");
  }
}

// ---------------------------------------------------------------- form

function inputFor(f, item) {
  const id = `f-${f.name}`;
  const value = item ? (f.get ? f.get(item) : item[f.name]) : f.default;
  if (f.type === "checkbox") {
    return el("div", { class: "field checkbox" }, el("label", { for: id }, el("input", { id, name: f.name, type: "checkbox", checked: Boolean(value) }), t(`field.${f.name}`)), errorSlot(f.name));
  }
  let control;
  if (f.type === "select") {
    control = el(
      "select",
      { id, name: f.name, disabled: Boolean(f.readonly), dataset: { numeric: f.numeric ? "1" : "", nullable: f.nullable ? "1" : "" } },
      f.nullable ? el("option", { value: "", text: t(f.nullLabel || "common.none") }) : null,
      f.options.map(([v, label]) => el("option", { value: String(v), selected: value != null && String(value) === String(v), text: label })),
    );
  } else if (f.type === "textarea") {
    control = el("textarea", { id, name: f.name, rows: "3", dir: "auto", required: Boolean(f.required), value: value == null ? "" : String(value) });
  } else {
    control = el("input", {
      id,
      name: f.name,
      type: f.type,
      required: Boolean(f.required),
      readonly: Boolean(f.readonly),
      autocomplete: f.autocomplete || null,
      min: f.min ?? null,
      value: f.type === "password" || value == null ? "" : String(value),
    });
  }
  return el(
    "div",
    { class: "field" },
    el("label", { for: id, text: t(`field.${f.name}`) }),
    control,
    f.hint ? el("div", { class: "muted", text: t(f.hint) }) : null,
    errorSlot(f.name),
  );
}

function errorSlot(name) {
  return el("div", { class: "field-error", "data-error-for": name, "aria-live": "polite" });
}

function renderForm(name, item, focus = false) {
  const tab = TABS[name];
  const fields = tab.fields(item);
  const extras = tab.extra ? tab.extra(item) : null;
  const label = item && (tab.title ? tab.title(item) : item.name || item.display_name || item.code);
  const title = item ? t("admin.edit_title", { name: label || "" }) : t("admin.new_title");
  const form = el(
    "form",
    { class: "panel form-panel", novalidate: true, "aria-labelledby": "form-title" },
    el("h2", { id: "form-title", tabindex: "-1", text: title }),
    fields.map((f) => inputFor(f, item)),
    extras ? extras.node : null,
    el(
      "div",
      { class: "form-actions" },
      el("button", { type: "submit", class: "primary", text: item ? t("admin.save") : t("admin.create") }),
      item ? el("button", { type: "button", class: "secondary", on: { click: () => renderForm(name, null, true) }, text: t("common.cancel") }) : null,
    ),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    save(name, item, form, fields, extras);
  });
  replaceChildren(ui.form, form);
  if (focus) form.querySelector("#form-title").focus();
}

function readForm(form, fields) {
  const data = {};
  for (const f of fields) {
    const input = form.elements[f.name];
    if (f.type === "checkbox") data[f.name] = input.checked;
    else if (f.type === "number") data[f.name] = input.value === "" ? null : Number(input.value);
    else if (f.type === "select" && f.nullable && input.value === "") data[f.name] = null;
    else if (f.type === "select" && f.numeric) data[f.name] = Number(input.value);
    else data[f.name] = input.value.trim();
  }
  return data;
}

/** The first field the form can already tell is wrong, as {field, message}, or null. */
function checkFields(fields, data) {
  for (const f of fields) {
    const v = data[f.name];
    if ((f.required && !v) || (f.type === "number" && (v === null || Number.isNaN(v)))) {
      return { field: f.name, message: t("admin.required") };
    }
    if (f.type === "number" && f.min != null && v < f.min) return { field: f.name, message: t("admin.min", { min: f.min }) };
  }
  return null;
}

async function save(name, item, form, fields, extras) {
  clearFormErrors(form);
  const tab = TABS[name];
  let data = readForm(form, fields);
  const wrong = checkFields(fields, data);
  if (wrong) {
    showFormError(form, wrong);
    return;
  }
  if (extras && extras.into) data = extras.into(data);
  const body = tab.body ? tab.body(data, item) : data;
  try {
    const [method, path, payload] = tab.write ? tab.write(body) : item ? ["PUT", `${tab.path}/${item.id}`, body] : ["POST", tab.path, body];
    const saved = await api(method, path, payload);
    const id = (saved && saved.id) ?? (item && item.id);
    if (extras && extras.after) await extras.after(id, form);
    toast(t("admin.saved"));
    await showTab(name);
  } catch (e) {
    showFormError(form, e.status === 409 && !e.field ? conflictError(form, e) : e);
  }
}

/**
 * A 409 names no field, but only the unique one (name, code or login) can be
 * taken: the message goes under it, in the user's language.
 */
function conflictError(form, e) {
  const field = ["name", "code", "login", "username", "address"].find((f) => form.elements[f]);
  return field ? { field, message: t("admin.taken"), status: e.status } : e;
}

// ---------------------------------------------------------------- users: skills and capacities

function userExtras(item) {
  const skills = new Map(((item && item.skills) || []).map((s) => [Number(s.skill), s.level]));
  const caps = new Map(((item && item.capacities) || []).map((c) => [c.channel, c.max_concurrent]));
  const skillRows = refs.skills.map((s) => {
    const id = `skill-${s.id}`;
    return el(
      "tr",
      {},
      el("td", {}, el("label", { for: id, text: s.name })),
      el("td", {}, el("input", { id, type: "number", min: 0, max: 10, dataset: { skill: s.id }, value: String(skills.get(Number(s.id)) ?? 0) })),
    );
  });
  const capRows = CHANNELS.map((c) => {
    const id = `cap-${c}`;
    return el(
      "tr",
      {},
      el("td", {}, el("label", { for: id, text: t(`channel.${c}`) })),
      el("td", {}, el("input", { id, type: "number", min: 0, max: 20, dataset: { channel: c }, value: String(caps.get(c) ?? (c === "chat" ? 3 : 0)) })),
    );
  });
  const node = el(
    "div",
    {},
    el("h3", { text: t("admin.skills_levels") }),
    el("p", { class: "muted", text: t("admin.skills_hint") }),
    refs.skills.length ? el("table", { class: "subtable" }, el("tbody", {}, skillRows)) : el("p", { class: "muted", text: t("admin.empty") }),
    errorSlot("skills"),
    el("h3", { text: t("admin.capacities") }),
    el("table", { class: "subtable" }, el("tbody", {}, capRows)),
    errorSlot("capacities"),
  );
  return {
    node,
    after: async (id) => {
      const levels = [...node.querySelectorAll("[data-skill]")]
        .map((i) => ({ skill: Number(i.dataset.skill), level: Number(i.value) }))
        .filter((s) => s.level > 0);
      const capacities = [...node.querySelectorAll("[data-channel]")].map((i) => ({ channel: i.dataset.channel, max_concurrent: Number(i.value) }));
      await api("PUT", `/users/${id}/skills`, levels);
      await api("PUT", `/users/${id}/capacities`, capacities);
    },
  };
}

// ---------------------------------------------------------------- business hours: weekly grid

/** A 7 × 48 grid of half-hour toggles; drag with the mouse to paint, Space/Enter by keyboard. */
function hoursExtras(item) {
  const open = DAYS.map(() => new Array(SLOTS).fill(false));
  for (const i of (item && item.intervals) || []) {
    for (let m = i.opens_minute; m < i.closes_minute; m += SLOT_MINUTES) {
      if (open[i.weekday]) open[i.weekday][Math.floor(m / SLOT_MINUTES)] = true;
    }
  }
  const setCell = (button, d, s, value) => {
    open[d][s] = value;
    button.setAttribute("aria-pressed", String(value));
  };
  const hourHeads = [];
  for (let s = 0; s < SLOTS; s += 2) hourHeads.push(el("th", { scope: "col", colspan: "2", class: "num", text: String(s / 2).padStart(2, "0") }));
  const rows = DAYS.map((d) =>
    el(
      "tr",
      {},
      el("th", { scope: "row", text: t(`day.${d}`) }),
      open[d].map((on, s) => {
        const b = el("button", {
          type: "button",
          "aria-pressed": String(on),
          "aria-label": `${t(`day.${d}`)} ${slotTime(s)}–${slotTime(s + 1)}`,
        });
        b.addEventListener("mousedown", (e) => {
          e.preventDefault();
          grid.painting = !open[d][s];
          setCell(b, d, s, grid.painting);
        });
        b.addEventListener("mouseenter", () => grid.painting !== null && setCell(b, d, s, grid.painting));
        b.addEventListener("click", (e) => e.detail === 0 && setCell(b, d, s, !open[d][s]));
        return el("td", {}, b);
      }),
    ),
  );
  const node = el(
    "div",
    { class: "field" },
    el("h3", { text: t("admin.weekly_grid") }),
    el("p", { class: "muted", text: t("admin.weekly_hint") }),
    el("div", { class: "hours-scroll" }, el("table", { class: "hours-grid" }, el("thead", {}, el("tr", {}, el("th", {}), hourHeads)), el("tbody", {}, rows))),
    errorSlot("intervals"),
  );
  return { node, into: (data) => ({ ...data, intervals: toIntervals(open) }) };
}

function slotTime(s) {
  const m = s * SLOT_MINUTES;
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/** Runs of open half-hours as weekly intervals in minutes. */
function toIntervals(open) {
  const out = [];
  open.forEach((slots, weekday) => {
    let start = null;
    for (let s = 0; s <= SLOTS; s += 1) {
      const on = s < SLOTS && slots[s];
      if (on && start === null) start = s;
      if (!on && start !== null) {
        out.push({ weekday, opens_minute: start * SLOT_MINUTES, closes_minute: s * SLOT_MINUTES });
        start = null;
      }
    }
  });
  return out;
}

// ---------------------------------------------------------------- page

function layout(session) {
  ui.tabs = el(
    "div",
    { class: "tabs", role: "tablist", "aria-label": t("admin.title") },
    Object.keys(TABS).map((name) =>
      el("button", { type: "button", role: "tab", class: "secondary", dataset: { tab: name }, "aria-controls": "admin-panel", on: { click: () => showTab(name) }, text: t(`admin.tab.${name}`) }),
    ),
  );
  ui.list = el("section", { class: "panel", "aria-live": "polite" });
  ui.form = el("div", {});
  ui.panel = el("div", { id: "admin-panel", role: "tabpanel", class: "admin-grid" }, ui.list, ui.form);
  return [
    topbar(session, "admin"),
    el(
      "main",
      { class: "admin" },
      el("h1", { text: t("admin.title") }),
      ui.tabs,
      ui.panel,
    ),
  ];
}

async function start() {
  const session = await openStaffPage("admin");
  if (!session) return;
  const app = document.getElementById("app");
  replaceChildren(app, layout(session));
  app.removeAttribute("aria-busy");
  const wanted = location.hash.slice(1);
  await showTab(TABS[wanted] ? wanted : "queues");
}

start();
