// @ts-check
// connection.js: the customer card's requests to the panel: request (any
// message with an id, "cc-n") and action (an action command), both
// resolving with the panel's response payload ({value, reason}), and how
// to read that payload (isError, reasonOf). It owns no state of its own:
// it reads card.stopped (model.js) and sends through panel.js, which posts
// only to the panel's origin.
import { request as requestPanel } from "../panel.js";
import { card } from "./model.js";

/** @typedef {import("../panel.js").ResponsePayload} ResponsePayload */

/** request sends a message and resolves with the response payload
 * ({value, reason}); after exit, with an error at once.
 * @param {string} type
 * @param {unknown} [payload]
 * @returns {Promise<ResponsePayload>} */
export function request(type, payload) {
  if (card.stopped) return Promise.resolve({ value: "error", reason: "not connected to the Communication Panel" });
  return requestPanel("cc", type, payload);
}

/** action sends the action command with its value (and any more fields
 * of the payload, extra).
 * @param {string} command
 * @param {unknown} value
 * @param {Record<string, unknown>} [extra]
 * @returns {Promise<ResponsePayload>} */
export const action = (command, value, extra) => request("action", { command, value, ...(extra || {}) });

/** isError says whether a response payload is the panel's error.
 * @param {ResponsePayload | null | undefined} p
 * @returns {boolean} */
export const isError = (p) => !p || p.value === "error";

/** reasonOf is the reason an error payload gives.
 * @param {ResponsePayload | null | undefined} p
 * @returns {string} */
export const reasonOf = (p) => (p && p.reason) || "the panel gave no reason";
