// Tickets on the agent desktop: the ticket panel (details, SLA, actions, notes,
// attachments, history, canned responses), the conversation of a ticket over
// all its interactions (emails shown as emails), and ticket lists (mine, a
// back-office team's). Data from the `/api/v1/tickets` API (docs/server.md,
// "Tickets"); live `ticket` and `sla` events refresh what is shown.
// User text only reaches the page through `el` (textContent), never as HTML.

import { api, ApiError, el, formatDateTime, replaceChildren, t, toast } from "./common.js";

export const STATUSES = ["new", "open", "pending_customer", "pending_internal", "solved", "closed"];
export const PRIORITIES = ["low", "normal", "high", "urgent"];
/** Statuses of tickets still being worked (the "my tickets" list). */
const OPEN_STATUSES = ["new", "open", "pending_customer", "pending_internal"];
/** Attachments bigger than this are refused by the server (413); checked here first. */
const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
/** How SLA states sort in lists: breached first, then warnings. */
const SLA_RANK = { breached: 0, warning: 1, ok: 2, paused: 3, met: 4 };

/** Teams known to this page: `GET /teams` when allowed, else those seen on tickets. */
const teams = new Map(); // id → name
let teamsLoaded = false;

/** Remembers the teams a ticket names (agents may not read `GET /teams`). */
export function rememberTeams(ticket) {
  for (const team of [ticket.team, ticket.back_office_team]) if (team && team.id != null) teams.set(Number(team.id), team.name);
}

/** The organization's teams as `[{id, name}]`, read once. */
export async function knownTeams() {
  if (!teamsLoaded) {
    teamsLoaded = true;
    try {
      for (const team of await api("GET", "/teams")) teams.set(Number(team.id), team.name);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 403)) toast(e.message, "error");
    }
  }
  return [...teams].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
}

// ---------------------------------------------------------------- small views

/** The SLA state of a ticket ("none" when no policy covers it). */
export function slaState(ticket) {
  return (ticket.sla && ticket.sla.state) || "none";
}

/** The next SLA due time that still counts: first response until answered, then resolution. */
function nextDue(ticket) {
  const sla = ticket.sla;
  if (!sla) return null;
  return (!ticket.first_response_at && sla.first_response_due) || sla.resolution_due || null;
}

/** A coloured SLA badge: ok, warning (amber), breached (red), paused, met. */
export function slaBadge(ticket) {
  const state = slaState(ticket);
  if (state === "none") return null;
  const due = nextDue(ticket);
  return el(
    "span",
    { class: ["sla-badge", `sla-${state}`], title: due ? t("ticket.sla_due_at", { at: formatDateTime(due) }) : null },
    t(`ticket.sla.${state}`),
    due && (state === "ok" || state === "warning" || state === "breached") ? [" · ", el("span", { class: "num", text: formatDateTime(due) })] : null,
  );
}

/** Breached first, then warnings, then the earliest due, then the most recently updated. */
export function byUrgency(a, b) {
  const rank = (x) => SLA_RANK[slaState(x)] ?? 5;
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  const da = nextDue(a) ? new Date(nextDue(a)).getTime() : Infinity;
  const db = nextDue(b) ? new Date(nextDue(b)).getTime() : Infinity;
  if (da !== db) return da - db;
  return new Date(b.updated_at) - new Date(a.updated_at);
}

/** One ticket as a list item: a button that opens it. */
export function ticketItem(ticket, onOpen) {
  rememberTeams(ticket);
  return el(
    "li",
    { class: "ticket-item", dataset: { ticket: ticket.id } },
    el(
      "button",
      { type: "button", class: "ticket-open", on: { click: () => onOpen(ticket.id) } },
      el("span", { class: "num ticket-number", text: ticket.display || `#${ticket.number}` }),
      " ",
      el("bdi", { class: "ticket-subject", text: ticket.subject }),
      el(
        "span",
        { class: "ticket-meta" },
        el("span", { class: ["status-pill", `status-${ticket.status}`], text: t(`ticket.status.${ticket.status}`) }),
        el("span", { class: ["prio", `prio-${ticket.priority}`], text: t(`ticket.priority.${ticket.priority}`) }),
        slaBadge(ticket),
      ),
    ),
  );
}

