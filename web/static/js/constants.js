// @ts-check
// Constants of the page: storage keys, limits of the relay and the
// inspector, and the fixed data the forms offer (channels, commands,
// caller data presets). It owns nothing that changes and imports nothing.

export const SS_SESSION = "cpsim.session";
export const SS_SEQ = "cpsim.seq";
export const LS_BOTTOM = "cpsim.bottom-h";
export const LS_TOOLS = "cpsim.tools";
export const MAX_RELAY = 8 * 1024 * 1024; // bytes of one extension message the page relays (internal/host maxRelay; docs/relay.md)
export const MAX_WS = 900 * 1024; // bytes per websocket message of batched frames (a bigger frame goes alone)
export const RECENT_MS = 5000; // ms a removed frame is remembered, to name what it posts as it unloads
export const ROW_H = 24; // inspector row height, px (matches --row-h)
export const ACK_EVERY = 100; // ms
export const GRACE = 500; // ms an iframe lives on after its instance left the view
export const INIT_HINT_MS = 10000;
export const SLOW_RESPONSE_MS = 5000; // a response later than this is marked: CPC.js waits 100 polls of 50 ms, then gives up
export const MAX_LOG = 50000; // inspector entries kept in the page (besides LOG_BUDGET)
export const LOG_BUDGET = 16 * 1024 * 1024; // bytes of messages (the rows' sz) the inspector keeps; the oldest go first
export const TRANSCRIPT_SHOWN = 200; // a conversation's latest messages shown; the earlier ones are counted
export const MAX_UNACKED = 100000; // numbered frames kept for the server while disconnected

/**
 * A channel as the forms and cards show it: its name, icon, the create
 * form's title, and the from field's example and label.
 * @typedef {{label: string, icon: string, create: string, from: string, fromLabel: string}} ChannelInfo
 */
/** @type {Record<string, ChannelInfo>} the channels, by the view's channel */
export const CHANNELS = {
  phone: { label: "Phone", icon: "phone", create: "Incoming call", from: "+358401234567", fromLabel: "Caller number" },
  chat: { label: "Chat", icon: "chat", create: "Incoming chat", from: "Aino Virtanen", fromLabel: "Visitor name" },
  email: { label: "Email", icon: "email", create: "Incoming email", from: "aino.virtanen@example.com", fromLabel: "From address" },
  sms: { label: "SMS", icon: "sms", create: "Incoming SMS", from: "+358401234567", fromLabel: "Sender number" },
  whatsapp: { label: "WhatsApp", icon: "whatsapp", create: "Incoming WhatsApp", from: "+358401234567", fromLabel: "Sender number" },
};
export const CONVERSATION = new Set(["chat", "sms", "whatsapp"]);
export const COMMANDS = ["outbound", "detail", "transfer", "consult", "join", "dtmf", "message", "visible", "enabled", "expanded", "interaction", "callState", "picklist"];
export const OTHER_OUTCOMES = ["bad_address", "barred", "congestion", "queue_closed", "queue_full", "rejected", "system_error", "temporary_failure", "unreachable"];
export const CAD_PRESETS = [
  { label: "Aino Virtanen (gold)", cad: { customer_id: "C-1001", customer_name: "Aino Virtanen", tier: "gold", order_id: "SO-48213" } },
  { label: "Pekka Mäkinen (new)", cad: { customer_id: "C-2417", customer_name: "Pekka Mäkinen", tier: "standard", language: "fi" } },
  { label: "Liisa Korhonen (VIP case)", cad: { customer_id: "C-0007", customer_name: "Liisa Korhonen", tier: "platinum", vip: true, case_id: "CASE-9921", note: "Escalated: call back before 16:00" } },
  { label: "No caller data", cad: {} },
];
/** @type {Record<string, string>} the first message of a new interaction, by channel */
export const DEFAULT_CONTENT = {
  chat: "Hi! Where is my order SO-48213? It should have arrived yesterday.",
  sms: "Hello, my order SO-48213 has not arrived. Can you check?",
  whatsapp: "Hi! My order SO-48213 is late, any news?",
  email: "Hello,\n\nI ordered a coffee grinder (order SO-48213) two weeks ago and it has not arrived yet.\nCould you tell me where it is?\n\nBest regards,\nAino Virtanen",
};

export const SS_REC = "cpsim.recording";
export const LS_TAB = "cpsim.tools-tab";
export const LS_SPEED = "cpsim.speed";
/** FINAL are the states of a scenario run that has ended. */
export const FINAL = new Set(["passed", "failed", "stopped"]);
