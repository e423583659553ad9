// @ts-check
// Copying text to the clipboard and saving a file to the developer's
// downloads, each confirmed with a toast. It owns no state; it imports the
// DOM helpers and toasts.

import { h } from "./dom.js";
import { toast } from "./toast.js";

/** copyText copies text and says so with the toast done.
 * @param {string} text
 * @param {string} done */
export async function copyText(text, done) {
  try {
    await navigator.clipboard.writeText(text);
    toast(done, "ok");
  } catch {
    const ta = h("textarea", { value: text, attrs: { "aria-hidden": "true" } });
    ta.className = "sr-only";
    document.body.append(ta);
    ta.select();
    const ok = document.execCommand("copy");
    ta.remove();
    toast(ok ? done : "The browser refused to copy.", ok ? "ok" : "error");
  }
}

/** saveFile offers blob as a download named name; it returns the name the
 * link gave it.
 * @param {Blob} blob
 * @param {string} name
 * @returns {string} */
export function saveFile(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return a.download;
}
