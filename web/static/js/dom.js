// @ts-check
// DOM helpers and icons: finding elements by data-testid and data-role,
// building elements (h), and the page's line icons (inline SVG from
// constant markup only). It owns no state and imports nothing.

const SVGNS = "http://www.w3.org/2000/svg";
/** tid finds the element with data-testid name: one of the page's own, so
 * that it is there (the markup is host.html's).
 * @param {string} name
 * @param {ParentNode} [root]
 * @returns {HTMLElement} */
export const tid = (name, root = document) => /** @type {HTMLElement} */ (root.querySelector(`[data-testid="${name}"]`));
/** role finds the element with data-role name inside root.
 * @param {string} name
 * @param {ParentNode} root
 * @returns {HTMLElement} */
export const role = (name, root) => /** @type {HTMLElement} */ (root.querySelector(`[data-role="${name}"]`));

/** A child h appends: a node, text, nothing (null, undefined, false) or a list of them. @typedef {Node | string | number | null | undefined | false | ChildList} Child */
/** @typedef {Child[]} ChildList */

/** closestEl is the nearest ancestor of el (or el) that matches sel: one
 * the page's markup has.
 * @param {Element} el
 * @param {string} sel
 * @returns {HTMLElement} */
export const closestEl = (el, sel) => /** @type {HTMLElement} */ (el.closest(sel));

/** h builds an element: h("div", {class, text, data: {...}, attrs: {...}, on: {...}, ...props}, ...children).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any> | null} [props]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]} */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      switch (k) {
        case "class": el.className = v; break;
        case "text": el.textContent = v; break;
        case "testid": el.dataset.testid = v; break;
        case "data": for (const [dk, dv] of Object.entries(v)) if (dv !== undefined && dv !== null) el.dataset[dk] = dv; break;
        case "attrs": for (const [ak, av] of Object.entries(v)) if (av !== undefined && av !== null && av !== false) el.setAttribute(ak, av === true ? "" : av); break;
        case "on": for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn); break;
        default: /** @type {any} */ (el)[k] = v;
      }
    }
  }
  append(el, children);
  return el;
}
/**
 * @param {Element} el
 * @param {Child[]} children
 */
function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

