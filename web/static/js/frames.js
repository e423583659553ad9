// @ts-check
// The extension iframes and postMessage: one iframe per extension
// instance, all in one container, never moved. Every message an extension
// posts passes the event.source and event.origin checks and goes to the
// server as an m frame; every delivery (d frame) is posted to its iframe,
// at the instance's origin (never '*'), in seq order exactly once, queued
// until its iframe has loaded, and acknowledged (a frames) at most every
// ACK_EVERY ms. It owns the iframes (frames), the queued deliveries and the
// acknowledgement state (deliveries). It imports wire.js to send, and
// render.js to have the view show a frame that loaded or went.

import { ACK_EVERY, GRACE, MAX_RELAY, RECENT_MS, SS_SEQ } from "./constants.js";
import { tid } from "./dom.js";
import { HOST, embed } from "./embed.js";
import { markViewDirty } from "./render.js";
import { errorMessage, storageGet, storageSet, utf8Len } from "./util.js";
import { link, queueFrame, queueNumbered } from "./wire.js";

/**
 * An extension instance's iframe.
 * @typedef {object} FrameRec
 * @property {string} id the instance id
 * @property {string} idJSON the id as JSON, for the m frames
 * @property {string} url
 * @property {string} origin the origin of url, where deliveries are posted ("null" when it has none)
 * @property {HTMLIFrameElement} iframe
 * @property {Window | null} win the iframe's window, the event.source of its messages
 * @property {boolean} loaded
 * @property {number} loadedAt performance.now() of the last load
 * @property {number} loads how many times it loaded
 * @property {boolean} removing its instance left the view: it goes after GRACE
 * @property {boolean} removed
 * @property {string} lastOrigin the origin it last posted from
 * @property {boolean} inserting
 * @property {boolean} hintDismissed the developer dismissed its init hint
 */

/** A d frame: a message for an instance. @typedef {import("./types.js").Delivery} Delivery */

/** @type {Map<string, FrameRec>} extension iframes, by instance id */
export const frames = new Map();
/** @type {Map<Window, FrameRec>} the same, by their windows */
const winToRec = new Map();
/** @type {Map<string, {since: number, ds: Delivery[]}>} deliveries waiting for their instance's iframe to exist and load */
const queued = new Map();
/** @type {Set<number>} seqs of the deliveries in queued */
const waiting = new Set();
/** @type {WeakSet<object>} */
const warnedSources = new WeakSet();
let warnedNullSource = false;
/** @type {{rec: FrameRec, at: number}[]} frames removed lately, newest last */
let removedLately = [];
/** @type {FrameRec | null} the CRM that embeds the panel (embed.js): the
 * host endpoint, whose window is window.parent, always loaded; not in
 * frames, so the view never retires it */
const hostRec = embed.on ? {
  id: HOST, idJSON: JSON.stringify(HOST), url: embed.crm, origin: embed.crm, iframe: /** @type {any} */ (null), win: window.parent,
  loaded: true, loadedAt: 0, loads: 1, removing: false, removed: false, lastOrigin: "", inserting: false, hintDismissed: true,
} : null;
if (hostRec) winToRec.set(window.parent, hostRec);
/** @type {any[] | null} what the CRM posted before the page's first
 * welcome (CPC.js sends init as soon as the iframe loads, before the
 * relay is connected); relayed by hostWelcomed. null once welcomed. */
let hostEarly = hostRec ? [] : null;
/** the most messages hostEarly keeps */
const MAX_HOST_EARLY = 1000;

/** hostWelcomed relays what the CRM posted before the first welcome, now
 * that the page's numbering belongs to its session. */
export function hostWelcomed() {
  const early = hostEarly;
  hostEarly = null;
  if (hostRec && early) for (const data of early) relay(hostRec, data, "");
}

/** Which deliveries were posted, and what the server heard of it. */
export const deliveries = {
  /** every delivery up to here was posted or is queued */
  highSeen: Number(storageGet(SS_SEQ)) || 0,
  /** the last seq acknowledged to the server */
  lastAcked: 0,
  lastAckAt: 0,
  ackTimer: 0,
};

