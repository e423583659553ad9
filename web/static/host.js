// @ts-check
/*
 * cpsim: the Communication Panel simulator's page.
 *
 * The page is a thin relay and a view. It hosts every extension instance in
 * an iframe of its own, relays what the extensions post to the server's
 * engine over one websocket (/ws), posts what the engine sends into the
 * iframes, and renders the engine's view: the agent, the interactions, the
 * extensions, the message inspector. The contract with the server is
 * docs/relay.md. Plain ES2022 modules, no framework, no build step, nothing
 * from the network; the page's Content-Security-Policy forbids inline
 * scripts and styles (script-src 'self' lets the same-origin modules in),
 * so everything is in these modules and host.css.
 *
 * This module starts the page: it wires the modules of js/ together (the
 * relay's frames to the view, the inspector, the scenarios and the
 * recorder), runs the once-a-second timers, sets the test hook and
 * connects. It owns nothing else. The modules, lowest first:
 *   types.js                         JSDoc types only: the view and the frames (never loaded)
 *   constants.js, util.js, dom.js    constants and helpers without state
 *   embed.js                         is the page an embedded panel, in which CRM's frame
 *   model.js                         the server's data: view, problems, scenarios
 *   render.js                        the render scheduler and change signatures
 *   toast.js, dialog.js, clipboard.js  toasts, the modal dialog helper, copy and save
 *   wire.js                          frames to the server (batching, numbering)
 *   frames.js                        the extension iframes and postMessage
 *   relay.js                         the websocket: connect, incoming frames, events, watching a session
 *   watch.js                         the watching page's banner; the embedded panel's session id and link
 *   interactions.js                  what the page says about an interaction
 *   topbar.js, notices.js, cards.js, detail.js, extensions.js   the view's parts
 *   forms.js, editor.js, faults.js   the forms, the event editor, fault injection
 *   memory.js, whole.js              the session's memory meter and the note on rows not kept; the
 *                                    whole text of abridged rows
 *   inspector.js, layout.js          the message inspector, the bottom panel's layout
 *   recorder.js                      the recorder
 *   scenarios.js                     the scenario library and player
 *   view.js                          one render pass over the view's parts
 * A module imports only modules listed before it (scenarios.js imports
 * recorder.js and inspector.js); what goes upwards (the relay's frames,
 * the recorder's changes) goes through hooks this module sets.
 *
 * The relay in short: every extension message that passes the source and
 * origin checks becomes a numbered m frame (q), kept until the server's k
 * frame acknowledges it and sent again after a reconnect; deliveries (d)
 * are posted in seq order exactly once, queued until their iframe has
 * loaded, and acknowledged with a frames at most every 100 ms. Frames made
 * in one task leave as one websocket message. The inspector only appends
 * to an array on the hot path; it renders on animation frames, at most
 * every 120 ms while messages stream, and only the rows in view.
 *
 * Test hook (read only): window.cpsim = { session, connected, watching, hosting, lastSeq, log, view, scenarios, scenario }.
 *   watching is true while the page watches a session another page hosts (docs/relay.md, Watching
 *   pages), hosting that page's {on, embed} (the CRM's origin when it is an embedded panel).
 *   log holds the l frames as received, in log-number order, without
 *   duplicates, the latest 16 MiB of them (their sz) and 50,000 at most; a live row of a delivery (which names its d frame by seq)
 *   also gets that delivery's message as m. lastSeq is the last delivery
 *   seq such that every delivery up to it was posted. scenarios is the last
 *   sl frame's list ({name, description, file, steps: [{line, text}]}; null
 *   before the first), scenario the last s frame as received (null before
 *   any; after a reload, how the last run ended).
 *
 * Scenarios and the recorder: the Scenarios tab of the tools plays the
 * scenarios of the sl frame (scenario_* events) and follows the s frames.
 * Record captures every event the page sends whose r frame has no error
 * (scenario events and select_extension aside), with the time between them,
 * and Stop turns it into a scenario file (docs/scenarios.md): interactions
 * are named call1, chat1, mail1, sms1, wa1, out1, cons1 from the r frames'
 * created; one the recording did not see created gets a name step. The
 * recording survives a reload of the page (sessionStorage).
 *
 * data-testid attributes
 *   topbar
 *     connection            connection indicator; data-state = connecting | connected | reconnecting | stopped
 *     agent, agent-name, agent-sub, agent-avatar
 *     login, logout         buttons (the one that does not apply is hidden)
 *     work-status           <select> ready | not_ready | wrap_up
 *     profile               <select> of user.presence_profiles (value = profile name)
 *     phone-status          <select> connected | disconnected
 *     activity              container of the two pills below (right of the agent's status)
 *     scenario-indicator    pill of the scenario run (shown while it plays, when it failed, and for 10 s after
 *                           it passed or stopped); data-state = playing | paused | passed | failed | stopped;
 *                           a click opens the Scenarios tab
 *     record-indicator      pill shown while recording (time, events so far), holds record-stop
 *     embed-tools           the embedded panel's button (aria-pressed) that shows the inspector and tools
 *   notices
 *     notices               container
 *     session-banner, session-reconnect   shown when another page took over the session
 *     watch-banner          shown while the page watches a session another page hosts (opened at
 *                           /?session=ID while a live page hosts it); data-hosting = embedded | tab | none
 *     watch-take-over       its button, shown when no page hosts the session: the page hosts it
 *     embed-session         the embedded panel's strip in its tools (shown with them): embed-session-id,
 *                           embed-session-copy, embed-open-full (a link, new tab, to /?session=ID)
 *     problems              problems banner (the server's p frames); data-level
 *     problems-dismiss
 *     problem               one problem (li); data-level = error | warning
 *     hints                 container of init hints
 *     init-hint             "<instance> has not sent init ..."; data-instance
 *     init-hint-dismiss
 *   new interaction (left column)
 *     new-card, new-toggle (folds the form away; aria-expanded)
 *     new-form, new-channel, new-queue, new-from, new-subject (email), new-content (not phone),
 *     new-cad-preset, new-cad, new-cad-error, new-create
 *     outbound-open         "New outbound" button above the in-hand list; opens outbound-dialog
 *     outbound-dialog, outbound-form, outbound-channel, outbound-to, outbound-from, outbound-subject,
 *     outbound-content, outbound-send, outbound-cancel
 *     queues                queue serving list; serve = checkbox per queue (data-queue = name)
 *   interaction list
 *     offered-list, offered-count, active-list, active-count
 *     interaction           card; data-id, data-status, data-channel, data-channel-status, data-active
 *     select                the card's title button (select_interaction)
 *     accept, reject, pick, hold, unhold, mute, unmute, record (aria-pressed = recording),
 *     hangup, handle, transfer, consult, join, send, discard (a draft's),
 *     outcome-connected, outcome-busy, outcome-no-answer, outcome-other (<select> of the other outcomes)
 *   selected interaction (centre)
 *     detail                data-id (empty when none)
 *     transcript-earlier    "N earlier messages" above the latest 200 bubbles (hidden when none)
 *     transcript            <ul>; transcript-message (li; data-from = customer | agent | other, data-id):
 *                           message-text (its text, dir="auto"; class rich: a web chat's sanitized HTML),
 *                           controls (the control characters it holds, as ‹U+202E›; only when it has some)
 *     typing                checkbox: the customer is typing
 *     typing-line
 *     say-text, say-customer, say-agent
 *     email, email-subject, email-from, email-to, email-content (the body's sandboxed <iframe>,
 *                           its document in srcdoc; a <p> when the email has none)
 *     draft                 a draft's compose form (<form>; data-id, data-channel): draft-from, draft-to,
 *                           draft-subject (email), draft-content, draft-error, draft-send, draft-discard
 *     cad-card, cad (table; tr[data-key]), cad-empty, cad-edit, cad-editor, cad-save, cad-cancel, cad-error
 *   extensions (right)
 *     ext-area, ext-title, ext-frames, ext-placeholder, ext-peek-label, ext-peek
 *     ext-sidebar
 *     ext-button            data-instance, data-phase, aria-pressed; hidden when visible is false,
 *                           disabled when enabled is false
 *     global-instance       data-instance, data-phase (global instances: loaded, never shown)
 *     ext-frame             each iframe; data-instance, data-shown, data-loads (how many times it loaded)
 *   inspector (bottom)
 *     inspector, inspector-resize, log-count, log-problem-count
 *     log-memory            the session's memory from the b frames (hidden until one comes); title = what was
 *                           dropped; data-warn = true when deliveries were, data-dropped = true when anything was
 *     log-dropped           the note at the top of the list on earlier rows not kept (hidden when none)
 *     log-filter, log-dir, log-type, log-instance, log-problems, log-clear, log-save, tools-toggle
 *     log-list, log-empty, log-jump
 *     log-row               data-n, data-dir, data-type, data-instance, data-id, data-sev (only rendered rows:
 *                           the list is virtual; window.cpsim.log has every entry)
 *     log-abridged          the badge of an abridged row ("abridged · 1.4 MiB")
 *     log-detail, log-detail-close, log-copy, log-save-message, log-copy-entry, log-pair, log-diag
 *     log-load-whole        an abridged row's details: loads the whole message; then log-whole (a note above
 *                           it), log-gone (why the server no longer has it) or log-load-error
 *   tools (right of the inspector): two tabs
 *     tools                 the column (tools-toggle shows or hides it)
 *     tools-tab             tab of the event editor and faults (aria-selected)
 *     scenarios-tab         tab of the scenarios (aria-selected); scenario-count = scenarios in the library
 *   event editor and faults
 *     event-editor, ev-instance, ev-kind, ev-preset, ev-route, ev-json, ev-check, ev-format, ev-send
 *     faults, fault-init-reason, fault-init, fault-fail-command, fault-fail-reason, fault-fail,
 *     fault-delay-command, fault-delay-ms, fault-delay, fault-clear,
 *     faults-active, fault (li; data-kind = init | fail | delay, data-command), fault-remove
 *   scenarios (the Scenarios tab)
 *     scenarios             the tab's panel
 *     scenario-list         <ul> of the library (from the sl frame)
 *     scenario-skipped      <details>: the built-in scenarios the configuration leaves out, and why (shown when any)
 *     scenario-item         button per scenario; data-name, data-file, aria-pressed = selected,
 *                           data-run = the state of this session's run when it is this scenario
 *                           (a scenario cpsim plays with -scenario that is not in the library is listed first)
 *     scenario-speed        <select> 1 | 2 | 5 | 10 | 50 (waits are divided by it)
 *     scenario-play         plays the selected scenario (asks with confirm-dialog first when interactions
 *                           are in hand or a scenario is playing); disabled while recording
 *     scenario-pause, scenario-resume (the one that does not apply is hidden), scenario-step, scenario-stop
 *     scenario-state        badge; data-state = idle | playing | paused | passed | failed | stopped
 *     scenario-progress     <progress>; value = steps done, max = total; data-state, data-index, data-total
 *     scenario-steps        <ol> of the selected scenario's steps
 *     scenario-step-row     li; data-line, data-index, data-status = done | playing | paused | passed | failed | stopped
 *                           (the current step has the run's state), data-current="true" on the current step
 *     scenario-error        shown when the run failed: file:line, the reason, and the closest messages
 *                           (a click on one finds it in the inspector)
 *     scenario-problems     shown when the extensions' messages had protocol problems while the run played;
 *                           data-count; its link filters the inspector to them
 *   recorder
 *     record-start          in the Scenarios tab (hidden while recording; disabled while a scenario plays)
 *     record-stop           in the top bar's record-indicator: stops and opens record-dialog
 *     record-open           shows the last recording again
 *     record-dialog, record-name, record-name-error, record-description,
 *     record-yaml           <textarea> of the scenario file (name and description edits rewrite their lines)
 *     record-copy, record-download (a .yaml file named after the scenario), record-close
 *   confirm-dialog, confirm-ok, confirm-cancel   asks before a scenario restarts the session
 *   dialog (transfer, consult)
 *     dialog, dialog-to, dialog-cad, dialog-error, dialog-ok, dialog-cancel
 *   toasts
 *     toasts, toast (data-kind = error | info | ok), toast-close
 */

