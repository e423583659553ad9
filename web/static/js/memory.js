// @ts-check
// The session's memory as the inspector shows it: the meter in the
// inspector's toolbar (the server's b frames: what the session holds of its
// byte budget, and what it dropped to stay within it) and the note at the
// top of the log that says how many earlier rows are not kept, by the
// server or by the page (the inspector keeps its latest LOG_BUDGET bytes
// and MAX_LOG rows). Nothing is dropped without this note or the meter
// saying so. It owns the last b frame (memory); it imports constants.js,
// dom.js and util.js.

import { LOG_BUDGET, MAX_LOG } from "./constants.js";
import { tid } from "./dom.js";
import { fmtBytes, nf } from "./util.js";

/** @typedef {import("./types.js").Memory} Memory */

/**
 * What the inspector holds and let go of: bytes and rows it keeps (the
 * rows' sz), the rows it dropped to stay within its budget and their
 * bytes, and the lowest log number it ever received (0 before any).
 * @typedef {{bytes: number, rows: number, droppedRows: number, droppedBytes: number, minN: number}} PageLog
 */

export const memory = {
  /** @type {Memory | null} the last b frame (null from a server that sends none) */
  last: null,
};

const meter = tid("log-memory");
const meterBar = /** @type {HTMLMeterElement} */ (meter.querySelector("meter"));
const meterText = /** @type {HTMLElement} */ (meter.querySelector(".mem-text"));

/** onMemory takes a b frame.
 * @param {Memory} m */
export function onMemory(m) {
  memory.last = m;
}

/** forgetMemory forgets the last b frame (the session is gone). */
export function forgetMemory() {
  memory.last = null;
}

/** notKept is how many earlier rows the page does not show because the
 * server or the page let them go, and their bytes. Log numbers count up
 * by one from 1, so the rows below the lowest the page ever received, and
 * below the oldest the server holds, are the ones the server dropped
 * before the page could have them; the page counts its own.
 * @param {PageLog} p
 * @returns {{rows: number, bytes: number, server: number, page: number}} */
export function notKept(p) {
  const m = memory.last;
  const first = m && m.first > 0 ? m.first : 0;
  // Rows between the server's first and the page's lowest are still to
  // come (the history arrives a page at a time).
  const below = p.minN > 0 ? (first ? Math.min(first, p.minN) : p.minN) - 1 : first ? first - 1 : 0;
  const server = Math.max(0, below);
  let serverBytes = 0;
  if (server && m && m.dropped && m.dropped.rows > 0) {
    serverBytes = server >= m.dropped.rows ? m.dropped.rowBytes : Math.round(m.dropped.rowBytes * server / m.dropped.rows);
  }
  return { rows: server + p.droppedRows, bytes: serverBytes + p.droppedBytes, server, page: p.droppedRows };
}

/** droppedNote is the line the top of the log shows when earlier rows
 * are not kept, or "" when every row is there.
 * @param {PageLog} p
 * @returns {string} */
export function droppedNote(p) {
  const k = notKept(p);
  if (!k.rows) return "";
  const m = memory.last;
  const session = m ? `this session keeps its latest ${fmtBytes(m.budget)}` : "cpsim keeps only the session's latest rows";
  const page = `this page keeps its latest ${fmtBytes(LOG_BUDGET)} (${nf.format(MAX_LOG)} rows at most)`;
  const why = k.server && k.page ? `${session}, and this page its latest ${fmtBytes(LOG_BUDGET)}` : k.server ? session : page;
  const size = k.bytes ? ` (${fmtBytes(k.bytes)})` : "";
  return `${nf.format(k.rows)} earlier row${k.rows === 1 ? "" : "s"}${size} ${k.rows === 1 ? "is" : "are"} not kept: ${why}`;
}

/** renderMemory shows the meter: hidden until the server sends a b frame,
 * then what the session holds of its budget, its title listing what was
 * dropped; data-warn when messages to extensions were lost.
 * @param {PageLog} p */
export function renderMemory(p) {
  const m = memory.last;
  if (!m) {
    meter.hidden = true;
    return;
  }
  meter.hidden = false;
  const d = m.dropped || { rows: 0, rowBytes: 0, full: 0, fullBytes: 0, deliveries: 0, deliveryBytes: 0 };
  const mb = (/** @type {number} */ n) => (n / 1048576).toFixed(n >= 10 * 1048576 ? 0 : 1);
  meterText.textContent = `Memory ${mb(m.used)} of ${fmtBytes(m.budget)}`;
  meterBar.max = Math.max(1, m.budget);
  meterBar.value = Math.min(m.used, m.budget);
  meterBar.high = m.budget * 0.9;
  meterBar.optimum = 0;
  const warn = d.deliveries > 0;
  meter.dataset.warn = String(warn);
  meter.dataset.dropped = String(d.rows + d.full + d.deliveries + p.droppedRows > 0);
  const lines = [
    `This session holds ${fmtBytes(m.used)} of its ${fmtBytes(m.budget)} budget: ${nf.format(m.rows)} log rows${m.rows ? `, from #${m.first} on` : ""}.`,
  ];
  if (m.server) lines.push(`cpsim holds ${fmtBytes(m.server.used)} of ${fmtBytes(m.server.budget)} for all its sessions.`);
  lines.push(`This page keeps ${fmtBytes(p.bytes)} of messages in ${nf.format(p.rows)} rows (at most ${fmtBytes(LOG_BUDGET)} and ${nf.format(MAX_LOG)} rows).`);
  const drops = [];
  if (d.rows) drops.push(`• ${nf.format(d.rows)} log row${d.rows === 1 ? "" : "s"} (${fmtBytes(d.rowBytes)}), the oldest`);
  if (d.full) drops.push(`• the whole text of ${nf.format(d.full)} big message${d.full === 1 ? "" : "s"} (${fmtBytes(d.fullBytes)}): their abridged rows remain`);
  if (d.deliveries) drops.push(`• ${nf.format(d.deliveries)} message${d.deliveries === 1 ? "" : "s"} to extensions (${fmtBytes(d.deliveryBytes)}), never delivered: their rows say which (diagnostic "dropped")`);
  if (drops.length) lines.push("", "Dropped by the session to stay within its budget:", ...drops);
  else lines.push("", "The session has dropped nothing.");
  if (p.droppedRows) lines.push("", `This page let go of its ${nf.format(p.droppedRows)} oldest rows (${fmtBytes(p.droppedBytes)}) to stay within its own limit.`);
  meter.title = lines.join("\n");
}
