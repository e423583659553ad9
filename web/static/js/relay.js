// @ts-check
// The websocket relay: it opens /ws, says hello, follows the server's
// frames (docs/relay.md) and reconnects with a backoff when the socket
// closes; it sends the agent's clicks as e frames (sendEvent) and settles
// each with its r frame. Deliveries go to frames.js; what the rest of the
// page shows (log rows, the view, problems, scenarios, the session's
// memory) goes to the hooks the start-up module sets (setRelayHooks), so
// that the relay imports no view module. It asks for the log's history a
// page at a time (lm frames) and for the whole text of abridged rows
// (requestFull). It owns the session, the pending events and the pending
// full requests (relayState). A page opened at /?session=NAME for a
// session another live page hosts watches it (welcome's watching): it
// loads no extension, its events act all the same, and it may take the
// session over once the hosting page has left (takeOver).
// It imports wire.js, frames.js, render.js, toast.js and the helpers.

import { SS_SESSION } from "./constants.js";
import { role, tid } from "./dom.js";
import { embed } from "./embed.js";
import { ackable, deliver, deliveries, hostWelcomed, removeAllFrames, restartDeliveries } from "./frames.js";
import { markViewDirty } from "./render.js";
import { toast } from "./toast.js";
import { errorMessage, shortId, storageGet, storageSet } from "./util.js";
import { dropQueuedFrames, link, onAck, queueFrame, queueNumbered, resendUnacked, restartNumbering } from "./wire.js";

/** @typedef {import("./types.js").View} View */
/** @typedef {import("./types.js").LogEntry} LogEntry */
/** @typedef {import("./types.js").Problem} Problem */
/** @typedef {import("./types.js").ScenarioInfo} ScenarioInfo */
/** @typedef {import("./types.js").Skipped} Skipped */
/** @typedef {import("./types.js").ScenarioRun} ScenarioRun */
/** @typedef {import("./types.js").ServerFrame} ServerFrame */
/** @typedef {import("./types.js").Delivery} Delivery */
/** @typedef {import("./types.js").Welcome} Welcome */
/** @typedef {import("./types.js").Result} Result */
/** @typedef {import("./types.js").Memory} Memory */
/** @typedef {import("./types.js").FullMessage} FullMessage */

/**
 * An event of the agent (docs/relay.md, e frames): {type, ...fields}.
 * @typedef {{type: string, [field: string]: any}} AgentEvent
 */
/**
 * The r frame answering an event: error when the server refused it,
 * created the id of an interaction it made; lost when the connection
 * dropped after the server processed it.
 * @typedef {{error?: string, created?: string, lost?: boolean}} EventResult
 */
/**
 * The r frame answering a rec frame: the recording as a scenario file.
 * @typedef {{error?: string, yaml?: string, steps?: number, description?: string}} RecordingResult
 */
/** @typedef {{quiet?: boolean}} SendOptions quiet: no toast when refused */
/** @typedef {{ev: AgentEvent, resolve: (r: EventResult) => void, opts: SendOptions, q: number}} PendingEvent */

/**
 * What the relay hands to the rest of the page.
 * @typedef {object} RelayHooks
 * @property {(f: LogEntry) => void} log an l frame
 * @property {(v: View) => void} view a v frame's view
 * @property {(p: Problem[]) => void} problems a p frame's problems
 * @property {(list: ScenarioInfo[], skipped: Skipped[] | undefined) => void} scenarioList an sl frame
 * @property {(f: ScenarioRun) => void} scenario an s frame
 * @property {(newSession: boolean) => void} welcome a welcome, before the page counts as connected
 * @property {() => void} lostSession the server no longer knew the session: its log is gone
 * @property {() => number} logFrom the first log number the page lacks, after a reconnect
 * @property {() => void} closed the socket closed
 * @property {(m: Memory) => void} memory a b frame: the session's memory
 * @property {(ev: AgentEvent) => ((r: EventResult) => void) | null} sending an event goes out; the function returned gets its result
 */

/** @type {RelayHooks} */
const hooks = {
  log: () => {}, view: () => {}, problems: () => {}, scenarioList: () => {}, scenario: () => {},
  welcome: () => {}, lostSession: () => {}, logFrom: () => 1, closed: () => {}, sending: () => null, memory: () => {},
};

/** setRelayHooks sets what the relay hands on.
 * @param {RelayHooks} h */
export function setRelayHooks(h) {
  Object.assign(hooks, h);
}

/** sessionName is the session the page was opened for (/?session=NAME;
 * docs/relay.md): cpsim starts it by that name if it holds none, so that a
 * test or the control API can drive the session a page shows. "" for the
 * session of this tab. */