/**
 * A list of tickets that reads itself again on demand: `query` is the
 * `GET /tickets` query string; `sort` orders what came back.
 */
export class TicketList {
  constructor(query, onOpen, emptyKey) {
    this.query = query;
    this.onOpen = onOpen;
    this.emptyKey = emptyKey;
    this.tickets = [];
    this.root = el("ul", { class: "ticket-list", "aria-live": "polite" });
  }

  async load() {
    try {
      const data = await api("GET", `/tickets?${this.query}`);
      this.tickets = (data.tickets || []).filter((x) => OPEN_STATUSES.includes(x.status)).sort(byUrgency);
      this.render();
    } catch (e) {
      replaceChildren(this.root, el("li", { class: "error-box", text: e.message }));
    }
  }

  render() {
    replaceChildren(
      this.root,
      this.tickets.length ? this.tickets.map((x) => ticketItem(x, this.onOpen)) : el("li", { class: "empty", text: t(this.emptyKey) }),
    );
  }

  /** Whether a changed ticket concerns this list (then it is read again). */
  has(id) {
    return this.tickets.some((x) => Number(x.id) === Number(id));
  }
}

// ---------------------------------------------------------------- the conversation

/** One message of a ticket's conversation; an email shows its subject and sender. */
export function messageNode(m, customerName) {
  const party = m.party || "system";
  const email = m.email;
  const who =
    party === "note"
      ? t("desk.note_by", { name: m.author_name || "" })
      : party === "customer"
        ? el("bdi", { text: m.author_name || customerName || t("desk.new_contact") })
        : party === "agent"
          ? el("bdi", { text: m.author_name || "" })
          : t("desk.system");
  return el(
    "div",
    { class: ["msg", party, email && "email-msg"], dataset: { at: String(new Date(m.at).getTime()), message: m.id } },
    email
      ? el(
          "div",
          { class: "email-head" },
          el("div", {}, el("span", { class: "muted", text: t("email.subject") }), " ", el("bdi", { class: "email-subject", text: email.subject || "" })),
          el("div", {}, el("span", { class: "muted", text: t("email.from") }), " ", el("bdi", { class: "email-from", text: email.from || "" })),
          (email.flags || []).length ? el("div", { class: "email-flags", text: email.flags.map((f) => t(`email.flag.${f}`)).join(", ") }) : null,
        )
      : null,
    el("span", { class: "body", dir: "auto", text: m.body }),
    el("span", { class: "meta" }, who, " · ", el("span", { class: "num", text: formatDateTime(m.at) }), m.channel ? ` · ${t(`channel.${m.channel}`)}` : ""),
  );
}

// ---------------------------------------------------------------- the panel

/**
 * The ticket panel: everything about one ticket and what an agent can do to it.
 * `hooks`: `insert(text)` puts a canned response into the composer beside it;
 * `changed(ticket)` is told of every new TicketView, `acted()` of every action
 * (escalate, hand back, merge); `session` gives the CSRF
 * token for uploads; `agents()` the colleagues to assign to.
 */
export class TicketPanel {
  constructor(id, hooks) {
    this.id = Number(id);
    this.hooks = hooks;
    this.data = null;
    this.root = el("section", { class: "ticket-panel", "aria-labelledby": `ticket-${this.id}-title` });
  }

  get ticket() {
    return this.data && this.data.ticket;
  }

  async load() {
    const token = (this.token = {});
    try {
      const data = await api("GET", `/tickets/${this.id}`);
      if (this.token !== token) return;
      this.data = data;
      rememberTeams(data.ticket);
      await knownTeams();
      this.render();
      this.hooks.changed(data.ticket);
    } catch (e) {
      replaceChildren(this.root, el("p", { class: "error-box", text: e.message }));
    }
  }

