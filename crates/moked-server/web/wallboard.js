// The supervisor wallboard: a tile per queue, the agents by state with a ticking
// time in state, a drill-down panel per agent and today's half-hour intervals as
// an SVG chart drawn here (no chart library). Data from `GET /api/v1/wallboard`,
// re-read on `wallboard_changed` events (at most once a second) and every 5 s.
// Tiles name their queue's channel (calls are counted with chats, per queue and
// in the channel totals); open ticket SLA warnings and breaches come from the
// wallboard's `sla` figures and the live `sla` events.

import { api, connectLive, el, formatDateTime, formatDuration, formatTime, replaceChildren, secondsSince, t, toast } from "./common.js";
import { openStaffPage, topbar } from "./login.js";

/** Service level aimed at when the server gives no target: 80 %. */
const DEFAULT_SL_TARGET = 0.8;
/** Below target by less than this is amber, further is red. */
const SL_AMBER_MARGIN = 0.1;
const REFRESH_EVERY_MS = 5000;
const MIN_GAP_MS = 1000;
const SVG_NS = "http://www.w3.org/2000/svg";
/** Half-hour intervals in a day, and a time label every two hours. */
const SLOTS_PER_DAY = 48;
const LABEL_EVERY_SLOTS = 4;

/** The order agents' states are listed in. */
const STATE_ORDER = ["available", "offered", "busy", "wrap_up", "not_ready", "offline"];

const ui = {};
const view = { board: null, selected: null, lastLoad: 0, pending: null, channels: new Map(), liveSla: [] };
/** The symbol before each channel's name. */
const CHANNEL_ICON = { chat: "❝", voice: "☎", email: "✉" };
/** At most this many SLA events are listed. */
const SLA_SHOWN = 20;

/** The first defined of several field names (the server may name a figure either way). */
function pick(obj, ...names) {
  for (const n of names) if (obj && obj[n] !== undefined && obj[n] !== null) return obj[n];
  return null;
}

/** A service level as a fraction 0..1, whether given as a fraction or a percentage. */
function fraction(v) {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return n > 1 ? n / 100 : n;
}

function percent(v) {
  const f = fraction(v);
  return f === null ? "—" : `${Math.round(f * 100)}%`;
}

function slClass(value, target) {
  const f = fraction(value);
  if (f === null) return null;
  if (f >= target) return "sl-ok";
  return f >= target - SL_AMBER_MARGIN ? "sl-warn" : "sl-bad";
}

// ---------------------------------------------------------------- loading

/** Reads the wallboard, at most once a second; a burst of events gives one read. */
function scheduleLoad() {
  if (view.pending) return;
  const wait = Math.max(0, view.lastLoad + MIN_GAP_MS - Date.now());
  view.pending = setTimeout(async () => {
    view.pending = null;
    await load();
  }, wait);
}

async function load() {
  view.lastLoad = Date.now();
  try {
    view.board = await api("GET", "/wallboard");
    render();
    ui.updated.textContent = t("wall.updated", { time: formatTime(new Date()) });
    if (view.selected != null) loadAgent(view.selected, false);
  } catch (e) {
    ui.updated.textContent = e.message;
  }
}

// ---------------------------------------------------------------- queues

function render() {
  const board = view.board;
  const queues = board.queues || [];
  replaceChildren(ui.tiles, queues.length ? [channelTile(queues), queues.map(queueTile)] : el("p", { class: "empty", text: t("wall.no_queues") }));
  renderAgents(board.agents || []);
  renderSla(board.sla);
  renderChart(intervalsOf(board));
}

