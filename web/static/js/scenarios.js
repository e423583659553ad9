// @ts-check
// Scenarios (docs/scenarios.md): the library the server offers (sl
// frames), the run playing in this session (s frames), and the player's
// buttons (scenario_* events). They live in a tab of the tools beside the
// event editor and faults; a pill in the top bar follows the run. It owns
// the tools' tabs, the Scenarios tab and the pill, and which scenario the
// player shows (player); the library and the run are model.js's. It
// imports relay.js (sendEvent), wire.js (the connection), inspector.js (to
// find a message), layout.js (to show the tools), recorder.js (whether it
// records), dialog.js, render.js and the helpers.

import { FINAL, LS_SPEED, LS_TAB } from "./constants.js";
import { Modal } from "./dialog.js";
import { h, role, tid } from "./dom.js";
import { derive, findInLog, showProblems, summary } from "./inspector.js";
import { setTools } from "./layout.js";
import { model } from "./model.js";
import { isRecording, renderRecorder } from "./recorder.js";
import { sendEvent } from "./relay.js";
import { changed, markLogDirty } from "./render.js";
import { toast } from "./toast.js";
import { localGet, localSet, truncate } from "./util.js";
import { link } from "./wire.js";

/** @typedef {import("./model.js").ScenarioInfo} ScenarioInfo */
/** @typedef {import("./model.js").ScenarioRun} ScenarioRun */
/** @typedef {import("./types.js").Skipped} Skipped */

/** @type {Record<string, string>} a run's state in words */
const RUN_LABEL = { idle: "Not playing", playing: "Playing", paused: "Paused", passed: "Passed", failed: "Failed", stopped: "Stopped" };

const pane = tid("scenarios");
/** The Scenarios tab's elements. */
const ui = {
  tab: tid("scenarios-tab"), toolsTab: tid("tools-tab"), pane, toolsPane: /** @type {HTMLElement} */ (document.getElementById("tools-pane")),
  count: tid("scenario-count"), list: tid("scenario-list"), speed: /** @type {HTMLSelectElement} */ (tid("scenario-speed")),
  play: /** @type {HTMLButtonElement} */ (tid("scenario-play")), pause: /** @type {HTMLButtonElement} */ (tid("scenario-pause")),
  resume: /** @type {HTMLButtonElement} */ (tid("scenario-resume")), step: /** @type {HTMLButtonElement} */ (tid("scenario-step")),
  stop: /** @type {HTMLButtonElement} */ (tid("scenario-stop")),
  state: tid("scenario-state"), progress: /** @type {HTMLProgressElement} */ (tid("scenario-progress")),
  steps: tid("scenario-steps"), error: tid("scenario-error"),
  indicator: tid("scenario-indicator"), problems: tid("scenario-problems"),
  player: /** @type {HTMLElement} */ (pane.querySelector(".scen-player")),
  countText: role("count", pane), runLine: role("run", pane), note: role("note", pane),
};

/** Which scenario the player shows. */
const player = {
  /** file of the scenario the player shows */
  selected: "",
};

// --- the tabs of the tools column

/** setToolsTab shows the Scenarios tab (name "scenarios") or the Tools tab, and focuses it when focus.
 * @param {string} name
 * @param {boolean} [focus] */
export function setToolsTab(name, focus) {
  const scen = name === "scenarios";
  ui.tab.setAttribute("aria-selected", String(scen));
  ui.toolsTab.setAttribute("aria-selected", String(!scen));
  ui.tab.tabIndex = scen ? 0 : -1;
  ui.toolsTab.tabIndex = scen ? -1 : 0;
  ui.pane.hidden = !scen;
  ui.toolsPane.hidden = scen;
  document.body.classList.toggle("tools-scen", scen);
  localSet(LS_TAB, scen ? "scenarios" : "tools");
  if (focus) (scen ? ui.tab : ui.toolsTab).focus();
  if (scen) { scrollCurrentStep(); scrollSelectedScenario(); }
  markLogDirty(); // the inspector's width changed
}
ui.tab.addEventListener("click", () => setToolsTab("scenarios"));
ui.toolsTab.addEventListener("click", () => setToolsTab("tools"));
for (const t of [ui.toolsTab, ui.tab]) {
  t.addEventListener("keydown", (e) => {
    if (!["ArrowLeft", "ArrowRight", "Home", "End"].includes(e.key)) return;
    e.preventDefault();
    const scen = e.key === "End" || (e.key !== "Home" && t === ui.toolsTab);
    setToolsTab(scen ? "scenarios" : "tools", true);
  });
}
function openScenarios() {
  if (document.body.classList.contains("tools-hidden")) setTools(true);
  setToolsTab("scenarios");
}
ui.indicator.addEventListener("click", openScenarios);

