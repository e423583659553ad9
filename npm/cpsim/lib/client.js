// @ts-check
// cpsim's JavaScript client: startCpsim starts the cpsim binary on free
// loopback ports and stops it; a Session drives one of its sessions
// through the control API (/api/v1/, docs/api.md in the repository): the
// panel's events, one method each (vocabulary.js, generated from the Go
// engine's vocabulary), its messages, expectations matched by cpsim as a
// scenario's expect is, and scenarios played. Plain Node 18 (fetch,
// child_process), no dependencies. The types are in client.d.ts.

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { binaryPath } from "./binary.js";
import { kinds } from "./vocabulary.js";

/** @typedef {import("./client.js").StartOptions} StartOptions */
/** @typedef {import("./client.js").Problem} Problem */
/** @typedef {import("./client.js").Message} Message */
/** @typedef {import("./client.js").MessagesPage} MessagesPage */
/** @typedef {import("./client.js").SessionInfo} SessionInfo */
/** @typedef {import("./client.js").EventAnswer} EventAnswer */
/** @typedef {import("./client.js").Interaction} Interaction */
/** @typedef {import("./client.js").Play} Play */
/** @typedef {import("./client.js").WaitOptions} WaitOptions */
/** @typedef {import("./client.js").PlayOptions} PlayOptions */

/** startTimeout is how long startCpsim waits for cpsim to listen, by default (ms). */
const startTimeout = 60_000;
/** stopTimeout is how long stop waits for cpsim to exit after SIGTERM before it kills it (ms). */
const stopTimeout = 10_000;
/** requestTimeout is a safety net on each API request, beyond the time it asks cpsim to wait (ms). */
const requestTimeout = 60_000;
/** logTail is how much of cpsim's log (its standard error) is kept for error messages (characters). */
const logTail = 64 * 1024;

/**
 * CpsimError is an error cpsim answered (an application/problem+json
 * body, RFC 9457), or a failure to reach it. Its message says what was
 * asked, the status and cpsim's words; the problem's members are its
 * properties.
 */
export class CpsimError extends Error {
  /**
   * @param {string} message
   * @param {{status?: number, problem?: Problem, cause?: unknown}} [init]
   */
  constructor(message, init = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "CpsimError";
    const p = init.problem || /** @type {Problem} */ ({});
    /** @type {number} the HTTP status; 0 when cpsim could not be reached */
    this.status = init.status ?? p.status ?? 0;
    /** @type {string} */
    this.type = typeof p.type === "string" ? p.type : "about:blank";
    /** @type {string} */
    this.title = typeof p.title === "string" ? p.title : "";
    /** @type {string} */
    this.detail = typeof p.detail === "string" ? p.detail : "";
    /** @type {string | undefined} */
    this.field = typeof p.field === "string" ? p.field : undefined;
    /** @type {Problem} the whole problem, with its extension members (closest, ...) */
    this.problem = p;
  }
}

/**
 * problemMessage is the message of an error answer: what was asked, the
 * status, cpsim's words and the field at fault; for an expectation not
 * met, the closest messages, as cpsim test prints them.
 * @param {string} what such as "POST /api/v1/sessions/a/events"
 * @param {number} status
 * @param {Problem} p
 * @returns {string}
 */
function problemMessage(what, status, p) {
  const title = typeof p.title === "string" && p.title ? p.title : `HTTP ${status}`;
  return `${problemText({ ...p, title })}\n  (cpsim answered ${what} with ${status} ${title})`;
}

/**
 * problemText is a problem's detail (or title), the field at fault and
 * the closest messages.
 * @param {Problem} p
 * @returns {string}
 */
function problemText(p) {
  let text = typeof p.detail === "string" && p.detail ? p.detail : String(p.title || "");
  if (typeof p.field === "string" && p.field) text += ` (field ${p.field})`;
  const closest = Array.isArray(p.closest) ? p.closest : [];
  if (closest.length) {
    text += "\n  the closest messages that came:";
    for (const c of closest) text += "\n    " + (typeof c === "string" ? c : JSON.stringify(c));
  }
  return text;
}

/**
 * Api makes the control API's requests: JSON in, JSON out, errors as
 * CpsimError.
 */
class Api {
  /**
   * @param {string} panelUrl such as http://127.0.0.1:43127
   * @param {() => string} log cpsim's recent log, for the message when it cannot be reached ("" when unknown)
   */
  constructor(panelUrl, log) {
    this.base = new URL("/api/v1/", panelUrl);
    this.log = log;
  }

