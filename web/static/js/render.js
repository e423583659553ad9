// @ts-check
// The render scheduler: one pass per animation frame (a timer when the page
// is hidden, where animation frames do not run) renders the view and the
// inspector when they are marked dirty; the inspector at most every
// LOG_EVERY ms while messages stream in. It also keeps the view's change
// signatures (changed), so that each part of the view is rebuilt only when
// its data changed. It owns the dirty flags and the signatures; it calls
// the renderers the start-up module gives it (setRenderers) and imports
// only util.js.

import { sig } from "./util.js";

const LOG_EVERY = 250; // ms between inspector updates while messages stream in

/** @typedef {{view: (force: boolean) => void, log: () => void}} Renderers */

/** What needs rendering, and when the inspector last was. */
const schedule = {
  scheduled: false,
  view: false,
  force: false,
  log: false,
  logData: false,
  lastLogRender: 0,
  logTimer: 0,
  /** @type {Renderers} */
  renderers: { view: () => {}, log: () => {} },
};

/** setRenderers gives the scheduler the view's and the inspector's renderers.
 * @param {Renderers} r */
export function setRenderers(r) {
  schedule.renderers = r;
}

function scheduleRender() {
  if (schedule.scheduled) return;
  schedule.scheduled = true;
  if (document.hidden) setTimeout(renderPass, 100);
  else requestAnimationFrame(renderPass);
}

/** markViewDirty renders the view on the next frame; force rebuilds every
 * part of it (for instance to put a select back to what the view says).
 * @param {boolean} [force] */
export function markViewDirty(force) {
  schedule.view = true;
  if (force) schedule.force = true;
  scheduleRender();
}

/** markLogDirty renders the inspector on the next frame; new data alone
 * (data = true) renders it at most every LOG_EVERY ms, so that a stream
 * of messages does not spend the relay's time on layout and paint.
 * @param {boolean} [data] */
export function markLogDirty(data) {
  if (!data) {
    schedule.log = true;
    scheduleRender();
    return;
  }
  schedule.logData = true;
  if (schedule.logTimer) return;
  const wait = schedule.lastLogRender + LOG_EVERY - performance.now();
  if (wait <= 0) scheduleRender();
  else schedule.logTimer = setTimeout(() => { schedule.logTimer = 0; scheduleRender(); }, wait);
}

function renderPass() {
  schedule.scheduled = false;
  if (schedule.view) {
    const force = schedule.force;
    schedule.view = schedule.force = false;
    try { schedule.renderers.view(force); } catch (e) { console.error("cpsim: render", e); }
  }
  const now = performance.now();
  if (schedule.log || (schedule.logData && !schedule.logTimer && now - schedule.lastLogRender >= LOG_EVERY - 1)) {
    schedule.log = schedule.logData = false;
    schedule.lastLogRender = now;
    try { schedule.renderers.log(); } catch (e) { console.error("cpsim: inspector", e); }
  }
}
document.addEventListener("visibilitychange", () => { if (!document.hidden) { schedule.scheduled = false; scheduleRender(); } });

/** @type {Map<string, string>} the signature of each part of the view as last rendered */
const viewSigs = new Map();

/** changed says whether value differs from what the part key of the view
 * was last rendered from, and remembers it.
 * @param {string} key
 * @param {unknown} value
 * @returns {boolean} */
export function changed(key, value) {
  const s = typeof value === "string" ? value : sig(value);
  if (viewSigs.get(key) === s) return false;
  viewSigs.set(key, s);
  return true;
}

/** forget makes the parts named render again; with no names, every part.
 * @param {...string} keys */
export function forget(...keys) {
  if (!keys.length) viewSigs.clear();
  for (const k of keys) viewSigs.delete(k);
}