/** ackable is the last seq such that every delivery up to it was posted.
 * @returns {number} */
export function ackable() {
  if (waiting.size === 0) return deliveries.highSeen;
  let min = Infinity;
  for (const s of waiting) if (s < min) min = s;
  return min - 1;
}

/** restartDeliveries forgets the queued deliveries: the server's session
 * starts over at seq.
 * @param {number} seq */
export function restartDeliveries(seq) {
  deliveries.highSeen = seq;
  waiting.clear();
  queued.clear();
  deliveries.lastAcked = seq;
  storageSet(SS_SEQ, seq);
}

function scheduleAck() {
  if (deliveries.ackTimer) return;
  const wait = Math.max(0, deliveries.lastAckAt + ACK_EVERY - performance.now());
  deliveries.ackTimer = setTimeout(sendAck, wait);
}
function sendAck() {
  deliveries.ackTimer = 0;
  const seq = ackable();
  storageSet(SS_SEQ, seq);
  if (seq > deliveries.lastAcked && link.connected) {
    deliveries.lastAcked = seq;
    deliveries.lastAckAt = performance.now();
    queueFrame('{"t":"a","seq":' + seq + "}");
  }
}

/** dropStaleQueued drops the deliveries queued for more than 2 s for an
 * instance that has no iframe and is not in the view (ids).
 * @param {Set<string>} ids */
export function dropStaleQueued(ids) {
  for (const [id, q] of [...queued]) {
    if (!frames.has(id) && !ids.has(id) && performance.now() - q.since > 2000) dropQueued(id, "no such instance in the view");
  }
}

// ---------------------------------------------------------------------
// Messages from extensions

// Every message an extension posts is either relayed as an m frame, or
// reported to the server as one with bad (the page could not relay it:
// the server answers it with an error response) or drop (the panel would
// not take it: the server shows why). Only messages that no extension
// frame of this page can have sent are left to the console.
window.addEventListener("message", (ev) => {
  let rec = ev.source ? winToRec.get(/** @type {Window} */ (ev.source)) : undefined;
  if (!rec && ev.source === null) {
    // A frame posts with no source window once it is unloading: removed
    // by the panel (an exit as the extension goes), or navigating away.
    // Name it by its origin among the frames removed lately and the live
    // ones, so that what it sent is shown rather than lost.
    rec = unloadingFrame(ev.origin) || undefined;
    if (rec) {
      const why = rec.removed ? "" : `${rec.id} posted it as its page unloaded: the message has no source window, so the panel cannot tell which frame sent it`;
      relay(rec, ev.data, why);
      return;
    }
  }
  if (!rec) {
    if (ev.source === null) {
      if (!warnedNullSource) { warnedNullSource = true; console.warn("cpsim: ignored a message with no source window, from", ev.origin); }
    } else if (typeof ev.source === "object" && !warnedSources.has(ev.source)) {
      warnedSources.add(ev.source);
      console.warn(`cpsim: ignored a message from ${ev.origin}: it is not from an extension iframe of this panel`);
    }
    return;
  }
  rec.lastOrigin = ev.origin;
  if (rec === hostRec && hostEarly && ev.origin === rec.origin) {
    // Bounded as the relay's own unacked frames are: a CRM that posts on
    // and on while the relay cannot connect loses the oldest.
    if (hostEarly.push(ev.data) > MAX_HOST_EARLY) {
      hostEarly.shift();
      console.warn("cpsim: dropped the oldest message the CRM posted before the panel connected");
    }
    return;
  }
  if (ev.origin !== rec.origin) {
    relay(rec, ev.data, `the frame is now at ${ev.origin}, not the extension's origin ${rec.origin}`);
    return;
  }
  relay(rec, ev.data, "");
});

/** unloadingFrame finds the frame a message with no source window came
 * from: the newest removed lately at that origin, else the only live one.
 * @param {string} origin
 * @returns {FrameRec | null} */