import { fillIcons } from "./js/dom.js";
import { embed } from "./js/embed.js";
import { LS_TAB } from "./js/constants.js";
import { checkNewCad, setNewChannel, setOutChannel } from "./js/forms.js";
import { fillPresets } from "./js/editor.js";
import { ackable, dropStaleQueued, syncFrames } from "./js/frames.js";
import { clearLog, logEntries, logReceive, nextLogN, renderLog } from "./js/inspector.js";
import { onMemory } from "./js/memory.js";
import { model } from "./js/model.js";
import { renderHints } from "./js/notices.js";
import { loadRec, recordSending, setRecorderHooks } from "./js/recorder.js";
import { connect, relayState, setRelayHooks } from "./js/relay.js";
import { forget, markLogDirty, markViewDirty, setRenderers } from "./js/render.js";
import {
  onScenarioFrame, onScenarioList, renderScenarioList, renderScenarioRun, renderScenarioSteps, scenarioWelcome, setToolsTab,
} from "./js/scenarios.js";
import { fmtDuration, localGet, storageSet } from "./js/util.js";
import { SS_SEQ } from "./js/constants.js";
import { renderView } from "./js/view.js";
import { link } from "./js/wire.js";

// The embedded panel is compact: one column (host.css), its developer
// tools behind a button of the top bar.
document.documentElement.classList.toggle("embedded", embed.compact);
if (embed.compact) {
  const tools = /** @type {HTMLButtonElement} */ (document.querySelector('[data-testid="embed-tools"]'));
  tools.hidden = false;
  tools.addEventListener("click", () => {
    const on = document.documentElement.classList.toggle("show-tools");
    tools.setAttribute("aria-pressed", String(on));
    markLogDirty(); // the inspector renders the rows that now show
  });
}
setRenderers({ view: renderView, log: renderLog });
setRelayHooks({
  log: logReceive,
  view: (v) => {
    model.view = v;
    if (!relayState.watching) syncFrames(v); // a watching page loads no extension: the hosting page runs them
    markViewDirty();
  },
  problems: (list) => {
    model.problems = Array.isArray(list) ? list : [];
    markViewDirty();
  },
  scenarioList: onScenarioList,
  scenario: onScenarioFrame,
  welcome: scenarioWelcome,
  lostSession: () => clearLog(true),
  logFrom: nextLogN,
  closed: renderScenarioRun,
  sending: recordSending,
  memory: (m) => {
    onMemory(m);
    markLogDirty();
  },
});
setRecorderHooks({
  changed: () => {
    forget("scenRun");
    renderScenarioRun();
  },
});

