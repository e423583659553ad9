// The types of cpsim's JavaScript client (client.js): startCpsim, Cpsim,
// Session and what the control API (/api/v1/, docs/api.md in the
// repository) answers. The events and their methods are in
// vocabulary.d.ts, generated from the Go engine's vocabulary.

import type { EventMethods, PanelEvent } from "./vocabulary.js";

export type { EventMethods, PanelEvent } from "./vocabulary.js";
export type * from "./vocabulary.js";

/** StartOptions say what cpsim serves and how it is started. */
export interface StartOptions {
  /** URLs of interaction-specific extensions, loaded for every queue when the agent accepts (-extension) */
  extensions?: string[];
  /** URLs of global hidden extensions, loaded from login to logout (-global) */
  global?: string[];
  /** a YAML file with the agent, queues and extensions (-config) */
  config?: string;
  /**
   * Serve the demo extensions (the customer card, ...) on a free port of
   * localhost: by default when no extension and no config is given, as
   * cpsim does; false serves none.
   */
  demos?: boolean;
  /** more of cpsim's flags, such as ["-seed", "42"] (cpsim -help lists them) */
  args?: string[];
  /** the cpsim binary; default: CPSIM_BINARY, or the platform package's (@cpsim/linux-x64, ...) */
  binary?: string;
  /** the environment cpsim gets, over this process's */
  env?: Record<string, string | undefined>;
  /** cpsim's working directory, for a relative config path */
  cwd?: string;
  /** how long to wait for cpsim to listen, in milliseconds (default 60000) */
  timeout?: number;
  /** aborts the start: startCpsim kills cpsim and rejects, with its log */
  signal?: AbortSignal;
  /** called with each piece of cpsim's log (its standard error) as it comes */
  onLog?: (chunk: string) => void;
}

/** Cpsim is a cpsim startCpsim started. */
export interface Cpsim {
  /** the panel's URL, such as http://127.0.0.1:43127 (no trailing slash) */
  readonly panelUrl: string;
  /** the demos' URL, such as http://localhost:43129, when they are served */
  readonly demoUrl: string | undefined;
  /** cpsim's process id */
  readonly pid: number;
  /** the last 64 KiB of cpsim's log (its standard error) */
  log(): string;
  /**
   * session starts the session name (PUT /api/v1/sessions/{name}), or
   * finds it when it exists; a random name when none is given. Its page is
   * session.url. A session no page opens ends a grace (-session-grace,
   * default 5m) later.
   * @throws {CpsimError} 400 for a bad name, 503 past -max-sessions
   */
  session(name?: string): Promise<Session>;
  /** stop stops cpsim (SIGTERM: every extension gets exit) and resolves once it has exited; it is killed 10 s later if it has not */
  stop(): Promise<void>;
}

/**
 * startCpsim starts cpsim on free loopback ports and resolves once it
 * listens. The exit of this Node process kills it too.
 * @throws {Error} with cpsim's log when it exits first (a wrong flag or
 *   config file) or does not listen within options.timeout; when no binary
 *   is found (binaryPath)
 */
export declare function startCpsim(options?: StartOptions): Promise<Cpsim>;

/** cpsimArgs are the arguments startCpsim gives cpsim for options. */
export declare function cpsimArgs(options: StartOptions): string[];

/** Problem is an error answer of the control API (application/problem+json, RFC 9457). */
export interface Problem {
  /** https://cpsim.dev/problems/<slug>, or about:blank */
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  /** the field at fault: a JSON pointer or a dotted name */
  field?: string;
  /** for an expectation not met (422): the messages that came nearest, as cpsim test prints them */
  closest?: unknown[];
  [member: string]: unknown;
}

/**
 * CpsimError is an error answer of cpsim, or a failure to reach it. Its
 * message says what was asked, cpsim's words, the field at fault and, for
 * an expectation not met, the closest messages.
 */
export declare class CpsimError extends Error {
  constructor(message: string, init?: { status?: number; problem?: Problem; cause?: unknown });
  /** the HTTP status; 0 when cpsim could not be reached */
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly field: string | undefined;
  /** the whole problem, with its extension members */
  readonly problem: Problem;
  /** for a scenario that failed (Session.play): its play */
  readonly play?: Play;
}

