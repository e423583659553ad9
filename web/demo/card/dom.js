// @ts-check
// dom.js: the customer card's DOM helpers: finding its elements by id
// (typed: an element, a button, a form field), building elements (h) and
// its icons (an <svg><use href="#ic-NAME"> of the sprite in
// customer-card.html). It owns no state and imports nothing.

/** A child h appends: a node, text, nothing (null, undefined, false) or a
 * list of them.
 * @typedef {Node | string | number | null | undefined | false | ChildList} Child */
/** @typedef {Child[]} ChildList */

/** $ finds the element with id: one of customer-card.html's, so it is
 * there; a missing one is a bug in the card, and says which.
 * @param {string} id
 * @returns {HTMLElement} */
export function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`customer card: no element #${id}`);
  return el;
}

/** button finds the button with id.
 * @param {string} id
 * @returns {HTMLButtonElement} */
export function button(id) {
  const el = $(id);
  if (!(el instanceof HTMLButtonElement)) throw new Error(`customer card: #${id} is not a button`);
  return el;
}

/** A control the card enables and disables. @typedef {HTMLButtonElement | HTMLInputElement | HTMLTextAreaElement} Control */

/** field finds the input or textarea with id.
 * @param {string} id
 * @returns {HTMLInputElement | HTMLTextAreaElement} */
export function field(id) {
  const el = $(id);
  if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement)) {
    throw new Error(`customer card: #${id} is not a form field`);
  }
  return el;
}

/** checkbox finds the checkbox (an input) with id.
 * @param {string} id
 * @returns {HTMLInputElement} */
export function checkbox(id) {
  const el = $(id);
  if (!(el instanceof HTMLInputElement)) throw new Error(`customer card: #${id} is not an input`);
  return el;
}

/** form finds the form with id.
 * @param {string} id
 * @returns {HTMLFormElement} */
export function form(id) {
  const el = $(id);
  if (!(el instanceof HTMLFormElement)) throw new Error(`customer card: #${id} is not a form`);
  return el;
}

/** table finds the table with id.
 * @param {string} id
 * @returns {HTMLTableElement} */
export function table(id) {
  const el = $(id);
  if (!(el instanceof HTMLTableElement)) throw new Error(`customer card: #${id} is not a table`);
  return el;
}

/** h builds an element: attrs are attributes, except class (className),
 * text (textContent) and on<event> with a function (a listener); an
 * attribute that is undefined, null or false is left out, true is "".
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, unknown> | null} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]} */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = String(v);
    else if (k === "text") el.textContent = String(v);
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), /** @type {EventListener} */ (v));
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** icon builds the sprite's icon name, with class cls.
 * @param {string} name
 * @param {string} [cls]
 * @returns {SVGSVGElement} */
export function icon(name, cls = "ic") {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("class", cls);
  svg.setAttribute("aria-hidden", "true");
  const use = document.createElementNS(SVG_NS, "use");
  use.setAttribute("href", "#ic-" + name);
  svg.append(use);
  return svg;
}

/** setIcon points an icon (or nothing) at the sprite's icon name.
 * @param {Element | null} svg
 * @param {string} name */
export function setIcon(svg, name) {
  const use = svg && svg.querySelector("use");
  if (use) use.setAttribute("href", "#ic-" + name);
}

/** inside finds the first match of sel inside el: one the markup has.
 * @param {Element} el
 * @param {string} sel
 * @returns {HTMLElement} */
export function inside(el, sel) {
  const found = el.querySelector(sel);
  if (!(found instanceof HTMLElement)) throw new Error(`customer card: no ${sel} in #${el.id}`);
  return found;
}
