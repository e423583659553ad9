// @ts-check
// The centre of the page: the selected interaction's head (channel,
// status, ids), its conversation (transcript, typing, messages as the
// customer or the agent), email or draft (draft.js's editor), and its
// caller data with an editor. A conversation shows its latest
// TRANSCRIPT_SHOWN messages and counts the earlier ones (those the view
// leaves out, earlier_messages, too); a bubble already shown is kept, not
// made again. Message texts and emails may carry HTML:
// richtext.js shows them safely; names, titles and texts are isolated for
// bidi (dir="auto"). It owns those elements and what is being edited
// (detail); it imports relay.js (sendEvent), model.js, render.js,
// interactions.js, draft.js, richtext.js and the helpers.

import { CHANNELS, CONVERSATION, TRANSCRIPT_SHOWN } from "./constants.js";
import { h, icon, role, tid } from "./dom.js";
import { draftSection, keepDrafts } from "./draft.js";
import { cardTitle, customerName, live, owned, statusText, statusTone } from "./interactions.js";
import { model } from "./model.js";
import { sendEvent } from "./relay.js";
import { changed, forget, markViewDirty } from "./render.js";
import { controlNote, emailFrame, messageBody } from "./richtext.js";
import { errorMessage, nf, shortId, sig, visibleControls } from "./util.js";

/** @typedef {import("./interactions.js").Interaction} Interaction */

/** The interaction the centre shows, its sections, and what is being edited. */
const detail = {
  /** @type {string | null} */
  id: null,
  head: h("section", { class: "card" }),
  body: h("div"),
  cad: h("section", { class: "card d-section", testid: "cad-card" }),
  cadEditing: false,
  sayText: h("textarea", { testid: "say-text", rows: 2, placeholder: "Write a message as the customer or the agent…", attrs: { "aria-label": "Message text" } }),
};
const typingBox = h("input", { type: "checkbox", testid: "typing" });
typingBox.addEventListener("change", () => { if (detail.id) sendEvent({ type: "typing", id: detail.id, on: typingBox.checked }); });
const sayCustomer = h("button", { type: "button", class: "btn btn-small", testid: "say-customer", title: "Send as the customer (Enter)" }, icon("customer"), "As customer");
const sayAgent = h("button", { type: "button", class: "btn btn-small btn-primary", testid: "say-agent", title: "Send as the agent (Ctrl+Enter)" }, icon("send"), "As agent");
const typingLabel = h("label", { class: "check", title: "Show the customer as typing (participants[].status)" }, typingBox, "Customer typing");
const sayBox = h("div", { class: "say-box" }, detail.sayText,
  h("div", { class: "say-actions" }, h("span", { class: "hint-text", text: "Enter: as customer · Ctrl+Enter: as agent" }), h("span", { class: "spacer" }), sayCustomer, sayAgent));
/** say sends the text written as a message of the interaction shown.
 * @param {"customer" | "agent"} from */
function say(from) {
  const text = detail.sayText.value;
  if (!detail.id || !text.trim()) { detail.sayText.focus(); return; }
  const id = detail.id;
  sendEvent({ type: "say", id, text, from }).then((r) => { if (!r.error && detail.id === id && detail.sayText.value === text) detail.sayText.value = ""; });
}
sayCustomer.addEventListener("click", () => say("customer"));
sayAgent.addEventListener("click", () => say("agent"));
detail.sayText.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    say(e.ctrlKey || e.metaKey ? "agent" : "customer");
  }
});

/** renderDetail shows the active interaction of the view v.
 * @param {import("./types.js").View} v */
