// @ts-check
// The message inspector: every message between the extensions and the
// panel as the server logs it (l frames), with filters, a virtual list (only
// the rows in view are in the document), the selected row's details, a mark
// on each response later than 5 s by the server's clock, and saving the log
// as JSON. A big message comes as an abridged preview (cut): its row says
// so and its details load the whole message on demand (a full frame). The
// log keeps its latest LOG_BUDGET bytes of messages (the rows' sz) and
// MAX_LOG rows; a note at the top of the list says how many earlier rows
// are not kept (memory.js). It only appends to an array and adds to a sum
// on the hot path and renders through render.js. It owns the log (L) and
// the inspector's elements; it imports model.js, memory.js, relay.js (the
// session, for the saved log; full requests), render.js, clipboard.js,
// toast.js and the helpers.

import { LOG_BUDGET, MAX_LOG, ROW_H, SLOW_RESPONSE_MS } from "./constants.js";
import { copyText, saveFile } from "./clipboard.js";
import { h, icon, tid } from "./dom.js";
import { droppedNote, forgetMemory, renderMemory } from "./memory.js";
import { model } from "./model.js";
import { relayState } from "./relay.js";
import { markLogDirty } from "./render.js";
import { toast } from "./toast.js";
import { fmtBytes, fmtClock, nf, sig, truncate, visibleControls } from "./util.js";
import { abridgedNote, forgetWhole, jsonView, saveMessage, wholeOf, wholeState } from "./whole.js";

/** The inspector's log and what it shows of it. */
/** An l frame: one row of the server's log (docs/relay.md). @typedef {import("./types.js").LogEntry} LogEntry */
/** @typedef {import("./types.js").Diag} Diag */
/**
 * What the inspector derived from an entry.
 * @typedef {{e: LogEntry, type: string, id: string, sev: string, sum: {text: string, err: boolean} | null,
 *   hay: string | null, respN: number, respMs: number}} LogRow
 */
const L = {
  /** @type {LogEntry[]} */
  entries: [], // the l frames, in log number order (window.cpsim.log)
  /** @type {LogRow[]} */
  rows: [], // derived data for entries[i]
  /** @type {LogEntry[]} */
  late: [], // entries that arrived out of order, merged in the next pass
  maxN: 0,
  /** @type {number[]} */
  filtered: [], // indexes of rows that pass the filter
  filterSig: "",
  selected: 0, // log number of the selected row, 0 for none
  stick: true,
  autoScrollTop: -1,
  clearedN: 0,
  /** @type {Set<string>} */
  types: new Set(),
  /** @type {Set<string>} */
  insts: new Set(),
  problems: 0,
  unseen: 0,
  /** bytes of the messages of entries and late (their sz) */
  bytes: 0,
  /** rows dropped to stay within LOG_BUDGET and MAX_LOG, and their bytes */
  droppedRows: 0,
  droppedBytes: 0,
  /** the lowest log number received since the log was cleared (0: none) */
  minN: 0,
  /** entries changed beyond appending (merged or trimmed): rows are derived again */
  stale: false,
  /** px above the first row: the note on rows not kept, when shown */
  off: 0,
};
const logList = tid("log-list");
const logSpacer = /** @type {HTMLElement} */ (logList.querySelector(".log-spacer"));
const logDetail = tid("log-detail");
const logCount = tid("log-count");
const logProblemCount = tid("log-problem-count");
const logEmpty = tid("log-empty");
const logJump = tid("log-jump");
const logNote = h("div", { class: "log-note", testid: "log-dropped", attrs: { role: "note" }, hidden: true });
logList.append(logNote);
const filt = {
  text: /** @type {HTMLInputElement} */ (tid("log-filter")),
  dir: /** @type {HTMLSelectElement} */ (tid("log-dir")),
  type: /** @type {HTMLSelectElement} */ (tid("log-type")),
  inst: /** @type {HTMLSelectElement} */ (tid("log-instance")),
  problems: /** @type {HTMLInputElement} */ (tid("log-problems")),
};

/** logReceive takes an l frame.
 * @param {LogEntry} f */
