// @ts-check
// feedback.js: what the customer card tells the agent about itself and
// its actions: its phase (body[data-phase]), the banner (handled, ended,
// error, info; with an offer: try again, close the interaction), the
// status line at the bottom, the toasts (one per action: pending, then
// success or error) and the flash of a part that changed. It owns the
// DOM of these parts; the phase is kept in card (model.js). It imports
// dom.js, format.js and model.js.
import { $, button, h, icon, inside, setIcon } from "./dom.js";
import { duration } from "./format.js";
import { card } from "./model.js";

/** @typedef {import("./model.js").Phase} Phase */
/** A toast's or the status line's state.
 * @typedef {"pending" | "success" | "error" | "info"} FeedbackState */
/** What the banner's button offers: init again, or handle the
 * interaction. The button's click is wired by the lifecycle (it owns both
 * actions). @typedef {"retry" | "close"} Offer */

/** @type {Record<FeedbackState, string | null>} */
const STATE_ICON = { pending: null, success: "check", error: "alert", info: "info" };
/** @type {Record<Offer, string>} */
const OFFER_LABEL = { retry: "Try again", close: "Close interaction" };
/** @type {Record<string, string>} */
const BANNER_ICON = { error: "alert", done: "done", ended: "info", info: "info" };

/** setPhase sets the card's phase, in card and on body[data-phase].
 * @param {Phase} phase */
export function setPhase(phase) {
  card.phase = phase;
  document.body.dataset.phase = phase;
}

/** showToast adds a toast for command; of more than three, the oldest
 * that is not pending go.
 * @param {{state: FeedbackState, command: string, title: string, body: string}} toast
 * @returns {HTMLElement} */
export function showToast({ state, command, title, body }) {
  const box = $("cc-toasts");
  const t = h("div", {
    class: "toast", "data-testid": "toast", "data-state": state, "data-command": command,
    "data-since": Date.now(), role: state === "error" ? "alert" : "status",
  });
  fillToast(t, state, title, body);
  box.append(t);
  while (box.children.length > 3) {
    const old = [...box.children].find((c) => c instanceof HTMLElement && c.dataset.state !== "pending");
    if (!old) break;
    old.remove();
  }
  return t;
}

/** fillToast shows state, title and body in toast t.
 * @param {HTMLElement} t
 * @param {FeedbackState} state
 * @param {string} title
 * @param {string} body */
function fillToast(t, state, title, body) {
  t.dataset.state = state;
  const pending = state === "pending";
  t.replaceChildren(...[
    pending ? h("span", { class: "spinner", "aria-hidden": "true" }) : icon(STATE_ICON[state] || "info", "ic toast-icon"),
    h("div", { class: "toast-text" },
      h("strong", { class: "toast-title", text: title }),
      h("span", { class: "toast-body", "data-testid": "toast-body", text: body }),
      pending ? h("span", { class: "toast-elapsed", text: "0:00" }) : null),
    pending ? null : h("button", {
      type: "button", class: "toast-close", "aria-label": "Dismiss", onclick: () => t.remove(),
    }, icon("close")),
  ].filter((n) => n !== null));
}

/** settleToast turns a pending toast into its outcome, which goes after
 * 5 s (success) or 20 s.
 * @param {HTMLElement} t
 * @param {FeedbackState} state
 * @param {string} title
 * @param {string} body */
export function settleToast(t, state, title, body) {
  if (!t.isConnected) $("cc-toasts").append(t);
  fillToast(t, state, title, body);
  if (state === "success") window.setTimeout(() => t.remove(), 5000);
  else window.setTimeout(() => t.remove(), 20000);
}

/** tickToasts shows how long each pending toast has waited. */
export function tickToasts() {
  for (const t of document.querySelectorAll('.toast[data-state="pending"]')) {
    if (!(t instanceof HTMLElement)) continue;
    const since = Number(t.dataset.since);
    const el = t.querySelector(".toast-elapsed");
    if (el) el.textContent = duration(Date.now() - since);
  }
}

/** status shows the latest outcome on the status line.
 * @param {FeedbackState} state
 * @param {string} text */
export function status(state, text) {
  const bar = $("cc-status");
  bar.dataset.state = state;
  $("cc-status-text").textContent = text;
  inside(bar, ".status-icon").replaceChildren(state === "pending"
    ? h("span", { class: "spinner" })
    : icon(STATE_ICON[state] || "info"));
}

/** banner shows the banner: kind is error, done, ended or info; offer,
 * when given, is what its button does.
 * @param {string} kind
 * @param {string} title
 * @param {string} body
 * @param {Offer} [offer] */
export function banner(kind, title, body, offer) {
  const b = $("cc-banner");
  b.hidden = false;
  b.dataset.kind = kind;
  setIcon(b.querySelector(".banner-icon"), BANNER_ICON[kind] || "info");
  $("cc-banner-title").textContent = title;
  $("cc-banner-body").textContent = body;
  const btn = button("cc-banner-action");
  btn.hidden = !offer;
  btn.disabled = false;
  btn.textContent = offer ? OFFER_LABEL[offer] : "";
  if (offer) btn.dataset.offer = offer;
  else delete btn.dataset.offer;
}

/** hideBanner hides the banner. */
export function hideBanner() {
  $("cc-banner").hidden = true;
}

/** flash replays the flash animation of the element with id.
 * @param {string} id */
export function flash(id) {
  const el = $(id);
  el.classList.remove("flash");
  void el.offsetWidth;
  el.classList.add("flash");
}