export function renderDetail(v) {
  keepDrafts(v.interactions || []);
  const it = (v.interactions || []).find((x) => x.id === v.active);
  const root = tid("detail");
  if (!it) {
    const loggedIn = v.user && v.user.login_status === "logged_in";
    const inHand = (v.interactions || []).some((x) => x.status === "accepted" || x.status === "outgoing" || x.status === "ended");
    const why = !loggedIn ? "out" : inHand ? "in hand" : "none";
    if (!changed("detail", why)) return;
    detail.id = null;
    root.dataset.id = "";
    root.replaceChildren(h("div", { class: "empty-state" }, icon("inbox"),
      h("h2", { text: "No interaction selected" }),
      h("p", { text: {
        out: "The agent is logged out: log in to take interactions.",
        "in hand": "No interaction is active: choose one on the left to work on it (the global extensions heard activeInteraction null).",
        none: "Create a customer contact on the left, accept it, and its extensions load on the right.",
      }[why] })));
    return;
  }
  if (detail.id !== it.id) {
    detail.id = it.id;
    detail.cadEditing = false;
    detail.sayText.value = "";
    forget("dHead", "dBody", "dCad");
    root.dataset.id = it.id;
    detail.head = h("section", { class: "card" });
    detail.body = h("div", null);
    detail.cad = h("section", { class: "card d-section", testid: "cad-card" });
    root.replaceChildren(detail.head, detail.body, detail.cad);
    /** @type {HTMLElement} */ (root.closest(".col")).scrollTop = 0;
    changed("detail", "some");
  }
  if (changed("dHead", it)) renderDetailHead(it);
  const bodySig = { id: it.id, draft: !!it.draft, ch: it.channel, st: it.status, cs: it.channel_status, t: it.transcript, e: it.earlier_messages, p: it.participants, title: it.title, c: it.content, f: it.from_address, to: it.to_address, cc: it.cc_address };
  if (changed("dBody", bodySig)) renderDetailBody(it);
  if (!detail.cadEditing && changed("dCad", it.attached_data)) renderCad(it);
}

/** @param {Interaction} it */
function renderDetailHead(it) {
  const ch = CHANNELS[it.channel] || { label: it.channel, icon: "puzzle" };
  const rows = [
    ["From", it.originator], ["To", it.destination], ["Queue", it.from_queue && it.from_queue.name],
    ["Status", `${it.status} / ${it.channel_status}`], ["Created", it.date_created ? new Date(it.date_created).toLocaleTimeString() : ""],
    ["Waited", typeof it.iswtf === "number" ? `${it.iswtf.toFixed(1)} s` : ""],
  ];
  if (it.channel === "phone") {
    rows.push(["Recording", it.recording ? "on" : "off"]);
    if (it.dtmf && it.dtmf.length) rows.push(["Tones sent", it.dtmf.join(" ")]);
  }
  if (it.orig_queue) rows.push(["Original queue", it.orig_queue.name]);
  if (it.consult) rows.push(["Consultation", shortId(it.consult)]);
  if (it.consult_for) rows.push(["Consultation for", shortId(it.consult_for)]);
  if (it.conference_id) rows.push(["Conference", shortId(it.conference_id)]);
  if (it.channel_sub_type) rows.push(["Channel type", `${it.channel_type} / ${it.channel_sub_type}`]);
  rows.push(["Extensions", (it.instances || []).join(", ") || "none"]);
  detail.head.replaceChildren(
    h("div", { class: "d-head", data: { channel: it.channel } },
      h("span", { class: "ch-badge" }, icon(ch.icon)),
      h("div", { class: "icard-main" },
        h("h2", { class: "d-title" }, h("span", { dir: "auto", text: visibleControls(cardTitle(it)) }), controlNote(cardTitle(it))),
        h("div", { class: "d-sub" }, `${ch.label}${it.outbound ? " · outbound" : ""} · `, h("code", { class: "d-id", title: "Interaction id", text: it.id }))),
      h("span", { class: "status-pill", data: { tone: statusTone(it) }, text: statusText(it) }),
      h("button", { type: "button", class: "icon-btn", testid: "deselect", title: "Close: no interaction active (the global extensions hear activeInteraction null)",
        attrs: { "aria-label": "Deselect this interaction" }, on: { click: () => sendEvent({ type: "deselect" }) } }, icon("close"))),
    h("dl", { class: "d-grid" }, rows.filter((r) => r[1]).map(([k, val]) => h("div", null, h("dt", { text: k }), h("dd", null, h("span", { dir: "auto", text: visibleControls(String(val)) }), controlNote(val))))));
  detail.head.dataset.channel = it.channel;
}

