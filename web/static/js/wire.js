// @ts-check
// Frames to the server: the websocket the relay opened, whether the server
// welcomed it, and the frames waiting to go. Frames made in one task leave
// as one websocket message, sent on a zero-delay task (a MessageChannel
// message: setTimeout(0) is clamped), unless a frame comes alone (see
// queueFrame). m and e frames are numbered (q) and kept in unacked until
// the server's k frame says it processed them; after a reconnect the ones
// after the welcome's in are sent again, so nothing is lost in either
// direction (docs/relay.md). It owns the socket state (link) and the
// outgoing queues; relay.js opens and closes the socket. It imports
// constants.js and util.js only.

import { MAX_UNACKED, MAX_WS } from "./constants.js";
import { NON_ASCII, utf8Len } from "./util.js";

/** @typedef {{q: number, s: string}} Numbered a numbered frame and its text */

/** The websocket and what the page sent on it. */
export const link = {
  /** @type {WebSocket | null} */
  ws: null,
  /** the server welcomed the current socket */
  connected: false,
  /** the last number given to an m or e frame (relay.md: q) */
  q: 0,
};

/** @type {string[]} frame texts for the next websocket message */
const outQ = [];
/** @type {Numbered[]} numbered frames the server has not acknowledged */
let unacked = [];
let flushScheduled = false;
const flusher = new MessageChannel();
flusher.port1.onmessage = flushOut;

// A frame that comes alone (nothing sent for a while) goes at once: a
// lone request should not wait for a task. Frames that come in a burst
// (an extension posting many messages, each its own task) are batched.
let lastSendAt = -Infinity;
const ALONE_MS = 0.3;

/** queueFrame sends a frame's JSON with the other frames of this task.
 * @param {string} str */
export function queueFrame(str) {
  outQ.push(str);
  if (flushScheduled) return;
  if (outQ.length === 1 && performance.now() - lastSendAt > ALONE_MS) {
    flushOut();
    return;
  }
  flushScheduled = true;
  flusher.port2.postMessage(0);
}

/** queueNumbered numbers an m or e frame; body is the frame's JSON after
 * its "q" (starting with a comma). It returns the number.
 * @param {"m" | "e"} t
 * @param {string} body
 * @returns {number} */
export function queueNumbered(t, body) {
  const q = ++link.q;
  const str = '{"t":"' + t + '","q":' + q + body;
  unacked.push({ q, s: str });
  if (unacked.length > MAX_UNACKED) {
    // A page cut off this long drops the oldest rather than grow for ever.
    const cut = unacked.length - MAX_UNACKED;
    unacked.splice(0, cut);
    console.warn(`cpsim: dropped ${cut} extension message(s) kept while disconnected`);
  }
  if (link.connected) queueFrame(str);
  return q;
}

/** onAck forgets the numbered frames up to q: the server processed them.
 * @param {number} q */
export function onAck(q) {
  let i = 0;
  while (i < unacked.length && unacked[i].q <= q) i++;
  if (i) unacked = unacked.slice(i);
}

/** restartNumbering forgets every numbered frame and numbers on from
 * processed: what the page numbered before belongs to another session.
 * @param {number} processed */
export function restartNumbering(processed) {
  unacked = [];
  link.q = processed;
}

/** resendUnacked queues again the numbered frames the server has not
 * acknowledged (after a welcome). */
export function resendUnacked() {
  for (const u of unacked) queueFrame(u.s);
}

/** dropQueuedFrames forgets the frames waiting to go (the socket closed):
 * numbered frames stay in unacked, the rest is made again. */
export function dropQueuedFrames() {
  outQ.length = 0;
}

function flushOut() {
  flushScheduled = false;
  const ws = link.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN || !link.connected) {
    // Numbered frames wait in unacked for the next welcome; acks and log
    // requests are made again then.
    outQ.length = 0;
    return;
  }
  let parts = [], bytes = 2;
  for (const s of outQ) {
    const b = NON_ASCII.test(s) ? utf8Len(s) : s.length;
    if (parts.length && bytes + b + 1 > MAX_WS) {
      ws.send("[" + parts.join(",") + "]");
      parts = [];
      bytes = 2;
    }
    parts.push(s);
    bytes += b + 1;
  }
  outQ.length = 0;
  if (parts.length) ws.send("[" + parts.join(",") + "]");
  lastSendAt = performance.now();
}