// --- frames

/** onScenarioList takes an sl frame: the scenarios the page can play, and the built-in ones left out.
 * @param {ScenarioInfo[]} list
 * @param {Skipped[] | undefined} skipped */
export function onScenarioList(list, skipped) {
  model.scenarios = Array.isArray(list) ? list : [];
  renderSkipped(Array.isArray(skipped) ? skipped : []);
  if (!findScenario(player.selected)) {
    const cur = model.run && findScenario(model.run.file);
    player.selected = cur ? cur.file : model.scenarios.length ? model.scenarios[0].file : "";
  }
  renderScenarioList();
  renderScenarioSteps();
  renderScenarioRun();
}

/** renderSkipped lists the built-in scenarios the configuration leaves
 * out, and why (they name queues or profiles it does not have).
 * @param {Skipped[]} skipped */
function renderSkipped(skipped) {
  const el = tid("scenario-skipped");
  el.hidden = !skipped.length;
  role("summary", el).textContent = `${skipped.length} built-in scenario${skipped.length === 1 ? " is" : "s are"} left out: ${skipped.length === 1 ? "it does" : "they do"} not fit your configuration`;
  role("list", el).replaceChildren(...skipped.map((x) => h("li", { title: x.error || "" }, h("code", { text: x.file }), `: ${x.reason}`)));
}

/** onScenarioFrame takes an s frame: how the run is going.
 * @param {ScenarioRun} f */
export function onScenarioFrame(f) {
  const prev = model.run;
  model.run = f;
  model.runAt = Date.now();
  const started = !FINAL.has(f.state) && (!prev || prev.file !== f.file || FINAL.has(prev.state));
  if (started) {
    // A new run: show its steps (the agent can look at another one meanwhile).
    player.selected = f.file;
    renderScenarioList();
    renderScenarioSteps();
  } else if (!prev || prev.state !== f.state || !findScenario(f.file)) {
    renderScenarioList();
    if (!findScenario(f.file) && player.selected === f.file) renderScenarioSteps();
  }
  renderScenarioRun();
  markCurrentStep();
  if (prev && prev.file === f.file && !FINAL.has(prev.state) && FINAL.has(f.state)) {
    if (f.state === "failed") toast(`Line ${f.line}: ${truncate(firstLine(splitError(f).reason), 160)}`, "error", `Scenario failed: ${f.name}`);
    else if (f.state === "passed") toast(`${f.name}: every step passed.`, "ok", "Scenario passed");
    // The top bar's pill of a run that ended well goes after a while.
    if (f.state !== "failed") setTimeout(() => renderScenarioRun(), 10500);
  }
}

/** scenarioWelcome resets the run of a lost session. A session that
 * resumed needs nothing: after the welcome the server sends the s frame
 * of the scenario playing, or of the last one played.
 * @param {boolean} newSession */
export function scenarioWelcome(newSession) {
  if (newSession) model.run = null;
  renderScenarioList();
  renderScenarioSteps();
  renderScenarioRun();
}

// --- the library

/** findScenario is the scenario of file (or name) key, or null.
 * @param {string} key
 * @returns {ScenarioInfo | null} */
function findScenario(key) {
  if (!key) return null;
  const all = allScenarios();
  return all.find((x) => x.file === key) || all.find((x) => x.name === key) || null;
}
/** allScenarios is the library, and the scenario playing when the library
 * does not have it (one cpsim plays in every new session, -scenario FILE).
 * @returns {ScenarioInfo[]} */
function allScenarios() {
  const list = model.scenarios || [];
  const r = model.run;
  if (r && r.file && !list.some((x) => x.file === r.file || x.name === r.name)) {
    return [{ name: r.name, description: "Played by cpsim in every new session (-scenario): its steps are not in the library, so only the current one shows.", file: r.file, steps: null }, ...list];
  }
  return list;
}
function selectedScenario() { return findScenario(player.selected); }
/** isRunOf says whether x is the scenario of the run.
 * @param {ScenarioInfo | null} x */
function isRunOf(x) { return !!(x && model.run && (model.run.file === x.file || (!model.run.file && model.run.name === x.name))); }