/** @param {Interaction} it */
function renderDetailBody(it) {
  const body = detail.body;
  if (it.draft) {
    const form = draftSection(it);
    if (body.firstElementChild !== form) body.replaceChildren(form);
  } else if (CONVERSATION.has(it.channel)) {
    let sec = /** @type {HTMLElement | null} */ (body.firstElementChild);
    if (!sec || sec.dataset.kind !== "conversation") {
      sec = h("section", { class: "card d-section", data: { kind: "conversation", channel: it.channel } },
        h("div", { class: "d-section-head" }, icon(CHANNELS[it.channel].icon), h("h3", { text: "Conversation" }),
          h("span", { class: "count", data: { role: "tcount" } }), h("span", { class: "spacer" }), typingLabel),
        h("p", { class: "transcript-earlier", testid: "transcript-earlier", hidden: true }),
        h("ul", { class: "transcript", testid: "transcript", attrs: { "aria-live": "polite" } }),
        h("div", { class: "typing-line", testid: "typing-line" }),
        sayBox);
      body.replaceChildren(sec);
    }
    sec.dataset.channel = it.channel;
    const ul = tid("transcript", sec);
    const stick = ul.scrollTop + ul.clientHeight >= ul.scrollHeight - 8;
    const all = (it.transcript && it.transcript.messages) || [];
    const msgs = all.length > TRANSCRIPT_SHOWN ? all.slice(all.length - TRANSCRIPT_SHOWN) : all;
    const earlier = all.length - msgs.length + (Number(it.earlier_messages) || 0);
    const earlierEl = tid("transcript-earlier", sec);
    earlierEl.hidden = !earlier;
    earlierEl.textContent = earlier ? `${nf.format(earlier)} earlier message${earlier === 1 ? "" : "s"}` : "";
    earlierEl.title = earlier ? `The panel shows the latest ${TRANSCRIPT_SHOWN} messages of the conversation.` : "";
    const agentKeys = new Set((it.participants || []).filter((p) => p.uniquekey !== "customer").map((p) => p.uniquekey));
    const username = model.view && model.view.user.username;
    const rich = it.channel === "chat";
    const custName = customerName(it) || it.originator || "Customer";
    // Bubbles are kept by what they show: a new message adds one, and
    // the oldest shown goes, without making the others again.
    const had = bubbles.get(ul) || new Map();
    /** @type {Map<string, HTMLElement>} */
    const now = new Map();
    const items = msgs.map((m) => {
      const from = m.originator === "customer" ? "customer" : (m.originator === username || agentKeys.has(m.originator)) ? "agent" : "other";
      const name = from === "customer" ? custName : m.originator;
      const key = sig([m.id, m.message, m.timestamp, from, name, rich]);
      let li = had.get(key);
      if (!li || now.has(key)) {
        const t = Date.parse(m.timestamp);
        li = h("li", { class: "bubble", testid: "transcript-message", data: { from, id: m.id } },
          messageBody(m.message, rich),
          h("small", null, h("bdi", { text: visibleControls(name) }), Number.isNaN(t) ? "" : " · " + new Date(t).toLocaleTimeString(), controlNote(m.message)));
      }
      now.set(key, li);
      return li;
    });
    bubbles.set(ul, now);
    ul.replaceChildren(...items);
    if (stick) ul.scrollTop = ul.scrollHeight;
    role("tcount", sec).textContent = nf.format(all.length + (Number(it.earlier_messages) || 0));
    const customer = (it.participants || []).find((p) => p.uniquekey === "customer");
    const typing = !!customer && customer.status === "typing";
    typingBox.checked = typing;
    tid("typing-line", sec).textContent = typing ? `${customer.alias || "The customer"} is typing…` : "";
    const ended = it.status === "ended";
    sayAgent.disabled = !live(it);
    sayAgent.title = live(it) ? "Send as the agent (Ctrl+Enter)" : "The agent can write only while the conversation is in progress";
    sayCustomer.disabled = ended;
  } else if (it.channel === "email") {
    const dl = h("dl", { class: "email-head", data: { role: "email-head" } },
      h("dt", { text: "Subject" }), h("dd", null, h("span", { testid: "email-subject", dir: "auto", text: visibleControls(it.title || "") }), controlNote(it.title)),
      h("dt", { text: "From" }), h("dd", { testid: "email-from", dir: "auto", text: addr(it.from_address) || it.originator || "" }),
      h("dt", { text: "To" }), h("dd", { testid: "email-to", dir: "auto", text: (it.to_address || []).map(addr).join(", ") || it.destination || "" }),
      (it.cc_address && it.cc_address.length) ? [h("dt", { text: "Cc" }), h("dd", { dir: "auto", text: it.cc_address.map(addr).join(", ") })] : null);
    // The content's frame stays when only the rest changed (the status):
    // an iframe taken out of the document loses its scroll and reloads.
    const content = it.content || "";
    const sec = /** @type {HTMLElement | null} */ (body.firstElementChild);
    if (sec && sec.dataset.kind === "email" && sec.dataset.for === it.id && mailShown.get(sec) === content) {
      role("email-head", sec).replaceWith(dl);
      return;
    }
    const next = h("section", { class: "card d-section", testid: "email", data: { kind: "email", channel: "email", for: it.id } },
      h("div", { class: "d-section-head" }, icon("email"), h("h3", { text: "Email" })),
      dl, content ? emailFrame(content) : h("p", { class: "email-body email-empty", testid: "email-content", text: "(empty)" }));
    mailShown.set(next, content);
    body.replaceChildren(next);
  } else {
    body.replaceChildren();
  }
}
/** bubbles are the bubbles each transcript shows, by what they show. */
const bubbles = /** @type {WeakMap<HTMLElement, Map<string, HTMLElement>>} */ (new WeakMap());
/** mailShown is the content each email section shows. */
const mailShown = /** @type {WeakMap<HTMLElement, string>} */ (new WeakMap());
/** addr is an email address as "Name <address>". */
const addr = (/** @type {import("./types.js").Address | undefined} */ a) => (a ? (a.name ? `${a.name} <${a.address}>` : a.address) : "");