export function logReceive(f) {
  if (f.n > L.maxN) {
    L.entries.push(f);
    L.maxN = f.n;
  } else {
    L.late.push(f);
  }
  if (f.n < L.minN || !L.minN) L.minN = f.n;
  L.bytes += f.sz || 0;
  // Trimmed on render; between renders (a hidden page renders seldom)
  // the log may pass its budget by a quarter at most.
  if (L.bytes > LOG_BUDGET * 1.25 || L.entries.length + L.late.length > MAX_LOG * 1.25) { merge(); trim(); }
  markLogDirty(true);
}

/** clearLog clears the inspector: all forgets the log (the session is gone), else the rows so far are hidden.
 * @param {boolean} all */
export function clearLog(all) {
  if (all) {
    L.entries = [];
    L.rows = [];
    L.late = [];
    L.maxN = 0;
    L.clearedN = 0;
    L.types.clear();
    L.insts.clear();
    L.problems = 0;
    L.bytes = L.droppedRows = L.droppedBytes = L.minN = 0;
    forgetWhole(0);
    forgetMemory();
  } else {
    L.clearedN = L.maxN;
  }
  L.selected = 0;
  L.filterSig = "";
  markLogDirty();
}

/** severity is a row's worst diagnostic: error, warning, info (a note,
 * not a problem) or "".
 * @param {Diag[] | undefined} diag
 * @returns {string} */
function severity(diag) {
  if (!diag || !diag.length) return "";
  if (diag.some((d) => d.severity === "error")) return "error";
  return diag.some((d) => d.severity === "warning") ? "warning" : "info";
}
const isProblem = (/** @type {string} */ sev) => sev === "error" || sev === "warning";

/** derive is the row of an entry.
 * @param {LogEntry} e
 * @returns {LogRow} */
export function derive(e) {
  const m = e.m;
  const o = m && typeof m === "object" && !Array.isArray(m) ? m : null;
  let type;
  if (o) type = typeof o.type === "string" ? o.type : "(no type)";
  else if (e.raw !== undefined) type = "bad";
  else if (m === undefined) type = "note";
  else type = Array.isArray(m) ? "array" : typeof m;
  const id = o && o.id !== undefined && o.id !== null ? (typeof o.id === "string" ? o.id : JSON.stringify(o.id)) : "";
  return { e, type, id, sev: severity(e.diag), sum: null, hay: null, respN: 0, respMs: 0 };
}

/** short sums a value of a message up in about n characters.
 * @param {any} v any JSON value an extension sent or got
 * @param {number} [n]
 * @returns {string} */
function short(v, n = 48) {
  if (v === null) return "null";
  switch (typeof v) {
    case "string": return `"${truncate(v, n)}"`;
    case "number": case "boolean": return String(v);
    case "undefined": return "—";
  }
  if (Array.isArray(v)) return `[${v.length} item${v.length === 1 ? "" : "s"}]`;
  if (v.channel_type && v.id) return `interaction ${v.id} (${v.channel_sub_type || v.channel_type}, ${v.status})`;
  if (v.username !== undefined && v.presence_profiles) return `user ${v.username}`;
  if (v.key !== undefined && v.url !== undefined) return `extension ${v.key}`;
  if (v.message !== undefined && v.originator !== undefined) return `"${truncate(String(v.message), n)}" from ${v.originator}`;
  if (Array.isArray(v.messages)) return `transcript (${v.messages.length} messages)`;
  if (v.name !== undefined && v.availability !== undefined) return `profile ${v.name}`;
  const keys = Object.keys(v);
  if (!keys.length) return "{}";
  if (keys.length <= 12) {
    let j;
    try { j = JSON.stringify(v); } catch { j = ""; }
    if (j && j.length <= 4096) return truncate(j, n + 24);
  }
  return `{${truncate(keys.join(", "), n)}}`;
}

/** summary sums a row up in a line.
 * @param {LogRow} r */
