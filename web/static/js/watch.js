// @ts-check
// One session, several pages (docs/relay.md, Watching pages): the banner
// of a page that watches a session another page hosts (where its
// extensions run, or that no page runs them, with the button that takes
// the session over), and the embedded panel's session strip in its tools
// (its session id to copy, and the link that opens the session in the
// full panel, to watch it full size). It owns those two elements; it
// imports relay.js (the session and whether the page watches), embed.js,
// clipboard.js, render.js and the DOM helpers.

import { copyText } from "./clipboard.js";
import { h, role, tid } from "./dom.js";
import { embed } from "./embed.js";
import { relayState, takeOver } from "./relay.js";
import { changed } from "./render.js";

const banner = tid("watch-banner");
const strip = tid("embed-session");
const openFull = /** @type {HTMLAnchorElement} */ (tid("embed-open-full"));

tid("watch-take-over").addEventListener("click", () => {
  /** @type {HTMLButtonElement} */ (tid("watch-take-over")).disabled = true;
  takeOver();
});
tid("embed-session-copy").addEventListener("click", () => {
  copyText(relayState.session, `Copied the session id ${relayState.session}`);
});

/** fullPanelURL is the full panel's address for session id: this page's
 * origin, which is the panel's.
 * @param {string} id
 * @returns {string} */
export function fullPanelURL(id) {
  return `${location.origin}/?session=${encodeURIComponent(id)}`;
}

/** renderSession shows whether the page watches its session, and where
 * the session's extensions run; on the embedded panel, its session id
 * and the link to the full panel. */
export function renderSession() {
  const { watching, hosting, session } = relayState;
  if (changed("watch", [watching, hosting.on, hosting.embed, session])) {
    banner.hidden = !watching;
    const where = !hosting.on ? "none" : hosting.embed ? "embedded" : "tab";
    banner.dataset.hosting = where;
    /** @type {(string | Node)[]} */
    let text;
    if (where === "embedded") {
      text = ["Watching session ", h("code", { text: session }), ": its extensions run in the embedded panel of ", h("strong", { text: hosting.embed }),
        ". What you do here acts on that session, and the embedded panel and its CRM follow."];
    } else if (where === "tab") {
      text = ["Watching session ", h("code", { text: session }), ": its extensions run in another tab, which hosts it. What you do here acts on that session."];
    } else {
      text = ["Watching session ", h("code", { text: session }), ": the page that hosted it has left, so its extensions are not running. Take it over to run them in this page."];
    }
    role("text", banner).replaceChildren(...text);
    const take = /** @type {HTMLButtonElement} */ (tid("watch-take-over"));
    take.hidden = where !== "none";
    take.disabled = false;
  }
  if (embed.compact && changed("embedSession", session)) {
    strip.hidden = !session;
    tid("embed-session-id").textContent = session;
    openFull.href = session ? fullPanelURL(session) : "";
  }
}
