// @ts-check
// lifecycle.js: the customer card from load to exit. start wires the
// controls and, inside the panel, listens for its messages and sends init
// (payload true); init's answer is the interaction, then the card asks
// for the agent and the transcript and ticks the call timer. onMessage
// takes a message only from the panel (event.source is the parent window,
// event.origin the panel's origin: panel.js fromPanel) and routes it:
// responses to their requests, state and status messages, exit. On exit
// the card removes its listener, disables every control and sends nothing
// more. Outside the panel it says so and stays idle. It owns card's
// lifecycle fields (timer, stopped; the phase through feedback.js) and
// the banner's button, whose offers (try again, close) are its init and
// actions.js's handle. It imports panel.js and every card module it
// drives: actions.js, connection.js, controls.js, details.js, dom.js,
// feedback.js, model.js, notifications.js, view.js, view-conversation.js.
import { framed, fromPanel, panelOrigin, settle, stop } from "../panel.js";
import { handle } from "./actions.js";
import { isError, reasonOf, request } from "./connection.js";
import { wire } from "./controls.js";
import { loadTranscript, loadUser } from "./details.js";
import { $, button } from "./dom.js";
import { banner, hideBanner, setPhase, status, tickToasts } from "./feedback.js";
import { CONVERSATION, absorbTranscript, adopt, card, channelOf } from "./model.js";
import { onState, onStatus } from "./notifications.js";
import { render } from "./view.js";
import { renderTimer } from "./view-conversation.js";

/** @typedef {import("./model.js").Interaction} Interaction */

/** start starts the card, once its document is parsed. */
export async function start() {
  wire();
  button("cc-banner-action").addEventListener("click", onBannerAction);
  if (!framed || !panelOrigin) {
    setPhase("standalone");
    notConnected();
    banner("info", "Not inside the Communication Panel",
      "This extension is loaded by the Communication Panel for each accepted interaction. Open cpsim (http://127.0.0.1:8080/) and accept an interaction to see it at work.");
    status("info", "Waiting to be loaded by the Communication Panel.");
    $("cc-customer-name").textContent = "Customer card";
    return;
  }
  window.addEventListener("message", onMessage);
  await init();
}

/** init sends init and shows the interaction of its answer; the banner
 * offers to try again when the panel refuses. */
async function init() {
  setPhase("loading");
  hideBanner();
  status("pending", "Connecting to the Communication Panel…");
  const res = await request("init", true);
  if (card.stopped) return;
  if (isError(res)) {
    setPhase("error");
    notConnected();
    banner("error", "The panel refused to start this extension", reasonOf(res), "retry");
    status("error", "init failed: " + reasonOf(res));
    return;
  }
  if (!res.value || typeof res.value !== "object") {
    setPhase("error");
    notConnected();
    banner("info", "No interaction", "The panel has no interaction for this extension. It is meant to be configured as an interaction-specific extension of a queue.");
    status("info", "Connected, but there is no interaction to show.");
    return;
  }
  const it = /** @type {Interaction} */ (res.value);
  setPhase("ready");
  adopt(it);
  absorbTranscript(it.transcript && it.transcript.messages);
  render();
  status("success", "Connected to the Communication Panel.");
  card.timer = window.setInterval(tick, 1000);
  loadUser();
  if (CONVERSATION.has(channelOf(card.it))) loadTranscript();
}

/** onBannerAction does what the banner's button offers. */
function onBannerAction() {
  const offer = button("cc-banner-action").dataset.offer;
  if (offer === "retry") init();
  else if (offer === "close") handle();
}

/** notConnected says in the header that the card has no interaction. */
function notConnected() {
  $("cc-channel").textContent = "Customer card";
  const pill = $("cc-interaction-status");
  pill.dataset.state = "error";
  pill.textContent = "Not connected";
}

/** onMessage takes a message from the panel, and only from it.
 * @param {MessageEvent} event */
function onMessage(event) {
  if (!fromPanel(event)) return;
  const msg = event.data;
  if (!msg || typeof msg !== "object" || card.stopped) return;
  switch (msg.type) {
    case "response":
      settle(msg);
      break;
    case "state":
      onState(msg.payload || {});
      break;
    case "status":
      onStatus(msg.payload || {});
      break;
    case "exit":
      onExit();
      break;
    default:
      break;
  }
}

/** onExit stops the card: the panel is removing this extension (the
 * interaction was handled, or the agent logged out). It stops listening
 * and never sends again. */
function onExit() {
  window.removeEventListener("message", onMessage);
  window.clearInterval(card.timer);
  card.stopped = true;
  stop("the panel closed this extension before answering");
  setPhase("exited");
  if (card.it) render();
  document.querySelectorAll("button, input, textarea, select").forEach((el) => {
    if (el instanceof HTMLButtonElement || el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) {
      el.disabled = true;
    }
  });
  banner("done", "Interaction handled",
    "The panel has closed this interaction. This card has stopped and sends nothing more.");
  status("info", "Interaction handled: the extension has stopped.");
  window.scrollTo({ top: 0 });
}

/** tick, every second, advances the call timer and the pending toasts'
 * seconds. */
function tick() {
  if (card.stopped) return;
  renderTimer();
  tickToasts();
}
