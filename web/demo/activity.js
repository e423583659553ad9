// @ts-check
// The activity monitor's script: see activity.html. A global extension: it
// lists every state and status event the panel sends, and exposes them as
// window.cpsimActivity for tests. It owns that list and its counters, and
// talks to the panel through panel.js (the only module it imports), which
// checks every message's source and origin and posts only to the panel's
// origin.
import { framed, fromPanel, panelOrigin, post, stop } from "./panel.js";

/** A state or status message, as listed.
 * @typedef {{at: string, type: Kind, attribute: string, value: unknown, interaction: string | undefined}} Heard */
/** @typedef {"state" | "status"} Kind */

const MAX_ROWS = 1000;
/** Every message heard, oldest first. @type {Heard[]} */
const events = [];
/** How many messages were heard, in all and of each kind. */
const counts = { total: 0, state: 0, status: 0 };
/** How many messages were heard of each kind and attribute ("state:cad"). @type {Map<string, number>} */
const byAttr = new Map();
Object.assign(window, { cpsimActivity: { events, counts } });

/** $ finds the element with id: one of activity.html's.
 * @param {string} id
 * @returns {HTMLElement} */
function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`activity monitor: no element #${id}`);
  return el;
}

/** The log's rows (activity.html's tbody#log). @returns {HTMLTableSectionElement} */
function logBody() {
  const el = $("log");
  if (!(el instanceof HTMLTableSectionElement)) throw new Error("activity monitor: #log is not a tbody");
  return el;
}

/** conn shows the connection's state.
 * @param {string} state
 * @param {string} text */
const conn = (state, text) => { $("conn").dataset.state = state; $("conn").textContent = text; };

/** summary is a message's value in one line, by attribute.
 * @param {string} attribute
 * @param {unknown} v
 * @returns {string} */
function summary(attribute, v) {
  if (v === null || v === undefined) return String(v);
  if (typeof v !== "object") return String(v);
  const value = /** @type {Record<string, unknown>} */ (v);
  switch (attribute) {
    case "message":
      return `${value.originator || "?"}: ${value.message || ""}`;
    case "activeInteraction": {
      const ch = value.channel_sub_type || value.channel_type || "";
      return `${ch} ${value.title || value.originator || ""} (${value.status || ""})`.trim();
    }
    case "activeExtension":
      return String(value.text || value.key || JSON.stringify(value));
    case "profile":
      return `${value.name || ""}${value.type ? " (" + value.type + ")" : ""}`;
    case "cad": {
      const keys = Object.keys(value);
      return keys.length ? keys.map((k) => `${k}=${typeof value[k] === "object" ? JSON.stringify(value[k]) : value[k]}`).join(", ") : "(empty)";
    }
    default:
      return JSON.stringify(value);
  }
}

/** record lists a state or status message.
 * @param {Kind} type
 * @param {unknown} payload */
function record(type, payload) {
  const p = /** @type {{attribute?: unknown, value?: unknown, interaction?: unknown}} */ (payload && typeof payload === "object" ? payload : {});
  const attribute = typeof p.attribute === "string" ? p.attribute : "(none)";
  const at = new Date();
  const it = /** @type {{id?: string} | null} */ (p.interaction && typeof p.interaction === "object" ? p.interaction : null);
  events.push({ at: at.toISOString(), type, attribute, value: p.value, interaction: it ? it.id : undefined });
  counts.total++;
  counts[type]++;
  const key = `${type}:${attribute}`;
  byAttr.set(key, (byAttr.get(key) || 0) + 1);

  $("count-total").textContent = String(counts.total);
  $("count-state").textContent = String(counts.state);
  $("count-status").textContent = String(counts.status);
  renderAttributes();

  const log = logBody();
  const empty = log.querySelector(".empty");
  if (empty) empty.remove();
  const tr = document.createElement("tr");
  tr.dataset.type = type;
  tr.dataset.attribute = attribute;
  /** @param {string} cls @param {string} text */
  const cell = (cls, text) => {
    const td = document.createElement("td");
    td.className = cls;
    td.textContent = text;
    tr.append(td);
    return td;
  };
  cell("time", at.toLocaleTimeString([], { hour12: false }) + "." + String(at.getMilliseconds()).padStart(3, "0"));
  const typeCell = cell("col-type", "");
  const badge = document.createElement("span");
  badge.className = "type";
  badge.textContent = type;
  typeCell.append(badge);
  cell("attr", attribute);
  const v = cell("value", summary(attribute, p.value));
  v.title = JSON.stringify(p.value);
  const itCell = cell("col-it", "");
  if (it && it.id) {
    const code = document.createElement("code");
    code.textContent = String(it.id).slice(0, 8) + "…";
    code.title = it.id;
    itCell.append(code);
  }
  log.prepend(tr);
  while (log.rows.length > MAX_ROWS) log.deleteRow(log.rows.length - 1);
}

/** renderAttributes shows how many messages of each attribute were heard. */
function renderAttributes() {
  const box = $("by-attribute");
  box.replaceChildren(...[...byAttr.entries()].sort().map(([key, n]) => {
    const [type, attribute] = key.split(":");
    const s = document.createElement("span");
    s.dataset.type = type;
    s.dataset.attribute = attribute;
    s.dataset.count = String(n);
    s.append(attribute);
    const b = document.createElement("b");
    b.textContent = String(n);
    s.append(b);
    return s;
  }));
}

/** onMessage takes a message from the panel, and only from it.
 * @param {MessageEvent} event */
function onMessage(event) {
  if (!fromPanel(event)) return;
  const msg = event.data;
  if (!msg || typeof msg !== "object") return;
  if (msg.type === "state" || msg.type === "status") {
    record(msg.type, msg.payload);
  } else if (msg.type === "response" && msg.id === "activity-init") {
    const p = msg.payload || {};
    if (p.value === "error") conn("refused", "The panel refused init: " + (p.reason || "no reason given"));
    else conn("connected", "Listening");
  } else if (msg.type === "exit") {
    window.removeEventListener("message", onMessage);
    stop("the panel sent exit");
    conn("stopped", "Stopped: the panel sent exit");
  }
}

if (!framed || !panelOrigin) {
  conn("standalone", "Not inside the Communication Panel: load it as a global extension in cpsim (http://127.0.0.1:8080/).");
} else {
  window.addEventListener("message", onMessage);
  post({ id: "activity-init", type: "init", payload: true });
}
