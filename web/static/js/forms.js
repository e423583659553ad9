// @ts-check
// The forms of the left column: the new customer contact (incoming call,
// chat, email, SMS, WhatsApp with caller data), the agent's outbound in a
// dialog, and the queues the agent serves. It owns those forms; it imports
// relay.js (sendEvent), model.js, render.js, dialog.js, toast.js and the
// helpers.

import { CAD_PRESETS, CHANNELS, DEFAULT_CONTENT } from "./constants.js";
import { Modal } from "./dialog.js";
import { closestEl, h, icon, role, tid } from "./dom.js";
import { model } from "./model.js";
import { sendEvent } from "./relay.js";
import { changed } from "./render.js";
import { toast } from "./toast.js";
import { errorMessage, localGet, localSet } from "./util.js";

const form = {
  form: /** @type {HTMLFormElement} */ (tid("new-form")),
  channel: /** @type {HTMLSelectElement} */ (tid("new-channel")),
  queue: /** @type {HTMLSelectElement} */ (tid("new-queue")),
  from: /** @type {HTMLInputElement} */ (tid("new-from")),
  subject: /** @type {HTMLInputElement} */ (tid("new-subject")),
  content: /** @type {HTMLTextAreaElement} */ (tid("new-content")),
  cad: /** @type {HTMLTextAreaElement} */ (tid("new-cad")),
  cadPreset: /** @type {HTMLSelectElement} */ (tid("new-cad-preset")),
  cadError: tid("new-cad-error"),
  create: /** @type {HTMLButtonElement} */ (tid("new-create")),
};
const out = {
  form: /** @type {HTMLFormElement} */ (tid("outbound-form")),
  channel: /** @type {HTMLSelectElement} */ (tid("outbound-channel")),
  to: /** @type {HTMLInputElement} */ (tid("outbound-to")),
  from: /** @type {HTMLInputElement} */ (tid("outbound-from")),
  subject: /** @type {HTMLInputElement} */ (tid("outbound-subject")),
  content: /** @type {HTMLTextAreaElement} */ (tid("outbound-content")),
  send: /** @type {HTMLButtonElement} */ (tid("outbound-send")),
};

/** renderQueues lists the queues of the view v, with whether the agent serves each.
 * @param {import("./types.js").View} v */
export function renderQueues(v) {
  if (!changed("queues", v.queues)) return;
  const list = role("list", tid("queues"));
  list.replaceChildren(...(v.queues || []).map((q) => {
    const cb = h("input", { type: "checkbox", checked: !!q.serve, disabled: !!q.forced_to_serve, testid: "serve", data: { queue: q.name },
      attrs: { "aria-label": `Serve ${q.name}` },
      on: { change: () => sendEvent({ type: "serve", queue: q.name, serve: cb.checked }) } });
    return h("li", { data: { channel: q.channel } },
      h("label", { class: "check" }, cb, h("span", { class: "ch-dot" }), q.name),
      h("span", { class: "q-type", text: (CHANNELS[q.channel] ? CHANNELS[q.channel].label : q.channel) + (q.forced_to_serve ? " · forced" : "") }));
  }));
  fillQueueSelect();
}

/** What the developer typed over (a channel change keeps it), and the chosen channel. */
const newState = { from: false, subject: false, content: false, channel: "phone" };

/** setNewChannel makes the new contact form one of channel ch.
 * @param {string} ch */
export function setNewChannel(ch) {
  newState.channel = ch;
  form.channel.value = ch;
  const c = CHANNELS[ch];
  role("from-label", form.form).textContent = c.fromLabel;
  if (!newState.from) form.from.value = c.from;
  role("subject-field", form.form).hidden = ch !== "email";
  if (!newState.subject && !form.subject.value) form.subject.value = "Order SO-48213 has not arrived";
  role("content-field", form.form).hidden = ch === "phone";
  role("content-label", form.form).textContent = ch === "email" ? "Body" : "First message";
  if (!newState.content && ch !== "phone") form.content.value = DEFAULT_CONTENT[ch] || "";
  form.content.rows = ch === "email" ? 5 : 2;
  role("create-label", form.form).textContent = c.create;
  const ic = role("create-icon", form.form);
  ic.replaceChildren(icon(ch === "phone" ? "phone-in" : c.icon));
  closestEl(form.form, ".card").dataset.channel = ch;
  fillQueueSelect();
}
function fillQueueSelect() {
  const qs = ((model.view && model.view.queues) || []).filter((q) => q.channel === newState.channel);
  const cur = form.queue.value;
  form.queue.replaceChildren(...qs.map((q) => h("option", { value: q.name, text: q.name })));
  if (!qs.length) form.queue.append(h("option", { value: "", text: model.view ? `No ${CHANNELS[newState.channel].label} queue` : "…" }));
  if (qs.some((q) => q.name === cur)) form.queue.value = cur;
}
form.channel.addEventListener("change", () => setNewChannel(form.channel.value));
form.from.addEventListener("input", () => { newState.from = true; });
form.subject.addEventListener("input", () => { newState.subject = true; });
form.content.addEventListener("input", () => { newState.content = true; });

