// @ts-check
// The recorder: what the agent does in the page (every event that
// succeeds, with the time between them; scenario events and
// select_extension aside) becomes a scenario file, shown in a dialog to
// name, copy or download. The recording survives a reload of the page
// (sessionStorage). It owns the recording (recording), the REC pill of the
// top bar and the record dialog; relay.js hands it each event sent (the
// start-up module wires recordEvent into the relay's hooks). It imports
// relay.js and wire.js (the session and the connection), model.js,
// dialog.js, clipboard.js, toast.js and the helpers.

import { SS_REC } from "./constants.js";
import { copyText, saveFile } from "./clipboard.js";
import { Modal } from "./dialog.js";
import { closestEl, role, tid } from "./dom.js";
import { model, scenarioActive } from "./model.js";
import { formatRecording, relayState } from "./relay.js";
import { toast } from "./toast.js";
import { fmtDuration, storageGet } from "./util.js";
import { link } from "./wire.js";

/** @typedef {import("./relay.js").AgentEvent} AgentEvent */
/** @typedef {import("./relay.js").EventResult} EventResult */

/** What the recorder tells the page. @type {{changed: () => void}} */
const hooks = { changed: () => {} };

/** setRecorderHooks sets what the recorder calls when it starts or stops
 * (the player's buttons depend on it).
 * @param {{changed: () => void}} h */
export function setRecorderHooks(h) {
  Object.assign(hooks, h);
}

/** isRecording says whether a recording is under way. */
export function isRecording() {
  return recording.on;
}

/** The recording under way, and the last one made. */
/** What an interaction was when an event acted on it. @typedef {import("./types.js").InteractionInfo} InteractionInfo */
/**
 * An event the recording noted: ok is null until its r frame comes.
 * @typedef {{at: number, ev: AgentEvent, info: InteractionInfo | null, ok: boolean | null, created: string}} RecordedEvent
 */
/** The panel when the recording started. @typedef {import("./types.js").RecordingStart} RecordingStart */
/**
 * A finished recording, as the record dialog shows it.
 * @typedef {{name: string, description: string, when: string, yaml: string, events: number, steps: number, ms: number}} Recording
 */
const recording = {
  on: false,
  session: "",
  startedAt: 0, // Date.now()
  /** @type {RecordingStart | null} */
  start: null,
  /** @type {RecordedEvent[]} */
  entries: [],
  /** @type {Recording | null} the last recording */
  last: null,
};
const recPill = tid("record-indicator");
const recUI = {
  pill: recPill,
  start: /** @type {HTMLButtonElement} */ (tid("record-start")),
  open: tid("record-open"),
  stop: /** @type {HTMLButtonElement} */ (tid("record-stop")),
  time: role("time", recPill),
  steps: role("steps", recPill),
  onNote: role("rec-on", tid("scenarios")),
};

/** interactionInfo is what the recording keeps of interaction id of the view v.
 * @param {import("./types.js").View | null} v
 * @param {string} id
 * @returns {InteractionInfo | null} */
function interactionInfo(v, id) {
  const it = ((v && v.interactions) || []).find((x) => x.id === id);
  return it ? { channel: it.channel, status: it.status, outbound: !!it.outbound, consult: !!it.consult_for } : null;
}

/** recordSending notes an event the page is sending, while recording; it
 * returns what keeps the note if the server's r frame has no error.
 * @param {AgentEvent} ev
 * @returns {((r: EventResult) => void) | null} */
export function recordSending(ev) {
  const e = recordEvent(ev);
  return e ? (r) => recordResult(e, r) : null;
}

/** recordEvent notes an event the page is sending, while recording; the
 * note is kept if the server's r frame has no error.
 * @param {AgentEvent} ev
 * @returns {RecordedEvent | null} */
function recordEvent(ev) {
  if (!recording.on || !ev || typeof ev.type !== "string" || ev.type.startsWith("scenario_")) return null;
  if (ev.type === "select_extension") return null; // no scenario step does it
  let copy;
  try { copy = JSON.parse(JSON.stringify(ev)); } catch { return null; }
  const info = ev.id ? interactionInfo(model.view, ev.id) : null;
  /** @type {RecordedEvent} */
  const e = { at: Date.now(), ev: copy, info, ok: null, created: "" };
  recording.entries.push(e);
  return e;
}
/** recordResult keeps the note e when its r frame r has no error, else drops it.
 * @param {RecordedEvent} e
 * @param {EventResult} r */
