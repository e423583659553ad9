// @ts-check
// actions.js: the agent's actions, one function per control: reply,
// tones (DTMF), hold, mute and recording (callState), hang up, close
// (interaction handle), transfer (with a note as CAD {"note": ...}),
// consult, join and outbound (phone, SMS, WhatsApp, email; sent directly
// or opened as a draft in the panel). Each sends its action command
// through run, which shows its progress: the button busy, a pending toast
// with the seconds waited, then success or the panel's reason, repeated
// on the status line. It owns no state but the flags its answers change
// in card (model.js): hold, mute, recording, the consultation. It
// imports connection.js, dom.js, feedback.js, format.js, model.js and
// view.js.
import { action, isError, reasonOf } from "./connection.js";
import { button, checkbox, field } from "./dom.js";
import { settleToast, showToast, status } from "./feedback.js";
import { cap, idNote, words } from "./format.js";
import { card, channelOf } from "./model.js";
import { render } from "./view.js";

/** @typedef {import("./connection.js").ResponsePayload} ResponsePayload */

/** One action for run: the command and its value; the button that
 * started it; label names it in the toast and on the status line;
 * pendingText says what it waits for; done words its answer's value.
 * @typedef {object} Run
 * @property {string} command
 * @property {unknown} value
 * @property {HTMLButtonElement} [button]
 * @property {string} label
 * @property {string} [pendingText]
 * @property {(value: unknown) => string} [done]
 * @property {Record<string, unknown>} [extra]
 */

/** run sends one action with its feedback: the button is busy and a
 * pending toast shows until the answer, which turns into success or the
 * panel's reason. It resolves with the answer; with null after exit.
 * @param {Run} r
 * @returns {Promise<ResponsePayload | null>} */
async function run({ command, value, button: btn, label, pendingText, done, extra }) {
  if (card.stopped) return null;
  if (btn) {
    btn.setAttribute("aria-busy", "true");
    btn.disabled = true;
  }
  const toast = showToast({ state: "pending", command, title: label, body: pendingText || "Waiting for the panel…" });
  status("pending", `${label}…`);
  const res = await action(command, value, extra);
  if (btn && !card.stopped) {
    btn.removeAttribute("aria-busy");
    btn.disabled = false;
  }
  if (res && res.exited) {
    settleToast(toast, "error", label, "No answer: the interaction was handled first.");
    return res;
  }
  if (isError(res)) {
    settleToast(toast, "error", `${label} failed`, reasonOf(res));
    status("error", `${label} failed: ${reasonOf(res)}`);
  } else {
    const text = done ? done(res.value) : "Done.";
    settleToast(toast, "success", label, text);
    status("success", `${label}: ${text}`);
  }
  if (!card.stopped) render();
  return res;
}

/** succeeded says whether run's answer is a success.
 * @param {ResponsePayload | null} res
 * @returns {res is ResponsePayload} */
const succeeded = (res) => !!res && !isError(res);

/** validationError shows what is wrong with the agent's input, without
 * sending anything, and focuses the field.
 * @param {string} label
 * @param {string} text
 * @param {HTMLElement} [fieldEl] */
function validationError(label, text, fieldEl) {
  showToast({ state: "error", command: "none", title: label, body: text });
  status("error", `${label}: ${text}`);
  if (fieldEl) fieldEl.focus();
}

/** sendReply sends the reply box's text (command message).
 * @param {Event} e */
export async function sendReply(e) {
  e.preventDefault();
  const box = field("cc-reply");
  const text = box.value.trim();
  if (!text) {
    validationError("Reply", "Write a message first.", box);
    return;
  }
  const res = await run({
    command: "message", value: { content: text }, button: button("cc-reply-send"),
    label: "Send reply", pendingText: "Sending your reply…", done: () => "Message sent.",
  });
  if (succeeded(res)) {
    if (box.value.trim() === text) box.value = "";
    box.focus();
  }
}

