// @ts-check
// Toasts: short notes in the corner of the page (errors, refusals, what a
// click did). It owns the toast stack and imports the DOM helpers only.

import { h, icon, tid } from "./dom.js";

const toastsEl = tid("toasts");
/** toast shows text for a few seconds.
 * @param {string} text
 * @param {string} [kind] info, ok or error
 * @param {string} [title] */
export function toast(text, kind = "info", title = "") {
  const el = h("div", { class: "toast", testid: "toast", data: { kind }, attrs: { role: kind === "error" ? "alert" : "status" } },
    icon(kind === "error" ? "alert" : kind === "ok" ? "check" : "hint"),
    h("p", null, title ? h("b", { text: title }) : null, text),
    h("button", { type: "button", class: "icon-btn", testid: "toast-close", attrs: { "aria-label": "Dismiss" }, on: { click: () => el.remove() } }, icon("close")));
  toastsEl.append(el);
  while (toastsEl.children.length > 4) toastsEl.firstElementChild?.remove();
  setTimeout(() => el.remove(), kind === "error" ? 9000 : kind === "ok" ? 2500 : 5000);
}