function recordResult(e, r) {
  const i = recording.entries.indexOf(e);
  if (i < 0) return;
  if (r && r.error) recording.entries.splice(i, 1);
  else {
    e.ok = true;
    if (r && r.created) e.created = r.created;
  }
  saveRec();
  renderRecorder();
}

function saveRec() {
  const keep = { on: recording.on, session: recording.session, startedAt: recording.startedAt, start: recording.start, entries: recording.entries.filter((e) => e.ok), last: recording.last };
  try { sessionStorage.setItem(SS_REC, JSON.stringify(keep)); } catch { /* too big or private mode: the recording stays in this page */ }
}
export function loadRec() {
  try {
    const saved = JSON.parse(storageGet(SS_REC) || "null");
    if (!saved || saved.session !== relayState.session) return;
    recording.last = saved.last || null;
    if (saved.on && saved.start) {
      recording.on = true;
      recording.session = saved.session;
      recording.startedAt = saved.startedAt;
      recording.start = saved.start;
      recording.entries = Array.isArray(saved.entries) ? saved.entries : [];
    }
  } catch { /* ignore */ }
}

function startRecording() {
  const v = model.view;
  if (!v || !link.connected) { toast("Wait for the connection to cpsim.", "error", "Record"); return; }
  if (scenarioActive()) { toast("Stop the scenario first.", "error", "Record"); return; }
  const u = v.user || {};
  recording.on = true;
  recording.session = relayState.session;
  recording.startedAt = Date.now();
  recording.entries = [];
  recording.start = {
    agent: { login_status: u.login_status, work_status: u.work_status, phone_status: v.phone_status, profile: v.profile },
    unserved: (v.queues || []).filter((q) => !q.serve && !q.forced_to_serve).map((q) => q.name),
    faults: v.faults || {},
    ids: Object.fromEntries((v.interactions || []).map((it) => [it.id, interactionInfo(v, it.id)])),
  };
  saveRec();
  hooks.changed();
  toast("Everything you do in the panel now becomes a step, with the time between. Stop in the top bar.", "info", "Recording");
}

async function stopRecording() {
  if (!recording.on) return;
  recording.on = false;
  recUI.stop.disabled = true;
  // let the last clicks' results come
  for (let i = 0; i < 40 && recording.entries.some((e) => e.ok === null); i++) await new Promise((res) => setTimeout(res, 50));
  recUI.stop.disabled = false;
  const entries = recording.entries.filter((e) => e.ok).map(({ at, ev, info, created }) => ({ at, ev, info, created }));
  const stamp = new Date(recording.startedAt);
  const p2 = (/** @type {number} */ n) => String(n).padStart(2, "0");
  const when = `${stamp.getFullYear()}-${p2(stamp.getMonth() + 1)}-${p2(stamp.getDate())} ${p2(stamp.getHours())}:${p2(stamp.getMinutes())}`;
  const name = `Recorded session ${when}`;
  // The server writes the file, with the code that reads scenarios
  // (scenario.FormatRecording), so that what is recorded plays back.
  recUI.stop.disabled = true;
  const built = await formatRecording({ name, description: "", start: recording.start, entries });
  recUI.stop.disabled = false;
  if (built.error || built.yaml === undefined) {
    toast(`cpsim could not write the recording as a scenario: ${built.error || "no answer"}`, "error", "Recording");
    return;
  }
  recording.last = {
    name, description: built.description || "", when, yaml: built.yaml,
    events: entries.length, steps: built.steps || 0, ms: Date.now() - recording.startedAt,
  };
  recording.entries = [];
  saveRec();
  hooks.changed();
  openRecordDialog();
}

recUI.start.addEventListener("click", startRecording);
recUI.stop.addEventListener("click", stopRecording);
recUI.open.addEventListener("click", openRecordDialog);

