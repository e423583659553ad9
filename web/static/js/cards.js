// @ts-check
// The interaction cards of the left column: offered (incoming, queued) and
// in hand, each with the agent's actions (accept, hold, transfer, ...), and
// the dialog that asks for a transfer's or consultation's recipient. It
// owns the cards' elements; it imports relay.js (sendEvent), model.js,
// render.js, dialog.js, interactions.js, draft.js (a draft's Send and
// Discard) and the helpers.

import { CHANNELS, CONVERSATION, OTHER_OUTCOMES } from "./constants.js";
import { Modal } from "./dialog.js";
import { h, icon, role, tid } from "./dom.js";
import { discardDraft, sendDraft } from "./draft.js";
import { cardSub, cardTitle, live, owned, sinceMs, statusText, statusTone } from "./interactions.js";
import { model } from "./model.js";
import { sendEvent } from "./relay.js";
import { errorMessage, fmtDuration, shortId, sig, visibleControls } from "./util.js";

/** @typedef {import("./interactions.js").Interaction} Interaction */
/** @typedef {import("./model.js").View} View */

const lists = {
  offered: tid("offered-list"), offeredCount: tid("offered-count"), active: tid("active-list"), activeCount: tid("active-count"),
};
lists.offered.dataset.empty = "Nothing offered. Simulate a customer below.";
lists.active.dataset.empty = "No interaction in hand.";

/** @type {Map<string, HTMLElement & {_sig?: string}>} the cards, by interaction id */
const cardEls = new Map();

/**
 * Options of an action button: shown as an icon only (its label the
 * aria-label), extra classes, a title other than the label, disabled, and
 * aria-pressed for a toggle.
 * @typedef {{iconOnly?: boolean, cls?: string, title?: string, disabled?: boolean, pressed?: boolean}} ActionOptions
 */

/** actionButton is a card's button that does onClick.
 * @param {string} testid
 * @param {string} label
 * @param {string | null} iconName
 * @param {() => void} onClick
 * @param {ActionOptions} [opts]
 * @returns {HTMLButtonElement} */
function actionButton(testid, label, iconName, onClick, opts = {}) {
  return h("button", {
    type: "button", class: "btn act " + (opts.iconOnly ? "act-icon " : "") + (opts.cls || ""), testid, title: opts.title || label,
    disabled: !!opts.disabled, attrs: { "aria-pressed": opts.pressed === undefined ? null : String(opts.pressed), "aria-label": opts.iconOnly ? label : null },
    on: { click: (/** @type {Event} */ e) => { e.stopPropagation(); onClick(); } },
  }, iconName ? icon(iconName) : null, opts.iconOnly ? null : label);
}

/** cardActions are the agent's actions on it: a row of buttons, and the
 * outcomes of a call the agent is making.
 * @param {Interaction} it
 * @param {View} v
 * @returns {[HTMLElement | null, HTMLElement | null]} */