const sessionName = new URLSearchParams(location.search).get("session") || "";
// The deliveries this tab posted belong to the session it had: a page
// opened for another one has posted none of that one's.
if (sessionName && storageGet(SS_SESSION) !== sessionName) restartDeliveries(0);

/** The relay's connection and session. */
export const relayState = {
  /** any welcome since the page loaded (the next hello is not fresh) */
  welcomed: false,
  helloFresh: false,
  session: sessionName || storageGet(SS_SESSION) || "",
  backoff: 250,
  reconnectTimer: 0,
  /** how the socket last closed */
  closeText: "",
  /** another page took over the session: no reconnecting */
  stopped: false,
  /** the page is going away: a close is not a drop */
  unloading: false,
  eventN: 0,
  /** @type {Map<number, PendingEvent>} events waiting for their r frame, by n */
  pendingEvents: new Map(),
  /** @type {Map<number, {frame: string, resolve: (r: RecordingResult) => void}>} rec frames waiting for their r frame, by n */
  pendingRecordings: new Map(),
  /** @type {Map<number, {done: Promise<FullResult>, resolve: (r: FullResult) => void}>} full frames waiting for their answer, by log number */
  pendingFull: new Map(),
  /** the from of the last log frame whose answer has not come (0: none);
   * a resumed connection asks from it again, so that a history cut off
   * between two pages is not skipped */
  historyFrom: 0,
  /** the oldest log number the server holds (the last b frame's first; 0 before any) */
  firstHeld: 0,
  /** the page watches the session another page hosts (docs/relay.md, Watching pages) */
  watching: false,
  /** the watching page's seat, for its next hello ("" when not watching, or taking over) */
  watcher: "",
  /** whether a page hosts the session, and the CRM's origin when it is an embedded panel (hosting frames) */
  hosting: { on: false, embed: "" },
};

/**
 * The answer to requestFull: m, the whole message; or gone, why the
 * server no longer has it; or error, why the page did not get an answer.
 * @typedef {{m?: unknown, gone?: string, error?: string}} FullResult
 */

function wsURL() {
  return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
}

export function connect() {
  clearTimeout(relayState.reconnectTimer);
  relayState.reconnectTimer = 0;
  relayState.stopped = false;
  setConn(relayState.welcomed ? "reconnecting" : "connecting", relayState.welcomed ? "Reconnecting…" : "Connecting…");
  let ws;
  try {
    ws = new WebSocket(wsURL());
  } catch (e) {
    relayState.closeText = errorMessage(e);
    scheduleReconnect();
    return;
  }
  link.ws = ws;
  ws.onopen = () => {
    if (link.ws !== ws) return;
    // A watching page has no iframes: whatever it becomes, its
    // extensions are new, and it posted no delivery.
    relayState.helloFresh = !relayState.welcomed || relayState.watching;
    const hello = {
      t: "hello", session: relayState.session, named: sessionName !== "" || undefined, seq: relayState.watching ? 0 : ackable(),
      fresh: relayState.helloFresh, embed: embed.on ? embed.crm : undefined, watcher: relayState.watcher || undefined,
    };
    ws.send(JSON.stringify([hello]));
    deliveries.lastAcked = hello.seq;
  };
  ws.onmessage = onWsMessage;
  ws.onerror = () => { /* onclose follows with the details */ };
  ws.onclose = (ev) => {
    if (link.ws !== ws) return;
    link.ws = null;
    link.connected = false;
    dropQueuedFrames(); // numbered frames stay in unacked; the rest is made again
    failPendingFull(`the connection to cpsim closed before the whole message came (${ev.code}${ev.reason ? ": " + ev.reason : ""}): load it again once the page is connected`);
    if (relayState.unloading) return;
    hooks.closed(); // the player's buttons need the connection
    const reason = ev.reason ? `${ev.code}: ${ev.reason}` : ev.code === 1006 ? "1006: the connection dropped" : `${ev.code}`;
    relayState.closeText = reason;
    console.warn("cpsim: relay closed", reason);
    if (/another page took over this session/i.test(ev.reason || "")) {
      relayState.stopped = true;
      setConn("stopped", "Stopped: another page took over this session");
      const b = tid("session-banner");
      role("text", b).textContent = "Another page (a tab with this session) took over this panel session, so this page stopped. Reconnect here to take it back.";
      b.hidden = false;
      return;
    }
    if (ev.code === 1013) {
      // cpsim holds as many sessions as it may (-max-sessions), or the
      // session as many watching pages: say so while the page keeps
      // trying, since a session (or a watcher) may end meanwhile.
      const b = tid("session-banner");
      role("text", b).textContent = `cpsim refused this page: ${ev.reason || "it holds as many sessions as it may"}. The page keeps trying.`;
      b.hidden = false;
    }
    scheduleReconnect();
  };
}