/**
 * Message is a row of a session's log: a message between the panel and an
 * extension (or the CRM embedding the panel), or a note of the panel.
 */
export interface Message {
  /** the log number, the cursor of messages and waitForMessage */
  n: number;
  /** RFC 3339 */
  time: string;
  /** in: extension (or embedding CRM) to panel; out: panel to extension */
  dir: "in" | "out";
  /** message: a message posted; unreadable: one the page could not relay as JSON (raw); note: a diagnostic with no message (problems) */
  kind: "message" | "unreadable" | "note";
  /** the extension instance */
  instance?: string;
  /** the extension's key, as a scenario's from: ("host" for the embedding CRM) */
  key?: string;
  /** the interaction of the instance, if any */
  interaction?: string;
  /** the message, whole; absent when the session's memory budget let it go (then abridged and size) */
  message?: unknown;
  /** a shortened copy of a message whose whole is gone */
  abridged?: unknown;
  /** the bytes of the whole message, when abridged */
  size?: number;
  /** what an unreadable message was */
  raw?: string;
  /** what cpsim found wrong with it */
  problems?: Array<{ severity: "error" | "warning" | "info"; kind: string; path?: string; text: string }>;
  /** the log number of the request a response answers */
  answers?: number;
  /** the milliseconds since that request */
  ms?: number;
  [member: string]: unknown;
}

/** MessagesPage is an answer of GET /api/v1/sessions/{name}/messages. */
export interface MessagesPage {
  messages: Message[];
  /** the cursor to pass as after for the messages that follow */
  next: number;
  /** messages after the cursor the session no longer holds (its memory budget) */
  dropped: number;
}

/** EventAnswer is cpsim's answer to an event. */
export interface EventAnswer {
  /** the id of the interaction the event created */
  created?: string;
  [member: string]: unknown;
}

/** Interaction is an interaction as the session's view shows it: the API's interaction object, and what the panel shows beyond it. */
export interface Interaction {
  id: string;
  /** phone, chat, email, sms or whatsapp */
  channel: string;
  status?: string;
  channel_type?: string;
  attached_data?: Record<string, unknown>;
  held?: boolean;
  muted?: boolean;
  outbound?: boolean;
  /** the extension instances loaded for it */
  instances?: string[];
  [member: string]: unknown;
}

/** Instance is an extension instance as the session's view shows it. */
export interface Instance {
  id: string;
  /** the extension's key */
  key: string;
  text: string;
  icon: string;
  url: string;
  mode: "interaction" | "global";
  /** the interaction it belongs to (interaction-specific extensions) */
  interaction?: string;
  visible: boolean;
  enabled: boolean;
  expanded: boolean;
  ordinal: number;
  /** loaded (no init yet), ready, exited, closed */
  phase: string;
  /** messages cached until its init */
  cached: number;
}

/** View is what the panel shows of a session: the Go engine's state.View. */
export interface View {
  user: Record<string, unknown>;
  phone_status: string;
  /** the active presence profile's name */
  profile: string;
  queues: Array<Record<string, unknown>>;
  interactions: Interaction[];
  instances: Instance[];
  /** the active interaction's id */
  active?: string;
  /** the extension instance the agent has open */
  active_extension?: string;
  faults: Record<string, unknown>;
}

/** SessionInfo is an answer of GET /api/v1/sessions/{name}. */
export interface SessionInfo {
  name: string;
  /** the page's path: /?session=NAME */
  url: string;
  /** whether a page is connected */
  page: boolean;
  view: View;
  /** the scenario playing, or played last */
  scenario: Play | null;
}

/** Play is a scenario playing or played in a session. */
export interface Play {
  id: string;
  /** the scenario's name */
  scenario: string;
  file?: string;
  state: "playing" | "passed" | "failed" | "stopped";
  /** the step under way, from 0 */
  index: number;
  total: number;
  /** why it failed, with file:line */
  error?: string;
  /** the messages that came nearest an unmet expectation */
  closest?: string[];
  /** how many of the extensions' messages had protocol problems */
  problems?: number;
  /** the report, as cpsim test gives it, once done; null while playing */
  report?: PlayReport | null;
  [member: string]: unknown;
}

