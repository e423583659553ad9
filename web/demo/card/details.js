// @ts-check
// details.js: what the customer card asks the panel for (action detail):
// the agent (detail user: the greeting, the agent's messages in the
// transcript, the softphone and work status until they are notified), the
// transcript of a text conversation (detail transcript) and, on the
// refresh button, all of it again with the interaction (detail
// interaction). It folds the answers into card (model.js) and imports
// connection.js, dom.js, feedback.js, model.js, view.js and
// view-conversation.js.
import { action, isError, reasonOf } from "./connection.js";
import { $, button } from "./dom.js";
import { settleToast, showToast, status } from "./feedback.js";
import { CONVERSATION, absorbTranscript, adopt, card, channelOf } from "./model.js";
import { render } from "./view.js";
import { renderTranscript } from "./view-conversation.js";

/** @typedef {import("./model.js").User} User */
/** @typedef {import("./model.js").Interaction} Interaction */

/** loadUser asks for the agent (detail user) and renders the card. */
export async function loadUser() {
  const res = await action("detail", "user");
  if (card.stopped) return;
  if (isError(res) || !res.value || typeof res.value !== "object") {
    $("cc-greeting").textContent = "";
    return;
  }
  const user = /** @type {User} */ (res.value);
  card.user = user;
  if (!card.phoneStatus && user.phone) card.phoneStatus = user.phone.sip_connected ? "connected" : "disconnected";
  if (!card.workStatus) card.workStatus = user.work_status || "";
  render();
}

/** loadTranscript asks for the transcript (detail transcript) and
 * renders it; it resolves with whether the panel gave it.
 * @returns {Promise<boolean>} */
export async function loadTranscript() {
  const res = await action("detail", "transcript");
  if (card.stopped) return false;
  if (isError(res)) return false;
  if (Array.isArray(res.value)) absorbTranscript(res.value);
  renderTranscript();
  return true;
}

/** refresh asks for the interaction, the agent and the transcript again,
 * with a toast that says whether all came. */
export async function refresh() {
  const btn = button("cc-refresh");
  btn.classList.add("spinning");
  const toast = showToast({ state: "pending", command: "detail", title: "Refresh", body: "Asking the panel for the latest details…" });
  status("pending", "Refreshing…");
  btn.disabled = true;
  const [it, user] = await Promise.all([action("detail", "interaction"), action("detail", "user")]);
  let transcriptOk = true;
  if (!isError(it) && it.value && typeof it.value === "object") {
    const fresh = /** @type {Interaction} */ (it.value);
    adopt(fresh);
    absorbTranscript(fresh.transcript && fresh.transcript.messages);
    if (CONVERSATION.has(channelOf(card.it))) transcriptOk = await loadTranscript();
  }
  if (!isError(user) && user.value && typeof user.value === "object") card.user = /** @type {User} */ (user.value);
  if (card.stopped) return;
  btn.disabled = false;
  btn.classList.remove("spinning");
  if (isError(it)) {
    settleToast(toast, "error", "Refresh failed", reasonOf(it));
    status("error", "Refresh failed: " + reasonOf(it));
  } else if (isError(user) || !transcriptOk) {
    const why = isError(user) ? reasonOf(user) : "the transcript could not be loaded";
    settleToast(toast, "error", "Refresh incomplete", why);
    status("error", "Refresh incomplete: " + why);
  } else {
    settleToast(toast, "success", "Refresh", "Up to date.");
    status("success", "Refreshed from the panel.");
  }
  render();
}