  render() {
    const x = this.ticket;
    const focused = document.activeElement && this.root.contains(document.activeElement) ? document.activeElement.id : null;
    // A live change redraws the panel: text the agent is writing (a note) stays.
    const typed = [...this.root.querySelectorAll("textarea")].filter((a) => a.value).map((a) => [a.id, a.value]);
    replaceChildren(
      this.root,
      el(
        "h2",
        { id: `ticket-${this.id}-title`, class: "ticket-title" },
        el("span", { class: "num", text: x.display || `#${x.number}` }),
        " ",
        el("bdi", { text: x.subject }),
      ),
      this.details(x),
      this.slaRows(x),
      this.actions(x),
      this.cannedBox(),
      this.notesBox(),
      this.attachmentsBox(),
      this.historyBox(),
    );
    for (const [id, value] of typed) {
      const area = document.getElementById(id);
      if (area) area.value = value;
    }
    if (focused) {
      const again = document.getElementById(focused);
      if (again) again.focus();
    }
  }

  fieldId(name) {
    return `t${this.id}-${name}`;
  }

  select(name, values, current, labelKey, onChange) {
    const id = this.fieldId(name);
    const select = el(
      "select",
      { id, name, on: { change: () => onChange(select.value) } },
      values.map(([value, label]) => el("option", { value, text: label, selected: String(value) === String(current ?? "") })),
    );
    return [el("dt", {}, el("label", { for: id, text: t(labelKey) })), el("dd", {}, select)];
  }

  details(x) {
    const name = (p) => (p ? el("bdi", { text: p.name }) : t("common.none"));
    return el(
      "dl",
      { class: "ticket-fields" },
      this.select("status", STATUSES.map((s) => [s, t(`ticket.status.${s}`)]), x.status, "ticket.field.status", (v) => this.patch({ status: v })),
      this.select("priority", PRIORITIES.map((p) => [p, t(`ticket.priority.${p}`)]), x.priority, "ticket.field.priority", (v) => this.patch({ priority: v })),
      el("dt", { text: t("ticket.field.category") }),
      el("dd", {}, this.textEdit("category", x.category || "", (v) => this.patch({ category: v || null }))),
      el("dt", { text: t("ticket.field.customer") }),
      el("dd", {}, name(x.customer)),
      this.assigneeRow(x),
      el("dt", { text: t("ticket.field.team") }),
      el("dd", {}, name(x.team)),
      x.back_office_team ? [el("dt", { text: t("ticket.field.back_office_team") }), el("dd", { class: "back-office" }, name(x.back_office_team))] : null,
      x.owner ? [el("dt", { text: t("ticket.field.owner") }), el("dd", {}, name(x.owner))] : null,
      el("dt", { text: t("ticket.field.tags") }),
      el("dd", {}, this.textEdit("tags", (x.tags || []).join(", "), (v) => this.patch({ tags: splitTags(v) }))),
      el("dt", { text: t("ticket.field.created") }),
      el("dd", { class: "num", text: formatDateTime(x.created_at) }),
      x.merged_into ? [el("dt", { text: t("ticket.field.merged_into") }), el("dd", { class: "num", text: String(x.merged_into) })] : null,
    );
  }

