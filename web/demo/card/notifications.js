// @ts-check
// notifications.js: what the panel tells the customer card unasked: state
// messages about its interaction (status, channel_status, cad, message)
// and status messages about the agent (phone_status, work_status). It
// folds them into card (model.js) and renders; a state message about
// another interaction (a consultation's) is not this card's. It imports
// feedback.js, model.js, view.js, view-conversation.js and
// view-customer.js.
import { flash, status } from "./feedback.js";
import { addMessage, adopt, card, followChannelStatus } from "./model.js";
import { render } from "./view.js";
import { renderTranscript } from "./view-conversation.js";
import { renderCustomer } from "./view-customer.js";

/** A state or status message's payload (the value of a status, a
 * channel_status, a phone_status or a work_status is a string).
 * @typedef {{attribute?: unknown, value?: unknown, interaction?: {id?: string} | null}} Notification */

/** onState follows a state message.
 * @param {Notification} p */
export function onState(p) {
  if (!card.it) return;
  const about = p.interaction;
  const mine = !about || !about.id || about.id === card.it.id;
  if (!mine) return;
  switch (p.attribute) {
    case "status":
      adopt(about);
      card.it.status = /** @type {string} */ (p.value);
      if (p.value === "ended") status("info", "The interaction has ended.");
      render();
      break;
    case "channel_status":
      adopt(about);
      card.it.channel_status = /** @type {string} */ (p.value);
      followChannelStatus(p.value);
      render();
      break;
    case "cad":
      adopt(about);
      card.it.attached_data = p.value && typeof p.value === "object" ? /** @type {Record<string, unknown>} */ (p.value) : {};
      renderCustomer(card.it);
      flash("cc-customer");
      break;
    case "message":
      if (addMessage(p.value, true)) renderTranscript();
      break;
    // activeInteraction and activeExtension reach this instance only when
    // its own interaction or extension becomes active, and nothing says
    // when it stops being so: the card shows neither.
    default:
      break;
  }
}

/** onStatus follows a status message.
 * @param {Notification} p */
export function onStatus(p) {
  if (p.attribute === "phone_status") card.phoneStatus = /** @type {string} */ (p.value);
  else if (p.attribute === "work_status") card.workStatus = /** @type {string} */ (p.value);
  if (card.it) render();
}