export function scheduleReconnect() {
  const wait = relayState.backoff;
  relayState.backoff = Math.min(relayState.backoff * 2, 5000);
  setConn("reconnecting", `Reconnecting in ${(wait / 1000).toFixed(wait < 1000 ? 2 : 0)} s${relayState.closeText ? ` (closed ${relayState.closeText})` : ""}`);
  relayState.reconnectTimer = setTimeout(connect, wait);
}

/** setConn shows the connection's state (connecting, connected, reconnecting or stopped) and text.
 * @param {string} state
 * @param {string} text */
function setConn(state, text) {
  const el = tid("connection");
  el.dataset.state = state;
  /** @type {HTMLElement} */ (el.querySelector(".conn-text")).textContent = text;
  el.title = state === "connected"
    ? `Connected to cpsim (session ${relayState.session}${relayState.watching ? ", watched: another page hosts its extensions" : ""})`
    : `Not connected to cpsim${relayState.closeText ? `; last close: ${relayState.closeText}` : ""}`;
}

/** onWsMessage follows the frames of a websocket message.
 * @param {MessageEvent} ev */
function onWsMessage(ev) {
  /** @type {ServerFrame | ServerFrame[]} */
  let frs;
  try {
    frs = JSON.parse(ev.data);
  } catch (e) {
    console.error("cpsim: the server sent a message that is not JSON", e);
    return;
  }
  if (!Array.isArray(frs)) frs = [frs];
  /** @type {Delivery[] | null} */
  let ds = null; // this message's d frames, for l rows that name one by seq
  let next = 0; // an lm frame's next: the history goes on from there
  // Whether this message answers the pending log frame: its first row is
  // the first held from historyFrom on; live rows are all newer.
  const answerBelow = relayState.historyFrom ? Math.max(relayState.historyFrom, relayState.firstHeld) : 0;
  let answered = false;
  for (const f of frs) {
    switch (f?.t) {
      case "d":
        deliver(f);
        (ds || (ds = [])).push(f);
        break;
      case "l":
        if (f.m === undefined && f.seq !== undefined && ds) {
          for (let i = ds.length - 1; i >= 0; i--) if (ds[i].seq === f.seq) { f.m = ds[i].m; break; }
        }
        if (f.n <= answerBelow) answered = true;
        hooks.log(f);
        break;
      case "lm": next = Number(f.next) || 0; break;
      case "b":
        relayState.firstHeld = Number(f.first) || 0;
        hooks.memory(f);
        break;
      case "full": onFull(f); break;
      case "k": onAck(f.q); break;
      case "v": hooks.view(f.v); break;
      case "r": onResult(f); break;
      case "p": hooks.problems(f.p); break;
      case "welcome": onWelcome(f); break;
      case "sl": hooks.scenarioList(f.s, f.skipped); break;
      case "s": hooks.scenario(f); break;
      case "hosting":
        relayState.hosting = { on: !!f.on, embed: f.embed || "" };
        markViewDirty();
        break;
      default: console.warn("cpsim: unknown frame from the server", f);
    }
  }
  if (next) {
    // The page has taken this page of the history in: ask for the next,
    // so that the server never sends more than a page ahead.
    askLog(next);
  } else if (answered) {
    relayState.historyFrom = 0;
  }
}

/** askLog asks for the log rows from log number from on (a log frame).
 * @param {number} from */
function askLog(from) {
  relayState.historyFrom = from;
  queueFrame('{"t":"log","from":' + from + "}");
}