  /**
   * request sends a request and reads its JSON answer; 204 is null.
   * @param {string} method
   * @param {string} path under /api/v1/, already escaped
   * @param {unknown} [body] sent as JSON when given
   * @param {number} [waitMs] how long the request asks cpsim to wait, added to the safety net
   * @returns {Promise<any>}
   */
  async request(method, path, body, waitMs = 0) {
    const url = new URL(path, this.base);
    const what = `${method} ${url.pathname}${url.search}`;
    /** @type {RequestInit} */
    const init = {
      method,
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(requestTimeout + waitMs),
    };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { ...init.headers, "content-type": "application/json" };
    }
    let res;
    try {
      res = await fetch(url, init);
    } catch (err) {
      const log = this.log();
      throw new CpsimError(`cannot reach cpsim for ${what}: ${describe(err)}${log ? `\n  cpsim's log ends:\n${indent(log)}` : ""}`, { cause: err });
    }
    const text = await res.text();
    if (res.ok) {
      if (!text) return null;
      try {
        return JSON.parse(text);
      } catch (err) {
        throw new CpsimError(`cpsim answered ${what} with ${res.status} and a body that is not JSON: ${excerpt(text)}`, { status: res.status, cause: err });
      }
    }
    /** @type {Problem} */
    let p = { status: res.status, title: res.statusText };
    try {
      const parsed = JSON.parse(text);
      if (parsed && typeof parsed === "object") p = parsed;
    } catch {
      p.detail = excerpt(text);
    }
    throw new CpsimError(problemMessage(what, res.status, p), { status: res.status, problem: p });
  }
}

/**
 * describe is an error's message with its cause's, as Node's fetch hides
 * the reason (ECONNREFUSED, ...) in the cause.
 * @param {unknown} err
 * @returns {string}
 */
function describe(err) {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return err.message + cause;
}

/** @param {string} s */
function excerpt(s) {
  return s.length > 500 ? s.slice(0, 500) + "..." : s;
}

/** @param {string} s */
function indent(s) {
  return s.trimEnd().split("\n").map((l) => "    " + l).join("\n");
}

/**
 * duration writes a time for cpsim: a number is milliseconds, a string a
 * Go duration ("5s", "250ms") as it is.
 * @param {number | string | undefined} d
 * @returns {string | undefined}
 */
function duration(d) {
  if (d === undefined) return undefined;
  if (typeof d === "number") {
    if (!Number.isFinite(d) || d < 0) throw new TypeError(`a duration must be 0 or more milliseconds, not ${d}`);
    return `${Math.round(d)}ms`;
  }
  return d;
}

/**
 * millis reads a duration for the request's safety net: a number of
 * milliseconds, or a Go duration string of h, m, s, ms (others count as
 * 0: cpsim refuses what it cannot read).
 * @param {number | string | undefined} d
 * @returns {number}
 */
function millis(d) {
  if (typeof d === "number") return d;
  if (typeof d !== "string") return 0;
  const units = /** @type {Record<string, number>} */ ({ h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, "µs": 0.001, ns: 0.000001 });
  let total = 0;
  for (const [, n, unit] of d.matchAll(/([0-9.]+)(ms|us|µs|ns|h|m|s)/g)) total += Number(n) * (units[unit] || 0);
  return total;
}

/** randomName is a session name nobody else uses: 1-64 of [A-Za-z0-9._-], from a letter. */
function randomName() {
  return "js-" + randomBytes(9).toString("hex");
}

/**
 * Session drives one session of a running cpsim through the control API:
 * the panel a page opened at url shows. Every event of the panel's
 * vocabulary is a method (incoming, accept, hold, say, ...: EventMethods
 * in client.d.ts); where an event needs an interaction and none is given,
 * the one created last through this object is used.
 */
