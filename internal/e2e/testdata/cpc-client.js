// A test client in the message shapes of Sinch's Communication Panel
// Control library, CPC.js (github.com/sinch-contact-pro/CPC), written for
// cpsim's tests from its documented behaviour, not copied from it. Each
// method is named after the CPC.js function it imitates and posts what that
// function posts: an action whose payload carries CPC's extra `cpcFn`
// property, with an id of the form "<function>-action-<n>", and waits for
// the response with that id. CPC.js gives up after 5 seconds (100 polls of
// 50 ms) and returns false; this client gives up after `giveUpMs` and
// records how long every answer took, so that a test can say both.
//
// It runs in any window that talks to the panel: an extension's iframe
// (target: window.parent), or a CRM page that embeds the panel (target: the
// panel's iframe's window).

"use strict";

/**
 * @typedef {{fn: string, request: object, response: object | false, ms: number}} Call
 */

class CPCClient {
  /**
   * @param {Window} target the panel's window
   * @param {string} origin the panel's origin: messages go only there, and
   *   only messages from there (and from target) are read
   * @param {number} giveUpMs how long an action waits for its response
   */
  constructor(target, origin, giveUpMs) {
    this.target = target;
    this.origin = origin;
    this.giveUpMs = giveUpMs;
    this.count = 0;
    /** @type {Map<string, (m: any) => void>} */
    this.waiting = new Map();
    /** @type {Call[]} every action and its answer, in order */
    this.calls = [];
    /** @type {any[]} every message the panel posted, in order */
    this.received = [];
    /** @type {string | null | undefined} as CPC's activeInteractionId */
    this.activeInteractionId = undefined;
    /** @type {Map<string, object>} the interactions in hand, by id, as CPC keeps them */
    this.interactions = new Map();
    /** @type {any} the init message, once it came */
    this.initMessage = null;
    /** @type {{id: string, resolve: (it: any) => void} | null} a pick waiting for its accepted status */
    this.picking = null;
    addEventListener("message", (e) => this.hear(e));
  }

  /** hear reads one message of the panel's, as CPC's listener does. */
  hear(e) {
    if (e.origin !== this.origin || e.source !== this.target) return;
    const m = e.data;
    if (typeof m !== "object" || m === null) return;
    this.received.push(m);
    const p = m.payload;
    if (m.type === "init" || (m.type === "response" && m.id === "initRequest")) {
      this.initMessage = m;
      const done = this.waiting.get("initRequest");
      this.waiting.delete("initRequest");
      if (done) done(m);
    } else if (m.type === "response" && this.waiting.has(m.id)) {
      const done = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      done(m);
    } else if (m.type === "state" && p && p.attribute === "activeInteraction") {
      // The value may be null: no interaction is active any more.
      this.activeInteractionId = p.value ? p.value.id : null;
    } else if (m.type === "state" && p && p.attribute === "status" && p.interaction) {
      const it = p.interaction;
      if (p.value === "handled") this.interactions.delete(it.id);
      else this.interactions.set(it.id, it);
      if (p.value === "accepted" && this.picking && this.picking.id === it.id) {
        this.picking.resolve(it);
        this.picking = null;
      }
    }
  }

  /**
   * init asks the panel to start, as CPC.init does, and resolves to the
   * panel's answer: an extension gets a response with the request's id,
   * the embedding page a message of type init.
   * @returns {Promise<any>}
   */
  init() {
    const request = { id: "initRequest", type: "init", payload: false };
    const call = /** @type {Call} */ ({ fn: "init", request, response: false, ms: 0 });
    this.calls.push(call);
    const start = performance.now();
    return new Promise((resolve) => {
      this.waiting.set("initRequest", (m) => {
        call.response = m;
        call.ms = performance.now() - start;
        resolve(m);
      });
      this.target.postMessage(request, this.origin);
    });
  }

  /**
   * send posts an action and resolves to its response, or to false once
   * giveUpMs have passed without one (xdmSendAction).
   * @param {{cpcFn: string} & Record<string, unknown>} payload
   * @returns {Promise<any>}
   */
  send(payload) {
    const action = { id: `${payload.cpcFn}-action-${this.count++}`, type: "action", payload };
    const call = /** @type {Call} */ ({ fn: payload.cpcFn, request: action, response: false, ms: 0 });
    this.calls.push(call);
    const start = performance.now();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(action.id);
        call.ms = performance.now() - start;
        resolve(false);
      }, this.giveUpMs);
      this.waiting.set(action.id, (m) => {
        clearTimeout(timer);
        call.response = m;
        call.ms = performance.now() - start;
        resolve(m);
      });
      this.target.postMessage(action, this.origin);
    });
  }

  getDetails(subject) {
    return this.send({ cpcFn: "getDetails", command: "detail", value: subject });
  }

  async getCurrentUserQueues(channel) {
    const r = await this.getDetails("queues");
    const queues = (r && r.payload && r.payload.value) || [];
    return channel ? queues.filter((q) => q.type === channel) : queues;
  }

  /** callOut checks a source number against the phone queues' addresses first. */
  async callOut(to, from) {
    if (from) {
      const phone = await this.getCurrentUserQueues("phone");
      if (!phone.some((q) => (q.addresses || []).some((a) => a.address === from))) return false;
    }
    return this.send({ cpcFn: "callOut", command: "outbound", value: { channel: "phone", to, from } });
  }

  callState(action, interactionId) {
    return this.send({ cpcFn: "callState", command: "callState", interactionId: interactionId || this.activeInteractionId, value: action });
  }

  consult(to) {
    return this.send({ cpcFn: "consult", command: "consult", interactionId: this.activeInteractionId, value: { to } });
  }

  dtmf(tone, interactionId) {
    return this.send({ cpcFn: "dtmf", command: "dtmf", interactionId, value: { content: tone } });
  }

  /**
   * interaction acts on an interaction; a pick resolves to the picked
   * interaction once its accepted status came (or false), as CPC's does.
   */
  async interaction(action, interactionId) {
    const id = interactionId || this.activeInteractionId;
    if (action !== "pick") {
      return this.send({ cpcFn: "interaction", command: "interaction", interactionId: id, value: action });
    }
    const picked = new Promise((resolve) => {
      this.picking = { id, resolve };
      setTimeout(() => { if (this.picking && this.picking.id === id) { this.picking = null; resolve(false); } }, this.giveUpMs);
    });
    const r = await this.send({ cpcFn: "interaction", command: "interaction", interactionId: id, value: action });
    if (!r || r.payload.value === "error") {
      this.picking = null;
      return false;
    }
    return picked;
  }

  joinCalls() {
    return this.send({ cpcFn: "joinCalls", command: "join", interactionId: this.activeInteractionId });
  }

  message(content, interactionId) {
    return this.send({ cpcFn: "message", command: "message", interactionId, value: { content } });
  }

  picklist(limit, queueId) {
    return this.send({ cpcFn: "picklist", command: "picklist", limit, queueId });
  }

  sendEmail(email) {
    return this.send({ cpcFn: "sendEmail", command: "outbound", value: { channel: "email", ...email } });
  }

  sendSMS(msg) {
    return this.send({ cpcFn: "sendSMS", command: "outbound", value: { channel: "sms", ...msg } });
  }

  startWhatsAppChat(chat) {
    return this.send({ cpcFn: "startWhatsAppChat", command: "outbound", value: { channel: "whatsapp", ...chat } });
  }

  transfer(to, interactionId) {
    return this.send({ cpcFn: "transfer", command: "transfer", interactionId, value: { to } });
  }
}
