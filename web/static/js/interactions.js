// @ts-check
// What the page says about an interaction: its status in words and tone,
// its title and subtitle, whether the agent has it live or owns it. Pure
// functions of an interaction of the view, shared by the cards and the
// detail; it owns nothing and imports only util.js.

import { shortId } from "./util.js";

/** An interaction of the view (the engine's fields). @typedef {import("./types.js").Interaction} Interaction */

/** @type {Record<string, string>} the tone of a card, by the interaction's status */
const TONES = { queued: "", incoming: "ring", accepted: "live", outgoing: "call", ended: "ended", handled: "ended", rejected: "bad" };

/** statusText is the interaction's status in words.
 * @param {Interaction} it
 * @returns {string} */
export function statusText(it) {
  const cs = it.channel_status;
  switch (it.status) {
    case "queued": return "Queued";
    case "incoming": return it.channel === "phone" ? "Ringing" : "Offered";
    case "accepted":
    case "outgoing":
      if (cs === "calling") return "Calling…";
      if (cs === "outbound_preview") return "Draft";
      if (cs === "onhold") return "On hold";
      if (cs === "muted") return "Muted";
      if (cs === "transferring") return "Transferring";
      if (cs === "connected") return it.channel === "phone" ? "Connected" : "Active";
      return cs || it.status;
    case "ended":
      if (cs === "transferring") return "Transferred";
      if (cs === "disconnected") return "Ended";
      return (cs || "ended").replace(/_/g, " ");
  }
  return it.status;
}
/** statusTone is the tone its status shows in: ring, live, call, hold, ended, bad or "".
 * @param {Interaction} it
 * @returns {string} */
export function statusTone(it) {
  if (it.channel_status === "onhold" || it.channel_status === "muted") return "hold";
  if (it.status === "ended" && it.channel_status && !["disconnected", "transferring"].includes(it.channel_status)) return "bad";
  if (it.status === "outgoing" && it.channel_status === "connected") return "live";
  return TONES[it.status] || "";
}
/** live says whether the agent is connected on it.
 * @param {Interaction} it
 * @returns {boolean} */
export function live(it) {
  return (it.status === "accepted" || it.status === "outgoing") && ["connected", "onhold", "muted"].includes(it.channel_status);
}
/** owned says whether the agent has it (accepted, outgoing or ended).
 * @param {Interaction} it
 * @returns {boolean} */
export function owned(it) {
  return it.status === "accepted" || it.status === "outgoing" || it.status === "ended";
}
/** customerName is the caller data's customer_name, or "".
 * @param {Interaction} it
 * @returns {string} */
export function customerName(it) {
  const cad = it.attached_data || {};
  return typeof cad.customer_name === "string" ? cad.customer_name : "";
}
/** cardTitle is the title of its card.
 * @param {Interaction} it
 * @returns {string} */
export function cardTitle(it) {
  if (it.channel === "email") return it.title || "(no subject)";
  if (it.consult_for) return it.title || `Consultation with ${it.destination}`;
  if (it.outbound && it.channel === "phone") return it.destination || it.title;
  return customerName(it) || it.title || it.originator || it.id;
}
/** cardSub is the line under its card's title.
 * @param {Interaction} it
 * @returns {string} */
export function cardSub(it) {
  const bits = [];
  if (it.channel === "email") bits.push(it.from_address ? it.from_address.address : it.originator);
  else if (customerName(it) && it.originator && it.originator !== customerName(it)) bits.push(it.originator);
  else if (it.outbound) bits.push(`to ${it.destination}`);
  if (it.from_queue && it.from_queue.name) bits.push(it.from_queue.name);
  bits.push(shortId(it.id));
  return bits.filter(Boolean).join(" · ");
}
/** sinceMs is when it was created, in ms since the epoch (0 if unknown).
 * @param {Interaction} it
 * @returns {number} */
export function sinceMs(it) {
  const t = Date.parse(it.date_created);
  return Number.isNaN(t) ? 0 : t;
}