export function renderRecorder() {
  recUI.pill.hidden = !recording.on;
  recUI.start.hidden = recording.on;
  recUI.onNote.hidden = !recording.on;
  recUI.open.hidden = recording.on || !recording.last;
  const active = scenarioActive();
  recUI.start.disabled = !link.connected || active;
  recUI.start.title = active ? "Stop the scenario first: a recording starts from the panel as you leave it"
    : "Record what you do in the panel (every event that succeeds) into a scenario file";
  if (recording.on) {
    recUI.time.dataset.since = String(recording.startedAt);
    recUI.time.textContent = fmtDuration(Date.now() - recording.startedAt);
    const n = recording.entries.filter((e) => e.ok).length;
    recUI.steps.textContent = `${n} event${n === 1 ? "" : "s"}`;
  } else {
    delete recUI.time.dataset.since;
  }
}

// --- the dialog that saves a recording

const rdlg = /** @type {HTMLDialogElement} */ (tid("record-dialog"));
/** @type {Modal<true>} */
const recordModal = new Modal(rdlg);
const rd = {
  name: /** @type {HTMLInputElement} */ (tid("record-name", rdlg)),
  desc: /** @type {HTMLInputElement} */ (tid("record-description", rdlg)),
  yaml: /** @type {HTMLTextAreaElement} */ (tid("record-yaml", rdlg)),
  copy: /** @type {HTMLButtonElement} */ (tid("record-copy", rdlg)),
  download: /** @type {HTMLButtonElement} */ (tid("record-download", rdlg)),
  close: tid("record-close", rdlg),
  nameError: tid("record-name-error", rdlg), text: role("text", rdlg), hint: role("hint", rdlg),
};
function openRecordDialog() {
  const last = recording.last;
  if (!last) return;
  rd.name.value = last.name;
  rd.desc.value = last.description;
  rd.yaml.value = last.yaml;
  rd.text.textContent = last.events
    ? `${last.events} event${last.events === 1 ? "" : "s"} in ${fmtDuration(last.ms)} became ${last.steps} step${last.steps === 1 ? "" : "s"}. Name it, then copy it or download it, and play it with cpsim -scenario FILE or cpsim test FILE.`
    : "Nothing was recorded: no event of the page succeeded while recording.";
  checkRecordName();
  recordModal.open();
  rd.name.focus();
  rd.name.select();
}
function checkRecordName() {
  const ok = !!rd.name.value.trim();
  rd.nameError.hidden = ok;
  closestEl(rd.name, ".field").classList.toggle("invalid", !ok);
  rd.copy.disabled = rd.download.disabled = !ok;
  return ok;
}
/** setHeader rewrites the name: or description: line of the YAML, keeping the developer's edits to the rest.
 * @param {"name" | "description"} key
 * @param {string} value */
function setHeader(key, value) {
  const line = `${key}: ${JSON.stringify(value.trim())}`; // a JSON string is a YAML one
  const re = new RegExp(`^${key}:.*$`, "m");
  rd.yaml.value = re.test(rd.yaml.value) ? rd.yaml.value.replace(re, () => line) : line + "\n" + rd.yaml.value;
  if (recording.last) { recording.last[key] = value; recording.last.yaml = rd.yaml.value; saveRec(); }
}
rd.name.addEventListener("input", () => { setHeader("name", rd.name.value); checkRecordName(); });
rd.desc.addEventListener("input", () => setHeader("description", rd.desc.value));
rd.yaml.addEventListener("input", () => { if (recording.last) { recording.last.yaml = rd.yaml.value; saveRec(); } });
rd.close.addEventListener("click", () => recordModal.close(null));
role("form", rdlg).addEventListener("submit", (e) => e.preventDefault());
rd.copy.addEventListener("click", () => { if (checkRecordName()) copyText(rd.yaml.value, "Scenario YAML copied"); });
rd.download.addEventListener("click", () => {
  if (!checkRecordName()) return;
  const slug = rd.name.value.trim().toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60) || "scenario";
  const name = saveFile(new Blob([rd.yaml.value], { type: "application/yaml" }), `${slug}.yaml`);
  rd.hint.textContent = `Saved as ${name}`;
  toast(`Saved as ${name}. Check it with cpsim validate ${name}.`, "ok");
});