/** sendTones sends DTMF digits (command dtmf).
 * @param {string} digits
 * @param {HTMLButtonElement} btn
 * @returns {Promise<ResponsePayload | null>} */
export function sendTones(digits, btn) {
  return run({
    command: "dtmf", value: { content: digits }, button: btn,
    label: `Tone${digits.length > 1 ? "s" : ""} ${digits}`, pendingText: "Sending DTMF…",
    done: () => `Sent ${digits}.`,
  });
}

/** sendToneField sends the digits typed in the tones field.
 * @param {Event} e */
export async function sendToneField(e) {
  e.preventDefault();
  const input = field("cc-dtmf-input");
  const digits = input.value.replace(/\s+/g, "");
  if (!digits) {
    validationError("Tones", "Type the digits to send.", input);
    return;
  }
  if (!/^[0-9*#A-Da-d]+$/.test(digits)) {
    validationError("Tones", "Use only 0-9, *, # and A-D.", input);
    return;
  }
  const res = await sendTones(digits, button("cc-dtmf-send"));
  if (succeeded(res)) input.value = "";
}

/** The button of each callState operation. @type {Record<string, string>} */
const CALL_STATE_BUTTON = { hold: "cc-btn-hold", unhold: "cc-btn-hold", mute: "cc-btn-mute", unmute: "cc-btn-mute" };

/** callState sends a callState operation; on success it sets the flag
 * itself, as recording is not a notified attribute.
 * @param {"hold" | "unhold" | "mute" | "unmute" | "startRecording" | "stopRecording"} op
 * @param {string} label */
async function callState(op, label) {
  const res = await run({
    command: "callState", value: op, button: button(CALL_STATE_BUTTON[op] || "cc-btn-record"), label,
    pendingText: "Asking the panel…", done: () => "Done.",
  });
  if (!succeeded(res)) return;
  // Recording is not a notified attribute: follow our own request.
  if (op === "hold") card.held = true;
  if (op === "unhold") card.held = false;
  if (op === "mute") card.muted = true;
  if (op === "unmute") card.muted = false;
  if (op === "startRecording") card.recording = true;
  if (op === "stopRecording") card.recording = false;
  if (card.it) card.it.recording = card.recording;
  render();
}

/** toggleHold holds or resumes the call. */
export function toggleHold() { callState(card.held ? "unhold" : "hold", card.held ? "Resume call" : "Hold call"); }
/** toggleMute mutes or unmutes the agent. */
export function toggleMute() { callState(card.muted ? "unmute" : "mute", card.muted ? "Unmute" : "Mute"); }
/** toggleRecord starts or stops the recording. */
export function toggleRecord() { callState(card.recording ? "stopRecording" : "startRecording", card.recording ? "Stop recording" : "Start recording"); }

/** hangup ends the call (interaction hangup). */
export function hangup() {
  return run({
    command: "interaction", value: "hangup", button: button("cc-btn-hangup"), label: "Hang up",
    pendingText: "Ending the call…", done: () => "The call has ended.",
  });
}

/** handle closes the interaction (interaction handle). */
export function handle() {
  return run({
    command: "interaction", value: "handle", button: button("cc-btn-handle"), label: "Close interaction",
    pendingText: "Handling the interaction…", done: () => "Handled.",
  });
}

/** routeTarget is the transfer or consult destination the agent typed;
 * "" (with the error shown) when there is none.
 * @param {string} label
 * @returns {string} */
function routeTarget(label) {
  const input = field("cc-route-to");
  const to = input.value.trim();
  if (!to) {
    validationError(label, "Enter a destination: a number, an agent or a queue.", input);
    return "";
  }
  return to;
}

/** transfer transfers the interaction, with the agent's note as CAD. */
export async function transfer() {
  const to = routeTarget("Transfer");
  if (!to) return;
  const noteField = field("cc-transfer-note");
  const note = noteField.value.trim();
  /** @type {{to: string, cad?: {note: string}}} */
  const value = { to };
  if (note) value.cad = { note };
  const res = await run({
    command: "transfer", value, button: button("cc-btn-transfer"), label: `Transfer to ${to}`,
    pendingText: "Transferring…",
    done: (v) => (note ? "Transferred with your note." : "Transferred.") + idNote(v),
  });
  if (succeeded(res)) noteField.value = "";
}

/** consult starts a consultation; the card keeps it for the hint. */
export async function consult() {
  const to = routeTarget("Consult");
  if (!to) return;
  const res = await run({
    command: "consult", value: { to }, button: button("cc-btn-consult"), label: `Consult ${to}`,
    pendingText: "Starting the consultation…",
    done: (v) => (channelOf(card.it) === "phone"
      ? "Consultation started; the customer is on hold. Join when the consulted party answers."
      : "Consultation started.") + idNote(v),
  });
  if (succeeded(res) && res.value && typeof res.value === "object") card.consult = res.value;
}

/** join joins the customer and the consulted party. */
export async function join() {
  // The prose's join takes no recipient: it joins the consultation in
  // progress. The schema requires a value, so an empty object is sent.
  const res = await run({
    command: "join", value: {}, button: button("cc-btn-join"), label: "Join calls",
    pendingText: "Joining the customer and the consulted party…",
    done: () => "Joined: the customer and the consulted party now talk to each other.",
  });
  if (succeeded(res)) card.consult = null;
}

/** The outbound buttons' labels, by channel. @type {Record<string, string>} */
const OUT_LABEL = { phone: "Call back", sms: "Send SMS", whatsapp: "Send WhatsApp", email: "Email customer" };
/** What an outbound creates, by channel. @type {Record<string, string>} */
const OUT_NOUN = { phone: "call", sms: "SMS", whatsapp: "WhatsApp message", email: "email" };

/** outbound starts an outbound interaction on channel (the button's
 * data-channel) to the customer's number or address.
 * @param {string} channel
 * @param {HTMLButtonElement} btn */
export async function outbound(channel, btn) {
  const direct = checkbox("cc-out-direct").checked;
  const content = field("cc-out-content").value.trim();
  const label = OUT_LABEL[channel];
  /** @type {{channel: string, direct: boolean, to?: string | string[], subject?: string, content?: string}} */
  const value = { channel, direct };
  if (channel === "email") {
    const input = field("cc-out-email");
    const to = input.value.trim();
    if (!to) {
      validationError(label, "Enter the customer’s email address.", input);
      return;
    }
    value.to = to.split(/[,;]\s*/).filter(Boolean);
    const subject = field("cc-out-subject").value.trim();
    if (subject) value.subject = subject;
    if (content) value.content = content;
  } else {
    const input = field("cc-out-phone");
    const to = input.value.trim();
    if (!to) {
      validationError(label, "Enter the customer’s phone number.", input);
      return;
    }
    value.to = to;
    if (channel !== "phone" && content) value.content = content;
  }
  const noun = OUT_NOUN[channel];
  const who = Array.isArray(value.to) ? value.to.join(", ") : value.to;
  // The panel answers at once with what it created: a call dials either
  // way; without direct, an SMS, WhatsApp or email opens as a draft
  // (channel_status outbound_preview) that the agent sends from the panel.
  await run({
    command: "outbound", value, button: btn, label: `${label} · ${who}`,
    pendingText: `Creating the ${noun}…`,
    done: (v) => {
      const r = /** @type {{channel_status?: string, status?: string} | null} */ (v && typeof v === "object" ? v : null);
      const st = r ? (r.channel_status || r.status) : "";
      if (st === "outbound_preview") return `${cap(noun)} opened as a draft in the panel: send it from there.` + idNote(v);
      return `${cap(noun)} created${st ? ` (${words(st).toLowerCase()})` : ""}.` + idNote(v);
    },
  });
}