/** @param {Welcome} f */
function onWelcome(f) {
  const fresh = relayState.helloFresh;
  const loaded = !relayState.welcomed; // the page's first welcome
  const newSession = !f.resumed;
  const processed = Number(f.in) || 0;
  const watching = !!f.watching, wasWatching = relayState.watching;
  // A watching page resumes its numbering only in the seat it had.
  const sameSeat = watching && wasWatching && !newSession && f.watcher === relayState.watcher;
  if (!loaded && newSession) {
    // The server no longer knows our session (it restarted): the
    // extensions in our iframes belong to a session that is gone.
    removeAllFrames();
    hooks.lostSession();
    toast("cpsim did not know this page's session any more (was it restarted?): a new session started and the extensions load again.", "info", "New session");
  }
  if (watching && !wasWatching && !loaded) {
    // Another page took the session meanwhile: it hosts the extensions.
    removeAllFrames();
    toast("Another page hosts this session now: this page watches it, and its extensions run there.", "info", "Watching");
  }
  relayState.watching = watching;
  relayState.watcher = watching ? f.watcher || "" : "";
  if (!watching) relayState.hosting = { on: true, embed: "" }; // this page hosts it
  if (watching) {
    restartDeliveries(0); // it gets none
    if (sameSeat) {
      onAck(processed);
      resendLost(processed);
    } else {
      restartNumbering(processed);
      failPendingEvents(wasWatching && !loaded ? "cpsim lost this page's place before it answered: see whether the panel shows it" : "");
    }
  } else if (fresh || newSession) {
    restartDeliveries(f.seq);
    // Numbering continues from what the session has processed; whatever
    // this page numbered before belongs to iframes and clicks of another
    // session (or of the page before the reload).
    restartNumbering(processed);
    failPendingEvents(newSession && !fresh ? "cpsim lost the session before it answered" : "");
  } else {
    onAck(processed);
    resendLost(processed);
  }
  relayState.session = f.session;
  storageSet(SS_SESSION, f.session);
  hooks.welcome(newSession);
  link.connected = true;
  relayState.welcomed = true;
  relayState.backoff = 250;
  relayState.closeText = "";
  tid("session-banner").hidden = true;
  setConn("connected", watching ? "Watching" : "Connected");
  // The history first: the frames sent again add rows, and the server
  // keeps only the latest ones. A history cut off between two pages goes
  // on where it stopped.
  if (loaded || newSession) failPendingFull("the page's session is new: the message belonged to the one before");
  askLog(loaded || newSession ? 1 : relayState.historyFrom || hooks.logFrom());
  resendUnacked();
  hostWelcomed(); // the embedding CRM's first messages (embed.js)
  for (const rec of relayState.pendingRecordings.values()) queueFrame(rec.frame);
  markViewDirty();
}

// ---------------------------------------------------------------------
// Events (the agent's clicks) and their results

/** @type {Record<string, string>} the events' names in toasts, by type */
const EVENT_NAMES = {
  login: "Log in", logout: "Log out", work_status: "Work status", profile: "Presence profile", phone_status: "Softphone",
  serve: "Serve queue", incoming: "New interaction", accept: "Accept", reject: "Reject", pick: "Pick", hangup: "Hang up",
  handle: "Handle", join: "Join", hold: "Hold", unhold: "Unhold", mute: "Mute", unmute: "Unmute", record: "Recording",
  transfer: "Transfer", consult: "Consult", cad: "Caller data", say: "Message", typing: "Typing", outcome: "Call outcome",
  outbound: "Outbound", send_draft: "Send draft", discard_draft: "Discard draft", select_interaction: "Select interaction",
  select_extension: "Open extension", send: "Send", state: "State", status: "Status", fail_next_init: "Fail next init",
  fail: "Fail command", delay: "Delay command", clear_faults: "Clear faults",
  scenario_play: "Play scenario", scenario_pause: "Pause scenario", scenario_resume: "Resume scenario",
  scenario_step: "Step scenario", scenario_stop: "Stop scenario", deselect: "Deselect interaction",
};

/** sendEvent sends an e frame; it resolves with the r frame ({error} when refused).
 * @param {AgentEvent} ev
 * @param {SendOptions} [opts]
 * @returns {Promise<EventResult>} */
export function sendEvent(ev, opts = {}) {
  if (!link.connected) {
    const error = "not connected to cpsim: wait for the connection to come back";
    if (!opts.quiet) toast(error, "error", EVENT_NAMES[ev.type] || ev.type);
    return Promise.resolve({ error });
  }
  const n = ++relayState.eventN;
  const settled = hooks.sending(ev); // the recorder keeps it if it succeeds
  /** @type {Promise<EventResult>} */
  const done = new Promise((resolve) => {
    /** @type {PendingEvent} */
    const p = { ev, resolve, opts, q: 0 };
    relayState.pendingEvents.set(n, p);
    p.q = queueNumbered("e", ',"n":' + n + ',"e":' + JSON.stringify(ev) + "}");
  });
  if (settled) done.then(settled);
  return done;
}

/** formatRecording asks the server to write a recording as a scenario
 * file (a rec frame, docs/relay.md); it resolves with the r frame. The
 * frame is not numbered: it changes nothing, so it is sent again after a
 * reconnect until it is answered.
 * @param {{name: string, description: string, start: import("./types.js").RecordingStart | null, entries: import("./types.js").RecordingEntry[]}} rec
 * @returns {Promise<RecordingResult>} */