function cardActions(it, v) {
  const id = it.id, ch = it.channel, st = it.status;
  /** ev is a handler that sends the event type on it, with extra fields.
   * @param {string} type
   * @param {Record<string, unknown>} [extra] */
  const ev = (type, extra) => () => sendEvent({ type, id, ...extra });
  const out = [];
  const rec = ((v.user || {}).permissions || {}).recording || "enabled";
  if (st === "incoming") {
    out.push(actionButton("accept", "Accept", "check", ev("accept"), { cls: "btn-good" }));
    out.push(actionButton("reject", "Reject", "x", ev("reject"), { cls: "btn-outline-bad" }));
  }
  if (st === "queued") out.push(actionButton("pick", "Pick", "pick", ev("pick"), { title: "Take it from the queue" }));
  if (it.draft) {
    out.push(actionButton("discard", "Discard", "x", () => discardDraft(it), { cls: "btn-outline-bad", title: "Close the draft unsent" }));
    out.push(actionButton("send", "Send", "send", () => sendDraft(it), { cls: "btn-primary", title: "Send the draft, with the edits made in its form" }));
    return [h("div", { class: "icard-actions" }, out), null];
  }
  const calling = st === "outgoing" && it.channel_status === "calling";
  if (ch === "phone") {
    if (live(it)) {
      out.push(it.held
        ? actionButton("unhold", "Unhold", "play", ev("unhold"), { pressed: true, iconOnly: true, title: "On hold: unhold" })
        : actionButton("hold", "Hold", "hold", ev("hold"), { pressed: false, iconOnly: true }));
      out.push(it.muted
        ? actionButton("unmute", "Unmute", "mic-off", ev("unmute"), { pressed: true, iconOnly: true, title: "Muted: unmute" })
        : actionButton("mute", "Mute", "mic", ev("mute"), { pressed: false, iconOnly: true }));
      if (rec !== "hidden") {
        const on = !!it.recording;
        out.push(actionButton("record", on ? "Stop recording" : "Start recording", "record", ev("record", { on: !on }),
          { pressed: on, cls: "act-rec", iconOnly: true, disabled: rec === "disabled", title: rec === "disabled" ? "Recording is disabled for this agent" : on ? "Recording: stop" : "Start recording" }));
      }
      out.push(actionButton("transfer", "Transfer", "transfer", () => transferDialog(it), { iconOnly: true }));
      if (!it.consult_for) out.push(actionButton("consult", "Consult", "consult", () => consultDialog(it), { iconOnly: true, disabled: !!it.consult, title: it.consult ? `A consultation is in progress: ${it.consult}` : "Consult" }));
    }
    if ((it.consult || it.consult_for) && (live(it) || calling)) out.push(actionButton("join", "Join", "join", ev("join"), { title: it.consult ? `Join the consultation ${it.consult}` : `Join with ${it.consult_for}` }));
    if (live(it) || calling) out.push(actionButton("hangup", "Hang up", "hangup", ev("hangup"), { cls: "btn-bad" }));
    if (st === "ended" || (owned(it) && !live(it) && !calling)) out.push(actionButton("handle", "Handle", "check", ev("handle"), { cls: "btn-primary", title: "Done: close it" }));
  } else if (CONVERSATION.has(ch)) {
    if (live(it)) {
      out.push(actionButton("transfer", "Transfer", "transfer", () => transferDialog(it), { iconOnly: true }));
      if (ch === "chat" && !it.consult_for) out.push(actionButton("consult", "Consult", "consult", () => consultDialog(it), { iconOnly: true, disabled: !!it.consult }));
      out.push(actionButton("hangup", "End", "hangup", ev("hangup"), { cls: "btn-outline-bad", title: "End the conversation (hang up)" }));
    }
    if (owned(it)) out.push(actionButton("handle", "Handle", "check", ev("handle"), { cls: "btn-primary", title: "Done: close it" }));
  } else if (ch === "email") {
    if (live(it)) out.push(actionButton("transfer", "Transfer", "transfer", () => transferDialog(it), { iconOnly: true }));
    if (owned(it)) out.push(actionButton("handle", "Handle", "check", ev("handle"), { cls: "btn-primary", title: "Done: close it" }));
  }
  const row = out.length ? h("div", { class: "icard-actions" }, out) : null;
  let outcomes = null;
  if (calling && ch === "phone") {
    const other = h("select", { class: "mini-select", testid: "outcome-other", attrs: { "aria-label": "Other outcome" },
      on: { click: (/** @type {Event} */ e) => e.stopPropagation(), change: () => { if (other.value) sendEvent({ type: "outcome", id, result: other.value }); other.value = ""; } } },
      h("option", { value: "", text: "Other…" }), OTHER_OUTCOMES.map((o) => h("option", { value: o, text: o.replace(/_/g, " ") })));
    outcomes = h("div", { class: "outcomes" }, h("span", { text: "Outcome:" }),
      actionButton("outcome-connected", "Answered", "check", ev("outcome", { result: "connected" }), { cls: "btn-good" }),
      actionButton("outcome-busy", "Busy", null, ev("outcome", { result: "busy" })),
      actionButton("outcome-no-answer", "No answer", null, ev("outcome", { result: "no_answer" })),
      other);
  }
  return [row, outcomes];
}