function unloadingFrame(origin) {
  const now = performance.now();
  removedLately = removedLately.filter((x) => now - x.at < RECENT_MS);
  const at = (/** @type {FrameRec} */ rec) => (rec.lastOrigin || rec.origin) === origin; // where it was last heard from
  for (let i = removedLately.length - 1; i >= 0; i--) {
    if (at(removedLately[i].rec)) return removedLately[i].rec;
  }
  /** @type {FrameRec | null} */
  let found = null;
  for (const rec of frames.values()) {
    if (!at(rec)) continue;
    if (found) return null; // two live frames at that origin: cannot tell
    found = rec;
  }
  return found;
}

/** relay sends what an extension posted as an m frame: the message, or
 * with drop set, the reason the panel does not take it.
 * @param {FrameRec} rec
 * @param {any} data what the extension posted: any value, serializable or not
 * @param {string} drop */
function relay(rec, data, drop) {
  const head = ',"i":' + rec.idJSON;
  const dropped = drop ? ',"drop":' + JSON.stringify(drop) : "";
  let json;
  try {
    json = JSON.stringify(data);
  } catch (e) {
    const msg = errorMessage(e);
    const why = /circular|cyclic/i.test(msg) ? "cyclic object" : /bigint/i.test(msg) ? "BigInt value" : msg;
    queueNumbered("m", head + (dropped || ',"bad":' + JSON.stringify("not serializable: " + why) + idOf(data)) + "}");
    return;
  }
  if (json === undefined) {
    const what = data === undefined ? "undefined" : typeof data === "function" ? "a function" : typeof data;
    queueNumbered("m", head + (dropped || ',"bad":' + JSON.stringify("not serializable: " + what)) + "}");
    return;
  }
  if (json.length > MAX_RELAY / 3) {
    const n = utf8Len(json);
    if (n > MAX_RELAY) {
      const why = `the message is ${mib(n)} of JSON, more than the ${mib(MAX_RELAY)} cpsim relays (docs/relay.md)`;
      queueNumbered("m", head + (dropped || ',"bad":' + JSON.stringify(why) + idOf(data)) + "}");
      return;
    }
  }
  queueNumbered("m", head + ',"m":' + json + dropped + "}");
}

/** idOf is the ,"id": field of a bad m frame: the message's own id when
 * it is a string or a number, so that the panel can answer it.
 * @param {any} data what the extension posted: any value
 * @returns {string} */
function idOf(data) {
  const id = data && typeof data === "object" ? data.id : undefined;
  return typeof id === "string" || (typeof id === "number" && Number.isFinite(id)) ? ',"id":' + JSON.stringify(id) : "";
}

/** mib is a size in MiB, with one decimal unless whole.
 * @param {number} n bytes
 * @returns {string} */
function mib(n) {
  return `${(n / 1048576).toFixed(n % 1048576 ? 1 : 0)} MiB`;
}

// ---------------------------------------------------------------------
// Deliveries to extensions

/** deliver posts a delivery to its instance's iframe, or queues it until the iframe has loaded; one it has seen already it ignores.
 * @param {Delivery} f */
export function deliver(f) {
  if (!(f.seq > deliveries.highSeen)) return; // posted (or queued) already
  deliveries.highSeen = f.seq;
  const rec = f.i === HOST && hostRec ? hostRec : frames.get(f.i);
  if (rec && rec.loaded && !queued.has(f.i)) {
    post(rec, f);
  } else {
    let q = queued.get(f.i);
    if (!q) { q = { since: performance.now(), ds: [] }; queued.set(f.i, q); }
    q.ds.push(f);
    waiting.add(f.seq);
  }
  scheduleAck();
}

/** post posts a delivery into rec's iframe, at its extension's origin.
 * @param {FrameRec} rec
 * @param {Delivery} f */
function post(rec, f) {
  try {
    /** @type {Window} */ (rec.win).postMessage(f.m, rec.origin);
  } catch (e) {
    console.error(`cpsim: could not post delivery ${f.seq} to ${rec.id} (${rec.origin}):`, e);
  }
}

/** flushQueued posts the deliveries queued for rec, which has loaded.
 * @param {FrameRec} rec */
function flushQueued(rec) {
  const q = queued.get(rec.id);
  if (!q) return;
  queued.delete(rec.id);
  for (const f of q.ds) {
    post(rec, f);
    waiting.delete(f.seq);
  }
  scheduleAck();
}

