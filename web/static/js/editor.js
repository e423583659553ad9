// @ts-check
// The event editor: sends a state or status event through the panel's
// routing and cache rules, or any message as is to one instance, from
// presets the developer can edit as JSON. It owns the editor's controls;
// it imports relay.js (sendEvent), model.js, render.js, toast.js and the
// helpers.

import { h, tid } from "./dom.js";
import { model } from "./model.js";
import { sendEvent } from "./relay.js";
import { changed } from "./render.js";
import { toast } from "./toast.js";
import { errorMessage } from "./util.js";

/** @typedef {import("./types.js").View} View */
/** @typedef {import("./types.js").Instance} Instance */
/** @typedef {import("./types.js").Interaction} Interaction */

/** The editor's controls, and whether its JSON is a preset as chosen. */
const ev = {
  instance: /** @type {HTMLSelectElement} */ (tid("ev-instance")),
  kind: /** @type {HTMLSelectElement} */ (tid("ev-kind")),
  preset: /** @type {HTMLSelectElement} */ (tid("ev-preset")),
  json: /** @type {HTMLTextAreaElement} */ (tid("ev-json")),
  check: tid("ev-check"), send: tid("ev-send"), format: tid("ev-format"), route: tid("ev-route"),
  pristine: true,
};

/** editorTarget is the instance chosen and the interaction a state event names by default: the instance's, the active one or the first.
 * @returns {{inst: Instance | null, interaction: Interaction | null}} */
function editorTarget() {
  const v = model.view;
  if (!v) return { inst: null, interaction: null };
  const inst = (v.instances || []).find((i) => i.id === ev.instance.value) || null;
  const iid = (inst && inst.interaction) || v.active || ((v.interactions || [])[0] || {}).id || null;
  const interaction = (v.interactions || []).find((i) => i.id === iid) || null;
  return { inst, interaction };
}
/** wireInteraction is the interaction as extensions get it: without the view's own fields.
 * @param {Interaction | null} it */
function wireInteraction(it) {
  if (!it) return null;
  const { channel, held, muted, outbound, consult, dtmf, instances, ...wire } = it;
  return wire;
}

/** presets are the editor's presets of a kind: [label, JSON] pairs.
 * @param {string} kind
 * @returns {[string, unknown][]} */
function presets(kind) {
  const { interaction } = editorTarget();
  const iid = interaction ? interaction.id : "INTERACTION-ID";
  const profiles = (model.view && model.view.user.presence_profiles) || [];
  /** @type {Partial<import("./types.js").Profile>} */
  const profile = profiles.find((p) => p.name !== (model.view && model.view.profile)) || profiles[0] || {};
  const now = new Date().toISOString();
  switch (kind) {
    case "state": return [
      ["status: ended", { id: iid, attribute: "status", value: "ended" }],
      ["channel_status: onhold", { id: iid, attribute: "channel_status", value: "onhold" }],
      ["channel_status: disconnected", { id: iid, attribute: "channel_status", value: "disconnected" }],
      ["cad: changed caller data", { id: iid, attribute: "cad", value: { customer_id: "C-1001", tier: "platinum", note: "sent from the event editor" } }],
      ["message: a chat message", { id: iid, attribute: "message", value: { id: "m-editor-1", message: "Hello from the event editor", timestamp: now, originator: "customer" } }],
      ["activeInteraction", { id: iid, attribute: "activeInteraction", value: wireInteraction(interaction) || {} }],
      ["activeInteraction: none (null)", { attribute: "activeInteraction", value: null }],
      ["an attribute the schema does not know", { id: iid, attribute: "colour", value: "blue" }],
    ];
    case "status": return [
      ["work_status: not_ready", { attribute: "work_status", value: "not_ready" }],
      ["work_status: ready", { attribute: "work_status", value: "ready" }],
      ["work_status: wrap_up", { attribute: "work_status", value: "wrap_up" }],
      ["login_status: logged_out", { attribute: "login_status", value: "logged_out" }],
      ["phone_status: disconnected", { attribute: "phone_status", value: "disconnected" }],
      ["profile: " + (profile.name || "?"), { attribute: "profile", value: profile }],
      ["a value of the wrong type", { attribute: "work_status", value: 42 }],
    ];
    case "exit": return [["exit", { id: "cp-x", type: "exit" }]];
    default: return [
      ["response to an id it never sent", { id: "nobody-asked-1", type: "response", payload: { value: "ok" } }],
      ["error response", { id: "cp-x", type: "response", payload: { value: "error", reason: "something went wrong" } }],
      ["state without a payload", { id: "cp-x", type: "state" }],
      ["unknown type", { id: "cp-x", type: "hello", payload: {} }],
      ["a string, not an object", "just a string"],
      ["status with an interaction (seed example)", { id: "cp-x", type: "status", payload: { attribute: "work_status", value: "ready" } }],
    ];
  }
}

