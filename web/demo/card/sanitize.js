// @ts-check
// sanitize.js: a small allow-list sanitiser for the HTML that chat
// messages and email content may carry. The HTML is parsed inertly by
// DOMParser; only plain formatting survives, rebuilt as fresh elements of
// this document, and links only to http(s) and mailto. It owns no state
// and imports nothing.

/** The elements kept (their attributes are not, but a link's href). */
const ALLOWED = new Set(["b", "strong", "i", "em", "u", "s", "p", "br", "div", "span", "ul", "ol",
  "li", "blockquote", "pre", "code", "a", "h1", "h2", "h3", "h4", "hr", "small", "sub", "sup",
  "table", "thead", "tbody", "tr", "td", "th"]);
/** The elements dropped with their content; any other element is
 * replaced by its content. */
const DROP = new Set(["script", "style", "iframe", "object", "embed", "link", "meta", "template",
  "svg", "math", "form", "input", "button", "textarea", "select", "img", "video", "audio",
  "noscript", "frame", "frameset", "base", "head", "title"]);

/** sanitize parses html and returns what of it may be shown.
 * @param {unknown} html
 * @returns {DocumentFragment} */
export function sanitize(html) {
  const doc = new DOMParser().parseFromString(String(html), "text/html");
  const frag = document.createDocumentFragment();
  walk(doc.body, frag);
  return frag;
}

/** walk copies the allowed part of src's children into dst.
 * @param {Node} src
 * @param {Node & ParentNode} dst */
function walk(src, dst) {
  for (const n of src.childNodes) {
    if (n instanceof Text) {
      dst.append(n.data);
    } else if (n instanceof Element) {
      const tag = n.localName;
      if (DROP.has(tag)) continue;
      if (!ALLOWED.has(tag)) {
        walk(n, dst);
        continue;
      }
      const el = document.createElement(tag);
      if (tag === "a") {
        const href = n.getAttribute("href") || "";
        if (/^(https?:|mailto:)/i.test(href.trim())) {
          el.setAttribute("href", href.trim());
          el.setAttribute("target", "_blank");
          el.setAttribute("rel", "noopener noreferrer");
        }
      }
      walk(n, el);
      dst.append(el);
    }
  }
}