export class Session {
  /**
   * Session attaches to the session name of the cpsim serving the panel
   * at panelUrl; Cpsim.session(name) starts it first. The name is 1-64 of
   * [A-Za-z0-9._-], starting with a letter or a digit.
   * @param {string} panelUrl such as http://127.0.0.1:8080
   * @param {string} name
   * @param {{log?: () => string}} [internal] cpsim's log, for errors
   */
  constructor(panelUrl, name, internal = {}) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
      throw new TypeError(`session name ${JSON.stringify(name)}: use 1-64 of A-Z a-z 0-9 . _ -, starting with a letter or a digit`);
    }
    /** @type {string} */
    this.name = name;
    /** @type {string} the page to open for this session */
    this.url = new URL(`/?session=${encodeURIComponent(name)}`, panelUrl).href;
    /** @type {string | undefined} the interaction created last through this object */
    this.lastInteraction = undefined;
    /** @type {number} the log number of the message the last waitForMessage matched; the next looks after it */
    this.cursor = 0;
    this._api = new Api(panelUrl, internal.log || (() => ""));
  }

  /** path is this session's API path, with suffix. @param {string} [suffix] */
  _path(suffix = "") {
    return `sessions/${encodeURIComponent(this.name)}${suffix}`;
  }

  /**
   * send sends any event of the vocabulary, as the page's e frames carry
   * it ({type: "incoming", channel: "phone", ...}), and resolves with
   * cpsim's answer ({created: id} for an event that creates an
   * interaction, which becomes the last one).
   * @param {import("./vocabulary.js").PanelEvent} event
   * @returns {Promise<EventAnswer>}
   */
  async send(event) {
    if (!event || typeof event !== "object" || typeof event.type !== "string") {
      throw new TypeError(`send takes an event object with its type, such as {type: "accept", id: "..."}; got ${JSON.stringify(event)}`);
    }
    const answer = /** @type {EventAnswer} */ ((await this._api.request("POST", this._path("/events"), event)) || {});
    if (typeof answer.created === "string" && answer.created) this.lastInteraction = answer.created;
    return answer;
  }

  /**
   * view reads the session: its page, the engine's view (agent, queues,
   * interactions, extension instances and their phases) and the scenario
   * playing or played last.
   * @returns {Promise<SessionInfo>}
   */
  view() {
    return this._api.request("GET", this._path());
  }

  /**
   * interaction finds an interaction of the session's view by id.
   * @param {string} id
   * @returns {Promise<Interaction | undefined>}
   */
  async interaction(id) {
    const info = await this.view();
    return (info.view.interactions || []).find((i) => i.id === id);
  }

  /**
   * messages reads the session's messages between the panel and its
   * extensions, in order, after the log number after (exclusive; default
   * 0): at most limit of them; with wait, cpsim waits up to that long for
   * one when none is there yet.
   * @param {{after?: number, limit?: number, wait?: number | string}} [options]
   * @returns {Promise<MessagesPage>}
   */
  messages(options = {}) {
    const q = new URLSearchParams();
    if (options.after !== undefined) q.set("after", String(options.after));
    if (options.limit !== undefined) q.set("limit", String(options.limit));
    const wait = duration(options.wait);
    if (wait !== undefined) q.set("wait", wait);
    const query = q.toString() ? `?${q}` : "";
    return this._api.request("GET", this._path(`/messages${query}`), undefined, millis(options.wait));
  }

  /**
   * waitForMessage resolves with the first message an extension sends
   * that matches match (every key given must be there with that value,
   * deeply: the rules of a scenario's expect, applied by cpsim), after the
   * one the previous waitForMessage matched, so that consecutive waits
   * take messages in order; a message that came before the call counts.
   * It rejects with a CpsimError whose message says what was expected and
   * the closest messages that came, when none matches within (default
   * 5s, as a scenario's expect).
   * @param {Record<string, unknown>} match
   * @param {WaitOptions} [options]
   * @returns {Promise<Message>}
   */
  async waitForMessage(match, options = {}) {
    /** @type {Record<string, unknown>} */
    const body = { message: match, after: options.after ?? this.cursor };
    if (options.from !== undefined) body.from = options.from;
    const within = duration(options.within);
    if (within !== undefined) body.within = within;
    const answer = await this._api.request("POST", this._path("/expect"), body, millis(options.within ?? "5s"));
    const msg = /** @type {Message} */ (answer.message);
    if (typeof msg?.n === "number") this.cursor = msg.n;
    return msg;
  }

  /**
   * play plays a scenario in the session, a built-in or configured one by
   * name, or YAML text (a string with a line break, or {yaml}), and
   * resolves with its result once it has passed; it rejects with a
   * CpsimError when it fails or stops, saying why as cpsim test does.
   * @param {string | {yaml: string} | {scenario: string}} scenario
   * @param {PlayOptions} [options]
   * @returns {Promise<Play>}
   */
  async play(scenario, options = {}) {
    /** @type {Record<string, unknown>} */
    const body = typeof scenario === "string"
      ? (scenario.includes("\n") ? { yaml: scenario } : { scenario })
      : { ...scenario };
    if (options.speed !== undefined) body.speed = options.speed;
    if (options.patience !== undefined) body.patience = options.patience;
    /** @type {Play} */
    let play = await this._api.request("POST", this._path("/plays"), body);
    const waitMs = 60_000;
    while (play.state === "playing") {
      play = await this._api.request("GET", this._path(`/plays/${encodeURIComponent(String(play.id))}?wait=60s`), undefined, waitMs);
    }
    // Passed means as cpsim test judges: every step, and no protocol
    // problem in the extensions' messages.
    const passed = play.report ? play.report.passed : play.state === "passed";
    if (!passed) {
      const what = typeof scenario === "string" && !scenario.includes("\n") ? `scenario ${scenario}` : `scenario ${play.scenario || ""}`.trim();
      let why = play.report?.error || play.error || play.report?.summary || `${what} ${play.state}`;
      // The protocol problems, each on its line, as cpsim test prints them.
      for (const m of play.report?.messages || []) {
        if (m.problem && typeof m.line === "string") why += `\n  problem ${m.line}`;
      }
      /** @type {Problem} */
      const p = { title: `${what} ${play.state}`, detail: why, closest: play.report?.error ? [] : play.closest || [] };
      const err = new CpsimError(problemText(p), { status: 200, problem: p });
      /** @type {any} */ (err).play = play;
      throw err;
    }
    return play;
  }

  /**
   * end ends the session now (DELETE): its page is told, as at expiry.
   * @returns {Promise<void>}
   */
  async end() {
    await this._api.request("DELETE", this._path());
  }
}