/** fillPresets lists the presets of the kind chosen; unless keepJSON, the editor takes the one chosen.
 * @param {boolean} keepJSON */
export function fillPresets(keepJSON) {
  const list = presets(ev.kind.value);
  const cur = ev.preset.value;
  ev.preset.replaceChildren(...list.map(([label], i) => h("option", { value: String(i), text: label })));
  if (cur && Number(cur) < list.length) ev.preset.value = cur;
  if (!keepJSON) applyPreset();
  updateRoute();
}
function applyPreset() {
  const list = presets(ev.kind.value);
  const p = list[Number(ev.preset.value) || 0];
  ev.json.value = JSON.stringify(p ? p[1] : {}, null, 2);
  ev.pristine = true;
  checkEditor();
}
function updateRoute() {
  const k = ev.kind.value;
  const { inst } = editorTarget();
  ev.route.textContent = k === "state"
    ? "A state event goes through the panel's routing and cache rules: to the instances of the interaction named by id, and to every global instance. Give {id, attribute, value}."
    : k === "status"
      ? "A status event goes to every instance, through the cache rules. Give {attribute, value}."
      : `Posted as is to ${inst ? inst.id : "the chosen instance"}, with no cache rules (validated, warnings shown in the inspector).`;
}
/** checkEditor checks the editor's JSON and shows whether it is valid; val is what the developer wrote, any JSON.
 * @returns {{ok: true, val: any} | {ok: false, error: string}} */
function checkEditor() {
  const raw = ev.json.value;
  try {
    const val = JSON.parse(raw);
    const k = ev.kind.value;
    if ((k === "state" || k === "status") && (!val || typeof val !== "object" || Array.isArray(val) || typeof val.attribute !== "string")) {
      throw new Error(`a ${k} needs an object with "attribute"${k === "state" ? ', "value" and usually "id"' : ' and "value"'}`);
    }
    if (k === "state" || k === "status") {
      const extra = Object.keys(val).filter((x) => !(k === "state" ? ["id", "attribute", "value"] : ["attribute", "value"]).includes(x));
      if (extra.length) throw new Error(`unexpected ${extra.join(", ")}: a ${k} takes ${k === "state" ? "id, attribute and value" : "attribute and value"}`);
    }
    ev.check.dataset.ok = "true";
    ev.check.textContent = "✓ Valid JSON";
    ev.json.classList.remove("invalid");
    return { ok: true, val };
  } catch (e) {
    ev.check.dataset.ok = "false";
    const msg = errorMessage(e);
    ev.check.textContent = "✕ " + msg;
    ev.check.title = msg;
    ev.json.classList.add("invalid");
    return { ok: false, error: msg };
  }
}
ev.kind.addEventListener("change", () => { ev.preset.value = "0"; fillPresets(false); });
ev.preset.addEventListener("change", applyPreset);
ev.instance.addEventListener("change", () => { updateRoute(); if (ev.pristine) fillPresets(false); });
ev.json.addEventListener("input", () => { ev.pristine = false; checkEditor(); });
ev.format.addEventListener("click", () => { const c = checkEditor(); if (c.ok) ev.json.value = JSON.stringify(c.val, null, 2); });
ev.send.addEventListener("click", async () => {
  const c = checkEditor();
  if (!c.ok) { ev.json.focus(); toast(c.error, "error", "Not sent: fix the JSON"); return; }
  const k = ev.kind.value;
  /** @type {import("./relay.js").AgentEvent} */
  let e;
  if (k === "state") {
    e = { type: "state", attribute: c.val.attribute, value: c.val.value === undefined ? null : c.val.value };
    if (c.val.id) e.id = c.val.id;
  } else if (k === "status") {
    e = { type: "status", attribute: c.val.attribute, value: c.val.value === undefined ? null : c.val.value };
  } else {
    if (!ev.instance.value) { toast("Choose an instance to send to.", "error", "Not sent"); return; }
    e = { type: "send", instance: ev.instance.value, message: c.val };
  }
  const r = await sendEvent(e);
  if (!r.error) toast(`${k} sent${k === "exit" || k === "raw" ? ` to ${e.instance}` : ""}: see the inspector`, "ok");
});

/** renderEventTargets lists the instances of the view v to send to.
 * @param {View} v */
export function renderEventTargets(v) {
  const insts = v.instances || [];
  if (!changed("evTargets", insts.map((i) => [i.id, i.text, i.mode, i.phase]))) return;
  const cur = ev.instance.value;
  ev.instance.replaceChildren(...(insts.length ? insts.map((i) => h("option", { value: i.id, text: `${i.id}${i.mode === "global" ? " (global)" : ""} · ${i.phase}` }))
    : [h("option", { value: "", text: "No instance loaded" })]));
  if (insts.some((i) => i.id === cur)) ev.instance.value = cur;
  else if (v.active_extension && insts.some((i) => i.id === v.active_extension)) ev.instance.value = v.active_extension;
  if (ev.pristine) fillPresets(false); else updateRoute();
}