function queueTile(q) {
  const qid = pick(q, "queue", "id");
  const target = fraction(pick(q, "sl_target", "service_level_target", "target")) ?? DEFAULT_SL_TARGET;
  const slToday = pick(q, "sl_today", "service_level_today", "service_level");
  const sl30 = pick(q, "sl_30m", "sl_last_30m", "service_level_30m", "service_level_last_30m");
  const waiting = pick(q, "waiting", "waiting_now", "in_queue") ?? 0;
  const longest = pick(q, "longest_wait_s", "longest_wait_seconds", "longest_wait") ?? 0;
  const asa = pick(q, "asa_s", "asa_seconds", "asa");
  const row = (key, value, cls) => [el("dt", { text: t(key) }), el("dd", { class: ["num", cls], text: value })];
  return el(
    "article",
    { class: "tile", "aria-labelledby": `q-${qid}` },
    el("h2", { id: `q-${qid}`, text: q.name }),
    channelLine(view.channels.get(Number(qid))),
    el("div", {}, el("span", { class: "big num", text: String(waiting) }), " ", el("span", { class: "muted", text: t("wall.waiting") })),
    el(
      "dl",
      {},
      row("wall.longest_wait", formatDuration(longest), longest > 0 ? "sl-warn" : null),
      row("wall.offered", String(pick(q, "offered", "offered_today") ?? 0)),
      row("wall.answered", String(pick(q, "answered", "answered_today") ?? 0)),
      row("wall.abandoned", String(pick(q, "abandoned", "abandoned_today") ?? 0)),
      row("wall.sl_today", percent(slToday), slClass(slToday, target)),
      row("wall.sl_30m", percent(sl30), slClass(sl30, target)),
      row("wall.sl_target", `${Math.round(target * 100)}%`),
      row("wall.asa", asa === null ? "—" : formatDuration(asa)),
    ),
  );
}

/** A queue's channel before its name (unknown until `GET /queues` answered). */
function channelLabel(channel) {
  if (!channel) return null;
  return el("span", { class: ["channel-icon", `ch-${channel}`], title: t(`channel.${channel}`) }, CHANNEL_ICON[channel] || "", " ");
}

/** The channel under a tile's heading (the heading stays the queue's name alone). */
function channelLine(channel) {
  return channel ? el("div", { class: "tile-channel muted" }, channelLabel(channel), t(`channel.${channel}`)) : null;
}

/** Waiting and offered today per channel: calls, chats and emails side by side. */
function channelTile(queues) {
  const sums = new Map();
  for (const q of queues) {
    const channel = view.channels.get(Number(pick(q, "queue", "id"))) || "chat";
    const sum = sums.get(channel) || { waiting: 0, offered: 0, answered: 0 };
    sum.waiting += Number(pick(q, "waiting") ?? 0);
    sum.offered += Number(pick(q, "offered") ?? 0);
    sum.answered += Number(pick(q, "answered") ?? 0);
    sums.set(channel, sum);
  }
  if (!sums.has("voice")) sums.set("voice", { waiting: 0, offered: 0, answered: 0 });
  const order = ["voice", "chat", "email"].filter((c) => sums.has(c)).concat([...sums.keys()].filter((c) => !["voice", "chat", "email"].includes(c)));
  return el(
    "article",
    { class: "tile channels-tile", "aria-labelledby": "channels-title" },
    el("h2", { id: "channels-title", text: t("wall.contacts") }),
    el(
      "table",
      { class: "channel-grid" },
      el("thead", {}, el("tr", {}, ["wall.channel", "wall.waiting", "wall.offered", "wall.answered"].map((k) => el("th", { scope: "col", text: t(k) })))),
      el(
        "tbody",
        {},
        order.map((c) =>
          el(
            "tr",
            { dataset: { channel: c } },
            el("td", {}, channelLabel(c), t(`channel.${c}`)),
            ["waiting", "offered", "answered"].map((k) => el("td", { class: "num", text: String(sums.get(c)[k]) })),
          ),
        ),
      ),
    ),
  );
}

// ---------------------------------------------------------------- SLA