export function renderScenarioList() {
  const all = allScenarios();
  ui.count.textContent = String((model.scenarios || []).length);
  if (!all.length) {
    ui.list.replaceChildren(h("li", { class: "scen-empty", text: model.scenarios ? "cpsim offers no scenarios." : "Waiting for the list of scenarios…" }));
    return;
  }
  const active = model.run && !FINAL.has(model.run.state);
  ui.list.replaceChildren(...all.map((x) => {
    const sel = x.file === player.selected;
    const runState = isRunOf(x) && model.run ? model.run.state : "";
    const n = x.steps ? x.steps.length : model.run ? model.run.total : 0;
    return h("li", null, h("button", {
      type: "button", class: "scen-item", testid: "scenario-item",
      data: { name: x.name, file: x.file, run: runState || null },
      attrs: { "aria-pressed": String(sel), "aria-current": active && runState ? "true" : null },
      title: `${x.name}\n${x.description || ""}\n${x.file} · ${n} step${n === 1 ? "" : "s"}`.trim(),
      on: { click: () => selectScenario(x.file) },
    },
    h("span", { class: "scen-name-row" }, h("span", { class: "scen-name", text: x.name }),
      runState ? h("span", { class: "scen-badge", data: { state: runState }, text: RUN_LABEL[runState] || runState }) : null),
    x.description ? h("span", { class: "scen-desc", text: x.description }) : null));
  }));
  scrollSelectedScenario();
}
function scrollSelectedScenario() {
  const b = ui.list.querySelector('.scen-item[aria-pressed="true"]');
  const li = b && /** @type {HTMLElement | null} */ (b.parentElement), list = ui.list;
  if (!li || ui.pane.hidden || !ui.list.clientHeight) return;
  if (li.offsetTop < list.scrollTop || li.offsetTop + li.offsetHeight > list.scrollTop + list.clientHeight) {
    list.scrollTop = Math.max(0, li.offsetTop - 8);
  }
}

/** selectScenario shows the steps of the scenario of file.
 * @param {string} file */
function selectScenario(file) {
  if (player.selected === file) return;
  player.selected = file;
  for (const b of ui.list.querySelectorAll(".scen-item")) b.setAttribute("aria-pressed", String(/** @type {HTMLElement} */ (b).dataset.file === file));
  renderScenarioSteps();
  renderScenarioRun();
}

// --- the steps of the selected scenario

export function renderScenarioSteps() {
  const x = selectedScenario();
  ui.steps.scrollTop = 0;
  if (!x) {
    ui.steps.replaceChildren(h("li", { class: "scen-empty", text: (model.scenarios || []).length ? "Choose a scenario to see its steps." : "" }));
    return;
  }
  /** @type {[{line: number, text: string}, number][]} */
  const rows = x.steps
    ? x.steps.map((st, i) => [st, i])
    : model.run ? [[{ line: model.run.line, text: model.run.text }, model.run.index]] : [];
  ui.steps.replaceChildren(...rows.map(([st, i]) => h("li", {
    class: "scen-step", testid: "scenario-step-row", data: { line: String(st.line), index: String(i) }, title: `${x.file}:${st.line}`,
  }, h("span", { class: "ln", text: String(st.line) }), h("span", { class: "mark", attrs: { "aria-hidden": "true" } }), h("code", { class: "st", text: st.text }))));
  markCurrentStep();
}

function markCurrentStep() {
  const x = selectedScenario();
  const r = isRunOf(x) ? model.run : null;
  if (x && !x.steps && r) {
    // a scenario the library lacks: its one row is the current step
    const li = /** @type {HTMLElement | null} */ (ui.steps.firstElementChild);
    if (li && li.dataset.line !== String(r.line)) { renderScenarioSteps(); return; }
  }
  const idx = r ? r.index : -1;
  for (const li of /** @type {HTMLCollectionOf<HTMLElement>} */ (ui.steps.children)) {
    if (li.dataset.index === undefined) continue;
    const i = Number(li.dataset.index);
    const cur = i === idx;
    const status = !r ? "" : cur ? r.state : i < idx ? "done" : "";
    if (status) li.dataset.status = status; else delete li.dataset.status;
    if (cur) { li.dataset.current = "true"; li.setAttribute("aria-current", "step"); }
    else if (li.dataset.current) { delete li.dataset.current; li.removeAttribute("aria-current"); }
  }
  scrollCurrentStep();
}

/** scrollCurrentStep scrolls the step list (and only it: scrollIntoView
 * could move the page) so that the current step shows. */
