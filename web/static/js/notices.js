// @ts-check
// The notices above the panel: the server's problems (p frames), the
// hints about extensions that loaded but sent no init, and the banner
// shown when another page took the session over. It owns those elements
// and the dismissed problems; it imports relay.js (reconnecting),
// frames.js (when an iframe loaded), model.js, render.js and the helpers.

import { INIT_HINT_MS } from "./constants.js";
import { h, icon, role, tid } from "./dom.js";
import { frames } from "./frames.js";
import { model } from "./model.js";
import { reconnectNow } from "./relay.js";
import { changed } from "./render.js";
import { sig } from "./util.js";

const notices = {
  problems: tid("problems"), hints: tid("hints"),
};

tid("session-reconnect").addEventListener("click", () => {
  tid("session-banner").hidden = true;
  reconnectNow();
});

// --- problems banner

let problemsDismissed = "";
tid("problems-dismiss").addEventListener("click", () => {
  problemsDismissed = notices.problems.dataset.sig || "";
  notices.problems.hidden = true;
});

// The server computes every problem, the same-site ones from the origin
// this page was opened at (docs/relay.md, p frames).
export function renderProblems() {
  const all = model.problems || [];
  const s = sig(all);
  if (!changed("problems", s)) return;
  const b = notices.problems;
  b.dataset.sig = s;
  if (!all.length) { b.hidden = true; return; }
  b.dataset.level = all.some((p) => p.level === "error") ? "error" : "warning";
  role("list", b).replaceChildren(...all.map((p) => h("li", { testid: "problem", data: { level: p.level, url: p.url } },
    h("span", { class: "lvl", text: p.level === "error" ? "error" : "warning" }), h("span", { text: p.text }))));
  b.hidden = problemsDismissed === s;
}

// --- init hints

export function renderHints() {
  const v = model.view;
  const want = [];
  if (v) {
    const now = performance.now();
    for (const inst of v.instances || []) {
      const rec = frames.get(inst.id);
      if (inst.phase === "loaded" && rec && rec.loaded && !rec.removing && now - rec.loadedAt >= INIT_HINT_MS && !rec.hintDismissed) want.push(inst.id);
    }
  }
  if (!changed("hints", want)) return;
  notices.hints.replaceChildren(...want.map((id) => h("div", { class: "hint", testid: "init-hint", data: { instance: id }, attrs: { role: "status" } },
    icon("hint"),
    h("p", { text: `${id} has not sent init: check its URL and that it posts {type: 'init'} to the panel` }),
    h("button", { type: "button", class: "icon-btn", testid: "init-hint-dismiss", attrs: { "aria-label": `Dismiss the hint about ${id}` },
      on: { click: () => { const rec = frames.get(id); if (rec) rec.hintDismissed = true; renderHints(); } } }, icon("close")))));
}