// Icons: simple line drawings on a 24x24 grid, stroked with currentColor.
/** @type {Record<string, string>} */
const ICONS = {
  logo: '<rect x="1.5" y="1.5" width="21" height="21" rx="6" fill="#2f6fe4" stroke="none"/><path d="M7 8.5h10M7 12h7M7 15.5h4" stroke="#fff" stroke-width="2.2"/><circle cx="17" cy="15.5" r="1.6" fill="#7ee2a0" stroke="none"/>',
  phone: '<path d="M5 3.5h3.5l2 5-2.5 1.6a11.5 11.5 0 0 0 5.9 5.9l1.6-2.5 5 2v3.5a2 2 0 0 1-2 2A17 17 0 0 1 3 5.5a2 2 0 0 1 2-2z"/>',
  "phone-in": '<path d="M5 3.5h3.5l2 5-2.5 1.6a11.5 11.5 0 0 0 5.9 5.9l1.6-2.5 5 2v3.5a2 2 0 0 1-2 2A17 17 0 0 1 3 5.5a2 2 0 0 1 2-2z"/><path d="M15 3.5V9h5.5M15 9l6-6"/>',
  "phone-out": '<path d="M5 3.5h3.5l2 5-2.5 1.6a11.5 11.5 0 0 0 5.9 5.9l1.6-2.5 5 2v3.5a2 2 0 0 1-2 2A17 17 0 0 1 3 5.5a2 2 0 0 1 2-2z"/><path d="M21 8.5V3h-5.5M21 3l-6 6"/>',
  hangup: '<path d="M2.5 14.5c5.2-5 13.8-5 19 0l-2.2 3-3.8-1.4v-2.6a11 11 0 0 0-7 0v2.6l-3.8 1.4z"/>',
  chat: '<path d="M20.5 11.5a8 8 0 0 1-11.7 7.1L4 19.8l1.2-4.4a8 8 0 1 1 15.3-3.9z"/>',
  email: '<rect x="3" y="5.5" width="18" height="13" rx="2"/><path d="M3.5 7l8.5 6 8.5-6"/>',
  sms: '<path d="M4 4.5h16a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H9l-5 4v-15a1 1 0 0 1 1-1z"/><path d="M8.5 10.5h.01M12 10.5h.01M15.5 10.5h.01" stroke-width="2.6"/>',
  whatsapp: '<path d="M12 3a9 9 0 0 0-7.7 13.6L3 21l4.5-1.2A9 9 0 1 0 12 3z"/><path d="M9.2 8.2c-.5 3.2 3.3 7 6.5 6.6l.9-1.7-2-1-1 .8a4 4 0 0 1-2.3-2.3l.8-1-1-2z"/>',
  hold: '<path d="M9 5.5v13M15 5.5v13"/>',
  play: '<path d="M8 5.5v13l10-6.5z"/>',
  stop: '<rect x="6.5" y="6.5" width="11" height="11" rx="1.5"/>',
  step: '<path d="M6 5.5v13l8.5-6.5zM17.5 5.5v13"/>',
  mic: '<rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21"/>',
  "mic-off": '<rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21M3.5 3.5l17 17"/>',
  record: '<circle cx="12" cy="12" r="6.5" fill="currentColor" stroke="none"/>',
  transfer: '<path d="M4 8h14l-4-4M20 16H6l4 4"/>',
  consult: '<circle cx="9" cy="8" r="3.5"/><path d="M2.5 20a6.5 6.5 0 0 1 13 0M18.5 7.5v6M15.5 10.5h6"/>',
  join: '<path d="M6 3.5v6a4.5 4.5 0 0 0 4.5 4.5H20M16.5 10.5 20 14l-3.5 3.5M6 20.5v-3"/>',
  check: '<path d="M4.5 12.5l5 5 10-11"/>',
  x: '<path d="M6 6l12 12M18 6L6 18"/>',
  close: '<path d="M7 7l10 10M17 7L7 17"/>',
  pick: '<path d="M12 3.5v11M7.5 10l4.5 4.5 4.5-4.5M4.5 20.5h15"/>',
  alert: '<path d="M12 3.5l9.5 17h-19z"/><path d="M12 10v4.5M12 17.5h.01"/>',
  download: '<path d="M12 4v11M7.5 10.5 12 15l4.5-4.5M5 20h14"/>',
  send: '<path d="M21 3 10 14M21 3l-6.5 18-4.5-7-7-4.5z"/>',
  headset: '<path d="M4 15v-3a8 8 0 0 1 16 0v3"/><path d="M4 14.5h3.5v6H5.5a1.5 1.5 0 0 1-1.5-1.5zM20 14.5h-3.5v6h2a1.5 1.5 0 0 0 1.5-1.5z"/>',
  presence: '<circle cx="12" cy="12" r="8.5"/><path d="M8.2 12.3l2.6 2.6 5-5.4"/>',
  customer: '<circle cx="12" cy="8" r="4"/><path d="M4 20.5a8 8 0 0 1 16 0"/>',
  syntax: '<path d="M8.5 7 3.5 12l5 5M15.5 7l5 5-5 5M13.5 5l-3 14"/>',
  hint: '<path d="M9 18h6M10 21h4M12 3a6 6 0 0 0-3.6 10.8c.7.5 1.1 1.3 1.1 2.2h5c0-.9.4-1.7 1.1-2.2A6 6 0 0 0 12 3z"/>',
  puzzle: '<path d="M4 7.5h4a2 2 0 1 1 4 0h4v4a2 2 0 1 1 0 4v4H4z"/>',
  pulse: '<path d="M3 12h4l2.5-6 5 12 2.5-6h4"/>',
  globe: '<circle cx="12" cy="12" r="8.5"/><path d="M3.5 12h17M12 3.5c2.5 2.4 3.5 5.3 3.5 8.5s-1 6.1-3.5 8.5c-2.5-2.4-3.5-5.3-3.5-8.5s1-6.1 3.5-8.5z"/>',
  chevron: '<path d="M6 15l6-6 6 6"/>',
  panel: '<rect x="3" y="4.5" width="18" height="15" rx="2"/><path d="M15 4.5v15"/>',
  inbox: '<path d="M3.5 13.5 6.5 5h11l3 8.5v5a1.5 1.5 0 0 1-1.5 1.5H5a1.5 1.5 0 0 1-1.5-1.5z"/><path d="M3.5 13.5h5l1 2.5h5l1-2.5h5"/>',
  tag: '<path d="M3.5 12.5v-9h9l8 8-9 9z"/><circle cx="8" cy="8" r="1.3"/>',
  edit: '<path d="M4 20h4L19 9l-4-4L4 16z"/>',
  copy: '<rect x="9" y="9" width="11" height="11" rx="1.5"/><path d="M5.5 15H4.5a1 1 0 0 1-1-1V4.5a1 1 0 0 1 1-1H14a1 1 0 0 1 1 1v1"/>',
  keypad: '<path d="M7 5h.01M12 5h.01M17 5h.01M7 10h.01M12 10h.01M17 10h.01M7 15h.01M12 15h.01M17 15h.01M12 20h.01" stroke-width="3"/>',
  extension: '<rect x="3.5" y="3.5" width="7" height="7" rx="1.5"/><rect x="13.5" y="3.5" width="7" height="7" rx="1.5"/><rect x="3.5" y="13.5" width="7" height="7" rx="1.5"/><path d="M17 13.5v7M13.5 17h7"/>',
  external: '<path d="M13.5 4.5h6v6M19.5 4.5 11 13M17.5 14v4.5a1.5 1.5 0 0 1-1.5 1.5H6A1.5 1.5 0 0 1 4.5 18.5V8A1.5 1.5 0 0 1 6 6.5h4.5"/>',
  eye: '<path d="M2.5 12S6 5.5 12 5.5 21.5 12 21.5 12 18 18.5 12 18.5 2.5 12 2.5 12z"/><circle cx="12" cy="12" r="3"/>',
  "eye-off": '<path d="M3.5 3.5l17 17M10 6a9 9 0 0 1 2-.5c6 0 9.5 6.5 9.5 6.5a17 17 0 0 1-2.7 3.4M6.3 7.4A16 16 0 0 0 2.5 12S6 18.5 12 18.5a9 9 0 0 0 4.3-1.1M9.9 9.9a3 3 0 0 0 4.2 4.2"/>',
};
/** @type {Record<string, string>} */
const EXT_ICONS = {
  customer: "customer", "customer-view": "customer", person: "customer", "person-placeholder": "customer", employee: "customer",
  syntax: "syntax", "source-code": "syntax", "developer-settings": "syntax", hint: "hint", "lightbulb": "hint", message: "hint", "message-information": "hint",
  puzzle: "puzzle", activity: "pulse", "activity-items": "pulse", "activity-2": "pulse", "line-charts": "pulse",
  call: "phone", phone: "phone", email: "email", "discussion": "chat", "discussion-2": "chat", "comment": "chat", "globe": "globe", "world": "globe",
};

