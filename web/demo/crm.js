// @ts-check
// The demo CRM's script (crm.html): a CRM page that embeds cpsim's panel
// the way a customer's CRM embeds the real one with Sinch's CPC.js, with a
// small client of its own written for cpsim (not CPC.js). It logs in at
// <tenant>ecfs/authentication/, embeds
// <tenant>ecf/latest/communicationpanel/embedded.html in an iframe, sends
// init once it loads, and then talks to it with the extension API's
// messages: it follows activeInteraction and the interactions' status, and
// its buttons send actions and RMI calls. The tenant is cpsim's panel, from
// ?devTenant= (the parameter CPC.js reads, which cpsim test -embed sets) or
// ?tenant= (default http://127.0.0.1:8080/). It reads only messages from
// the panel's window and origin, and posts only to that origin.

const query = new URL(location.href).searchParams;
const tenant = query.get("devTenant") || query.get("tenant") || "http://127.0.0.1:8080/";
const base = tenant.endsWith("/") ? tenant : tenant + "/";
const panelOrigin = new URL(base).origin;

/** $ finds one of crm.html's elements.
 * @param {string} id
 * @returns {HTMLElement} */
function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`demo CRM: no element #${id}`);
  return el;
}

/** The CRM's view of the panel, for people and tests (window.demoCRM). */
const crm = {
  ready: false,
  /** @type {string | null} */
  active: null,
  /** @type {string} the interaction the latest status or state was about */
  latest: "",
  /** @type {string} the agent's id, from detail user */
  agent: "",
  /** @type {any[]} every message the panel posted */
  received: [],
};
Object.assign(window, { demoCRM: crm });

let count = 0;
/** @type {Map<string, (m: any) => void>} */
const waiting = new Map();
const frame = document.createElement("iframe");

/** log shows a line in the CRM's list.
 * @param {string} text */
function log(text) {
  const li = document.createElement("li");
  li.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  li.title = text;
  const list = $("log");
  list.prepend(li);
  while (list.children.length > 200) list.lastElementChild?.remove();
}

/** post sends a message to the panel, at its origin only.
 * @param {object} msg */
function post(msg) {
  frame.contentWindow?.postMessage(msg, panelOrigin);
}

/** action sends an action and resolves to its response (false after 5 s,
 * as CPC.js gives up).
 * @param {Record<string, unknown>} payload
 * @returns {Promise<any>} */
function action(payload) {
  const id = `crm-${++count}`;
  return new Promise((resolve) => {
    const timer = setTimeout(() => { waiting.delete(id); resolve(false); }, 5000);
    waiting.set(id, (m) => { clearTimeout(timer); resolve(m); });
    post({ id, type: "action", payload });
  });
}

/** show writes what an action answered.
 * @param {string} what
 * @param {any} r */
function show(what, r) {
  const p = r && r.payload;
  if (!p) log(`${what}: no answer`);
  else if (p.value === "error") log(`${what}: refused: ${p.reason}`);
  else log(`${what}: ${typeof p.value === "string" ? p.value : "ok"}`);
}

addEventListener("message", (e) => {
  if (e.source !== frame.contentWindow || e.origin !== panelOrigin) return;
  const m = e.data;
  if (typeof m !== "object" || m === null || typeof m.payload !== "object" || m.payload === null) return;
  crm.received.push(m);
  const p = m.payload;
  if (m.type === "init" && Array.isArray(p.value) && p.value.length === 0) {
    crm.ready = true;
    $("status").textContent = "ready";
    log("init: the panel is ready");
    action({ command: "detail", value: "user" }).then((r) => {
      crm.agent = (r && r.payload && r.payload.value && r.payload.value.id) || "";
    });
  } else if (m.type === "response" && waiting.has(m.id)) {
    const done = waiting.get(m.id);
    waiting.delete(m.id);
    if (done) done(m);
  } else if (m.type === "state" && p.attribute === "activeInteraction") {
    crm.active = p.value ? p.value.id : null;
    $("active").textContent = crm.active || "none";
    log(`activeInteraction ${crm.active || "null"}`);
  } else if (m.type === "state" || m.type === "status") {
    if (p.interaction && typeof p.interaction.id === "string") crm.latest = p.interaction.id;
    const about = p.interaction ? ` (${p.interaction.id.slice(0, 8)}…)` : "";
    log(`${m.type} ${p.attribute} = ${typeof p.value === "object" ? JSON.stringify(p.value) : p.value}${about}`);
  }
});

/** on wires a button.
 * @param {string} id
 * @param {() => Promise<void>} f */
function on(id, f) {
  $(id).addEventListener("click", () => { f().catch((e) => log(`${id}: ${e}`)); });
}

/** rmi calls RMI with the login cookie.
 * @param {string} method
 * @param {string} resource
 * @param {object} [body]
 * @returns {Promise<string>} */
async function rmi(method, resource, body) {
  const r = await fetch(base + "ecfs/RI/rmi" + resource, {
    method, mode: "cors", credentials: "include", headers: { "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  return r.ok ? "ok" : `HTTP ${r.status}`;
}

on("call", async () => show("call out", await action({ command: "outbound", value: { channel: "phone", to: "+358401234567" } })));
for (const op of ["accept", "hangup", "handle"]) {
  // An offered call is not active yet: accept the one heard of last.
  const id = () => (op === "accept" ? crm.latest || crm.active : crm.active) || undefined;
  on(op, async () => show(op, await action({ command: "interaction", interactionId: id(), value: op })));
}
for (const op of ["hold", "unhold"]) {
  on(op, async () => show(op, await action({ command: "callState", interactionId: crm.active || undefined, value: op })));
}
on("send-sms", async () => {
  const text = /** @type {HTMLInputElement} */ ($("sms")).value;
  show("SMS", await action({ command: "outbound", value: { channel: "sms", to: "+358401234567", content: text, direct: true } }));
});
on("ready", async () => log(`RMI ready: ${await rmi("PUT", `/agents/${crm.agent}/readyState/`, { readyState: "Ready" })}`));
on("not-ready", async () => log(`RMI not ready: ${await rmi("PUT", `/agents/${crm.agent}/readyState/`, { readyState: "NotReady" })}`));

async function load() {
  const auth = await fetch(base + "ecfs/authentication/", {
    method: "POST", mode: "cors", credentials: "include",
    headers: { "Authorization": "ECFAuth", "Content-Type": "application/x-www-form-urlencoded" },
    body: encodeURI("Authorization=Basic " + btoa("demo:demo")),
  }).catch(() => null);
  log(auth ? `login: HTTP ${auth.status}` : `login: cpsim is not reachable at ${base}`);
  frame.src = base + "ecf/latest/communicationpanel/embedded.html?salesforce=true";
  frame.title = "Communication Panel (cpsim)";
  frame.allow = "microphone";
  frame.addEventListener("load", () => post({ id: "initRequest", type: "init", payload: false }));
  $("panel").append(frame);
}
load();
