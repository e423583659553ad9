// @ts-check
// The extensions column: the sidebar of the selected interaction's
// extension instances (and the global ones), in the order of their
// ordinals, and which instance's iframe shows, with its title and the
// placeholder shown when none does (on a watching page, which loads no
// extension, where the extension runs instead). It owns those elements
// and the Peek choice; it imports frames.js (the iframes), relay.js
// (sendEvent, whether the page watches), render.js and the helpers.

import { extIcon, h, icon, role, tid } from "./dom.js";
import { frames } from "./frames.js";
import { relayState, sendEvent } from "./relay.js";
import { changed, markViewDirty } from "./render.js";

const ext = {
  title: tid("ext-title"), placeholder: tid("ext-placeholder"),
  peek: /** @type {HTMLInputElement} */ (tid("ext-peek")), peekLabel: tid("ext-peek-label"),
  sidebar: tid("ext-sidebar"),
};

let peek = false;
ext.peek.addEventListener("change", () => { peek = ext.peek.checked; markViewDirty(); });

/** @typedef {import("./types.js").Instance} Instance */

/** bySidebarOrder orders instances as the panel's sidebar lists them: by
 * the System Configurator's ordinal, 0 (none) first, then 1 to 100; ties
 * alphabetically by title, then by key.
 * @param {Instance} a
 * @param {Instance} b
 * @returns {number} */