form.cadPreset.replaceChildren(...CAD_PRESETS.map((p, i) => h("option", { value: String(i), text: p.label })));
form.cadPreset.addEventListener("change", () => {
  const p = CAD_PRESETS[Number(form.cadPreset.value)];
  form.cad.value = JSON.stringify(p.cad, null, 2);
  checkNewCad();
});
form.cad.value = JSON.stringify(CAD_PRESETS[0].cad, null, 2);
/** checkNewCad checks the new contact's caller data and shows why it is wrong.
 * @returns {Record<string, unknown> | null} the caller data, or null when it is wrong */
export function checkNewCad() {
  const raw = form.cad.value.trim();
  /** @type {Record<string, unknown>} */
  let cad = {};
  let error = "";
  if (raw) {
    try {
      cad = JSON.parse(raw);
      if (!cad || typeof cad !== "object" || Array.isArray(cad)) error = "Caller data must be a JSON object, such as {\"customer_id\": \"C-1001\"}.";
    } catch (e) { error = errorMessage(e); }
  }
  form.cadError.textContent = error;
  form.cadError.hidden = !error;
  closestEl(form.cad, ".field").classList.toggle("invalid", !!error);
  return error ? null : cad;
}
form.cad.addEventListener("input", checkNewCad);

form.form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const cad = checkNewCad();
  if (cad === null) { form.cad.focus(); return; }
  /** @type {import("./relay.js").AgentEvent} */
  const ev = { type: "incoming", channel: newState.channel };
  if (form.queue.value) ev.queue = form.queue.value;
  const from = form.from.value.trim();
  if (from) ev.from = from;
  if (newState.channel === "email" && form.subject.value.trim()) ev.subject = form.subject.value.trim();
  if (newState.channel !== "phone" && form.content.value) ev.content = form.content.value;
  if (Object.keys(cad).length) ev.cad = cad;
  form.create.disabled = true;
  await sendEvent(ev);
  form.create.disabled = false;
  // No toast on success: the new card appears in the list.
});

// the form can fold away, to leave the column to the interactions
const newToggle = tid("new-toggle");
/** setNewOpen unfolds or folds the new contact form.
 * @param {boolean} open */
function setNewOpen(open) {
  newToggle.setAttribute("aria-expanded", String(open));
  form.form.hidden = !open;
  localSet("cpsim.new-open", open ? "1" : "0");
}
newToggle.addEventListener("click", () => setNewOpen(form.form.hidden));
if (localGet("cpsim.new-open") === "0") setNewOpen(false);

// the agent's outbound, in a dialog
/** @type {Modal<true>} */
const outDialog = new Modal(/** @type {HTMLDialogElement} */ (tid("outbound-dialog")));
tid("outbound-open").addEventListener("click", () => {
  setOutChannel();
  outDialog.open();
  out.to.focus();
});
tid("outbound-cancel").addEventListener("click", () => outDialog.close(null));

export function setOutChannel() {
  const ch = out.channel.value;
  role("subject-field", out.form).hidden = ch !== "email";
  role("content-field", out.form).hidden = ch === "phone";
  const label = role("send-label", out.form);
  label.textContent = ch === "phone" ? "Call" : ch === "email" ? "Send email" : `Send ${CHANNELS[ch].label}`;
  const ic = /** @type {HTMLElement} */ (out.send.querySelector("[data-icon]"));
  ic.replaceChildren(icon(ch === "phone" ? "phone-out" : CHANNELS[ch].icon));
  if (ch === "email" && !/@/.test(out.to.value)) out.to.value = "aino.virtanen@example.com";
  if (ch !== "email" && /@/.test(out.to.value)) out.to.value = "+358401234567";
  if (!out.subject.value) out.subject.value = "Your order SO-48213";
  if (!out.content.value) out.content.value = "Hello, this is Sinch support about your order SO-48213.";
}
out.channel.addEventListener("change", setOutChannel);
out.form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const ch = out.channel.value;
  const toList = out.to.value.split(/[,;]/).map((s) => s.trim()).filter(Boolean);
  if (!toList.length) { toast("Give a recipient.", "error", "Outbound"); out.to.focus(); return; }
  /** @type {import("./relay.js").AgentEvent} */
  const ev = { type: "outbound", channel: ch, to: toList.length === 1 ? toList[0] : toList };
  if (out.from.value.trim()) ev.from = out.from.value.trim();
  if (ch === "email" && out.subject.value.trim()) ev.subject = out.subject.value.trim();
  if (ch !== "phone" && out.content.value) ev.content = out.content.value;
  out.send.disabled = true;
  const r = await sendEvent(ev);
  out.send.disabled = false;
  if (!r.error) outDialog.close(true);
});
