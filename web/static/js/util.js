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
