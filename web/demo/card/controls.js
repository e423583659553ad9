// @ts-check
// controls.js: wires the customer card's controls to their actions: the
// keypad (built here: one button per DTMF key), the forms (reply, tones;
// Enter in the transfer and outbound forms sends nothing), the call
// buttons, transfer, consult, join, the outbound buttons, close and
// refresh. It owns no state. It imports actions.js, details.js and
// dom.js.
import {
  consult, handle, hangup, join, outbound, sendReply, sendToneField, sendTones, toggleHold, toggleMute,
  toggleRecord, transfer,
} from "./actions.js";
import { refresh } from "./details.js";
import { $, button, form, h } from "./dom.js";

/** The keypad's keys, in their order. */
const DTMF_KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];
/** The letters under a key. @type {Record<string, string>} */
const DTMF_SUB = { 2: "ABC", 3: "DEF", 4: "GHI", 5: "JKL", 6: "MNO", 7: "PQRS", 8: "TUV", 9: "WXYZ", 0: "+" };

/** buildKeypad builds the keypad: each key sends its tone. */
function buildKeypad() {
  const pad = $("cc-keypad");
  pad.replaceChildren(...DTMF_KEYS.map((k) => {
    const b = h("button", {
      type: "button", class: "key", id: `cc-dtmf-${k === "*" ? "star" : k === "#" ? "hash" : k}`,
      "data-testid": `dtmf-key-${k}`, "data-command": "dtmf", "data-digit": k, "aria-label": `Send tone ${k}`,
    }, h("span", { class: "key-main", text: k }), h("span", { class: "key-sub", text: DTMF_SUB[k] || "\u00a0" }));
    b.addEventListener("click", () => sendTones(k, b));
    return b;
  }));
}

/** wire builds the keypad and wires every control to its action. */
export function wire() {
  buildKeypad();
  button("cc-refresh").addEventListener("click", refresh);
  const replyForm = form("cc-reply-form");
  replyForm.addEventListener("submit", sendReply);
  $("cc-reply").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      replyForm.requestSubmit();
    }
  });
  form("cc-dtmf-form").addEventListener("submit", sendToneField);
  button("cc-btn-hold").addEventListener("click", toggleHold);
  button("cc-btn-mute").addEventListener("click", toggleMute);
  button("cc-btn-record").addEventListener("click", toggleRecord);
  button("cc-btn-hangup").addEventListener("click", hangup);
  // Enter in the destination field must not transfer by accident.
  form("cc-route-form").addEventListener("submit", (e) => e.preventDefault());
  button("cc-btn-transfer").addEventListener("click", transfer);
  button("cc-btn-consult").addEventListener("click", consult);
  button("cc-btn-join").addEventListener("click", join);
  form("cc-out-form").addEventListener("submit", (e) => e.preventDefault());
  for (const id of ["cc-btn-callback", "cc-btn-sms", "cc-btn-whatsapp", "cc-btn-email"]) {
    const b = button(id);
    b.addEventListener("click", () => outbound(b.dataset.channel || "", b));
  }
  button("cc-btn-handle").addEventListener("click", handle);
}