export function summary(r) {
  if (r.sum !== null) return r.sum;
  const e = r.e, m = e.m;
  let s = "";
  let err = false;
  if (e.raw !== undefined) s = e.raw;
  else if (m === undefined) s = e.diag && e.diag.length ? e.diag[0].text : e.seq ? `delivery ${e.seq} (its d frame was not in the same websocket message)` : "";
  else if (!m || typeof m !== "object" || Array.isArray(m)) s = short(m, 80);
  else {
    const p = m.payload;
    const po = p && typeof p === "object" && !Array.isArray(p) ? p : null;
    switch (r.type) {
      case "action":
        if (po) {
          s = `${po.command === undefined ? "(no command)" : po.command} ${po.value === undefined ? "" : short(po.value)}`;
          if (po.interactionId) s += ` on ${po.interactionId}`;
        } else s = "(no payload)";
        break;
      case "response":
        if (po && po.value === "error") { s = `error: ${po.reason || "(no reason)"}`; err = true; }
        else s = po ? short(po.value, 60) : "(no payload)";
        break;
      case "state":
      case "status":
        s = po ? `${po.attribute} = ${short(po.value)}${po.interaction && po.interaction.id ? ` · ${po.interaction.id}` : ""}` : "(no payload)";
        break;
      case "init":
        s = `init ${p === undefined ? "(no payload)" : short(p)}`;
        break;
      case "exit":
        s = "exit" + (p !== undefined ? ` ${short(p)}` : "");
        break;
      default:
        s = p === undefined ? "" : short(p, 60);
    }
  }
  r.sum = { text: visibleControls(s.trim()), err };
  return r.sum;
}

/** haystack is the lowercased text the filter searches in a row.
 * @param {LogRow} r
 * @returns {string} */
function haystack(r) {
  if (r.hay === null) {
    const e = r.e;
    let body;
    try { body = e.m === undefined ? (e.raw || "") : JSON.stringify(e.m); } catch { body = ""; }
    r.hay = `${e.n} ${e.i} ${e.k} ${e.dir} ${r.type} ${r.id} ${body} ${(e.diag || []).map((d) => d.kind + " " + d.path + " " + d.text).join(" ")}`.toLowerCase();
  }
  return r.hay;
}

function currentFilter() {
  return { text: filt.text.value.trim().toLowerCase(), dir: filt.dir.value, type: filt.type.value, inst: filt.inst.value, problems: filt.problems.checked, cleared: L.clearedN };
}
/** matches says whether a row passes the filter f.
 * @param {LogRow} r
 * @param {ReturnType<typeof currentFilter>} f */
function matches(r, f) {
  const e = r.e;
  if (e.n <= f.cleared) return false;
  if (f.dir && e.dir !== f.dir) return false;
  if (f.type && r.type !== f.type) return false;
  if (f.inst && e.i !== f.inst) return false;
  if (f.problems && !isProblem(r.sev)) return false;
  if (f.text) {
    const words = f.text.split(/\s+/);
    const hay = haystack(r);
    for (const w of words) if (!hay.includes(w)) return false;
  }
  return true;
}

/** findRow is the index in L.rows of log number n, or -1.
 * @param {number} n
 * @returns {number} */
function findRow(n) {
  let lo = 0, hi = L.rows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = L.rows[mid].e.n;
    if (x === n) return mid;
    if (x < n) lo = mid + 1; else hi = mid - 1;
  }
  return -1;
}

/** pair notes a response's row on its request's row.
 * @param {LogRow} r */
function pair(r) {
  if (!r.e.re) return;
  const i = findRow(r.e.re);
  if (i >= 0) { L.rows[i].respN = r.e.n; L.rows[i].respMs = /** @type {number} ms comes with re */ (r.e.ms); }
}

/** @param {LogRow} r */
function addRow(r) {
  L.types.add(r.type);
  if (r.e.i) L.insts.add(r.e.i);
  if (isProblem(r.sev)) L.problems++;
}

/** merge puts the entries that arrived out of order (the history of a
 * reloaded page, after the rows that came live) in their place, once
 * each. */
function merge() {
  if (!L.late.length) return;
  const have = new Set(L.entries.map((e) => e.n));
  const add = [];
  for (const e of L.late) {
    if (have.has(e.n)) L.bytes -= e.sz || 0;
    else { have.add(e.n); add.push(e); }
  }
  L.late = [];
  if (!add.length) return;
  L.entries = L.entries.concat(add).sort((a, b) => a.n - b.n);
  L.stale = true;
}

