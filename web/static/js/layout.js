// @ts-check
// Layout: the resizable bottom panel (inspector and tools; its height is
// kept in localStorage) and showing or hiding the tools column. It owns the
// splitter and the tools toggle; it imports render.js (the inspector
// renders again when its size changes) and the helpers.

import { LS_BOTTOM, LS_TOOLS } from "./constants.js";
import { tid } from "./dom.js";
import { markLogDirty } from "./render.js";
import { localGet, localSet } from "./util.js";

const splitter = tid("inspector-resize");
/** setBottom sets the bottom panel's height, kept within the window.
 * @param {number} px
 * @returns {number} the height set */
function setBottom(px) {
  const max = Math.max(160, window.innerHeight - 300);
  const v = Math.round(Math.min(max, Math.max(110, px)));
  document.documentElement.style.setProperty("--bottom-h", v + "px");
  splitter.setAttribute("aria-valuenow", String(v));
  return v;
}
const savedBottom = Number(localGet(LS_BOTTOM));
if (savedBottom > 0) setBottom(savedBottom);
splitter.addEventListener("pointerdown", (e) => {
  if (e.button !== 0) return;
  e.preventDefault();
  splitter.setPointerCapture(e.pointerId);
  splitter.classList.add("dragging");
  const move = (/** @type {PointerEvent} */ m) => setBottom(window.innerHeight - m.clientY - 3);
  const up = () => {
    splitter.classList.remove("dragging");
    splitter.removeEventListener("pointermove", move);
    splitter.removeEventListener("pointerup", up);
    splitter.removeEventListener("pointercancel", up);
    localSet(LS_BOTTOM, tid("inspector").getBoundingClientRect().height);
    markLogDirty();
  };
  splitter.addEventListener("pointermove", move);
  splitter.addEventListener("pointerup", up);
  splitter.addEventListener("pointercancel", up);
});
splitter.addEventListener("keydown", (e) => {
  const cur = tid("inspector").getBoundingClientRect().height;
  if (e.key === "ArrowUp") { e.preventDefault(); localSet(LS_BOTTOM, setBottom(cur + 24)); }
  if (e.key === "ArrowDown") { e.preventDefault(); localSet(LS_BOTTOM, setBottom(cur - 24)); }
});
const toolsToggle = tid("tools-toggle");
/** setTools shows or hides the tools column.
 * @param {boolean} show */
export function setTools(show) {
  document.body.classList.toggle("tools-hidden", !show);
  toolsToggle.setAttribute("aria-pressed", String(show));
  localSet(LS_TOOLS, show ? "1" : "0");
  markLogDirty();
}
toolsToggle.addEventListener("click", () => setTools(document.body.classList.contains("tools-hidden")));
if (localGet(LS_TOOLS) === "0") setTools(false);