/**
 * isInteraction reports whether v is an interaction as incoming, outbound
 * or view return it (its id and channel_type), not an event's fields.
 * @param {unknown} v
 * @returns {v is {id: string}}
 */
function isInteraction(v) {
  return typeof v === "object" && v !== null && typeof (/** @type {any} */ (v).id) === "string" && "channel_type" in v;
}

/**
 * eventMethod is the Session method of one event: given an interaction
 * (as incoming returned it), it acts on that one; given a plain string, it
 * sets the event's short field; given nothing or an object, its fields,
 * with the last interaction created where the event needs one and none is
 * given. An event that creates an interaction resolves with it, as the
 * view shows it.
 * @param {import("./vocabulary.js").KindInfo} kind
 */
function eventMethod(kind) {
  /**
   * @this {Session}
   * @param {string | Record<string, unknown>} [fields]
   */
  return async function (fields) {
    /** @type {Record<string, unknown>} */
    let event;
    if (kind.interaction && isInteraction(fields)) event = { [kind.interaction]: fields.id }; // accept(call), as incoming returned it
    else if (typeof fields === "string" && kind.short) event = { [kind.short]: fields };
    else if (fields === undefined || fields === null) event = {};
    else if (typeof fields === "object" && !Array.isArray(fields)) event = { ...fields };
    else throw new TypeError(`${kind.method} takes ${kind.short ? `a ${kind.short} or ` : ""}an object of the ${kind.type} event's fields, not ${JSON.stringify(fields)}`);
    if ("type" in event && event.type !== kind.type) {
      throw new TypeError(`${kind.method} sends a ${kind.type} event, not ${JSON.stringify(event.type)}: use send for another`);
    }
    if (kind.interaction && (event[kind.interaction] === undefined || event[kind.interaction] === "")) {
      if (!this.lastInteraction) {
        throw new TypeError(`${kind.method} needs the ${kind.interaction} of an interaction: none was created through this session yet`);
      }
      event[kind.interaction] = this.lastInteraction;
    }
    const answer = await this.send(/** @type {any} */ ({ type: kind.type, ...event }));
    if (!kind.creates || typeof answer.created !== "string" || !answer.created) return answer;
    return (await this.interaction(answer.created)) || { id: answer.created };
  };
}

for (const kind of kinds) {
  Object.defineProperty(Session.prototype, kind.method, { value: eventMethod(kind), writable: true, configurable: true });
}

/**
 * live are the cpsim processes this Node process started and has not
 * stopped: its exit kills them, so that none outlives a test run.
 * @type {Set<import("node:child_process").ChildProcess>}
 */
const live = new Set();
let exitHooked = false;

function hookExit() {
  if (exitHooked) return;
  exitHooked = true;
  process.on("exit", () => {
    for (const child of live) child.kill("SIGKILL");
  });
}

/**
 * args are cpsim's arguments for options: free loopback ports, the
 * JSON line that says where it listens, and the extensions. The demos are
 * served on a free port too when nothing else is given to load (as cpsim
 * does on its own), or when demos is true; demos false serves none.
 * @param {StartOptions} o
 * @returns {string[]}
 */