/** trim drops the oldest entries while the log is past LOG_BUDGET bytes
 * or MAX_LOG rows, down to nine tenths of them (so that it trims seldom),
 * and counts them for the note. It keeps the latest entry whatever its
 * size. */
function trim() {
  if (L.bytes <= LOG_BUDGET && L.entries.length <= MAX_LOG) return;
  const keepBytes = LOG_BUDGET * 0.9, keepRows = Math.floor(MAX_LOG * 0.9);
  let i = 0, bytes = L.bytes;
  while (i < L.entries.length - 1 && (bytes > keepBytes || L.entries.length - i > keepRows)) bytes -= L.entries[i++].sz || 0;
  if (!i) return;
  L.droppedRows += i;
  L.droppedBytes += L.bytes - bytes;
  L.bytes = bytes;
  L.entries.splice(0, i);
  forgetWhole(L.entries[0].n);
  L.stale = true;
}

/** ingest derives rows for new entries; returns true when the order changed. */
function ingest() {
  merge();
  trim();
  const resorted = L.stale;
  if (resorted) {
    L.stale = false;
    L.rows = [];
    L.types.clear();
    L.insts.clear();
    L.problems = 0;
  }
  const start = L.rows.length;
  for (let i = start; i < L.entries.length; i++) {
    const r = derive(L.entries[i]);
    L.rows.push(r);
    addRow(r);
  }
  if (resorted) { for (const r of L.rows) pair(r); }
  else for (let i = start; i < L.rows.length; i++) pair(L.rows[i]);
  return { resorted, start };
}

/** pageLog is what the log holds and let go of, for memory.js.
 * @returns {import("./memory.js").PageLog} */
function pageLog() {
  return { bytes: L.bytes, rows: L.entries.length + L.late.length, droppedRows: L.droppedRows, droppedBytes: L.droppedBytes, minN: L.minN };
}

function refreshFilterOptions() {
  /** addOptions adds to the select sel an option for each of values it lacks.
   * @param {HTMLSelectElement} sel
   * @param {Set<string>} values
   * @param {(v: string) => string} [label] */
  const addOptions = (sel, values, label) => {
    const have = new Set([...sel.options].map((o) => o.value));
    for (const v of [...values].sort()) if (!have.has(v)) sel.append(h("option", { value: v, text: label ? label(v) : v }));
  };
  addOptions(filt.type, L.types);
  addOptions(filt.inst, L.insts);
}
export function updateInstanceFilter() {
  if (model.view) for (const i of model.view.instances || []) L.insts.add(i.id);
  refreshFilterOptions();
}

/** @type {(HTMLElement & {_key?: string})[]} the inspector's row elements, reused as it scrolls */
const pool = [];