/** Open warnings and breaches: the wallboard's figures, else the events seen live. */
function renderSla(sla) {
  const latest = sla && Array.isArray(sla.latest) ? sla.latest : view.liveSla;
  const warnings = sla ? Number(sla.warnings ?? 0) : view.liveSla.filter((x) => x.kind === "warning").length;
  const breaches = sla ? Number(sla.breaches ?? 0) : view.liveSla.filter((x) => x.kind === "breach").length;
  replaceChildren(
    ui.slaCounts,
    el("span", { class: ["sla-count", "sla-warning"] }, el("span", { class: "big num", text: String(warnings) }), " ", t("wall.sla_warnings")),
    el("span", { class: ["sla-count", "sla-breached"] }, el("span", { class: "big num", text: String(breaches) }), " ", t("wall.sla_breaches")),
  );
  replaceChildren(
    ui.slaList,
    latest.length
      ? latest.slice(0, SLA_SHOWN).map((x) =>
          el(
            "li",
            { class: ["sla-event", x.kind === "breach" ? "sla-breached" : "sla-warning"] },
            el("strong", { text: t(`wall.sla_kind.${x.kind}`) }),
            " ",
            el("span", { class: "num", text: `#${x.number}` }),
            " ",
            x.subject ? el("bdi", { text: x.subject }) : null,
            " · ",
            t(`wall.sla_target.${x.target}`),
            x.due ? [" · ", t("wall.sla_due"), " ", el("span", { class: "num", text: formatDateTime(x.due) })] : null,
          ),
        )
      : el("li", { class: "muted", text: t("wall.sla_none") }),
  );
}

/** A live `sla` event: listed at once, the board read again for its figures. */
function onSlaEvent(ev) {
  view.liveSla = [{ ticket: ev.ticket, number: ev.number, kind: ev.kind, target: ev.target, due: ev.due }, ...view.liveSla].slice(0, SLA_SHOWN);
  if (!view.board || !view.board.sla) renderSla(null);
  scheduleLoad();
}

// ---------------------------------------------------------------- agents

function agentId(a) {
  return pick(a, "id", "agent", "user");
}

function agentState(a) {
  const s = typeof a.state === "object" && a.state ? a.state.state : a.state;
  return s || "offline";
}

function renderAgents(agents) {
  const sorted = [...agents].sort((a, b) => {
    const d = STATE_ORDER.indexOf(agentState(a)) - STATE_ORDER.indexOf(agentState(b));
    return d || String(a.name || "").localeCompare(String(b.name || ""), undefined);
  });
  const counts = {};
  for (const a of agents) counts[agentState(a)] = (counts[agentState(a)] || 0) + 1;
  replaceChildren(
    ui.agentSummary,
    STATE_ORDER.filter((s) => counts[s]).map((s) =>
      el("span", { class: ["state-pill", `state-${s}`] }, t(`agent_state.${s}`), " ", el("span", { class: "num", text: String(counts[s]) })),
    ),
  );
  replaceChildren(ui.agentRows, sorted.map(agentRow));
}

function agentRow(a) {
  const id = agentId(a);
  const s = agentState(a);
  const since = pick(a, "since", "state_since");
  const reason = pick(a, "reason");
  const open = () => loadAgent(id, true);
  const chats = pick(a, "chats", "active_chats", "contacts");
  return el(
    "tr",
    {
      class: "clickable",
      tabindex: "0",
      "aria-selected": String(Number(id) === Number(view.selected)),
      on: { click: open, keydown: (e) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), open()) },
    },
    el("td", {}, el("bdi", { text: pick(a, "name", "display_name") || "" })),
    el(
      "td",
      {},
      el("span", { class: ["state-pill", `state-${s}`], text: t(`agent_state.${s}`) }),
      reason ? el("span", { class: "muted", text: ` ${t(`presence.reason.${reason}`)}` }) : null,
    ),
    el("td", { class: "num", dataset: since ? { since } : {}, text: since ? formatDuration(secondsSince(since)) : "—" }),
    el("td", { class: "num", text: Array.isArray(chats) ? String(chats.length) : String(chats ?? 0) }),
    el("td", {}, a.phone ? el("span", { class: "phone-on", text: t("wall.phone_registered") }) : el("span", { class: "muted", text: t("wall.phone_none") })),
  );
}

function tickTimes() {
  for (const node of document.querySelectorAll("[data-since]")) node.textContent = formatDuration(secondsSince(node.dataset.since));
}

async function loadAgent(id, focus) {
  view.selected = id;
  for (const row of ui.agentRows.children) row.setAttribute("aria-selected", "false");
  try {
    const detail = await api("GET", `/wallboard/agents/${id}`);
    renderDetail(detail);
    ui.detail.hidden = false;
    if (focus) ui.detailTitle.focus();
  } catch (e) {
    toast(e.message, "error");
  }
}

