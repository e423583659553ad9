// @ts-check
// The whole text of abridged inspector rows (a row with cut carries a
// preview of a big message): the note and the button in the row's
// details that load the whole message from the server (a full frame), the
// one whole message loaded (a second replaces it, so that the page holds
// at most one beyond its log), and the details' pretty JSON and saving a
// message as a file. It owns the loaded message (whole); it imports
// relay.js (requestFull, the session), render.js, clipboard.js, dom.js,
// toast.js and util.js.

import { saveFile } from "./clipboard.js";
import { h } from "./dom.js";
import { relayState, requestFull } from "./relay.js";
import { markLogDirty } from "./render.js";
import { toast } from "./toast.js";
import { fmtBytes, jsonControls } from "./util.js";

/** @typedef {import("./types.js").LogEntry} LogEntry */
/**
 * The whole message of abridged row n: loading, loaded (m), gone (why the
 * server no longer has it) or failed (error).
 * @typedef {{n: number, loading: boolean, m?: unknown, gone?: string, error?: string}} WholeMessage
 */

const whole = {
  /** @type {WholeMessage | null} the whole message loaded for a row's details, or being loaded */
  w: null,
};

/** wholeOf is the whole message of row n, loaded or being loaded, or null.
 * @param {number} n
 * @returns {WholeMessage | null} */
export const wholeOf = (n) => (whole.w && whole.w.n === n ? whole.w : null);

/** wholeState names w's state for the details' change key.
 * @param {WholeMessage | null} w
 * @returns {string} */
export const wholeState = (w) => (!w ? "" : w.loading ? "loading" : w.m !== undefined ? "m" : w.gone !== undefined ? "gone" : "error");

/** forgetWhole lets go of the loaded message when its row is older than
 * n (the log dropped it), or whatever its row when n is 0.
 * @param {number} n */
export function forgetWhole(n) {
  if (whole.w && (!n || whole.w.n < n)) whole.w = null;
}

/** abridgedNote says that row e's message is a preview, with the button
 * that loads the whole one, or what became of loading it.
 * @param {LogEntry} e a row with cut
 * @param {WholeMessage | null} w
 * @returns {HTMLElement} */
export function abridgedNote(e, w) {
  const size = fmtBytes(/** @type {number} */ (e.cut));
  if (w && w.m !== undefined) return h("p", { class: "tool-note cut-note", testid: "log-whole", text: `The whole message (${size} of JSON).` });
  if (w && w.gone !== undefined) {
    return h("p", { class: "tool-note cut-note", testid: "log-gone", data: { state: "gone" } },
      `An abridged preview of a message of ${size}; the whole message is gone: ${w.gone}`);
  }
  const load = h("button", { type: "button", class: "btn btn-small", testid: "log-load-whole", disabled: !!(w && w.loading),
    on: { click: () => loadWhole(e.n) } }, w && w.loading ? "Loading…" : `Load the whole message (${size})`);
  return h("div", { class: "tool-note cut-note", data: { state: w && w.error ? "error" : "preview" } },
    h("p", { text: `An abridged preview: long strings, arrays and objects are cut where it says so. The message is ${size} of JSON.` }),
    load,
    w && w.error ? h("p", { class: "field-error", testid: "log-load-error", text: `Could not load it: ${w.error}` }) : null);
}

/** loadWhole asks the server for the whole message of abridged row n and
 * shows it in the details; only one is kept at a time.
 * @param {number} n */
function loadWhole(n) {
  const w = /** @type {WholeMessage} */ ({ n, loading: true });
  whole.w = w;
  markLogDirty();
  requestFull(n).then((r) => {
    if (whole.w !== w) return; // another row's took its place
    w.loading = false;
    if (r.m !== undefined) w.m = r.m;
    else if (r.gone !== undefined) w.gone = r.gone;
    else w.error = r.error || "no answer";
    markLogDirty();
  });
}

/** saveMessage offers message v of row n as a JSON file.
 * @param {number} n
 * @param {unknown} v
 * @param {boolean} preview v is an abridged preview */
export function saveMessage(n, v, preview) {
  const name = saveFile(new Blob([JSON.stringify(v, null, 2)], { type: "application/json" }),
    `cpsim-message-${relayState.session || "session"}-${n}${preview ? "-preview" : ""}.json`);
  toast(`Saved ${preview ? "the preview of " : ""}message #${n} as ${name}`, "ok");
}

/** jsonView pretty-prints JSON with light highlighting (text nodes only,
 * never HTML), its bidi controls escaped as \uXXXX so that they show.
 * @param {unknown} v
 * @returns {HTMLElement} */
export function jsonView(v) {
  const text = jsonControls(JSON.stringify(v, null, 2) ?? String(v));
  const pre = h("pre", { class: "json" });
  if (text.length > 200000) { pre.textContent = text; return pre; }
  const re = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
  let last = 0;
  const frag = document.createDocumentFragment();
  for (let m; (m = re.exec(text));) {
    if (m.index > last) frag.append(text.slice(last, m.index));
    if (m[1]) {
      frag.append(h("span", { class: m[2] ? "j-key" : "j-str", text: m[1] }));
      if (m[2]) frag.append(m[2]);
    } else if (m[3]) frag.append(h("span", { class: "j-lit", text: m[3] }));
    else frag.append(h("span", { class: "j-num", text: m[4] }));
    last = re.lastIndex;
  }
  if (last < text.length) frag.append(text.slice(last));
  pre.append(frag);
  return pre;
}