export function renderLog() {
  const { resorted, start } = ingest();
  const f = currentFilter();
  const fs = sig(f);
  const prevLen = L.filtered.length;
  if (resorted || fs !== L.filterSig) {
    L.filterSig = fs;
    L.filtered = [];
    for (let i = 0; i < L.rows.length; i++) if (matches(L.rows[i], f)) L.filtered.push(i);
  } else {
    for (let i = start; i < L.rows.length; i++) if (matches(L.rows[i], f)) L.filtered.push(i);
  }
  const added = L.filtered.length - prevLen;
  if (!L.stick && added > 0) L.unseen += added;
  refreshFilterOptions();

  const total = L.filtered.length;
  logCount.textContent = total === L.rows.length ? nf.format(total) : `${nf.format(total)} / ${nf.format(L.rows.length)}`;
  logProblemCount.textContent = nf.format(L.problems);
  logProblemCount.dataset.zero = String(L.problems === 0);
  const page = pageLog();
  renderMemory(page);
  const note = droppedNote(page);
  if (logNote.textContent !== note) logNote.textContent = note;
  logNote.hidden = !note;
  L.off = note ? ROW_H : 0;
  const off = L.off;
  logEmpty.hidden = total > 0;
  if (!total && L.rows.length) logEmpty.textContent = "No message matches the filter.";
  else logEmpty.textContent = "No messages yet. They appear here as extensions and the panel talk.";

  logSpacer.style.height = off + total * ROW_H + "px";
  if (L.stick) {
    logList.scrollTop = logList.scrollHeight;
    L.autoScrollTop = logList.scrollTop; // the scroll event this causes needs no second render
    L.unseen = 0;
  }
  logJump.hidden = L.stick || L.unseen === 0;
  if (!logJump.hidden) logJump.textContent = `${nf.format(L.unseen)} new ↓`;

  const top = Math.max(0, logList.scrollTop - off);
  const height = logList.clientHeight || 300;
  const last = Math.min(total, Math.ceil((top + height) / ROW_H) + 4);
  const first = Math.max(0, Math.min(Math.floor(top / ROW_H) - 4, last - Math.ceil(height / ROW_H) - 8));
  const need = last - first;
  while (pool.length < need) {
    const el = h("div", { class: "log-row", testid: "log-row", attrs: { role: "option" } },
      h("span", { class: "c-time" }), h("span", { class: "c-dir" }, h("span", { class: "dir" })), h("span", { class: "c-inst" }),
      h("span", { class: "c-id" }), h("span", { class: "c-type" }), h("span", { class: "c-sum" }), h("span", { class: "c-ms" }));
    el.addEventListener("click", () => selectRow(Number(el.dataset.n)));
    pool.push(el);
  }
  // Only the rows in view are in the document (tests can trust them);
  // the rest of the pool waits detached.
  // Row idx always uses pool[idx % need], so that while new rows arrive
  // only the rows that scroll in are filled; the others just move.
  for (let idx = first; idx < last; idx++) {
    const el = pool[idx % need];
    fillRow(el, L.rows[L.filtered[idx]], idx, off);
    if (!el.isConnected) logList.append(el);
  }
  for (let j = need; j < pool.length; j++) if (pool[j].isConnected) pool[j].remove();
  renderLogDetail();
}

/** fillRow shows row r in el, at position idx of the filtered rows.
 * @param {HTMLElement & {_key?: string}} el
 * @param {LogRow} r
 * @param {number} idx
 * @param {number} off px above the first row */