function renderDetail(d) {
  const agent = d.agent && typeof d.agent === "object" ? { ...d, ...d.agent } : d;
  const s = agentState(agent);
  const since = pick(agent, "since", "state_since");
  const reason = pick(agent, "reason");
  const row = (key, value) => (value === null || value === undefined ? null : [el("dt", { text: t(key) }), el("dd", {}, value)]);
  const chats = pick(d, "chats", "contacts", "active") || [];
  const perState = Array.isArray(d.time_in_state) ? d.time_in_state.filter((x) => x.seconds > 0) : [];
  const today = d.today || d.stats || d;
  ui.detailTitle.textContent = pick(agent, "name", "display_name") || "";
  replaceChildren(
    ui.detailBody,
    el(
      "dl",
      {},
      row("wall.state", el("span", { class: ["state-pill", `state-${s}`], text: t(`agent_state.${s}`) })),
      row("wall.reason", reason ? t(`presence.reason.${reason}`) : null),
      row("wall.time_in_state", since ? el("span", { class: "num", dataset: { since }, text: formatDuration(secondsSince(since)) }) : null),
      row("wall.team", pick(agent, "team_name", "team")),
      row("wall.handled_today", numOrNull(pick(today, "handled_today", "handled", "answered"))),
      row("wall.aht", secondsOrNull(pick(today, "aht_s", "aht_seconds", "average_handle_s"))),
      row("wall.rejected_today", numOrNull(pick(today, "rejected_today", "rejected", "missed"))),
    ),
    perState.length ? el("h3", { text: t("wall.time_per_state") }) : null,
    perState.length
      ? el(
          "ul",
          { class: "state-times" },
          perState.map((x) =>
            el("li", {}, el("span", { class: ["state-pill", `state-${x.state}`], text: t(`agent_state.${x.state}`) }), " ", el("span", { class: "num", text: formatDuration(x.seconds) })),
          ),
        )
      : null,
    el("h3", { text: t("wall.current_chats") }),
    Array.isArray(chats) && chats.length
      ? el("ul", {}, chats.map((c) => el("li", {}, chatLine(c))))
      : el("p", { class: "muted", text: t("wall.no_chats") }),
  );
}

function chatLine(c) {
  if (typeof c !== "object") return t("wall.chat_n", { id: c });
  const parts = [pick(c, "customer_name", "customer") ?? t("wall.chat_n", { id: pick(c, "chat", "id") })];
  const q = pick(c, "queue_name") ?? queueNameOf(pick(c, "queue"));
  if (q) parts.push(q);
  if (c.state) parts.push(t(`agent_state.${c.state}`));
  const since = pick(c, "since", "connected_at", "accepted_at", "created_at");
  return el("span", {}, parts.join(" · "), since ? [" · ", el("span", { class: "num", dataset: { since }, text: formatDuration(secondsSince(since)) })] : null);
}

function queueNameOf(id) {
  const q = ((view.board && view.board.queues) || []).find((x) => Number(pick(x, "queue", "id")) === Number(id));
  return q ? q.name : null;
}

function numOrNull(v) {
  return v === null ? null : el("span", { class: "num", text: String(v) });
}

function secondsOrNull(v) {
  return v === null ? null : el("span", { class: "num", text: formatDuration(v) });
}

// ---------------------------------------------------------------- chart

/** Today's intervals as [{start, offered, answered, sl}], summed over queues when given per queue. */
function intervalsOf(board) {
  if (Array.isArray(board.intervals)) return board.intervals.map(normalizeInterval);
  const byStart = new Map();
  for (const q of board.queues || []) {
    for (const i of q.intervals || []) {
      const n = normalizeInterval(i);
      const sum = byStart.get(n.start) || { start: n.start, offered: 0, answered: 0, inSl: 0, slKnown: false };
      sum.offered += n.offered;
      sum.answered += n.answered;
      if (n.sl !== null) {
        sum.inSl += n.sl * n.offered;
        sum.slKnown = true;
      }
      byStart.set(n.start, sum);
    }
  }
  return [...byStart.values()]
    .sort((a, b) => new Date(a.start) - new Date(b.start))
    .map((s) => ({ start: s.start, offered: s.offered, answered: s.answered, sl: s.slKnown && s.offered ? s.inSl / s.offered : null }));
}