/** dropQueued forgets the deliveries queued for instance id, saying why on the console.
 * @param {string} id
 * @param {string} why */
export function dropQueued(id, why) {
  const q = queued.get(id);
  if (!q) return;
  queued.delete(id);
  for (const f of q.ds) waiting.delete(f.seq);
  console.info(`cpsim: dropped ${q.ds.length} deliver${q.ds.length === 1 ? "y" : "ies"} for ${id}: ${why}`);
  scheduleAck();
}

// ---------------------------------------------------------------------
// Iframes: one per instance, all in one container, never moved.

const framesEl = tid("ext-frames");

/** createFrame creates the iframe of an instance.
 * @param {import("./types.js").Instance} inst
 * @returns {FrameRec} */
function createFrame(inst) {
  let origin = "null";
  try { origin = new URL(inst.url, location.href).origin; } catch { /* stays "null": nothing is posted */ }
  const iframe = document.createElement("iframe");
  /** @type {FrameRec} */
  const rec = {
    id: inst.id, idJSON: JSON.stringify(inst.id), url: inst.url, origin, iframe, win: null,
    loaded: false, loadedAt: 0, loads: 0, removing: false, removed: false, lastOrigin: "", inserting: true, hintDismissed: false,
  };
  iframe.dataset.testid = "ext-frame";
  iframe.dataset.instance = inst.id;
  iframe.title = `${inst.text || inst.key} (${inst.id})`;
  iframe.addEventListener("load", () => {
    if (rec.inserting) return; // the initial about:blank, if a browser reports it
    rec.loaded = true;
    rec.loads++;
    iframe.dataset.loads = String(rec.loads);
    rec.loadedAt = performance.now();
    flushQueued(rec);
    markViewDirty();
  });
  iframe.src = inst.url;
  framesEl.append(iframe);
  rec.inserting = false;
  rec.win = iframe.contentWindow;
  frames.set(inst.id, rec);
  if (rec.win) winToRec.set(rec.win, rec);
  return rec;
}

/** retireFrame removes rec's iframe after GRACE, once its queued deliveries are posted (or it has not loaded in 3 s).
 * @param {FrameRec} rec */
function retireFrame(rec) {
  if (rec.removing) return;
  rec.removing = true;
  rec.iframe.classList.remove("shown");
  rec.iframe.dataset.shown = "false";
  const started = performance.now();
  const step = () => {
    if (queued.has(rec.id)) {
      if (!rec.loaded && performance.now() - started < 3000) { setTimeout(step, 100); return; }
      if (rec.loaded) flushQueued(rec);
      else dropQueued(rec.id, "its iframe never loaded");
    }
    setTimeout(() => removeFrame(rec), GRACE);
  };
  step();
}

/** @param {FrameRec} rec */
function removeFrame(rec) {
  if (frames.get(rec.id) !== rec) return;
  if (queued.has(rec.id) && rec.loaded) flushQueued(rec);
  rec.removed = true;
  removedLately.push({ rec, at: performance.now() });
  rec.iframe.remove();
  frames.delete(rec.id);
  if (rec.win) winToRec.delete(rec.win);
  markViewDirty();
}

export function removeAllFrames() {
  for (const rec of frames.values()) {
    rec.iframe.remove();
    if (rec.win) winToRec.delete(rec.win);
  }
  frames.clear();
  queued.clear();
  waiting.clear();
}

/** syncFrames creates an iframe for every instance of the view v that has none, and retires the iframes of instances that are gone.
 * @param {import("./types.js").View} v */
export function syncFrames(v) {
  /** @type {Set<string>} */
  const ids = new Set();
  for (const inst of v.instances || []) {
    ids.add(inst.id);
    if (!frames.has(inst.id)) createFrame(inst);
  }
  for (const rec of frames.values()) if (!ids.has(rec.id)) retireFrame(rec);
  // Deliveries for an instance that is gone and never had an iframe
  // (started and stopped between two views) have nobody to go to.
  for (const id of [...queued.keys()]) if (!frames.has(id) && !ids.has(id)) dropQueued(id, "the instance is gone");
}
