// @ts-check
// view-controls.js: the bottom of the customer card, the agent's
// controls: which are enabled (and why not, in their title), which are
// shown for the channel, their hints, the outbound fields prefilled once
// from the interaction, and the phase that follows the interaction's
// status (ended: a banner that offers to close it). It renders from card
// (model.js) and owns no state but card.prefilled. It imports dom.js,
// format.js, model.js and feedback.js.
import { $, button, field, inside } from "./dom.js";
import { looksLikeEmail, looksLikePhone } from "./format.js";
import { banner, hideBanner, setPhase } from "./feedback.js";
import { card, channelOf, live } from "./model.js";

/** @typedef {import("./model.js").Interaction} Interaction */

/** setEnabled enables or disables a control (one whose action is pending
 * is left alone); a disabled one says why in its title. After exit,
 * every control is disabled.
 * @param {string} id
 * @param {boolean} on
 * @param {string} [why] */
function setEnabled(id, on, why) {
  const el = document.getElementById(id);
  if (!(el instanceof HTMLButtonElement || el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement)) return;
  if (el.getAttribute("aria-busy") === "true") return;
  el.disabled = card.phase === "exited" || !on;
  if (el.disabled && why) el.title = why;
  else el.removeAttribute("title");
}

/** renderControls renders the controls for the interaction.
 * @param {Interaction} it */
export function renderControls(it) {
  const ch = channelOf(it);
  const isLive = live();
  const ended = it.status === "ended";
  const calling = it.status === "outgoing" && it.channel_status === "calling";
  const phoneOk = card.phoneStatus !== "disconnected";
  const notLive = "Only while the interaction is in progress";

  setPhaseFromStatus(it);

  // Conversation
  setEnabled("cc-reply", isLive, notLive);
  setEnabled("cc-reply-send", isLive, notLive);
  // Phone
  setEnabled("cc-btn-hold", isLive, notLive);
  setEnabled("cc-btn-mute", isLive, notLive);
  setEnabled("cc-btn-record", isLive, notLive);
  setEnabled("cc-btn-hangup", isLive || calling, "There is no call to hang up");
  const tonesOk = isLive && !card.held;
  for (const b of $("cc-keypad").querySelectorAll("button")) setEnabled(b.id, tonesOk, card.held ? "Resume the call to send tones" : notLive);
  setEnabled("cc-dtmf-input", tonesOk);
  setEnabled("cc-dtmf-send", tonesOk, card.held ? "Resume the call to send tones" : notLive);
  $("cc-dtmf-hint").textContent = card.held ? "The call is on hold: resume it to send tones." : (isLive ? "" : "Tones can be sent while the call is connected.");

  // Transfer / consult / join
  const canConsult = (ch === "phone" || ch === "chat") && !it.consult_for;
  $("cc-route").hidden = false;
  $("cc-btn-consult").hidden = !canConsult;
  $("cc-btn-join").hidden = ch !== "phone";
  $("cc-route-title").textContent = canConsult ? "Transfer or consult" : "Transfer";
  setEnabled("cc-route-to", isLive);
  setEnabled("cc-transfer-note", isLive);
  setEnabled("cc-btn-transfer", isLive, notLive);
  setEnabled("cc-btn-consult", isLive, notLive);
  setEnabled("cc-btn-join", isLive, notLive);
  let hint = "";
  if (ch === "phone" && card.consult) hint = `Consultation with ${card.consult.destination || "the other party"} in progress: Join connects them with the customer and leaves the call.`;
  else if (ch === "phone") hint = "Consult puts the customer on hold; Join then connects both parties and leaves you out.";
  else if (!isLive) hint = "Transfer is available while the interaction is in progress.";
  $("cc-route-hint").textContent = hint;

  // Outbound
  $("cc-followup").hidden = false;
  setEnabled("cc-btn-callback", phoneOk, "The softphone is disconnected");
  inside(button("cc-btn-callback"), "span").textContent = ch === "phone" || it.originator ? "Call back" : "Call";

  // Wrap up: a call is hung up first; a conversation or an email can be
  // closed while in progress.
  const canHandle = ended || (isLive && ch !== "phone");
  $("cc-wrap").hidden = ch === "phone" && !ended;
  setEnabled("cc-btn-handle", canHandle, ch === "phone" ? "Hang up before closing the interaction" : "Nothing to close yet");
  $("cc-wrap-title").textContent = ended ? "Ready to wrap up" : "Done with this customer?";
  $("cc-wrap-hint").textContent = ended
    ? "Close the interaction when your notes are done."
    : (ch === "phone" ? "Hang up first, then close the interaction." : "Closing ends the conversation and handles it in the panel.");
}

/** setPhaseFromStatus moves the phase to ended when the interaction ends
 * (with a banner that offers to close it), and back to ready if it goes
 * on.
 * @param {Interaction} it */
function setPhaseFromStatus(it) {
  if (card.phase === "exited") return;
  const ended = it.status === "ended";
  if (ended && card.phase !== "ended") {
    setPhase("ended");
    const transferred = it.channel_status === "transferring";
    banner("ended", transferred ? "Transferred" : "The interaction has ended",
      transferred
        ? "The customer was passed on. Close the interaction when you are done here."
        : "The customer has left. Close the interaction when your notes are done.",
      "close");
  } else if (!ended && card.phase === "ended") {
    setPhase("ready");
    hideBanner();
  }
}

/** prefill fills the outbound fields once, from the interaction: the
 * customer's phone number and email address (CAD, else the originator or
 * destination), and a subject.
 * @param {Interaction} it */
export function prefill(it) {
  if (card.prefilled) return;
  card.prefilled = true;
  const cad = it.attached_data || {};
  const ch = channelOf(it);
  const phone = cad.phone || ((ch === "phone" || ch === "sms" || ch === "whatsapp") && looksLikePhone(it.originator) && it.status !== "outgoing" ? it.originator : "")
    || (looksLikePhone(it.destination) && it.status === "outgoing" ? it.destination : "");
  const email = cad.email || (ch === "email" ? (it.from_address && it.from_address.address) || (looksLikeEmail(it.originator) ? it.originator : "") : "");
  field("cc-out-phone").value = String(phone || "");
  field("cc-out-email").value = String(email || "");
  let subject = "Following up on your request";
  if (ch === "email" && it.title) subject = /^re:/i.test(it.title) ? it.title : `Re: ${it.title}`;
  else if (cad.case_id) subject = `Your case ${cad.case_id}`;
  else if (cad.order_id) subject = `Your order ${cad.order_id}`;
  field("cc-out-subject").value = subject;
}