function scrollCurrentStep() {
  const li = /** @type {HTMLElement | null} */ (ui.steps.querySelector('[data-current="true"]'));
  if (!li || ui.pane.hidden || !ui.steps.clientHeight) return;
  const list = ui.steps;
  const top = li.offsetTop, bottom = top + li.offsetHeight;
  if (top < list.scrollTop + 4 || bottom > list.scrollTop + list.clientHeight - 4) {
    list.scrollTop = Math.max(0, top - Math.max(0, (list.clientHeight - li.offsetHeight) / 3));
  }
}

// --- the run: state, progress, failure, buttons

const errorText = (/** @type {ScenarioRun | null} */ f) => (f && f.error) || "";
const firstLine = (/** @type {string | undefined} */ s) => truncate(String(s || "").split("\n")[0], 200);
/** closestItem shows one of the messages that came nearest an unmet
 * expectation ("<json> from <instance>") as the inspector sums it up; a
 * click finds it in the inspector.
 * @param {string} c
 * @returns {HTMLElement} */
function closestItem(c) {
  const text = String(c);
  const m = /^([\s\S]*) from (\S+)$/.exec(text);
  const json = m ? m[1] : text, inst = m ? m[2] : "";
  let msg, sum = json;
  try {
    msg = JSON.parse(json);
    const r = derive({ n: 0, at: "", dir: "in", i: "", k: "", m: msg });
    const s = summary(r).text;
    sum = r.type === "init" || r.type === "exit" ? s : `${r.type} · ${s}`;
  } catch { msg = undefined; /* cut at 240 characters: shown as it is */ }
  return h("li", null, h("button", {
    type: "button", class: "scen-closest-item", title: `${json}\n\nClick to find it in the inspector`,
    on: { click: () => findInLog(msg, inst) },
  }, h("code", { text: sum }), inst ? h("span", { class: "tag", text: inst }) : null));
}
/** splitError splits an s frame's error, "file:line: step as written:
 * reason", into where and why: the step itself is the failed row of the
 * list. An error of another shape is all reason.
 * @param {ScenarioRun} f
 * @returns {{where: string, reason: string}} */
function splitError(f) {
  const e = errorText(f);
  const where = `${f.file}:${f.line}`;
  const head = `${where}: ${f.text}: `;
  if (e.startsWith(head)) return { where, reason: e.slice(head.length) };
  if (e.startsWith(where + ": ")) return { where, reason: e.slice(where.length + 2) };
  return { where: "", reason: e || "The scenario failed." };
}

export function renderScenarioRun() {
  const r = model.run;
  const state = r ? r.state : "idle";
  const active = state === "playing" || state === "paused";
  const x = selectedScenario();
  const total = r ? r.total : 0;
  const done = !r ? 0 : state === "passed" ? total : Math.min(r.index, total);
  const sigNow = [r, x && x.file, isRecording(), link.connected, !!(x && x.steps), model.runAt && Date.now() - model.runAt > 10000];
  if (!changed("scenRun", sigNow)) return;

  ui.state.dataset.state = state;
  ui.state.textContent = RUN_LABEL[state] || state;
  ui.progress.dataset.state = state;
  ui.progress.max = Math.max(1, total);
  ui.progress.value = done;
  ui.progress.dataset.index = r ? String(r.index) : "";
  ui.progress.dataset.total = String(total);
  ui.progress.setAttribute("aria-valuetext", r ? `${done} of ${total} steps done` : "no scenario playing");
  ui.countText.textContent = !r ? "" : state === "passed" ? `${total} of ${total}` : `Step ${Math.min(r.index + 1, total)} of ${total}`;
  ui.countText.title = r ? `${r.file}:${r.line}: ${r.text}` : "";

  // which run this is, when the player shows another scenario
  const other = r && !isRunOf(x);
  ui.runLine.hidden = !other;
  if (other) {
    ui.runLine.replaceChildren(`${RUN_LABEL[state] || state}: `,
      h("button", { type: "button", class: "link", text: r.name, title: "Show its steps", on: { click: () => selectScenario(r.file) } }),
      ` · line ${r.line}: `, h("code", { text: truncate(r.text || "", 80) }));
  }

  // the failure: the error (with file:line) and what the extension sent
  const failed = state === "failed";
  ui.error.hidden = !failed;
  if (failed && r) {
    const { where, reason } = splitError(r);
    role("error", ui.error).replaceChildren(...(where ? [h("strong", { class: "scen-where", text: where })] : []), reason);
    ui.error.title = r.error || "";
    const closest = Array.isArray(r.closest) ? r.closest : [];
    role("closest-wrap", ui.error).hidden = !closest.length;
    role("closest", ui.error).replaceChildren(...closest.map(closestItem));
  }
  // the protocol problems of the extensions' messages while it played:
  // the page only reports them; cpsim test fails on them
  const np = r && r.problems ? r.problems : 0;
  ui.problems.hidden = !np;
  ui.problems.dataset.count = String(np);
  if (np) {
    ui.problems.replaceChildren(
      h("button", { type: "button", class: "link", text: `${np} message${np === 1 ? "" : "s"} with protocol problems`, title: "Show the messages with problems in the inspector", on: { click: showProblems } }),
      " from the extensions while it played. The page only reports them; cpsim test fails the scenario on them (unless -problems report).");
  }
  ui.note.hidden = !!r;
  ui.player.dataset.state = state;

  // buttons
  const playable = !!(x && x.steps);
  ui.play.disabled = !link.connected || !playable || isRecording();
  ui.play.title = isRecording() ? "Stop recording first: playing restarts the session"
    : !playable ? (x ? "This scenario is not in cpsim's library, so the page cannot play it" : "Choose a scenario")
      : `Play ${x.name}: the session restarts with the scenario's data`;
  ui.pause.hidden = state === "paused";
  ui.resume.hidden = state !== "paused";
  ui.pause.disabled = state !== "playing";
  ui.step.disabled = !active;
  ui.stop.disabled = !active;

  // the top bar and the tab
  const recent = r && (active || failed || (model.runAt && Date.now() - model.runAt < 10000));
  ui.indicator.hidden = !recent;
  if (r) {
    ui.indicator.dataset.state = state;
    role("text", ui.indicator).textContent = r.name;
    role("count", ui.indicator).textContent = `${done}/${total}`;
    role("state", ui.indicator).textContent = RUN_LABEL[state] || state;
    ui.indicator.title = `Scenario ${r.name} (${r.file}): ${RUN_LABEL[state] || state}, step ${Math.min(r.index + 1, total)} of ${total} (line ${r.line}). Click to open the Scenarios tab.`;
  }
  role("dot", ui.tab).dataset.state = active || failed ? state : "";
  renderRecorder();
}