/** PlayReport is a play's result, as cpsim test reports it. */
export interface PlayReport {
  /** every step passed and no message had a protocol problem, as cpsim test judges by default */
  passed: boolean;
  /** "PASS name (2.0s)" or "FAIL ..." */
  summary: string;
  duration: string;
  /** why it failed, as cpsim test prints it, with the closest messages */
  error?: string;
  steps: Array<{ line: number; text: string; status: "ok" | "failed"; elapsed: string; error?: string }>;
  /** what went wrong besides the steps: protocol problems (problem: true) and notes, each with its line as cpsim test prints it */
  messages: Array<{ instance?: string; key?: string; severity: string; kind: string; text: string; problem: boolean; line: string; [member: string]: unknown }>;
  [member: string]: unknown;
}

/** WaitOptions narrow Session.waitForMessage. */
export interface WaitOptions {
  /** only this extension's messages (its key), or "host" for the CRM embedding the panel */
  from?: string;
  /** how long to wait: milliseconds, or a Go duration such as "5s" (default 5s) */
  within?: number | string;
  /** look after this log number rather than after the message the previous waitForMessage matched (0: all) */
  after?: number;
}

/** PlayOptions change how a scenario plays. */
export interface PlayOptions {
  /** divide its waits by this */
  speed?: number;
  /** multiply the time each expect allows by this */
  patience?: number;
}

/**
 * Session drives one session of a running cpsim through the control API:
 * the panel a page opened at url shows. Each event of the panel's
 * vocabulary is a method (EventMethods: incoming, accept, hold, say, ...);
 * where an event needs an interaction and none is given, the one created
 * last through this object is used.
 */
export interface Session extends EventMethods {}
export declare class Session {
  /**
   * Session attaches to the session name of the cpsim serving the panel
   * at panelUrl; Cpsim.session(name) starts it first. options.log gives
   * cpsim's log, for the message of an error when cpsim cannot be reached.
   * @throws {TypeError} for a name that is not 1-64 of A-Z a-z 0-9 . _ -, from a letter or a digit
   */
  constructor(panelUrl: string, name: string, options?: { log?: () => string });
  readonly name: string;
  /** the page to open for this session: http://127.0.0.1:PORT/?session=NAME */
  readonly url: string;
  /** the interaction created last through this object: the default of the methods that need one */
  lastInteraction: string | undefined;
  /** the log number of the message the last waitForMessage matched; the next looks after it */
  cursor: number;
  /**
   * send sends any event of the vocabulary and resolves with cpsim's answer.
   * @throws {CpsimError} 400 for an unknown event or a bad field (named), 409 when the panel refuses it (with why)
   */
  send(event: PanelEvent): Promise<EventAnswer>;
  /** view reads the session: page, agent, queues, interactions, extension instances and their phases, scenario. */
  view(): Promise<SessionInfo>;
  /** interaction finds an interaction of the session's view by id. */
  interaction(id: string): Promise<Interaction | undefined>;
  /** messages reads the session's messages after the log number after (exclusive, default 0), at most limit; with wait, waiting up to that long (ms or "5s", at most 60s) for one. */
  messages(options?: { after?: number; limit?: number; wait?: number | string }): Promise<MessagesPage>;
  /**
   * waitForMessage resolves with the first message an extension sends
   * that matches (every key given must be there with that value, deeply:
   * the rules of a scenario's expect), after the one the previous
   * waitForMessage matched.
   * @throws {CpsimError} 422 when none came within: what was expected and the closest messages; 400 for a pattern no extension can send
   */
  waitForMessage(match: Record<string, unknown>, options?: WaitOptions): Promise<Message>;
  /**
   * play plays a scenario (a built-in or configured name, or YAML text:
   * a string with a line break, or {yaml}) and resolves once it passed.
   * @throws {CpsimError} when it failed or stopped (why, and the closest messages; its play in .play), 400 for YAML errors, 409 while another plays
   */
  play(scenario: string | { yaml: string } | { scenario: string }, options?: PlayOptions): Promise<Play>;
  /** end ends the session now; its page is told. */
  end(): Promise<void>;
}