/** icon is the line icon name (puzzle when there is none).
 * @param {string} name
 * @param {string} [cls]
 * @returns {SVGSVGElement} */
export function icon(name, cls) {
  const svg = document.createElementNS(SVGNS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("fill", "none");
  svg.setAttribute("stroke", "currentColor");
  svg.setAttribute("stroke-width", "1.8");
  svg.setAttribute("stroke-linecap", "round");
  svg.setAttribute("stroke-linejoin", "round");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", "icon" + (cls ? " " + cls : ""));
  svg.innerHTML = ICONS[name] || ICONS.puzzle; // constant markup from ICONS only
  return svg;
}
/** extIcon is an extension's icon: a data: image, or an SAP icon name we draw.
 * @param {unknown} spec */
export function extIcon(spec) {
  if (typeof spec === "string" && /^data:image\/(png|gif|jpeg|webp|svg\+xml)[;,]/i.test(spec)) {
    return h("img", { src: spec, alt: "", attrs: { "aria-hidden": "true" } });
  }
  const name = typeof spec === "string" ? spec.replace(/^sap-icon:\/\//, "").toLowerCase() : "";
  return icon(EXT_ICONS[name] || (ICONS[name] ? name : "puzzle"));
}
/** fillIcons draws the icons of the elements with data-icon.
 * @param {ParentNode} [root] */
export function fillIcons(root = document) {
  for (const el of root.querySelectorAll("[data-icon]")) {
    if (!el.firstElementChild) el.append(icon(/** @type {HTMLElement} */ (el).dataset.icon || ""));
  }
}