export function bySidebarOrder(a, b) {
  return (a.ordinal || 0) - (b.ordinal || 0) ||
    (a.text || a.key).localeCompare(b.text || b.key, "en", { sensitivity: "base" }) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** renderExtensions shows the sidebar of the view v's active interaction
 * and the iframe of its opened extension.
 * @param {import("./types.js").View} v */
export function renderExtensions(v) {
  const insts = v.instances || [];
  const byId = new Map(insts.map((i) => [i.id, i]));
  const act = (v.interactions || []).find((x) => x.id === v.active);
  const mine = act ? /** @type {Instance[]} */ ((act.instances || []).map((id) => byId.get(id)).filter((i) => i && i.mode !== "global")).sort(bySidebarOrder) : [];
  const globals = insts.filter((i) => i.mode === "global").sort(bySidebarOrder);

  if (changed("extSidebar", [mine, globals.map((g) => [g.id, g.phase, g.text]), v.active_extension])) {
    role("buttons", ext.sidebar).replaceChildren(...mine.map((inst) => {
      const b = h("button", {
        type: "button", class: "ext-btn", testid: "ext-button", hidden: !inst.visible, disabled: !inst.enabled,
        data: { instance: inst.id, phase: inst.phase, key: inst.key, ordinal: String(inst.ordinal || 0) },
        title: `${inst.text} (${inst.id}, ${inst.phase}${inst.enabled ? "" : ", disabled"}${inst.expanded ? "" : ", collapsed"}${inst.ordinal ? `, ordinal ${inst.ordinal}` : ""})`,
        attrs: { "aria-pressed": String(v.active_extension === inst.id) },
        on: { click: () => sendEvent({ type: "select_extension", instance: inst.id }) },
      }, extIcon(inst.icon), h("span", { class: "t", text: inst.text || inst.key }), h("span", { class: "pdot", data: { phase: inst.phase } }));
      return b;
    }));
    const g = role("globals", ext.sidebar);
    g.replaceChildren(...(globals.length ? [h("h4", { text: "Global" })] : []),
      ...globals.map((inst) => h("div", { class: "glob", testid: "global-instance", data: { instance: inst.id, phase: inst.phase, key: inst.key, ordinal: String(inst.ordinal || 0) },
        title: `${inst.text} (${inst.id}): a hidden global extension, loaded from login to logout. Phase: ${inst.phase}` },
      icon("eye-off"), h("span", { text: inst.text || inst.key }), h("span", { class: "phase", data: { phase: inst.phase }, text: inst.phase }))));
  }

  // Which iframe shows: the opened extension, when it belongs to the
  // active interaction and is expanded (or peeked at).
  const opened = byId.get(v.active_extension || "");
  const shownInst = opened && opened.mode !== "global" && act && opened.interaction === act.id ? opened : null;
  const showFrame = shownInst && (shownInst.expanded || peek) ? shownInst.id : null;
  for (const rec of frames.values()) {
    const on = rec.id === showFrame && !rec.removing;
    if (rec.iframe.classList.contains("shown") !== on) rec.iframe.classList.toggle("shown", on);
    rec.iframe.classList.toggle("peeking", on && !shownInst?.expanded);
    rec.iframe.dataset.shown = String(on);
  }
  ext.peekLabel.hidden = !(shownInst && !shownInst.expanded);

  const rec = shownInst && frames.get(shownInst.id);
  if (changed("extHead", [shownInst, rec && rec.loaded, act && act.id])) {
    if (shownInst) {
      let origin = shownInst.url;
      try { origin = new URL(shownInst.url).host; } catch { /* keep */ }
      ext.title.replaceChildren(extIcon(shownInst.icon), h("span", { text: shownInst.text || shownInst.key }),
        h("span", { class: "phase", data: { phase: shownInst.phase }, title: "Lifecycle phase: loaded (no init yet), ready, exited", text: shownInst.phase }),
        ...(shownInst.cached ? [h("span", { class: "count", title: "Messages cached until the extension sends init", text: `${shownInst.cached} cached` })] : []),
        h("span", { class: "ext-url", text: `${shownInst.id} · ${origin}` }));
    } else {
      ext.title.replaceChildren(icon("extension"), h("span", { text: "Extensions" }));
    }
  }
  const { watching, hosting } = relayState;
  if (changed("extPlaceholder", [shownInst && shownInst.id, shownInst && shownInst.expanded, peek, act && act.id, act && act.status, mine.map((i) => [i.id, i.visible]), insts.length,
    watching, hosting.on, hosting.embed])) {
    let content = null;
    if (shownInst && watching) {
      const name = shownInst.text || shownInst.key;
      const where = !hosting.on ? "in no page: the page that hosted this session has left. Take the session over to load it here"
        : hosting.embed ? `in the embedded panel of ${hosting.embed}, which hosts this session` : "in the other tab that hosts this session";
      content = emptyState("eye", `${name} runs elsewhere`, [`This page watches the session, so it loads no extension: ${name} (${shownInst.id}, ${shownInst.phase}) runs ${where}. Its messages show in the inspector below.`]);
      content.dataset.testid = "ext-watching";
    } else if (shownInst && !shownInst.expanded && !peek) {
      content = emptyState("eye-off", `${shownInst.text || shownInst.key} is collapsed`, [
        "The extension is loaded but set ", h("code", { text: "expanded" }), " to false (or is configured collapsed), so the panel hides it. It shows when it sends ",
        h("code", { text: '{command: "expanded", value: true}' }), ". Tick Peek to look at it anyway."]);
    } else if (!shownInst) {
      if (!act) content = emptyState("extension", "No interaction selected", ["An interaction's extensions load when it is accepted, and appear in the sidebar on the right."]);
      else if (!mine.length) content = emptyState("extension", "No extension for this interaction", ["No extension is configured for the queue ", h("code", { text: (act.from_queue && act.from_queue.name) || "?" }), ", or it has been handled."]);
      else content = emptyState("extension", "Open an extension", ["Choose an extension in the sidebar to open it here. The panel then sends it ", h("code", { text: "activeExtension" }), "."]);
    }
    ext.placeholder.replaceChildren(...(content ? [content] : []));
  }
}
/** emptyState is the placeholder shown where no extension is.
 * @param {string} iconName
 * @param {string} title
 * @param {import("./dom.js").ChildList} text
 * @returns {HTMLElement} */
function emptyState(iconName, title, text) {
  return h("div", { class: "empty-state" }, icon(iconName), h("h2", { text: title }), h("p", null, text));
}
