// @ts-check
// The draft editor: the compose form of an SMS, WhatsApp or email an
// extension asked for without direct, which the panel opens prefilled
// (outgoing / outbound_preview) for the agent to edit, then send or
// discard. One form per draft, kept with the agent's edits while the
// draft lives: the detail shows the active draft's, and the cards' Send
// and Discard use it too. It owns those forms; it imports relay.js
// (sendEvent), constants.js and dom.js.

import { CHANNELS } from "./constants.js";
import { h, icon } from "./dom.js";
import { sendEvent } from "./relay.js";

/** @typedef {import("./types.js").Interaction} Interaction */

/**
 * A draft's form and its fields.
 * @typedef {{el: HTMLElement, to: HTMLInputElement, subject: HTMLInputElement, content: HTMLTextAreaElement, error: HTMLElement}} DraftForm
 */

/** @type {Map<string, DraftForm>} the forms, by interaction id */
const forms = new Map();

/** draftSection is the compose form of the draft it, built once and kept
 * with the agent's edits while it is a draft.
 * @param {Interaction} it
 * @returns {HTMLElement} */
export function draftSection(it) {
  let f = forms.get(it.id);
  if (!f) {
    f = buildForm(it);
    forms.set(it.id, f);
  }
  return f.el;
}

/** keepDrafts forgets the forms of drafts that are no longer drafts.
 * @param {Interaction[]} its the view's interactions */
export function keepDrafts(its) {
  const live = new Set(its.filter((it) => it.draft).map((it) => it.id));
  for (const id of forms.keys()) if (!live.has(id)) forms.delete(id);
}

/** field is a labelled input of the form.
 * @param {string} label
 * @param {HTMLElement} input */
const field = (label, input) => h("label", { class: "field" }, h("span", { text: label }), input);

/** @param {Interaction} it
 * @returns {DraftForm} */
function buildForm(it) {
  const d = it.draft || { channel: it.channel, to: [it.destination] };
  const email = it.channel === "email";
  const ch = CHANNELS[it.channel] || { label: it.channel, icon: "send" };
  const to = /** @type {HTMLInputElement} */ (h("input", { testid: "draft-to", autocomplete: "off", attrs: { spellcheck: "false" } }));
  to.value = (d.to || []).join(", ");
  const subject = /** @type {HTMLInputElement} */ (h("input", { testid: "draft-subject", autocomplete: "off" }));
  subject.value = d.subject || "";
  const content = /** @type {HTMLTextAreaElement} */ (h("textarea", { testid: "draft-content", rows: email ? 8 : 3,
    placeholder: email ? "Write the email…" : "Write the first message…" }));
  content.value = d.content || "";
  const from = readonlyInput(d.from || it.originator || "");
  from.dataset.testid = "draft-from";
  from.title = "The sender: from the extension's request, or the queue's address or the agent's default";
  const error = h("p", { class: "field-error", testid: "draft-error", hidden: true, attrs: { role: "alert" } });
  const send = h("button", { type: "submit", class: "btn btn-primary", testid: "draft-send", title: "Send it (Ctrl+Enter)" }, icon("send"), "Send");
  const discard = h("button", { type: "button", class: "btn btn-outline-bad", testid: "draft-discard", title: "Close it unsent" }, icon("x"), "Discard");
  const el = h("form", { class: "card d-section draft", testid: "draft", data: { kind: "draft", channel: it.channel, id: it.id },
    attrs: { novalidate: true, "aria-label": `Draft ${ch.label}` } },
  h("div", { class: "d-section-head" }, icon(ch.icon), h("h3", { text: `New ${email ? "email" : ch.label}` }),
    h("span", { class: "tag", text: "Draft" }), h("span", { class: "spacer" })),
  h("p", { class: "kv-note draft-note", text: "An extension asked for it without direct: nothing reaches the customer until you send it." }),
  h("div", { class: "draft-fields" },
    field("From", from),
    field(email ? "To (comma-separated)" : "To", to),
    (email && d.cc && d.cc.length) ? field("Cc", readonlyInput(d.cc.join(", "))) : null,
    email ? field("Subject", subject) : null,
    field(email ? "Body" : "Message", content)),
  error,
  h("div", { class: "draft-actions" }, discard, h("span", { class: "spacer" }), send));
  /** @type {DraftForm} */
  const f = { el, to, subject, content, error };
  el.addEventListener("submit", (e) => { e.preventDefault(); sendDraft(it); });
  content.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && !e.isComposing) { e.preventDefault(); sendDraft(it); }
  });
  discard.addEventListener("click", () => discardDraft(it));
  return f;
}

/** readonlyInput shows text in a field the agent cannot edit.
 * @param {string} text */
function readonlyInput(text) {
  const i = /** @type {HTMLInputElement} */ (h("input", { attrs: { readonly: true } }));
  i.value = text;
  return i;
}

/** shown says whether the form is on the page, where it shows a refusal
 * (else a toast does).
 * @param {DraftForm | undefined} f */
const shown = (f) => !!f && f.el.isConnected;

/** showError shows why the draft was not sent in its form ("" hides it).
 * @param {DraftForm | undefined} f
 * @param {string} text */
function showError(f, text) {
  if (!f) return;
  f.error.textContent = text;
  f.error.hidden = !text;
}

/** sendDraft sends the draft it with the agent's edits of its form, if
 * it has one; a refusal shows in the form.
 * @param {Interaction} it */
export async function sendDraft(it) {
  const f = forms.get(it.id);
  /** @type {import("./relay.js").AgentEvent} */
  const ev = { type: "send_draft", id: it.id };
  if (f) {
    const to = f.to.value.split(",").map((s) => s.trim()).filter(Boolean);
    if (!to.length) { showError(f, "Give a recipient."); f.to.focus(); return; }
    if (it.channel !== "email" && !f.content.value.trim()) { showError(f, "Write a message before sending."); f.content.focus(); return; }
    ev.to = to;
    if (it.channel === "email" && f.subject.value.trim()) ev.subject = f.subject.value;
    if (f.content.value.trim()) ev.content = f.content.value;
  }
  showError(f, "");
  const r = await sendEvent(ev, { quiet: shown(f) });
  if (r.error) showError(f, r.error);
}

/** discardDraft closes the draft it unsent.
 * @param {Interaction} it */
export async function discardDraft(it) {
  const f = forms.get(it.id);
  const r = await sendEvent({ type: "discard_draft", id: it.id }, { quiet: shown(f) });
  if (r.error) showError(f, r.error);
}