/** fmtValue is a caller data value as text: a string as is, anything else as JSON.
 * @param {unknown} v
 * @returns {string} */
function fmtValue(v) {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** @param {Interaction} it */
function renderCad(it) {
  const sec = detail.cad;
  const cad = it.attached_data || {};
  const keys = Object.keys(cad);
  const editable = owned(it) && it.status !== "ended" || it.status === "queued" || it.status === "incoming";
  const editBtn = h("button", { type: "button", class: "btn btn-small btn-quiet", testid: "cad-edit", disabled: !editable,
    title: editable ? "Edit the caller data (sends a cad event)" : "The caller data of an ended interaction cannot change" }, icon("edit"), "Edit");
  editBtn.addEventListener("click", () => editCad(it));
  sec.replaceChildren(
    h("div", { class: "d-section-head" }, icon("tag"), h("h3", { text: "Caller data" }), h("span", { class: "count", text: keys.length }), h("span", { class: "spacer" }), editBtn),
    keys.length
      ? h("table", { class: "cad-table", testid: "cad" }, h("tbody", null, keys.map((k) => h("tr", { data: { key: k } }, h("th", { text: k, attrs: { scope: "row" } }), h("td", { text: fmtValue(cad[k]) })))))
      : h("p", { class: "cad-empty", testid: "cad-empty", text: "No caller data attached." }));
}

/** editCad opens the caller data editor of it.
 * @param {Interaction} it */
function editCad(it) {
  detail.cadEditing = true;
  const sec = detail.cad;
  const before = it.attached_data || {};
  const ta = h("textarea", { class: "mono", testid: "cad-editor", rows: Math.min(14, Math.max(4, Object.keys(before).length + 3)), spellcheck: false, attrs: { "aria-label": "Caller data JSON" } });
  ta.value = JSON.stringify(before, null, 2);
  const err = h("p", { class: "field-error", testid: "cad-error", hidden: true });
  const save = h("button", { type: "button", class: "btn btn-small btn-primary", testid: "cad-save" }, "Save");
  const cancel = h("button", { type: "button", class: "btn btn-small btn-quiet", testid: "cad-cancel" }, "Cancel");
  const done = () => { detail.cadEditing = false; forget("dCad"); markViewDirty(); };
  cancel.addEventListener("click", done);
  save.addEventListener("click", async () => {
    let next;
    try { next = JSON.parse(ta.value); } catch (e) { err.textContent = errorMessage(e); err.hidden = false; return; }
    if (!next || typeof next !== "object" || Array.isArray(next)) { err.textContent = "Caller data must be a JSON object."; err.hidden = false; return; }
    /** @type {Record<string, unknown>} */
    const cur = (((model.view && model.view.interactions) || []).find((x) => x.id === it.id) || it).attached_data || {};
    /** @type {Record<string, unknown>} */
    const set = {};
    for (const k of Object.keys(cur)) if (!(k in next)) set[k] = null;
    for (const [k, val] of Object.entries(next)) if (sig(cur[k]) !== sig(val)) set[k] = val;
    if (!Object.keys(set).length) { done(); return; }
    const r = await sendEvent({ type: "cad", id: it.id, set });
    if (r.error) { err.textContent = r.error; err.hidden = false; return; }
    done();
  });
  sec.replaceChildren(
    h("div", { class: "d-section-head" }, icon("tag"), h("h3", { text: "Caller data" }), h("span", { class: "spacer" }), cancel, save),
    ta, err, h("p", { class: "kv-note", text: "Saving sends the changed keys as a cad event; a removed key is sent as null." }));
  ta.focus();
}
