// @ts-check
// What the API says is HTML, shown safely: a chat message's text and an
// email's content ("In the case of chat and email, HTML syntax is
// supported", the seed's request schema, value.content). A web chat's
// message goes through DOMPurify (web/static/vendor/dompurify) to a small
// allow-list of formatting and becomes part of the page; an email is a
// document of its own in a sandboxed iframe (no scripts, an opaque origin,
// a CSP of its own on top of the page's, which it inherits). Both are
// isolated for bidi (dir="auto"). It owns no state; it imports the
// vendored DOMPurify, dom.js and util.js.

import DOMPurify from "../vendor/dompurify/purify.es.mjs";
import { h } from "./dom.js";
import { controlsIn, visibleControls } from "./util.js";

/** chatPurify is DOMPurify for chat messages: its own instance, so that
 * its hook touches no other use. */
const chatPurify = DOMPurify();
/** CHAT is what a chat message keeps: plain formatting, lists, code, and
 * links to http(s) only; every other element keeps only its text (script,
 * style and the like lose that too), every other attribute goes. */
const CHAT = {
  ALLOWED_TAGS: ["b", "i", "em", "strong", "a", "br", "p", "ul", "ol", "li", "code"],
  ALLOWED_ATTR: ["href"],
  ALLOWED_URI_REGEXP: /^https?:/i,
  RETURN_DOM_FRAGMENT: true,
};
/** newTab makes a link open in a new tab, without the opener or a
 * referrer: a link followed inside the panel (or the email's frame) would
 * replace what the developer is looking at.
 * @param {Element} node */
function newTab(node) {
  if (node.nodeName === "A" && node.hasAttribute("href")) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
}
chatPurify.addHook("afterSanitizeAttributes", newTab);

/** mailPurify is DOMPurify for email bodies: what the sandbox would not
 * run anyway goes before it gets there (defence in depth). */
const mailPurify = DOMPurify();
const MAIL = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ["style", "form", "input", "button", "select", "textarea", "base", "link", "meta"],
};
mailPurify.addHook("afterSanitizeAttributes", newTab);

/** HTMLISH tells content that is HTML from plain text: a tag or an
 * entity. Plain text keeps its line breaks. */
const HTMLISH = /<\/?[a-z][^>]*>|&(?:[a-z]+|#\d+|#x[0-9a-f]+);/i;

/** messageBody is a transcript message's text as the panel shows it, in
 * an element isolated for bidi, its control characters shown in place:
 * sanitized HTML when rich (a web chat) and the text looks like HTML, else
 * the text as is. SMS and WhatsApp carry
 * plain text, so their messages are never rich (docs/spec-notes.md).
 * @param {unknown} text
 * @param {boolean} rich
 * @returns {HTMLElement} */
export function messageBody(text, rich) {
  // Control characters show where they are (‹U+202E›) instead of
  // reordering the text: an override must not make "invoice‹U+202E›fdp.exe"
  // read as a PDF. They mean nothing to HTML, so marking them before the
  // sanitizer changes nothing else.
  const s = visibleControls(typeof text === "string" ? text : String(text ?? ""));
  if (rich && HTMLISH.test(s)) {
    return h("div", { class: "msg-text rich", dir: "auto", testid: "message-text" }, chatPurify.sanitize(s, CHAT));
  }
  return h("div", { class: "msg-text", dir: "auto", testid: "message-text", text: s });
}

/** controlNote marks a text's invisible control characters (bidi
 * overrides and isolates, marks, C0 controls) visibly, as ‹U+202E›, or is
 * null when it has none.
 * @param {unknown} text
 * @returns {HTMLElement | null} */
export function controlNote(text) {
  const found = controlsIn(typeof text === "string" ? text : "");
  if (!found.length) return null;
  return h("span", { class: "ctl-note", testid: "controls", title: "The text holds invisible control characters: the panel isolates it so that they cannot reorder what is around it",
    text: found.map((c) => `‹${c}›`).join(" ") });
}

/** escapeHTML is s as HTML text.
 * @param {string} s
 * @returns {string} */
const escapeHTML = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** emailFrame shows an email's content in a sandboxed iframe: sandbox
 * without allow-scripts or allow-same-origin (links open in a new tab,
 * outside the sandbox), and a CSP that allows nothing but the panel's
 * mail stylesheet and data: images. The frame also inherits the page's
 * CSP, so the email's own styles and remote images do not load; content
 * that is not HTML shows as text with its line breaks.
 * @param {string} content
 * @returns {HTMLIFrameElement} */
export function emailFrame(content) {
  const css = new URL("/static/email.css", location.href).href;
  const body = HTMLISH.test(content)
    ? `<div class="html">${/** @type {string} */ (mailPurify.sanitize(content, MAIL))}</div>`
    : `<div class="plain">${escapeHTML(content)}</div>`;
  const doc = "<!doctype html><html><head><meta charset=\"utf-8\">" +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${css}; img-src data:; font-src data:">` +
    `<base target="_blank"><link rel="stylesheet" href="${css}"></head><body dir="auto">${body}</body></html>`;
  const frame = h("iframe", { class: "email-frame", testid: "email-content", title: "Email content",
    attrs: { sandbox: "allow-popups allow-popups-to-escape-sandbox", referrerpolicy: "no-referrer", srcdoc: doc } });
  // data-loaded: the document and its stylesheet are in (for tests and
  // screenshots; the page cannot look inside).
  frame.addEventListener("load", () => { frame.dataset.loaded = ""; });
  return frame;
}