export function cpsimArgs(o) {
  const args = ["-ready-json", "-addr", "127.0.0.1:0"];
  const own = (o.extensions?.length || 0) + (o.global?.length || 0) > 0 || !!o.config;
  if (o.demos === true || (o.demos === undefined && !own)) args.push("-demo-addr", "localhost:0");
  else if (o.demos === false) args.push("-demo-addr", "");
  for (const u of o.extensions || []) args.push("-extension", u);
  for (const u of o.global || []) args.push("-global", u);
  if (o.config) args.push("-config", o.config);
  args.push(...(o.args || []));
  return args;
}

/**
 * startCpsim starts cpsim (the platform package's binary, CPSIM_BINARY, or
 * options.binary) on free loopback ports and resolves once it listens,
 * with where, a way to open sessions, and stop. It rejects, with cpsim's
 * log, when cpsim exits first (a wrong flag or config file) or does not
 * listen within options.timeout (default 60 s). The exit of this Node
 * process kills it too.
 * @param {StartOptions} [options]
 * @returns {Promise<import("./client.js").Cpsim>}
 */
export async function startCpsim(options = {}) {
  const binary = options.binary || binaryPath();
  const args = cpsimArgs(options);
  const child = spawn(binary, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
  });
  hookExit();
  live.add(child);

  let log = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (/** @type {string} */ chunk) => {
    log += chunk;
    if (log.length > logTail * 2) log = log.slice(-logTail);
    options.onLog?.(chunk);
  });
  const recentLog = () => log.slice(-logTail);

  /** @type {Promise<number | null>} the exit code, or null for a signal */
  const exited = new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      live.delete(child);
      resolve(code ?? (signal ? null : 0));
    });
  });

  /** @type {{panel: string, demo?: string}} */
  const ready = await new Promise((resolve, reject) => {
    let out = "";
    let settled = false;
    const signal = options.signal;
    const settle = () => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    /** @param {Error} err */
    const fail = (err) => {
      if (settled) return;
      settle();
      child.kill("SIGKILL");
      reject(err);
    };
    const timeout = options.timeout ?? startTimeout;
    const timer = setTimeout(() => fail(new Error(
      `cpsim did not start listening within ${timeout / 1000} s (${binary} ${args.join(" ")})${recentLog() ? `; its log:\n${indent(recentLog())}` : ", and logged nothing"}`)), timeout);
    function onAbort() {
      const reason = signal?.reason;
      fail(new Error(`the start of cpsim was aborted (${describe(reason)})${recentLog() ? `; its log:\n${indent(recentLog())}` : ", and it logged nothing"}`, { cause: reason }));
    }
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    child.on("error", (err) => {
      live.delete(child);
      fail(new Error(`cannot start cpsim (${binary}): ${err.message}`, { cause: err }));
    });
    // close comes once cpsim has exited and its log is all in.
    child.on("close", (code, signal) => fail(new Error(
      `cpsim exited with ${code === null ? `signal ${signal}` : `code ${code}`} before it listened (${binary} ${args.join(" ")})${recentLog() ? `:\n${indent(recentLog())}` : ", and logged nothing"}`)));
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (/** @type {string} */ chunk) => {
      if (settled) return;
      out += chunk;
      const nl = out.indexOf("\n");
      if (nl < 0) {
        if (out.length > 64 * 1024) fail(new Error(`cpsim printed ${out.length} characters with no line end where it should say where it listens`));
        return;
      }
      const line = out.slice(0, nl);
      try {
        const r = JSON.parse(line);
        if (typeof r?.panel !== "string") throw new Error("no panel URL");
        settle();
        resolve(r);
      } catch (err) {
        fail(new Error(`cpsim printed ${JSON.stringify(line)} where it should say where it listens (-ready-json): ${describe(err)}; is ${binary} an older cpsim?`));
      }
    });
  });
  // Standard output says nothing more, but keep it read.
  child.stdout?.resume();

  let stopping = /** @type {Promise<void> | undefined} */ (undefined);
  return {
    panelUrl: ready.panel,
    demoUrl: ready.demo,
    pid: child.pid ?? 0,
    log: recentLog,
    async session(name) {
      const n = name ?? randomName();
      const s = new Session(ready.panel, n, { log: recentLog });
      await s._api.request("PUT", `sessions/${encodeURIComponent(n)}`);
      // The event methods are installed from kinds above; their types are
      // vocabulary.d.ts's EventMethods, which client.d.ts's Session has.
      return /** @type {import("./client.js").Session} */ (/** @type {unknown} */ (s));
    },
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), stopTimeout);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