function fillRow(el, r, idx, off) {
  el.style.transform = `translateY(${off + idx * ROW_H}px)`;
  el.classList.toggle("alt", idx % 2 === 1);
  const e = r.e;
  const key = `${e.n}|${r.respN}|${L.selected === e.n}`;
  if (el._key === key) return;
  el._key = key;
  el.dataset.n = String(e.n);
  el.dataset.dir = e.dir;
  el.dataset.type = r.type;
  el.dataset.instance = e.i;
  el.dataset.id = r.id;
  if (r.sev) el.dataset.sev = r.sev; else delete el.dataset.sev;
  el.setAttribute("aria-selected", String(L.selected === e.n));
  const [cTime, cDir, cInst, cId, cType, cSum, cMs] = /** @type {HTMLCollectionOf<HTMLElement>} */ (el.children);
  const d = new Date(e.at);
  cTime.textContent = Number.isNaN(d.getTime()) ? e.at : fmtClock(d);
  const dir = /** @type {HTMLElement} */ (cDir.firstChild);
  dir.dataset.dir = e.dir;
  dir.textContent = e.dir === "in" ? "IN" : "OUT";
  cDir.title = e.dir === "in" ? "in: from the extension to the panel" : "out: from the panel to the extension";
  cInst.textContent = e.i;
  cInst.title = `${e.i} (${e.k})`;
  cId.textContent = r.id;
  cId.title = r.id;
  cType.textContent = r.type;
  cType.dataset.type = r.type;
  const s = summary(r);
  cSum.replaceChildren();
  if (r.sev) cSum.append(h("span", { class: "sev", data: { sev: r.sev }, text: r.sev === "error" ? "✕" : r.sev === "warning" ? "⚠" : "ℹ" }));
  if (e.cut) cSum.append(h("span", { class: "cut-badge", testid: "log-abridged", title: `An abridged preview: the message is ${fmtBytes(e.cut)} of JSON. Its details load the whole message.`, text: `abridged · ${fmtBytes(e.cut)}` }));
  cSum.append(s.err ? h("span", { class: "err", text: s.text }) : s.text);
  if (r.sev && e.m !== undefined) cSum.append(h("span", { class: "sev", data: { sev: r.sev }, text: ` — ${/** @type {Diag[]} a row with sev has diagnostics */ (e.diag)[0].text}` }));
  el.title = r.sev ? /** @type {Diag[]} */ (e.diag).map((x) => `${x.severity}: ${x.text}`).join("\n") : "";
  const ms = e.re ? e.ms : r.respN ? r.respMs : null;
  const waiting = ms == null && e.dir === "in" && (r.type === "action" || r.type === "init") && r.id !== "";
  const slow = ms != null && isSlow(ms);
  if (slow) cMs.replaceChildren(h("span", { class: "slow-badge", testid: "log-slow", text: `${(ms / 1000).toFixed(1)} s` }));
  else cMs.textContent = ms != null ? fmtMs(ms) : waiting ? "…" : "";
  cMs.dataset.slow = String(slow);
  const pairTitle = e.re ? `answers #${e.re} after ${ms} ms` : r.respN ? `answered by #${r.respN} after ${r.respMs} ms` : waiting ? "no response yet" : "";
  cMs.title = slow ? `${slowNote(ms)}\n${pairTitle}` : pairTitle;
}
const fmtMs = (/** @type {number} */ ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

/** isSlow says whether a response came later than client code waits.
 * @param {number} ms the server's milliseconds between request and response
 * @returns {boolean} */
const isSlow = (ms) => ms > SLOW_RESPONSE_MS;
/** slowNote says what a slow response means to the extension.
 * @param {number} ms
 * @returns {string} */
const slowNote = (ms) => `answered after ${(ms / 1000).toFixed(1)} s: CPC and most client code give up after ${SLOW_RESPONSE_MS / 1000} s and never see such a response`;

logList.addEventListener("scroll", () => {
  if (L.stick && logList.scrollTop === L.autoScrollTop) return; // our own auto-scroll
  const atBottom = logList.scrollTop + logList.clientHeight >= logList.scrollHeight - ROW_H / 2;
  if (atBottom !== L.stick) L.stick = atBottom;
  if (atBottom) L.unseen = 0;
  markLogDirty();
}, { passive: true });
logJump.addEventListener("click", () => { L.stick = true; markLogDirty(); });
new ResizeObserver(() => markLogDirty()).observe(logList);

for (const el of [filt.text]) el.addEventListener("input", () => markLogDirty());
for (const el of [filt.dir, filt.type, filt.inst, filt.problems]) el.addEventListener("change", () => markLogDirty());
/** showProblems filters the inspector to the rows with problems. */
export function showProblems() {
  filt.problems.checked = true;
  markLogDirty();
}
filt.text.addEventListener("keydown", (e) => { if (e.key === "Escape") { filt.text.value = ""; markLogDirty(); } });
tid("log-clear").addEventListener("click", () => clearLog(false));

/** selectRow selects the row of log number n, or unselects it if it is selected.
 * @param {number} n */
function selectRow(n) {
  L.selected = L.selected === n ? 0 : n;
  for (const el of pool) el._key = "";
  markLogDirty();
}

logList.addEventListener("keydown", (e) => {
  if (!["ArrowUp", "ArrowDown", "Home", "End", "Escape", "PageUp", "PageDown"].includes(e.key)) return;
  e.preventDefault();
  if (e.key === "Escape") { L.selected = 0; for (const el of pool) el._key = ""; markLogDirty(); return; }
  const total = L.filtered.length;
  if (!total) return;
  let pos = L.selected ? L.filtered.findIndex((i) => L.rows[i].e.n === L.selected) : -1;
  const page = Math.max(1, Math.floor(logList.clientHeight / ROW_H) - 1);
  if (e.key === "ArrowDown") pos = Math.min(total - 1, pos + 1);
  else if (e.key === "ArrowUp") pos = pos < 0 ? total - 1 : Math.max(0, pos - 1);
  else if (e.key === "PageDown") pos = Math.min(total - 1, pos + page);
  else if (e.key === "PageUp") pos = Math.max(0, pos - page);
  else if (e.key === "Home") pos = 0;
  else if (e.key === "End") pos = total - 1;
  L.selected = L.rows[L.filtered[pos]].e.n;
  scrollToPos(pos);
  for (const el of pool) el._key = "";
  markLogDirty();
});
/** scrollToPos scrolls the list so that filtered row pos shows.
 * @param {number} pos */
function scrollToPos(pos) {
  const y = L.off + pos * ROW_H;
  if (y < logList.scrollTop) logList.scrollTop = y;
  else if (y + ROW_H > logList.scrollTop + logList.clientHeight) logList.scrollTop = y + ROW_H - logList.clientHeight;
  L.stick = logList.scrollTop + logList.clientHeight >= logList.scrollHeight - ROW_H / 2;
}
/** jumpTo selects and shows the row of log number n, clearing the filter if it hides it.
 * @param {number} n */
export function jumpTo(n) {
  let pos = L.filtered.findIndex((i) => L.rows[i].e.n === n);
  if (pos < 0) {
    // Not shown under the current filter: clear it so the row can be seen.
    filt.text.value = ""; filt.dir.value = ""; filt.type.value = ""; filt.inst.value = ""; filt.problems.checked = false;
    L.clearedN = Math.min(L.clearedN, n - 1);
    L.filterSig = "";
    renderLog();
    pos = L.filtered.findIndex((i) => L.rows[i].e.n === n);
    if (pos < 0) { toast(`Message #${n} is no longer in the log.`, "info"); return; }
  }
  L.selected = n;
  L.stick = false;
  logList.scrollTop = Math.max(0, L.off + pos * ROW_H - logList.clientHeight / 2);
  for (const el of pool) el._key = "";
  markLogDirty();
}
/** findInLog selects the latest inspector row of a message an instance sent.
 * @param {unknown} msg the message (undefined finds nothing)
 * @param {string} inst the instance, or "" for any */
export function findInLog(msg, inst) {
  const want = msg === undefined ? null : canonical(msg);
  for (let i = L.entries.length - 1; i >= 0; i--) {
    const e = L.entries[i];
    if (e.dir === "in" && (!inst || e.i === inst) && want !== null && e.m !== undefined && canonical(e.m) === want) { jumpTo(e.n); return; }
  }
  toast("That message is not in the inspector's log (cleared, or too long to find).", "info");
}
/** canonical is JSON with sorted keys, as the server writes messages.
 * @param {any} v any JSON value
 * @returns {string} */
function canonical(v) {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
  return "{" + Object.keys(v).sort().map((k) => JSON.stringify(k) + ":" + canonical(v[k])).join(",") + "}";
}


let detailKey = "";
function renderLogDetail() {
  const i = L.selected ? findRow(L.selected) : -1;
  if (i < 0) {
    if (!logDetail.hidden) { logDetail.hidden = true; detailKey = ""; }
    return;
  }
  const r = L.rows[i];
  const e = r.e;
  const w = wholeOf(e.n);
  const key = `${e.n}|${r.respN}|${wholeState(w)}`;
  if (key === detailKey && !logDetail.hidden) return;
  detailKey = key;
  logDetail.hidden = false;
  const d = new Date(e.at);
  const meta = [
    ["Time", Number.isNaN(d.getTime()) ? e.at : `${d.toLocaleDateString()} ${fmtClock(d)}`],
    ["Direction", e.dir === "in" ? "in: from the extension" : "out: to the extension"],
    ["Instance", `${e.i} (extension ${e.k})`],
    ["Type", r.type + (r.id ? ` · id ${r.id}` : "")],
  ];
  const pairEl = e.re
    ? h("button", { type: "button", class: "link", testid: "log-pair", on: { click: () => jumpTo(/** @type {number} */ (e.re)) } }, `answers #${e.re}, after ${e.ms} ms`)
    : r.respN
      ? h("button", { type: "button", class: "link", testid: "log-pair", on: { click: () => jumpTo(r.respN) } }, `answered by #${r.respN}, after ${r.respMs} ms`)
      : null;
  const ms = e.re ? e.ms : r.respN ? r.respMs : null;
  const slowEl = ms != null && isSlow(ms) ? h("p", { class: "slow-note", testid: "log-slow-note", text: slowNote(ms) }) : null;
  let body;
  const whole = w && w.m !== undefined;
  /** the message the details show, copy and save: the whole one once loaded */
  const shown = whole ? w.m : e.m !== undefined ? e.m : e.raw !== undefined ? e.raw : null;
  if (e.cut) body = [abridgedNote(e, w), jsonView(shown)];
  else if (e.m !== undefined) body = jsonView(e.m);
  else if (e.raw !== undefined) body = h("pre", { class: "json", text: visibleControls(e.raw) });
  else body = h("p", { class: "tool-note", text: "A note: this row carries diagnostics only (for instance a message the panel cached instead of sending)." });
  logDetail.replaceChildren(
    h("div", { class: "ld-head" }, h("strong", { text: `#${e.n}` }), h("span", { class: "dir", data: { dir: e.dir }, text: e.dir.toUpperCase() }),
      h("span", { text: r.type }), h("span", { class: "spacer" }),
      h("button", { type: "button", class: "btn btn-small btn-quiet", testid: "log-copy", title: e.cut && !whole ? "Copy the abridged preview as JSON (load the whole message to copy it)" : "Copy the message as JSON",
        on: { click: () => copyText(JSON.stringify(shown, null, 2), e.cut && !whole ? "Preview copied" : "Message copied") } }, icon("copy"), "Copy"),
      h("button", { type: "button", class: "btn btn-small btn-quiet", testid: "log-save-message", title: e.cut && !whole ? "Save the abridged preview as a JSON file (load the whole message to save it)" : "Save the message as a JSON file",
        on: { click: () => saveMessage(e.n, shown, !!e.cut && !whole) } }, icon("download"), "Save"),
      h("button", { type: "button", class: "btn btn-small btn-quiet", testid: "log-copy-entry", title: "Copy the whole log entry (time, direction, instance, diagnostics) as JSON", on: { click: () => copyText(JSON.stringify(e, null, 2), "Log entry copied") } }, "Entry"),
      h("button", { type: "button", class: "icon-btn", testid: "log-detail-close", attrs: { "aria-label": "Close the details" }, on: { click: () => selectRow(e.n) } }, icon("close"))),
    h("div", { class: "ld-body" },
      h("dl", { class: "ld-meta" }, meta.map(([k, val]) => [h("dt", { text: k }), h("dd", { text: val })]),
        pairEl ? [h("dt", { text: e.re ? "Request" : "Response" }), h("dd", null, pairEl, slowEl)] : null),
      e.diag && e.diag.length ? h("ul", { class: "diags" }, e.diag.map((x) => h("li", { class: "diag", testid: "log-diag", data: { severity: x.severity } },
        h("b", { text: x.severity }), x.kind ? h("code", { text: `[${x.kind}] ` }) : null, x.path ? h("code", { text: x.path + " " }) : null, x.text))) : null,
      body));
}

tid("log-save").addEventListener("click", () => {
  ingest();
  const data = {
    format: "cpsim-log",
    version: 1,
    saved_at: new Date().toISOString(),
    panel: location.origin,
    session: relayState.session,
    user_agent: navigator.userAgent,
    problems: model.problems,
    view: model.view,
    entries: L.entries,
  };
  const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
  const name = saveFile(new Blob([JSON.stringify(data, null, 1)], { type: "application/json" }), `cpsim-log-${relayState.session || "session"}-${stamp}.json`);
  toast(`Saved ${nf.format(L.entries.length)} messages as ${name}`, "ok");
});

/** logEntries is the log as received (window.cpsim.log). */
export function logEntries() {
  return L.entries;
}

/** nextLogN is the first log number the page has not received. */
export function nextLogN() {
  return L.maxN + 1;
}
