// @ts-check
// format.js: how the customer card words things: the labels of channels,
// interaction statuses and call states, times, dates, durations, language
// names, initials, CAD values, and whether a text looks like a phone
// number or an email address. Pure functions of their arguments; it owns
// no state and imports nothing.

/** The words for a channel (channel type, or sub type for SMS and
 * WhatsApp). @type {Record<string, string>} */
export const CHANNEL_LABEL = { phone: "Phone call", chat: "Web chat", sms: "SMS", whatsapp: "WhatsApp", email: "Email", user_defined: "Custom channel" };
/** The sprite's icon for a channel. @type {Record<string, string>} */
export const CHANNEL_ICON = { phone: "phone", chat: "chat", sms: "sms", whatsapp: "whatsapp", email: "mail", user_defined: "chat" };

/** The words for an interaction status. @type {Record<string, string>} */
export const STATUS_LABEL = {
  queued: "Queued", incoming: "Incoming", outgoing: "Outgoing", accepted: "In progress",
  rejected: "Rejected", handled: "Handled", ended: "Ended",
};

/** The words for a phone call's channel status. @type {Record<string, string>} */
export const CALL_STATUS_LABEL = {
  connected: "Connected", onhold: "On hold", muted: "Muted", calling: "Calling…",
  ringing: "Ringing", disconnected: "Call ended", transferring: "Transferred",
  busy: "Busy", no_answer: "No answer", rejected: "Rejected", knocking: "Waiting in queue",
};

/** cap is s with its first letter in upper case.
 * @param {string} s
 * @returns {string} */
export const cap = (s) => (s ? s.charAt(0).toUpperCase() + s.slice(1) : "");

/** words is an API value (snake_case) as words: no_answer is "No answer".
 * @param {unknown} s
 * @returns {string} */
export const words = (s) => cap(String(s || "").replace(/_/g, " "));

/** time is the hour and minute of a timestamp; "" when it is not one.
 * @param {unknown} ts
 * @returns {string} */
export function time(ts) {
  const d = new Date(/** @type {string} */ (ts));
  if (Number.isNaN(d.getTime())) return "";
  return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** dateTime is a timestamp's date and time; the text itself when it is
 * not one.
 * @param {unknown} ts
 * @returns {string} */
export function dateTime(ts) {
  const d = new Date(/** @type {string} */ (ts));
  if (Number.isNaN(d.getTime())) return String(ts || "");
  return d.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

/** relative is how long ago (or from now) a timestamp is: "3 days ago".
 * @param {unknown} ts
 * @returns {string} */
export function relative(ts) {
  const d = new Date(/** @type {string} */ (ts));
  if (Number.isNaN(d.getTime())) return String(ts);
  const sec = Math.round((d.getTime() - Date.now()) / 1000);
  const abs = Math.abs(sec);
  const rtf = new Intl.RelativeTimeFormat([], { numeric: "auto" });
  if (abs < 60) return rtf.format(sec, "second");
  if (abs < 3600) return rtf.format(Math.round(sec / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(sec / 3600), "hour");
  if (abs < 86400 * 45) return rtf.format(Math.round(sec / 86400), "day");
  if (abs < 86400 * 365) return rtf.format(Math.round(sec / (86400 * 30)), "month");
  return rtf.format(Math.round(sec / (86400 * 365)), "year");
}

/** duration is ms as m:ss, or h:mm:ss from an hour.
 * @param {number} ms
 * @returns {string} */
export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return hh ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

/** languageName is a language code's English name: "de" is "German".
 * @param {unknown} code
 * @returns {string} */
export function languageName(code) {
  try {
    const name = new Intl.DisplayNames(["en"], { type: "language" }).of(String(code));
    return name && name !== code ? name : String(code).toUpperCase();
  } catch {
    return String(code);
  }
}

/** initials are the first letters of a name's first and last words.
 * @param {string} name
 * @returns {string} */
export function initials(name) {
  const parts = String(name).replace(/[^\p{L}\p{N}\s]/gu, " ").trim().split(/\s+/).filter(Boolean);
  if (!parts.length) return "";
  const first = parts[0][0] || "";
  const last = parts.length > 1 ? parts[parts.length - 1][0] : "";
  return (first + last).toUpperCase();
}

/** truthy says whether a CAD value means yes: true, 1, "true", "yes", "1".
 * @param {unknown} v
 * @returns {boolean} */
export function truthy(v) {
  return v === true || v === 1 || /^(true|yes|1)$/i.test(String(v));
}

/** valueText is a CAD value as one line: a list joined, a flat object as
 * key: value pairs, anything deeper as JSON.
 * @param {unknown} v
 * @returns {string} */
export function valueText(v) {
  if (v === null || v === undefined) return "—";
  if (Array.isArray(v) && v.every((x) => typeof x !== "object")) return v.join(", ");
  if (typeof v === "object") {
    const entries = Object.entries(v);
    if (entries.every(([, x]) => x === null || typeof x !== "object")) {
      return entries.map(([k, x]) => `${k}: ${x}`).join(", ");
    }
    return JSON.stringify(v);
  }
  return String(v);
}

/** looksLikePhone says whether s could be a phone number.
 * @param {unknown} s
 * @returns {boolean} */
export const looksLikePhone = (s) => /^\+?[\d\s()-]{5,}$/.test(String(s || ""));

/** looksLikeEmail says whether s could be an email address.
 * @param {unknown} s
 * @returns {boolean} */
export const looksLikeEmail = (s) => /^[^\s@]+@[^\s@]+$/.test(String(s || ""));

/** idNote is " (first 8 characters of the id…)" of an action's answer
 * that has an id (an interaction the action created), else "".
 * @param {unknown} v
 * @returns {string} */
export function idNote(v) {
  return v && typeof v === "object" && "id" in v && v.id ? ` (${String(v.id).slice(0, 8)}…)` : "";
}
