// @ts-check
// view-customer.js: the top of the customer card: the header (the
// interaction's channel, its status pill, the queue, the greeting of the
// signed-in agent, the refresh button) and the customer (name, avatar,
// customer id, badges for tier, VIP and language, the CAD note, the known
// CAD facts and a table of any other CAD keys). It renders from card
// (model.js) and owns no state. It imports dom.js, format.js and model.js.
import { $, button, h, icon, setIcon, table } from "./dom.js";
import {
  CHANNEL_ICON, CHANNEL_LABEL, STATUS_LABEL, cap, dateTime, initials, languageName, looksLikePhone,
  relative, truthy, valueText, words,
} from "./format.js";
import { card, channelOf } from "./model.js";

/** @typedef {import("./model.js").Interaction} Interaction */
/** @typedef {import("./model.js").CAD} CAD */

/** Caller data keys the card knows how to show; the others go to the
 * table of other CAD keys. */
const KNOWN_CAD = new Set(["customer_id", "customer_name", "tier", "email", "phone",
  "order_id", "case_id", "language", "vip", "last_contact", "note"]);

/** renderHeader renders the header.
 * @param {Interaction} it */
export function renderHeader(it) {
  const ch = channelOf(it);
  const channelIcon = $("cc-channel-icon");
  setIcon(channelIcon.querySelector("svg"), CHANNEL_ICON[ch] || "chat");
  channelIcon.dataset.channel = ch;
  let label = CHANNEL_LABEL[ch] || words(ch);
  if (it.consult_for) label += " · consultation";
  else if (it.status === "outgoing") label += " · outbound";
  $("cc-channel").textContent = label;
  const pill = $("cc-interaction-status");
  let st = it.status || "";
  if (card.phase === "exited") st = "handled";
  pill.dataset.state = st;
  pill.textContent = st === "ended" && it.channel_status === "transferring" ? "Transferred" : (STATUS_LABEL[st] || words(st) || "—");
  $("cc-queue").textContent = it.from_queue && it.from_queue.name ? it.from_queue.name : "";
  const u = card.user;
  let greet = "";
  if (u) {
    const n = u.name ? `${u.name.first_name || ""} ${u.name.last_name || ""}`.trim() : "";
    greet = `Signed in as ${n || u.alias || u.username || "agent"}`;
    if (card.workStatus) greet += ` · ${words(card.workStatus)}`;
  }
  $("cc-greeting").textContent = greet;
  button("cc-refresh").disabled = card.phase !== "ready" && card.phase !== "ended";
}

/** customerName is the customer's name, from the CAD, the directory, the
 * email's sender or the customer participant; "" when none is known.
 * @param {Interaction} it
 * @param {CAD} cad
 * @returns {string} */
function customerName(it, cad) {
  if (cad.customer_name) return String(cad.customer_name);
  if (it.dir_entry && it.dir_entry.name) return it.dir_entry.name;
  if (it.from_address && it.from_address.name) return it.from_address.name;
  const customer = (it.participants || []).find((p) => p.uniquekey === "customer");
  if (customer && customer.alias && !looksLikePhone(customer.alias)) return customer.alias;
  return "";
}

/** keyNodes is a CAD key that may break after its underscores.
 * @param {string} k
 * @returns {(string | HTMLElement)[]} */
function keyNodes(k) {
  return String(k).split("_").flatMap((part, i) => (i ? ["_", h("wbr"), part] : [part]));
}

/** renderCustomer renders the customer and the CAD.
 * @param {Interaction} it */
export function renderCustomer(it) {
  const cad = it.attached_data || {};
  const name = customerName(it, cad);
  const contact = it.originator || "";
  const h1 = $("cc-customer-name");
  h1.textContent = name || contact || "Unknown customer";
  h1.classList.toggle("unknown", !name);

  const avatar = $("cc-avatar");
  const tier = cad.tier ? String(cad.tier).toLowerCase() : "";
  avatar.dataset.tier = tier;
  const ini = name ? initials(name) : "";
  avatar.replaceChildren(ini ? document.createTextNode(ini) : icon("user"));

  const sub = [];
  if (cad.customer_id) sub.push(h("span", { class: "cid", title: "Customer id", text: String(cad.customer_id) }));
  if (name && contact) sub.push(h("span", { class: "contact", text: contact }));
  if (!name) sub.push(h("span", { class: "contact", text: contact ? "Customer not identified" : "No customer details" }));
  $("cc-customer-sub").replaceChildren(...sub);

  const badges = [];
  if (tier) {
    badges.push(h("span", { class: `badge tier tier-${tier.replace(/[^a-z0-9-]/g, "")}`, "data-testid": "tier-badge", "data-tier": tier },
      h("span", { class: "tier-dot", "aria-hidden": "true" }), `${cap(tier)} tier`));
  }
  if ("vip" in cad && truthy(cad.vip)) {
    badges.push(h("span", { class: "badge vip", "data-testid": "vip-badge" }, icon("star"), "VIP"));
  }
  if (cad.language) {
    badges.push(h("span", { class: "badge lang", "data-testid": "language-badge", title: `Language: ${cad.language}` },
      icon("globe"), languageName(cad.language)));
  }
  const badgeBox = $("cc-badges");
  badgeBox.replaceChildren(...badges);
  badgeBox.hidden = !badges.length;

  const note = cad.note;
  $("cc-note").hidden = !note;
  $("cc-note-text").textContent = note ? valueText(note) : "";

  /** @type {HTMLElement[]} */
  const facts = [];
  /** @param {string} key @param {string} ic @param {string} label @param {string} value @param {string} [title] */
  const fact = (key, ic, label, value, title) => {
    facts.push(h("div", { class: "fact" },
      h("dt", {}, icon(ic), h("span", { text: label })),
      h("dd", { "data-testid": `fact-${key}`, title: title || null, text: value })));
  };
  if (cad.email) fact("email", "mail", "Email", String(cad.email));
  if (cad.phone) fact("phone", "phone", "Phone", String(cad.phone));
  if (cad.order_id) fact("order_id", "bag", "Order", String(cad.order_id));
  if (cad.case_id) fact("case_id", "case", "Case", String(cad.case_id));
  if (cad.last_contact) fact("last_contact", "clock", "Last contact", relative(cad.last_contact), dateTime(cad.last_contact));
  const factList = $("cc-facts");
  factList.replaceChildren(...facts);
  factList.hidden = !facts.length;

  const extra = Object.keys(cad).filter((k) => !KNOWN_CAD.has(k)).sort();
  const tbody = table("cc-cad-extra").tBodies[0];
  tbody.replaceChildren(...extra.map((k) => h("tr", { "data-key": k },
    h("th", { scope: "row", title: k }, keyNodes(k)), h("td", { text: valueText(cad[k]) }))));
  $("cc-extra-wrap").hidden = !extra.length;
  $("cc-cad-empty").hidden = Object.keys(cad).length > 0;
}
