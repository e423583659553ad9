// @ts-check
// Small helpers without state: formatting of times, sizes and ids, and
// guarded access to sessionStorage and localStorage (which throw in some
// private modes). It imports nothing.

/** fmtClock is a time of day with milliseconds, hh:mm:ss.mmm.
 * @param {Date} d
 * @returns {string} */
export const fmtClock = (d) => {
  const p = (/** @type {number} */ n, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
};
/** fmtDuration is a duration as mm:ss, or h:mm:ss from an hour on.
 * @param {number} ms
 * @returns {string} */
export const fmtDuration = (ms) => {
  const s = Math.max(0, Math.floor(ms / 1000));
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  const p = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return hh ? `${hh}:${p(mm)}:${p(ss)}` : `${p(mm)}:${p(ss)}`;
};
/** truncate cuts s to at most n characters, the last an ellipsis.
 * @param {string} s
 * @param {number} n
 * @returns {string} */
export const truncate = (s, n) => (s.length > n ? s.slice(0, n - 1) + "…" : s);
export const nf = new Intl.NumberFormat("en-US");
/** fmtBytes is a size for people: bytes below 1 KiB, else KiB or MiB with
 * one decimal (none when whole), as "1.4 MiB".
 * @param {number} n bytes
 * @returns {string} */
export const fmtBytes = (n) => {
  if (!(n >= 1024)) return `${nf.format(Math.max(0, Math.round(n || 0)))} byte${n === 1 ? "" : "s"}`;
  const [v, unit] = n >= 1048576 ? [n / 1048576, "MiB"] : [n / 1024, "KiB"];
  return `${nf.format(Number(v.toFixed(Number.isInteger(v) ? 0 : 1)))} ${unit}`;
};
/** sig is a value's signature, to tell whether it changed.
 * @param {unknown} x
 * @returns {string} */
export const sig = (x) => JSON.stringify(x);
/** shortId keeps long opaque ids readable; the full id is in titles and data-id.
 * @param {string | null | undefined} id
 * @returns {string} */
export const shortId = (id) => (typeof id === "string" && id.length > 12 ? id.slice(0, 8) + "…" : id || "");

export const NON_ASCII = /[^\x00-\x7f]/;
/** utf8Len is the length of s in UTF-8 bytes.
 * @param {string} s
 * @returns {number} */
export function utf8Len(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

/** @param {string} key
 * @returns {string | null} */
export function storageGet(key) { try { return sessionStorage.getItem(key); } catch { return null; } }
/** @param {string} key
 * @param {unknown} v stored as a string */
export function storageSet(key, v) { try { sessionStorage.setItem(key, String(v)); } catch { /* private mode */ } }
/** @param {string} key
 * @returns {string | null} */
export function localGet(key) { try { return localStorage.getItem(key); } catch { return null; } }
/** @param {string} key
 * @param {unknown} v stored as a string */
export function localSet(key, v) { try { localStorage.setItem(key, String(v)); } catch { /* ignore */ } }

/** errorMessage is the message of a thrown value.
 * @param {unknown} e
 * @returns {string} */
export function errorMessage(e) {
  return e instanceof Error ? e.message : String(e);
}

/** CONTROLS are the characters a text can hold that show nothing yet change
 * what is shown: C0 controls but tab and line feed, DEL, the bidi marks
 * (U+200E, U+200F, U+061C), embeddings and overrides (U+202A-U+202E),
 * isolates (U+2066-U+2069), and the zero-width space, word joiner and
 * byte-order mark (U+200B, U+2060, U+FEFF), which split or join a name
 * unseen. An RTL override in a name can make it read backwards, and the
 * text after it. */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;
/** codePoint names a character as U+XXXX.
 * @param {string} c */
const codePoint = (c) => "U+" + (/** @type {number} */ (c.codePointAt(0))).toString(16).toUpperCase().padStart(4, "0");
/** visibleControls is s with each control character (CONTROLS) shown as
 * ‹U+202E› where it is, for every text the page shows of a message: the
 * inspector's, and the panel's names, titles and chat messages.
 * @param {string} s
 * @returns {string} */
export const visibleControls = (s) => s.replace(CONTROLS, (c) => `‹${codePoint(c)}›`);
/** controlsIn lists the distinct control characters of s as U+XXXX, in
 * order of first appearance.
 * @param {string} s
 * @returns {string[]} */
export const controlsIn = (s) => [...new Set(s.match(CONTROLS) || [])].map(codePoint);
/** jsonControls escapes the bidi controls in JSON text as \uXXXX (JSON
 * escapes the C0 ones itself), so that the text stays JSON and shows them.
 * @param {string} s
 * @returns {string} */
export const jsonControls = (s) => s.replace(CONTROLS, (c) => "\\u" + (/** @type {number} */ (c.codePointAt(0))).toString(16).padStart(4, "0"));
