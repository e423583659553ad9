// @ts-check
// The embedded panel: the page in a CRM's iframe, loaded at the paths
// CPC.load builds (embedded.html, embedded_sso.html). It says whether the
// page is embedded and which CRM holds it; frames.js relays that CRM's
// messages as the embedding host endpoint ("host") and posts the host's
// deliveries to it, relay.js names the CRM in its hello (the server checks
// it against -embed-origin), and the page turns compact. It imports
// nothing.

/** HOST is the endpoint id of the embedding host (state.HostInstance). */
export const HOST = "host";

/** isEmbeddedPath reports whether a path is one of the embedded panel's.
 * @param {string} path
 * @returns {boolean} */
export function isEmbeddedPath(path) {
  return /\/embedded(_sso)?\.html$/.test(path);
}

/** crmOrigin is the origin of the page that frames this one: the nearest
 * ancestor's (Chromium and Safari give it), else the referrer's; "" when
 * it cannot be told.
 * @returns {string} */
function crmOrigin() {
  const anc = location.ancestorOrigins;
  if (anc && anc.length > 0) return anc[0];
  try {
    return document.referrer ? new URL(document.referrer).origin : "";
  } catch {
    return "";
  }
}

/** The embedded panel's state, fixed when the page loads. */
export const embed = {
  /** the page is at an embedded panel's path (compact layout) */
  compact: isEmbeddedPath(location.pathname),
  /** the page is an embedded panel in a CRM's frame: the CRM is the host endpoint */
  on: false,
  /** the CRM's origin: messages are read only from it and posted only to it */
  crm: "",
};
if (embed.compact && window.parent !== window) {
  embed.crm = crmOrigin();
  embed.on = embed.crm !== "" && embed.crm !== "null";
  if (!embed.on) console.warn("cpsim: the embedded panel cannot tell its CRM's origin, so it relays no CRM message");
}
