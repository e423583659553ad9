// A CRM page's loader for cpsim's embedded panel, written for cpsim's tests
// in the shapes of Sinch's CPC.js (github.com/sinch-contact-pro/CPC), not
// copied from it: load logs the user in (POST <tenant>ecfs/authentication/
// with "Authorization: ECFAuth" and a Basic form body, credentials
// included), then embeds <tenant>ecf/latest/communicationpanel/embedded.html
// ?salesforce=true in an iframe and, once it has loaded, starts a
// CPCClient (cpc-client.js) on it and sends init; ri calls a Restful
// Interface with the login cookie; unload logs out (DELETE) and removes the
// iframe.

"use strict";

class CRM {
  /**
   * @param {string} tenant the tenant's base URL, ending in "/"
   * @param {HTMLElement} parent where the panel's iframe goes
   * @param {number} giveUpMs how long a CPC call waits for its answer
   */
  constructor(tenant, parent, giveUpMs) {
    this.tenant = tenant;
    this.parent = parent;
    this.giveUpMs = giveUpMs;
    /** @type {HTMLIFrameElement | null} */
    this.frame = null;
    /** @type {CPCClient | null} */
    this.cpc = null;
    this.authStatus = 0;
    this.ready = false;
  }

  async load(user, password) {
    const r = await fetch(this.tenant + "ecfs/authentication/", {
      method: "POST", mode: "cors", cache: "no-cache", credentials: "include", referrerPolicy: "no-referrer",
      headers: { "AUTHORIZATION": "ECFAuth", "Content-Type": "application/x-www-form-urlencoded" },
      body: encodeURI("Authorization=Basic " + btoa(user + ":" + password)),
    });
    this.authStatus = r.status;
    const i = document.createElement("iframe");
    i.src = this.tenant + "ecf/latest/communicationpanel/embedded.html?salesforce=true";
    i.id = "CPC-frame";
    i.setAttribute("allow", "microphone");
    i.style.width = "100%";
    i.style.height = "100%";
    i.style.border = "0";
    i.onload = () => {
      this.cpc = new CPCClient(/** @type {Window} */ (i.contentWindow), new URL(i.src).origin, this.giveUpMs);
      this.cpc.init().then((m) => { this.ready = m; });
    };
    this.parent.appendChild(i);
    this.frame = i;
    return r.status === 200;
  }

  /** ri calls <tenant>ecfs/RI/<api><resource>: the JSON of a 200, true for another 2xx, else {error, status}. */
  async ri(api, method, resource, body) {
    const r = await fetch(this.tenant + "ecfs/RI/" + api.toLowerCase() + resource, {
      method, body, mode: "cors", cache: "no-cache", credentials: "include", referrerPolicy: "no-referrer",
      headers: { "Content-Type": "application/json" },
    });
    if (!r.ok) return { error: true, status: r.status, body: await r.text() };
    return r.status === 200 ? r.json() : true;
  }

  async unload() {
    const r = await fetch(this.tenant + "ecfs/authentication/", {
      method: "DELETE", mode: "cors", cache: "no-cache", credentials: "include", referrerPolicy: "no-referrer",
    });
    if (this.frame) this.frame.remove();
    this.frame = null;
    return r.status;
  }
}