// --- the player's buttons

const speed = localGet(LS_SPEED);
ui.speed.value = speed !== null && ["1", "2", "5", "10", "50"].includes(speed) ? speed : "1";
ui.speed.addEventListener("change", () => localSet(LS_SPEED, ui.speed.value));

ui.play.addEventListener("click", async () => {
  const x = selectedScenario();
  if (!x || !x.steps) return;
  const inHand = ((model.view && model.view.interactions) || []).filter((it) => it.status !== "incoming" && it.status !== "queued").length;
  const active = model.run && !FINAL.has(model.run.state);
  if (inHand || active) {
    const ok = await confirm({
      title: `Play “${x.name}”?`,
      text: [
        "Playing restarts this session with the scenario's data:",
        inHand ? `the ${inHand === 1 ? "interaction" : `${inHand} interactions`} in hand close${inHand === 1 ? "s" : ""},` : "",
        active && model.run ? `“${model.run.name}” stops,` : "",
        "and the extensions get exit and load again.",
      ].filter(Boolean).join(" "),
      ok: "Restart and play",
    });
    if (!ok) return;
  }
  sendEvent({ type: "scenario_play", name: x.name, speed: Number(ui.speed.value) || 1 });
});
ui.pause.addEventListener("click", () => sendEvent({ type: "scenario_pause" }));
ui.resume.addEventListener("click", () => sendEvent({ type: "scenario_resume" }));
ui.step.addEventListener("click", () => sendEvent({ type: "scenario_step" }));
ui.stop.addEventListener("click", () => sendEvent({ type: "scenario_stop" }));


// --- a confirmation dialog

const cdlg = /** @type {HTMLDialogElement} */ (tid("confirm-dialog"));
/** @type {Modal<boolean>} */
const confirmModal = new Modal(cdlg);
/** confirm asks the agent to confirm; it resolves true for OK.
 * @param {{title: string, text: string, ok: string}} o
 * @returns {Promise<boolean>} */
async function confirm({ title, text, ok }) {
  role("title", cdlg).textContent = title;
  role("text", cdlg).textContent = text || "";
  tid("confirm-ok", cdlg).textContent = ok || "OK";
  const answer = confirmModal.open();
  tid("confirm-ok", cdlg).focus();
  return !!(await answer);
}
role("form", cdlg).addEventListener("submit", (e) => { e.preventDefault(); confirmModal.close(true); });
tid("confirm-cancel", cdlg).addEventListener("click", () => confirmModal.close(false));
