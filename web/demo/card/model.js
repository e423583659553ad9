// @ts-check
// model.js: what the customer card knows: the state object `card` (its
// phase, the interaction as last heard, the agent, the transcript, the
// call's hold, mute and recording flags, the consultation it started),
// the shapes of the panel's data it reads (JSDoc typedefs), and the
// functions that fold what the panel says into that state. It touches no
// DOM and imports nothing.

/** An email address of an email interaction.
 * @typedef {{address: string, name?: string}} Address */
/** A participant of an interaction: the customer, the agent, a consulted
 * party. @typedef {{uniquekey?: string, alias?: string}} Participant */
/** A transcript message as the panel sends it.
 * @typedef {{id?: string, timestamp?: string, originator?: string, message?: string}} Message */
/** A transcript message as the card keeps it: _key is its id (or, without
 * one, its timestamp, originator and text); _live marks a message that
 * arrived while the card was open, so that the transcript scrolls to it.
 * @typedef {Message & {_key: string, _live: boolean}} HeldMessage */
/** Caller attached data: the keys the card knows (customer_id,
 * customer_name, tier, email, phone, order_id, case_id, language, vip,
 * last_contact, note) and any other. @typedef {Record<string, unknown>} CAD */
/** The interaction, with the fields the card reads (the specification's
 * interaction object).
 * @typedef {object} Interaction
 * @property {string} [id]
 * @property {string} [channel_type]
 * @property {string} [channel_sub_type]
 * @property {string} [status]
 * @property {string} [channel_status]
 * @property {CAD} attached_data
 * @property {Participant[]} [participants]
 * @property {string} [originator]
 * @property {string} [destination]
 * @property {string} [title]
 * @property {string} [date_created]
 * @property {Address} [from_address]
 * @property {Address[]} [to_address]
 * @property {Address[]} [cc_address]
 * @property {string} [content]
 * @property {{filename?: string, size?: string | number}[]} [attachments]
 * @property {string} [consult_for]
 * @property {{name?: string}} [from_queue]
 * @property {{name?: string}} [dir_entry]
 * @property {boolean} [recording]
 * @property {{messages?: Message[]}} [transcript]
 */
/** The agent, as "detail user" answers.
 * @typedef {object} User
 * @property {string} [username]
 * @property {string} [alias]
 * @property {{first_name?: string, last_name?: string}} [name]
 * @property {string} [work_status]
 * @property {{sip_connected?: boolean}} [phone]
 */
/** Where the card is (body[data-phase]).
 * @typedef {"loading" | "ready" | "ended" | "exited" | "error" | "standalone"} Phase */

/** The text conversations: they have a transcript and a reply box. */
export const CONVERSATION = new Set(["chat", "sms", "whatsapp"]);
const LIVE_CHANNEL_STATUS = new Set(["connected", "onhold", "muted"]);
const LIVE_STATUS = new Set(["accepted", "outgoing"]);

/** The card's state. */
export const card = {
  /** @type {Phase} */
  phase: "loading",
  /** The interaction, as last heard. @type {Interaction | null} */
  it: null,
  /** The agent (detail user). @type {User | null} */
  user: null,
  /** The transcript, merged by key and sorted by timestamp. @type {HeldMessage[]} */
  messages: [],
  /** The keys of messages. @type {Set<string>} */
  messageIds: new Set(),
  held: false,
  muted: false,
  recording: false,
  /** The consultation this card started (consult's answer). @type {{id?: string, destination?: string} | null} */
  consult: null,
  /** The softphone's status (phone_status). */
  phoneStatus: "",
  /** The agent's work status (work_status). */
  workStatus: "",
  /** The interval that ticks the call timer and the pending toasts. */
  timer: 0,
  /** The panel sent exit: the card sends nothing more. */
  stopped: false,
  /** The outbound fields were filled from the interaction. */
  prefilled: false,
};

/** channelOf is an interaction's channel: its channel type, or the sub
 * type of a chat that is an SMS or a WhatsApp conversation
 * (docs/spec-notes.md #6); "" without an interaction.
 * @param {Interaction | null} it
 * @returns {string} */
export function channelOf(it) {
  if (!it) return "";
  if (it.channel_type === "chat" && (it.channel_sub_type === "sms" || it.channel_sub_type === "whatsapp")) {
    return it.channel_sub_type;
  }
  return it.channel_type || "";
}

/** live says whether the interaction is in progress: accepted or outgoing,
 * and connected (or held or muted).
 * @returns {boolean} */
export function live() {
  const it = card.it;
  return !!it && LIVE_STATUS.has(it.status || "") && LIVE_CHANNEL_STATUS.has(it.channel_status || "");
}

/** adopt merges what the panel says of the interaction into card.it; an
 * interaction with another id (a consultation's) is not this card's.
 * @param {unknown} it */
export function adopt(it) {
  if (!it || typeof it !== "object") return;
  const next = /** @type {Partial<Interaction>} */ (it);
  if (card.it && next.id && card.it.id && next.id !== card.it.id) return;
  const merged = /** @type {Interaction} */ ({ ...(card.it || {}), ...next });
  if (!merged.attached_data || typeof merged.attached_data !== "object") merged.attached_data = {};
  card.it = merged;
  if (typeof next.recording === "boolean") card.recording = next.recording;
  followChannelStatus(merged.channel_status);
}

/** followChannelStatus sets the hold and mute flags from a channel
 * status. One channel_status shows both flags: onhold wins over muted.
 * @param {unknown} cs */
export function followChannelStatus(cs) {
  if (cs === "onhold") card.held = true;
  else if (cs === "muted") { card.held = false; card.muted = true; }
  else if (cs === "connected") { card.held = false; card.muted = false; }
  else if (cs === "disconnected" || cs === "transferring") { card.held = false; card.muted = false; }
}

/** absorbTranscript adds a transcript's messages (not live).
 * @param {unknown} list */
export function absorbTranscript(list) {
  if (!Array.isArray(list)) return;
  for (const m of list) addMessage(m, false);
}

/** addMessage adds a message to the transcript unless it has it; it says
 * whether it did.
 * @param {unknown} m
 * @param {boolean} isLive
 * @returns {boolean} */
export function addMessage(m, isLive) {
  if (!m || typeof m !== "object") return false;
  const msg = /** @type {Message} */ (m);
  const key = msg.id || `${msg.timestamp}|${msg.originator}|${msg.message}`;
  if (card.messageIds.has(key)) return false;
  card.messageIds.add(key);
  card.messages.push({ ...msg, _key: key, _live: isLive });
  card.messages.sort((a, b) => String(a.timestamp).localeCompare(String(b.timestamp)));
  return true;
}