  /** A text input saved with its button (or Enter). */
  textEdit(name, value, save) {
    const id = this.fieldId(name);
    const input = el("input", { id, name, dir: "auto", value, "aria-label": t(`ticket.field.${name}`) });
    const go = () => input.value.trim() !== value && save(input.value.trim());
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        go();
      }
    });
    return el("span", { class: "inline-edit" }, input, el("button", { type: "button", class: "secondary small", on: { click: go }, text: t("ticket.save") }));
  }

  assigneeRow(x) {
    const me = this.hooks.me;
    const options = [["", t("ticket.unassigned")], [me.id, t("ticket.me", { name: me.display_name })]];
    for (const a of this.hooks.agents() || []) if (Number(a.id) !== Number(me.id)) options.push([a.id, a.name]);
    if (x.assignee && !options.some(([id]) => String(id) === String(x.assignee.id))) options.push([x.assignee.id, x.assignee.name]);
    return this.select("assignee", options, x.assignee ? x.assignee.id : "", "ticket.field.assignee", (v) =>
      this.patch({ assignee: v === "" ? null : Number(v) }),
    );
  }

  slaRows(x) {
    const sla = x.sla;
    if (!sla) return el("p", { class: "muted", text: t("ticket.no_sla") });
    const due = (key, at, done) =>
      el(
        "div",
        { class: "sla-row" },
        el("span", { class: "muted", text: t(key) }),
        " ",
        done ? el("span", { text: t("ticket.sla.met") }) : at ? el("span", { class: "num", text: formatDateTime(at) }) : el("span", { text: t("ticket.sla.paused") }),
      );
    return el(
      "div",
      { class: ["sla-box", `sla-${sla.state}`] },
      el("div", {}, el("strong", { text: t("ticket.sla_title") }), " ", slaBadge(x), sla.policy ? el("span", { class: "muted", text: ` ${sla.policy}` }) : null),
      due("ticket.first_response_due", sla.first_response_due, Boolean(x.first_response_at)),
      due("ticket.resolution_due", sla.resolution_due, Boolean(x.solved_at)),
    );
  }

  actions(x) {
    this.actionForm = el("div", { class: "inline-form ticket-action-form", hidden: true });
    const button = (key, fn, cls = "secondary") => el("button", { type: "button", class: cls, on: { click: fn }, text: t(key) });
    return el(
      "div",
      { class: "ticket-actions" },
      el(
        "div",
        { class: "buttons" },
        x.back_office_team
          ? button("ticket.hand_back", () => this.showHandBack(), "primary")
          : button("ticket.escalate", () => this.showEscalate()),
        button("ticket.merge", () => this.showMerge()),
      ),
      this.actionForm,
    );
  }

  openForm(...children) {
    replaceChildren(this.actionForm, children);
    this.actionForm.hidden = false;
    const first = this.actionForm.querySelector("select, input, textarea");
    if (first) first.focus();
  }

  closeForm() {
    this.actionForm.hidden = true;
    replaceChildren(this.actionForm);
  }

  noteField(name) {
    const id = this.fieldId(name);
    const area = el("textarea", { id, name: "note", rows: "2", dir: "auto" });
    return [area, el("div", { class: "field" }, el("label", { for: id, text: t("ticket.action_note") }), area)];
  }

  async showEscalate() {
    const list = await knownTeams();
    const id = this.fieldId("escalate-team");
    const select = el(
      "select",
      { id, name: "team" },
      el("option", { value: "", text: t("ticket.pick_team") }),
      list.map((team) => el("option", { value: team.id, text: team.name })),
    );
    const [note, noteBox] = this.noteField("escalate-note");
    const error = el("div", { class: "field-error", role: "alert" });
    const go = async () => {
      if (!select.value) {
        error.textContent = t("ticket.team_required");
        select.focus();
        return;
      }
      await this.act("escalate", { team: Number(select.value), note: note.value.trim() || undefined }, error, "ticket.escalated");
    };
    this.openForm(
      el("div", { class: "field" }, el("label", { for: id, text: t("ticket.escalate_to") }), select, error),
      list.length ? null : el("p", { class: "muted", text: t("ticket.no_teams") }),
      noteBox,
      el("button", { type: "button", class: "primary", on: { click: go }, text: t("ticket.escalate_go") }),
      el("button", { type: "button", class: "secondary", on: { click: () => this.closeForm() }, text: t("common.cancel") }),
    );
  }

  showHandBack() {
    const [note, noteBox] = this.noteField("handback-note");
    const error = el("div", { class: "field-error", role: "alert" });
    const go = () => this.act("hand-back", { note: note.value.trim() || undefined }, error, "ticket.handed_back");
    this.openForm(
      noteBox,
      error,
      el("button", { type: "button", class: "primary", on: { click: go }, text: t("ticket.hand_back_go") }),
      el("button", { type: "button", class: "secondary", on: { click: () => this.closeForm() }, text: t("common.cancel") }),
    );
  }

  showMerge() {
    const id = this.fieldId("merge-into");
    const input = el("input", { id, name: "into", inputmode: "numeric", placeholder: "1042" });
    const error = el("div", { class: "field-error", role: "alert" });
    const go = async () => {
      const n = Number(input.value.replace(/[^0-9]/g, ""));
      if (!n) {
        error.textContent = t("ticket.number_required");
        input.focus();
        return;
      }
      try {
        const target = await api("GET", `/tickets/by-number/${n}`);
        await this.act("merge", { into: Number(target.ticket.id) }, error, "ticket.merged");
      } catch (e) {
        error.textContent = e.message;
      }
    };
    this.openForm(
      el("div", { class: "field" }, el("label", { for: id, text: t("ticket.merge_into") }), input, error),
      el("button", { type: "button", class: "primary", on: { click: go }, text: t("ticket.merge_go") }),
      el("button", { type: "button", class: "secondary", on: { click: () => this.closeForm() }, text: t("common.cancel") }),
    );
  }

  /** Runs a ticket action (`escalate`, `hand-back`, `merge`), then reads the ticket again. */
  async act(action, body, error, doneKey) {
    try {
      await api("POST", `/tickets/${this.id}/${action}`, body);
      toast(t(doneKey));
      this.closeForm();
      await this.load();
      // A hand-back no longer names the back office: its lists learn it here, not live.
      this.hooks.acted();
    } catch (e) {
      error.textContent = e.message;
    }
  }

  async patch(change) {
    try {
      const view = await api("PATCH", `/tickets/${this.id}`, change);
      if (this.data) this.data.ticket = view;
      await this.load();
    } catch (e) {
      toast(e.field ? `${t(`ticket.field.${e.field}`)}: ${e.message}` : e.message, "error");
      this.render();
    }
  }

  cannedBox() {
    const id = this.fieldId("canned");
    const select = el("select", { id, name: "canned" }, el("option", { value: "", text: t("ticket.canned_pick") }));
    cannedResponses()
      .then((list) => {
        for (const c of list || []) {
          const macro = c.actions && Object.values(c.actions).some((v) => v != null && (!Array.isArray(v) || v.length));
          select.append(el("option", { value: c.id, dataset: { macro: macro ? "1" : "" }, text: macro ? `${c.name} ⚙` : c.name }));
        }
      })
      .catch((e) => toast(e.message, "error"));
    const insert = async () => {
      if (!select.value) return;
      const macro = select.selectedOptions[0].dataset.macro === "1";
      try {
        if (macro) {
          // The macro's changes are saved by the server; its text waits in
          // the composer for the agent to read and send.
          const done = await api("POST", `/tickets/${this.id}/canned-responses/${select.value}/apply`, {});
          this.hooks.insert(done.body || "");
          await this.load();
        } else {
          const done = await api("GET", `/tickets/${this.id}/canned-responses/${select.value}`);
          this.hooks.insert(done.body || "");
        }
      } catch (e) {
        toast(e.message, "error");
      }
    };
    return el(
      "div",
      { class: "field canned" },
      el("label", { for: id, text: t("ticket.canned") }),
      el("span", { class: "inline-edit" }, select, el("button", { type: "button", class: "secondary small", on: { click: insert }, text: t("ticket.canned_insert") })),
    );
  }

  notesBox() {
    const id = this.fieldId("note");
    const area = el("textarea", { id, name: "note", rows: "2", dir: "auto" });
    const add = async () => {
      const body = area.value.trim();
      if (!body) return;
      try {
        await api("POST", `/tickets/${this.id}/notes`, { body });
        area.value = "";
        await this.load();
      } catch (e) {
        toast(e.message, "error");
      }
    };
    const notes = (this.data.notes || []).map((n) =>
      el(
        "li",
        { class: "ticket-note" },
        el("span", { class: "body", dir: "auto", text: n.body }),
        el("span", { class: "meta" }, el("bdi", { text: n.author ? n.author.name : "" }), " · ", el("span", { class: "num", text: formatDateTime(n.created_at) })),
      ),
    );
    return el(
      "section",
      { class: "ticket-notes" },
      el("h3", { text: t("ticket.notes") }),
      notes.length ? el("ul", { class: "plain" }, notes) : el("p", { class: "muted", text: t("ticket.no_notes") }),
      el("label", { for: id, class: "sr-only", text: t("ticket.add_note") }),
      area,
      el("button", { type: "button", class: "secondary small", on: { click: add }, text: t("ticket.add_note") }),
    );
  }

  attachmentsBox() {
    const id = this.fieldId("file");
    const input = el("input", { type: "file", id, name: "file" });
    input.addEventListener("change", () => this.upload(input));
    const items = (this.data.attachments || []).map((a) =>
      el(
        "li",
        {},
        el("a", { href: `/api/v1/tickets/${this.id}/attachments/${a.id}`, download: a.file_name, dir: "auto", text: a.file_name }),
        " ",
        el("span", { class: "muted num", text: formatSize(a.size) }),
      ),
    );
    return el(
      "section",
      { class: "ticket-attachments" },
      el("h3", { text: t("ticket.attachments") }),
      items.length ? el("ul", { class: "plain" }, items) : el("p", { class: "muted", text: t("ticket.no_attachments") }),
      el("label", { for: id, text: t("ticket.upload") }),
      input,
    );
  }

  async upload(input) {
    const file = input.files && input.files[0];
    if (!file) return;
    if (file.size > MAX_ATTACHMENT_BYTES) {
      toast(t("ticket.too_big"), "error");
      input.value = "";
      return;
    }
    try {
      const res = await fetch(`/api/v1/tickets/${this.id}/attachments?file_name=${encodeURIComponent(file.name)}`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": file.type || "application/octet-stream", "X-CSRF-Token": this.hooks.session.csrf_token || "" },
        body: file,
      });
      if (!res.ok) {
        const problem = await res.json().catch(() => null);
        throw new ApiError(res.status, problem, `HTTP ${res.status}`);
      }
      toast(t("ticket.uploaded", { name: file.name }));
      await this.load();
    } catch (e) {
      toast(e.message, "error");
    } finally {
      input.value = "";
    }
  }

  historyBox() {
    const rows = (this.data.history || []).map((h) =>
      el(
        "li",
        {},
        el("span", { class: "num", text: formatDateTime(h.at) }),
        " ",
        el("bdi", { text: h.actor && h.actor.name ? h.actor.name : t("desk.system") }),
        ": ",
        t(`ticket.field.${h.field}`),
        // A change of a value shows old → new; records (the created ticket, a note) only their field.
        isValue(h.old) && isValue(h.new) ? el("span", { dir: "auto" }, " ", historyValue(h.field, h.old), " → ", historyValue(h.field, h.new)) : null,
      ),
    );
    return el(
      "details",
      { class: "ticket-history" },
      el("summary", { text: t("ticket.history", { n: rows.length }) }),
      el("ol", { class: "timeline" }, rows),
    );
  }
}