// Once a second: timers on cards, init hints, stale queued deliveries.
setInterval(() => {
  const now = Date.now();
  for (const el of document.querySelectorAll(".timer[data-since]")) {
    const since = Number(/** @type {HTMLElement} */ (el).dataset.since);
    if (since) el.textContent = fmtDuration(now - since);
  }
  renderHints();
  dropStaleQueued(new Set(((model.view && model.view.instances) || []).map((/** @type {{id: string}} */ i) => i.id)));
}, 1000);

window.addEventListener("pagehide", () => {
  relayState.unloading = true;
  storageSet(SS_SEQ, ackable());
});
window.addEventListener("pageshow", (e) => {
  if (e.persisted) { relayState.unloading = false; if (!link.ws) connect(); }
});

Object.defineProperty(window, "cpsim", {
  value: Object.freeze({
    get session() { return relayState.session; },
    get connected() { return link.connected; },
    get watching() { return relayState.watching; },
    get hosting() { return { ...relayState.hosting }; },
    get lastSeq() { return ackable(); },
    get log() { return logEntries(); },
    get view() { return model.view; },
    get scenarios() { return model.scenarios; },
    get scenario() { return model.run; },
  }),
  writable: false,
  configurable: false,
  enumerable: true,
});

fillIcons();
loadRec();
if (localGet(LS_TAB) === "scenarios") setToolsTab("scenarios");
renderScenarioList();
renderScenarioSteps();
renderScenarioRun();
setNewChannel("phone");
setOutChannel();
fillPresets(false);
checkNewCad();
markViewDirty();
markLogDirty();
connect();
