// @ts-check
// Fault injection: the controls that make the next init fail, a command
// answer an error or answer late, and the list of the faults in force. It
// owns the faults' controls; it imports relay.js (sendEvent), render.js,
// toast.js and the helpers.

import { COMMANDS } from "./constants.js";
import { h, icon, tid } from "./dom.js";
import { sendEvent } from "./relay.js";
import { changed } from "./render.js";
import { toast } from "./toast.js";

/** renderFaults lists the faults of the view v.
 * @param {import("./model.js").View} v */
export function renderFaults(v) {
  const f = v.faults || {};
  if (!changed("faults", f)) return;
  const items = [];
  if (f.fail_next_init !== undefined) {
    items.push(h("li", { testid: "fault", data: { kind: "init" } }, h("span", { text: `Next init fails: "${f.fail_next_init}"` })));
  }
  for (const [cmd, reason] of Object.entries(f.fail || {})) {
    items.push(h("li", { testid: "fault", data: { kind: "fail", command: cmd } }, h("span", { text: `${cmd} answers error: "${reason}"` }),
      h("button", { type: "button", class: "icon-btn", testid: "fault-remove", attrs: { "aria-label": `Stop failing ${cmd}` }, on: { click: () => sendEvent({ type: "fail", command: cmd, reason: "" }) } }, icon("close"))));
  }
  for (const [cmd, d] of Object.entries(f.delay || {})) {
    items.push(h("li", { testid: "fault", data: { kind: "delay", command: cmd } }, h("span", { text: `${cmd} answers ${d} late` }),
      h("button", { type: "button", class: "icon-btn", testid: "fault-remove", attrs: { "aria-label": `Stop delaying ${cmd}` }, on: { click: () => sendEvent({ type: "delay", command: cmd, ms: 0 }) } }, icon("close"))));
  }
  tid("faults-active").replaceChildren(...items);
}

const fault = {
  initReason: /** @type {HTMLInputElement} */ (tid("fault-init-reason")), init: tid("fault-init"),
  failCmd: /** @type {HTMLSelectElement} */ (tid("fault-fail-command")),
  failReason: /** @type {HTMLInputElement} */ (tid("fault-fail-reason")), fail: tid("fault-fail"),
  delayCmd: /** @type {HTMLSelectElement} */ (tid("fault-delay-command")),
  delayMs: /** @type {HTMLInputElement} */ (tid("fault-delay-ms")), delay: tid("fault-delay"), clear: tid("fault-clear"),
};
fault.failCmd.replaceChildren(...COMMANDS.map((c) => h("option", { value: c, text: c })));
fault.delayCmd.replaceChildren(...["init", ...COMMANDS].map((c) => h("option", { value: c, text: c })));
fault.delayCmd.value = "detail";
fault.init.addEventListener("click", () => {
  const reason = fault.initReason.value.trim();
  sendEvent({ type: "fail_next_init", ...(reason ? { reason } : {}) });
});
fault.fail.addEventListener("click", () => {
  const reason = fault.failReason.value.trim();
  if (!reason) { toast("Give the error reason the command answers (clear it with the × in the list).", "error", "Fail"); fault.failReason.focus(); return; }
  sendEvent({ type: "fail", command: fault.failCmd.value, reason });
});
fault.delay.addEventListener("click", () => {
  const ms = Math.round(Number(fault.delayMs.value));
  if (!Number.isFinite(ms) || ms < 0) { toast("The delay is a number of milliseconds, 0 or more.", "error", "Delay"); return; }
  sendEvent({ type: "delay", command: fault.delayCmd.value, ms });
});
fault.clear.addEventListener("click", () => sendEvent({ type: "clear_faults" }));
