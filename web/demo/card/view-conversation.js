// @ts-check
// view-conversation.js: the middle of the customer card, one pane per
// kind of channel: the transcript of a text conversation (chat, SMS,
// WhatsApp; who wrote each message), the email (subject, addresses,
// sanitised content, attachments) and the phone call (the other party,
// the call's status, its hold, mute and recording indicators and toggle
// buttons, the call timer). It renders from card (model.js) and owns no
// state. It imports dom.js, format.js, sanitize.js and model.js.
import { $, h, icon, inside, setIcon } from "./dom.js";
import { CALL_STATUS_LABEL, dateTime, duration, time, words } from "./format.js";
import { CONVERSATION, card, channelOf, live } from "./model.js";
import { sanitize } from "./sanitize.js";

/** @typedef {import("./model.js").Interaction} Interaction */
/** @typedef {import("./model.js").Address} Address */
/** @typedef {import("./model.js").Message} Message */

/** renderConversation shows the pane of the interaction's channel, if it
 * has one, and renders it.
 * @param {Interaction} it */
export function renderConversation(it) {
  const ch = channelOf(it);
  const isConv = CONVERSATION.has(ch);
  const pane = $("cc-conversation");
  pane.hidden = false;
  $("cc-chat-pane").hidden = !isConv;
  $("cc-email-pane").hidden = ch !== "email";
  $("cc-phone-pane").hidden = ch !== "phone";
  pane.hidden = !isConv && ch !== "email" && ch !== "phone";
  if (isConv) renderTranscript();
  if (ch === "email") renderEmail(it);
  if (ch === "phone") renderPhone(it);
}

/** agentKeys are the originators that are the agent: the username of
 * detail user.
 * @returns {Set<string>} */
function agentKeys() {
  const keys = new Set();
  if (card.user) {
    if (card.user.username) keys.add(card.user.username);
  }
  return keys;
}

/** who is who wrote m: the agent ("You"), the customer, or another party
 * (a consulted one), with the name to show.
 * @param {Message} m
 * @returns {{from: "agent" | "customer" | "other", name: string}} */
function who(m) {
  const agents = agentKeys();
  const it = card.it;
  const parts = (it && it.participants) || [];
  const p = parts.find((x) => x.uniquekey === m.originator);
  if (m.originator !== undefined && agents.has(m.originator)) return { from: "agent", name: "You" };
  if (m.originator === "customer") {
    const cad = (it && it.attached_data) || {};
    return { from: "customer", name: String(cad.customer_name || (p && p.alias) || "Customer") };
  }
  if (!card.user && p && p.alias && it && p.uniquekey !== "customer" && p.uniquekey !== "consultee" && parts.indexOf(p) > 0) {
    // Before detail user answers: the agent joins the participants after the customer.
    return { from: "agent", name: p.alias };
  }
  return { from: "other", name: (p && p.alias) || m.originator || "Unknown" };
}

/** renderTranscript renders the transcript; it scrolls to the end when it
 * was there or a message arrived live. A web chat's messages may carry
 * HTML (sanitised); SMS and WhatsApp are plain text. */
export function renderTranscript() {
  const list = $("cc-transcript");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const rich = channelOf(card.it) === "chat";
  const items = card.messages.map((m) => {
    const w = who(m);
    const body = h("div", { class: "bubble" });
    if (rich) body.append(sanitize(m.message || ""));
    else body.textContent = m.message || "";
    return h("li", { class: `msg from-${w.from}`, "data-from": w.from, "data-id": m.id || m._key, "data-testid": "transcript-message" },
      h("div", { class: "msg-meta" }, h("span", { class: "msg-who", text: w.name }), h("time", { datetime: m.timestamp || "", text: time(m.timestamp) })),
      body);
  });
  if (!items.length) {
    items.push(h("li", { class: "transcript-empty", text: "No messages yet." }));
  }
  list.replaceChildren(...items);
  const n = card.messages.length;
  $("cc-transcript-count").textContent = `${n} message${n === 1 ? "" : "s"}`;
  if (atBottom || card.messages.some((m) => m._live)) list.scrollTop = list.scrollHeight;
  for (const m of card.messages) m._live = false;
}

