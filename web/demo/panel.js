// @ts-check
// panel.js: how the demo extensions talk to the Communication Panel, shared
// by all of them (the seed's examples, seed-simple.html and seed-full.html,
// keep their own code: they are the specification's verbatim examples).
//
// It finds the panel's origin as the specification's examples do
// (location.ancestorOrigins[0], else document.referrer; a referrer is a
// URL, so only its origin is kept), posts only to that origin (never '*'),
// takes a message only when event.source is the parent window and
// event.origin is that origin (fromPanel), pairs requests with their
// responses by id (request, settle), and stops when the panel sends exit
// (stop). It owns the requests waiting for their responses and imports
// nothing.

/** The panel's origin, or "" when the page has none (not framed). */
export const panelOrigin = findPanelOrigin();
/** The page is in a frame (the panel's, when panelOrigin is set). */
export const framed = window.parent !== window;

/** @typedef {{value?: unknown, reason?: string, exited?: boolean, [key: string]: unknown}} ResponsePayload */

/** The requests waiting for their responses, and whether the panel said exit. */
const conversation = {
  stopped: false,
  seq: 0,
  /** @type {Map<string, (payload: ResponsePayload) => void>} */
  pending: new Map(),
};

function findPanelOrigin() {
  const anc = window.location.ancestorOrigins;
  const raw = anc && anc.length ? anc[0] : document.referrer;
  try {
    return raw ? new URL(raw).origin : "";
  } catch {
    return "";
  }
}

/** post sends msg to the panel; false when there is no panel to send to
 * (not framed, no origin, or after exit).
 * @param {unknown} msg
 * @returns {boolean} */
export function post(msg) {
  if (conversation.stopped || !framed || !panelOrigin) return false;
  window.parent.postMessage(msg, panelOrigin);
  return true;
}

/** request sends a message with a new id (prefix-n) and resolves with the
 * payload of the panel's response ({value, reason}); with an error payload
 * when it cannot be sent, or when the panel exits before answering.
 * @param {string} prefix
 * @param {string} type
 * @param {unknown} [payload]
 * @returns {Promise<ResponsePayload>} */
export function request(prefix, type, payload) {
  const id = prefix + "-" + (++conversation.seq);
  return new Promise((resolve) => {
    /** @type {{id: string, type: string, payload?: unknown}} */
    const msg = { id, type };
    if (payload !== undefined) msg.payload = payload;
    if (!post(msg)) {
      resolve({ value: "error", reason: "not connected to the Communication Panel" });
      return;
    }
    conversation.pending.set(id, resolve);
  });
}

/** fromPanel says whether a message event comes from the panel: from the
 * parent window, at the panel's origin.
 * @param {MessageEvent} event
 * @returns {boolean} */
export function fromPanel(event) {
  return !!panelOrigin && event.source === window.parent && event.origin === panelOrigin;
}

/** settle resolves the request a response answers; it says whether msg
 * was such a response.
 * @param {{type?: unknown, id?: unknown, payload?: unknown}} msg
 * @returns {boolean} */
export function settle(msg) {
  if (msg.type !== "response" || typeof msg.id !== "string") return false;
  const resolve = conversation.pending.get(msg.id);
  if (!resolve) return false;
  conversation.pending.delete(msg.id);
  resolve(/** @type {ResponsePayload} */ (msg.payload || {}));
  return true;
}

/** stop ends the conversation (the panel sent exit): nothing more is
 * posted, and the requests still waiting resolve with an error.
 * @param {string} reason */
export function stop(reason) {
  conversation.stopped = true;
  for (const resolve of conversation.pending.values()) resolve({ value: "error", reason, exited: true });
  conversation.pending.clear();
}