/** buildCard is the card of it.
 * @param {Interaction} it
 * @param {View} v
 * @returns {HTMLElement} */
function buildCard(it, v) {
  const isActive = v.active === it.id;
  const tags = [];
  if (it.outbound) tags.push(h("span", { class: "tag", text: "Outbound" }));
  if (it.consult_for) tags.push(h("span", { class: "tag tag-warn", title: it.consult_for, text: `Consultation for ${shortId(it.consult_for)}` }));
  if (it.consult) tags.push(h("span", { class: "tag tag-warn", title: it.consult, text: `Consulting ${shortId(it.consult)}` }));
  if (it.conference_id) tags.push(h("span", { class: "tag", text: "Conference" }));
  if (it.recording) tags.push(h("span", { class: "tag tag-rec" }, icon("record"), "REC"));
  const cad = it.attached_data || {};
  if (cad.tier) tags.push(h("span", { class: "tag" }, icon("tag"), String(cad.tier)));
  if ((it.instances || []).length) tags.push(h("span", { class: "tag", title: it.instances.join(", ") }, icon("extension"), String(it.instances.length)));
  const customer = (it.participants || []).find((p) => p.uniquekey === "customer");
  if (customer && customer.status === "typing") tags.push(h("span", { class: "tag", text: "typing…" }));

  const selectable = owned(it) && !isActive;
  const [actions, outcomes] = cardActions(it, v);
  const el = h("article", {
    class: "icard", testid: "interaction",
    data: { id: it.id, status: it.status, channel: it.channel, channelStatus: it.channel_status, active: String(isActive), selectable: String(owned(it)) },
    attrs: { "aria-current": isActive ? "true" : null, "aria-label": `${CHANNELS[it.channel] ? CHANNELS[it.channel].label : it.channel} ${cardTitle(it)}: ${statusText(it)}` },
    on: { click: () => { if (owned(it) && model.view && model.view.active !== it.id) sendEvent({ type: "select_interaction", id: it.id }); } },
  },
  h("div", { class: "icard-top" },
    h("span", { class: "ch-badge", title: CHANNELS[it.channel] ? CHANNELS[it.channel].label : it.channel }, icon(CHANNELS[it.channel] ? CHANNELS[it.channel].icon : "puzzle")),
    h("div", { class: "icard-main" },
      selectable
        ? h("button", { type: "button", class: "icard-title link-plain", testid: "select", dir: "auto", text: visibleControls(cardTitle(it)), title: "Select this interaction",
          on: { click: (/** @type {Event} */ e) => { e.stopPropagation(); sendEvent({ type: "select_interaction", id: it.id }); } } })
        : h("div", { class: "icard-title", dir: "auto", text: visibleControls(cardTitle(it)) }),
      h("div", { class: "icard-sub", dir: "auto", text: cardSub(it) })),
    h("div", { class: "icard-meta" },
      h("span", { class: "status-pill", data: { tone: statusTone(it) }, text: statusText(it) }),
      h("span", { class: "timer", data: { since: String(sinceMs(it)) }, text: fmtDuration(Date.now() - sinceMs(it)) }))),
  tags.length ? h("div", { class: "icard-tags" }, tags) : null,
  actions, outcomes);
  return el;
}

/** renderCards shows the interactions of the view v, offered and in hand.
 * @param {View} v */