/** addressText is an address as Name <address>.
 * @param {Address | undefined} a
 * @returns {string} */
function addressText(a) {
  if (!a) return "";
  return a.name ? `${a.name} <${a.address}>` : a.address;
}

/** renderEmail renders the email pane.
 * @param {Interaction} it */
function renderEmail(it) {
  $("cc-email-subject").textContent = it.title || "(no subject)";
  $("cc-email-date").textContent = it.date_created ? dateTime(it.date_created) : "";
  /** @type {HTMLElement[]} */
  const rows = [];
  /** @param {string} k @param {string | undefined} v */
  const row = (k, v) => { if (v) rows.push(h("div", {}, h("dt", { text: k }), h("dd", { text: v }))); };
  row("From", it.from_address ? addressText(it.from_address) : it.originator);
  row("To", (it.to_address || []).map(addressText).join(", ") || it.destination);
  row("Cc", (it.cc_address || []).map(addressText).join(", "));
  $("cc-email-meta").replaceChildren(...rows);
  const body = $("cc-email-body");
  if (it.content) {
    body.replaceChildren(sanitize(it.content));
    body.classList.remove("empty");
  } else {
    body.textContent = "This email has no content.";
    body.classList.add("empty");
  }
  const att = it.attachments || [];
  const box = $("cc-email-attachments");
  box.hidden = !att.length;
  box.replaceChildren(...att.map((a) => h("span", { class: "chip" }, icon("note"), a.filename || "attachment", a.size ? ` · ${a.size}` : "")));
}

/** renderPhone renders the phone pane: the indicators, and the toggle
 * buttons' pressed state and labels.
 * @param {Interaction} it */
function renderPhone(it) {
  const out = it.status === "outgoing" || !!it.consult_for;
  $("cc-call-direction").textContent = it.consult_for ? "Consulting" : (out ? "Calling" : "Caller");
  $("cc-caller-number").textContent = (out ? it.destination : it.originator) || "—";
  const cs = it.channel_status || "";
  const st = $("cc-call-status");
  st.dataset.state = cs;
  st.textContent = CALL_STATUS_LABEL[cs] || words(cs) || "—";

  /** @param {string} id @param {boolean} on @param {string} onText @param {string} offText @param {string} onIcon @param {string} offIcon */
  const ind = (id, on, onText, offText, onIcon, offIcon) => {
    const li = $(id);
    li.dataset.on = String(on);
    inside(li, "span").textContent = on ? onText : offText;
    setIcon(li.querySelector("svg"), on ? onIcon : offIcon);
  };
  ind("cc-ind-hold", card.held, "On hold", "Not on hold", "pause", "pause");
  ind("cc-ind-mute", card.muted, "Muted", "Microphone on", "mic-off", "mic");
  ind("cc-ind-rec", card.recording, "Recording", "Not recording", "record", "record");

  /** @param {string} id @param {boolean} on @param {string} onLabel @param {string} offLabel */
  const setToggle = (id, on, onLabel, offLabel) => {
    const b = $(id);
    b.setAttribute("aria-pressed", String(on));
    inside(b, "span").textContent = on ? onLabel : offLabel;
  };
  setToggle("cc-btn-hold", card.held, "Resume", "Hold");
  setToggle("cc-btn-mute", card.muted, "Unmute", "Mute");
  setToggle("cc-btn-record", card.recording, "Stop rec.", "Record");
  setIcon($("cc-btn-mute").querySelector("svg"), card.muted ? "mic" : "mic-off");
}

/** renderTimer shows how long the call has lasted, while it is live. */
export function renderTimer() {
  const el = $("cc-call-timer");
  if (!card.it || channelOf(card.it) !== "phone") return;
  const start = new Date(card.it.date_created || "").getTime();
  if (Number.isNaN(start) || !live()) {
    el.textContent = "";
    return;
  }
  el.textContent = duration(Date.now() - start);
}