export function formatRecording(rec) {
  const n = ++relayState.eventN;
  const frame = '{"t":"rec","n":' + n + ',"rec":' + JSON.stringify(rec) + "}";
  return new Promise((resolve) => {
    relayState.pendingRecordings.set(n, { frame, resolve });
    if (link.connected) queueFrame(frame);
  });
}

/** onResult settles the event or recording an r frame answers.
 * @param {Result} f */
function onResult(f) {
  const rec = relayState.pendingRecordings.get(f.n);
  if (rec) {
    relayState.pendingRecordings.delete(f.n);
    rec.resolve(f);
    return;
  }
  const p = relayState.pendingEvents.get(f.n);
  if (!p) return;
  relayState.pendingEvents.delete(f.n);
  if (f.error) {
    if (!p.opts.quiet) {
      const what = (EVENT_NAMES[p.ev.type] || p.ev.type) + (p.ev.id ? ` ${shortId(p.ev.id)}` : p.ev.instance ? ` ${p.ev.instance}` : "");
      toast(f.error, "error", `${what} refused`);
    }
    markViewDirty(true); // put selects back to what the view says
  }
  p.resolve(f);
}

/** failPendingEvents settles every pending event with error (toasted unless quiet), or "the page reloaded" when error is "".
 * @param {string} error */
function failPendingEvents(error) {
  for (const p of relayState.pendingEvents.values()) {
    if (error && !p.opts.quiet) toast(error, "error", EVENT_NAMES[p.ev.type] || p.ev.type);
    p.resolve({ error: error || "the page reloaded" });
  }
  relayState.pendingEvents.clear();
}

// ---------------------------------------------------------------------
// The whole text of abridged log rows

/** requestFull asks the server for the whole message of log row n (a
 * full frame; only for rows with cut, which only a server that answers
 * full frames sends). It resolves with the answer, or with error when the
 * connection closes first; asking again for a row whose answer is pending
 * shares that answer.
 * @param {number} n
 * @returns {Promise<FullResult>} */
export function requestFull(n) {
  const have = relayState.pendingFull.get(n);
  if (have) return have.done;
  if (!link.connected) return Promise.resolve({ error: "not connected to cpsim: load it again once the page is connected" });
  /** @type {(r: FullResult) => void} */
  let resolve = () => {};
  /** @type {Promise<FullResult>} */
  const done = new Promise((r) => { resolve = r; });
  relayState.pendingFull.set(n, { done, resolve });
  queueFrame('{"t":"full","n":' + n + "}");
  return done;
}

/** onFull settles the requests for the row a full frame answers.
 * @param {FullMessage} f */
function onFull(f) {
  const p = relayState.pendingFull.get(f.n);
  if (!p) return; // asked by a page before a reload, or answered already
  relayState.pendingFull.delete(f.n);
  if (typeof f.gone === "string") p.resolve({ gone: f.gone || "the server no longer has it" });
  else if (f.m === undefined) p.resolve({ error: `cpsim answered for row #${f.n} with neither the message nor why it is gone` });
  else p.resolve({ m: f.m });
}

/** failPendingFull settles every pending full request with error.
 * @param {string} error */
function failPendingFull(error) {
  for (const p of relayState.pendingFull.values()) p.resolve({ error });
  relayState.pendingFull.clear();
}

/** resendLost settles the pending events the server processed before a
 * dropped connection (their r frames are not sent again; the view shows
 * their effect) after a resumed welcome; the rest go again.
 * @param {number} processed the welcome's in */
function resendLost(processed) {
  for (const [n, p] of relayState.pendingEvents) {
    if (p.q && p.q <= processed) { relayState.pendingEvents.delete(n); p.resolve({ lost: true }); }
  }
}

/** reconnectNow connects again at once, with the backoff reset (after
 * another page took the session over, to take it back). */
export function reconnectNow() {
  relayState.backoff = 250;
  connect();
}

/** takeOver makes a watching page the session's hosting page: it
 * connects again without its seat, and cpsim makes it the host when no
 * live page hosts the session (else it watches on); the extensions then
 * load here. */
export function takeOver() {
  const ws = link.ws;
  link.ws = null;
  link.connected = false;
  relayState.watcher = "";
  dropQueuedFrames();
  failPendingFull("the page took the session over before the whole message came: load it again");
  if (ws) ws.close(1000, "taking the session over");
  reconnectNow();
}