export function renderCards(v) {
  const its = [...(v.interactions || [])].sort((a, b) => sinceMs(a) - sinceMs(b));
  const offered = its.filter((it) => it.status === "incoming" || it.status === "queued");
  const inHand = its.filter((it) => !(it.status === "incoming" || it.status === "queued"));
  const rec = ((v.user || {}).permissions || {}).recording;
  const seen = new Set();
  const place = (/** @type {Interaction[]} */ list, /** @type {HTMLElement} */ container) => {
    /** @type {Element | null} */
    let prev = null;
    for (const it of list) {
      seen.add(it.id);
      const s = sig([it, v.active === it.id, rec]);
      let el = cardEls.get(it.id);
      if (!el || el._sig !== s) {
        const focused = /** @type {HTMLElement | null} */ (document.activeElement);
        const focusTid = el && focused && el.contains(focused) ? focused.dataset.testid : null;
        const fresh = /** @type {HTMLElement & {_sig?: string}} */ (buildCard(it, v));
        fresh._sig = s;
        if (el) el.replaceWith(fresh);
        el = fresh;
        cardEls.set(it.id, el);
        if (focusTid) { const f = tid(focusTid, el); if (f) f.focus(); }
      }
      /** @type {Element | null} */
      const want = prev ? prev.nextElementSibling : container.firstElementChild;
      if (el.parentNode !== container || want !== el) {
        if (prev) prev.after(el); else container.prepend(el);
      }
      prev = el;
    }
  };
  place(offered, lists.offered);
  place(inHand, lists.active);
  for (const [id, el] of cardEls) if (!seen.has(id)) { el.remove(); cardEls.delete(id); }
  lists.offeredCount.textContent = String(offered.length);
  lists.activeCount.textContent = String(inHand.length);
}

// --- the dialog for transfer and consult

const dlg = /** @type {HTMLDialogElement} */ (tid("dialog"));
/** @type {Modal<{to: string, cad: Record<string, unknown> | undefined}>} */
const recipient = new Modal(dlg);

/** askRecipient asks for the recipient of a transfer or consultation (and
 * caller data to pass on, withCad); null when the agent cancels.
 * @param {{title: string, text: string, toLabel: string, toValue: string, withCad?: boolean, okLabel: string}} o */
function askRecipient({ title, text, toLabel, toValue, withCad, okLabel }) {
  role("title", dlg).textContent = title;
  role("text", dlg).textContent = text || "";
  role("to-label", dlg).textContent = toLabel || "To";
  toInput.value = toValue || "";
  cadInput.value = "";
  role("cad-field", dlg).hidden = !withCad;
  tid("dialog-error", dlg).hidden = true;
  tid("dialog-ok", dlg).textContent = okLabel || "OK";
  const answer = recipient.open();
  toInput.select();
  return answer;
}
const toInput = /** @type {HTMLInputElement} */ (tid("dialog-to", dlg));
const cadInput = /** @type {HTMLTextAreaElement} */ (tid("dialog-cad", dlg));
role("form", dlg).addEventListener("submit", (e) => {
  e.preventDefault();
  const to = toInput.value.trim();
  const err = tid("dialog-error", dlg);
  if (!to) { err.textContent = "Give a recipient."; err.hidden = false; return; }
  let cad;
  if (!role("cad-field", dlg).hidden) {
    const raw = cadInput.value.trim();
    if (raw) {
      try { cad = JSON.parse(raw); } catch (x) { err.textContent = "Caller data: " + errorMessage(x); err.hidden = false; return; }
      if (!cad || typeof cad !== "object" || Array.isArray(cad)) { err.textContent = "Caller data must be a JSON object."; err.hidden = false; return; }
    }
  }
  recipient.close({ to, cad });
});
tid("dialog-cancel", dlg).addEventListener("click", () => recipient.close(null));

/** transferDialog asks for the recipient of a transfer of it, and transfers it.
 * @param {Interaction} it */
async function transferDialog(it) {
  const r = await askRecipient({ title: `Transfer ${shortId(it.id)}`, text: "The interaction ends here and a new leg goes to the recipient, carrying its caller data.",
    toLabel: "Number, address or queue", toValue: it.channel === "email" ? "sales@example.com" : "+358201230200", withCad: true, okLabel: "Transfer" });
  if (r) sendEvent({ type: "transfer", id: it.id, to: r.to, ...(r.cad ? { cad: r.cad } : {}) });
}
/** consultDialog asks for the recipient of a consultation on it, and starts it.
 * @param {Interaction} it */
async function consultDialog(it) {
  const r = await askRecipient({ title: `Consult on ${shortId(it.id)}`, text: it.channel === "phone" ? "The call is put on hold while you consult." : "A consultation starts beside the chat.",
    toLabel: "Number or agent", toValue: "+358201230555", okLabel: "Consult" });
  if (r) sendEvent({ type: "consult", id: it.id, to: r.to });
}