function normalizeInterval(i) {
  return {
    start: pick(i, "start", "starts_at", "from"),
    offered: Number(pick(i, "offered") ?? 0),
    answered: Number(pick(i, "answered") ?? 0),
    sl: fraction(pick(i, "sl", "service_level")),
  };
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Bars for offered and answered per interval, a line for the service level (right axis, 0–100 %). */
function renderChart(intervals) {
  if (!intervals.length) {
    replaceChildren(ui.chart, el("p", { class: "muted", text: t("wall.no_intervals") }));
    return;
  }
  const W = 800;
  const H = 320;
  // Same margin on both sides: the chart is mirrored in RTL.
  const pad = { top: 16, bottom: 36, start: 48, end: 48 };
  const plotW = W - pad.start - pad.end;
  const plotH = H - pad.top - pad.bottom;
  // Whole-number ticks: the axis top is four equal integer steps.
  const tick = niceStep(Math.max(...intervals.map((i) => Math.max(i.offered, i.answered))) / 4);
  const max = tick * 4;
  // The whole day is drawn (intervals run from midnight to now), so a bar keeps
  // its width and place as the day fills up.
  const slots = Math.max(SLOTS_PER_DAY, intervals.length);
  const step = plotW / slots;
  const barW = Math.max(2, step / 2 - 2);
  // The chart reads in time order in both directions, so it is mirrored in RTL.
  const rtl = document.documentElement.dir === "rtl";
  const xOf = (k) => (rtl ? W - pad.start - (k + 1) * step : pad.start + k * step);
  const yOf = (v) => pad.top + plotH - (v / max) * plotH;
  // Physical coordinates inside: text anchors must not flip with the page direction.
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": "chart-title", direction: "ltr" });
  root.append(svg("title", { id: "chart-title" }, t("wall.chart_title")));
  root.append(...gridLines(max, yOf, W, pad, rtl));
  const slPoints = [];
  intervals.forEach((i, k) => {
    const x = xOf(k);
    const label = `${formatTime(i.start)} — ${t("wall.offered")}: ${i.offered}, ${t("wall.answered")}: ${i.answered}, ${t("wall.sl_short")}: ${percent(i.sl)}`;
    const group = svg("g", {});
    group.append(svg("title", {}, label));
    group.append(svg("rect", { x: x + 1, y: yOf(i.offered), width: barW, height: pad.top + plotH - yOf(i.offered), fill: "#8fa9c4" }));
    group.append(svg("rect", { x: x + 1 + barW, y: yOf(i.answered), width: barW, height: pad.top + plotH - yOf(i.answered), fill: "#0b5cad" }));
    root.append(group);
    if (i.sl !== null) {
      const [cx, cy] = [x + step / 2, pad.top + plotH - i.sl * plotH];
      slPoints.push(`${cx},${cy}`);
      root.append(svg("circle", { cx, cy, r: 3, fill: "#b3261e" }));
    }
  });
  const first = new Date(intervals[0].start).getTime();
  for (let k = 0; k < slots; k += LABEL_EVERY_SLOTS) {
    const at = new Date(first + k * 30 * 60 * 1000);
    root.append(svg("text", { x: xOf(k) + step / 2, y: H - pad.bottom + 16, "text-anchor": "middle", "font-size": 14, fill: "#4f5b6b" }, formatTime(at)));
  }
  if (slPoints.length) root.append(svg("polyline", { points: slPoints.join(" "), fill: "none", stroke: "#b3261e", "stroke-width": 2.5 }));
  replaceChildren(ui.chart, root, legend());
}

/** The smallest of 1, 2, 5, 10, 20, 50 … that is at least `raw` (axis steps people read at a glance). */
function niceStep(raw) {
  let step = 1;
  for (let scale = 1; step < raw; scale *= 10) {
    step = [1, 2, 5, 10].map((m) => m * scale).find((v) => v >= raw) ?? 10 * scale;
  }
  return step;
}

function gridLines(max, yOf, W, pad, rtl) {
  const nodes = [];
  const countX = rtl ? W - pad.end + 6 : pad.start - 6;
  const slX = rtl ? pad.start - 6 : W - pad.end + 6;
  const anchorCount = rtl ? "start" : "end";
  const anchorSl = rtl ? "end" : "start";
  for (let k = 0; k <= 4; k += 1) {
    const v = (max * k) / 4;
    const y = yOf(v);
    nodes.push(svg("line", { x1: pad.start, x2: W - pad.end, y1: y, y2: y, stroke: "#d5dbe2" }));
    nodes.push(svg("text", { x: countX, y: y + 4, "text-anchor": anchorCount, "font-size": 14, fill: "#4f5b6b" }, String(Math.round(v))));
    nodes.push(svg("text", { x: slX, y: y + 4, "text-anchor": anchorSl, "font-size": 14, fill: "#b3261e" }, `${k * 25}%`));
  }
  return nodes;
}

function legend() {
  const item = (cls, key) => el("span", {}, el("span", { class: ["legend-swatch", cls] }), t(key));
  return el("div", { class: "legend" }, item("sw-offered", "wall.offered"), item("sw-answered", "wall.answered"), item("sw-sl", "wall.sl_short"));
}

// ---------------------------------------------------------------- page

function layout(session) {
  ui.tiles = el("section", { class: "tiles", "aria-label": t("wall.queues") });
  ui.agentSummary = el("div", { class: "agent-summary" });
  ui.agentRows = el("tbody", {});
  ui.detailTitle = el("h2", { tabindex: "-1" });
  ui.detailBody = el("div", {});
  ui.detail = el(
    "aside",
    { class: "panel detail", hidden: true, "aria-live": "polite", "aria-labelledby": "detail-title" },
    el("div", { class: "chat-head" }, ui.detailTitle, el("span", { class: "spacer" }), el("button", {
      type: "button",
      class: "secondary",
      on: { click: () => ((ui.detail.hidden = true), (view.selected = null)) },
      text: t("common.close"),
    })),
    ui.detailBody,
  );
  ui.detailTitle.id = "detail-title";
  ui.chart = el("div", { class: "chart" });
  ui.slaCounts = el("div", { class: "sla-counts" });
  ui.slaList = el("ul", { class: "sla-list" });
  ui.updated = el("span", { class: "muted", role: "status" });
  return [
    topbar(session, "wallboard", ui.updated),
    el(
      "main",
      { class: "wall" },
      el("h1", { class: "sr-only", text: t("wallboard.title") }),
      ui.tiles,
      el(
        "div",
        { class: "wall-row" },
        el(
          "section",
          { class: "panel", "aria-labelledby": "agents-title" },
          el("h2", { id: "agents-title", text: t("wall.agents") }),
          ui.agentSummary,
          el(
            "table",
            { class: "grid" },
            el("thead", {}, el("tr", {}, ["wall.agent", "wall.state", "wall.time_in_state", "wall.chats", "wall.phone"].map((k) => el("th", { scope: "col", text: t(k) })))),
            ui.agentRows,
          ),
        ),
        el("section", { class: "panel", "aria-labelledby": "chart-heading" }, el("h2", { id: "chart-heading", text: t("wall.chart_title") }), ui.chart),
      ),
      el(
        "section",
        { class: "panel sla-panel", "aria-labelledby": "sla-title", "aria-live": "polite" },
        el("h2", { id: "sla-title", text: t("wall.sla") }),
        ui.slaCounts,
        ui.slaList,
      ),
      ui.detail,
    ),
  ];
}

/** Each queue's channel (the wallboard's queues do not carry it). */
async function loadChannels() {
  try {
    for (const q of await api("GET", "/queues")) view.channels.set(Number(q.id), q.channel);
  } catch (e) {
    toast(e.message, "error");
  }
}

async function start() {
  const session = await openStaffPage("supervisor");
  if (!session) return;
  const app = document.getElementById("app");
  replaceChildren(app, layout(session));
  app.removeAttribute("aria-busy");
  await loadChannels();
  await load();
  setInterval(tickTimes, 1000);
  setInterval(scheduleLoad, REFRESH_EVERY_MS);
  connectLive(
    (ev) => {
      if (ev.type === "sla") onSlaEvent(ev);
      else if (["wallboard_changed", "agent_state", "phone", "ticket", "resync"].includes(ev.type)) scheduleLoad();
    },
    (up) => up && scheduleLoad(),
  );
}

start();