/** Whether a history value is shown (a plain value or a name, not a whole record). */
function isValue(v) {
  return v == null || typeof v !== "object" || Array.isArray(v) || typeof v.name === "string";
}

/** A history value as the agent reads it (statuses and priorities translated). */
function historyValue(field, v) {
  if (v == null || v === "") return "—";
  if (field === "status" && STATUSES.includes(v)) return t(`ticket.status.${v}`);
  if (field === "priority" && PRIORITIES.includes(v)) return t(`ticket.priority.${v}`);
  if (Array.isArray(v)) return v.join(", ");
  if (typeof v === "object") return v.name;
  return String(v);
}

function splitTags(text) {
  return text
    .split(/[,،]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function formatSize(bytes) {
  const n = Number(bytes) || 0;
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

/** The canned responses in the page's language, read once per page. */
let canned = null;
function cannedResponses() {
  if (!canned) {
    canned = api("GET", `/canned-responses?lang=${encodeURIComponent(document.documentElement.lang)}`);
    canned.catch(() => (canned = null));
  }
  return canned;
}

// ---------------------------------------------------------------- finding tickets

/**
 * The ticket an interaction belongs to: the interaction's own answer names it
 * when the server adds it (`ticket` or `tickets`); otherwise the customer's
 * recent tickets are read and the one linking this interaction is taken.
 */
export async function ticketOfInteraction(interaction, record, customerId) {
  const named = record && (record.ticket || (record.tickets && record.tickets[0]));
  if (named) return Number(typeof named === "object" ? named.id : named);
  if (customerId == null) return null;
  const { tickets } = await api("GET", `/tickets?customer=${customerId}&limit=10`);
  for (const x of tickets || []) {
    const full = await api("GET", `/tickets/${x.id}`);
    if ((full.links || []).some((l) => Number(l.interaction) === Number(interaction))) return Number(x.id);
  }
  return null;
}

/** A ticket by its number ("1042" or "#1042"); null when there is none. */
export async function ticketByNumber(text) {
  const n = Number(String(text).replace(/[^0-9]/g, ""));
  if (!n) return null;
  try {
    return (await api("GET", `/tickets/by-number/${n}`)).ticket;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}
