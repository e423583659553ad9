// @ts-check
// The shapes of the data the server sends the page, for the JSDoc types of
// the page's modules (import("./types.js").View and so on): the engine's
// view (v frames, state.View in Go) and the frames of docs/relay.md. It
// holds types only: no module imports it at run time.

/**
 * The engine's view of the panel (v frames; state.View in Go): the agent,
 * the queues, the interactions and the extension instances.
 * @typedef {object} View
 * @property {User} user
 * @property {string} phone_status connected or disconnected
 * @property {string} profile the active presence profile's name
 * @property {Queue[] | null} queues
 * @property {Interaction[]} interactions
 * @property {Instance[]} instances
 * @property {string} [active] the active interaction's id
 * @property {string} [active_extension] the instance open in the sidebar
 * @property {Faults} faults
 */

/**
 * The agent (the schema's user; state.User).
 * @typedef {object} User
 * @property {string} id
 * @property {{first_name: string, last_name: string}} name
 * @property {string} username
 * @property {string} alias
 * @property {string} login_status
 * @property {string} visible_a_number
 * @property {string} work_status
 * @property {string} default_email_from
 * @property {string} default_sms_from
 * @property {string} presence
 * @property {Profile[] | null} presence_profiles
 * @property {string} chat_address
 * @property {string} extension
 * @property {string} language
 * @property {Permissions} permissions
 * @property {string} terminal_id
 * @property {{sip_host: string, sip_connected: boolean, extension: string, sip_proxies: string[] | null}} phone
 * @property {{video_chat: boolean, phone: boolean}} capabilities
 */

/**
 * What the agent may do (state.Permissions); recording is enabled, disabled
 * or hidden.
 * @typedef {{ecf_phone: boolean, phone: boolean, mtd: boolean, recording: string, update_visible_a_number: boolean, video: boolean}} Permissions
 */

/**
 * A presence profile (state.Profile).
 * @typedef {{type: string, name: string, id: string, availability: string, settings?: Record<string, string>}} Profile
 */

/**
 * A queue of the view: the schema's queue (state.Queue) with its channel
 * as the page names channels (state.QueueView); type is the wire's, where
 * an SMS or WhatsApp queue is a chat queue.
 * @typedef {object} Queue
 * @property {string} id
 * @property {string} name
 * @property {boolean} serve
 * @property {boolean} forced_to_serve
 * @property {string} type phone, chat or email
 * @property {string} [channel_sub_type] sms or whatsapp
 * @property {{address: string}[] | null} addresses
 * @property {string} channel phone, chat, email, sms or whatsapp
 */

/**
 * An address of an email (state.Address).
 * @typedef {{address: string, name?: string}} Address
 */

/**
 * An interaction of the view: the schema's interaction (state.Interaction)
 * with what the page needs beyond it (state.InteractionView).
 * @typedef {object} Interaction
 * @property {string} id
 * @property {string} channel_type
 * @property {string} [channel_sub_type]
 * @property {string} channel_status
 * @property {string} date_created
 * @property {string} status
 * @property {string} originator
 * @property {string} destination
 * @property {boolean} [recording]
 * @property {string} [consult_for]
 * @property {string} [conference_id]
 * @property {{id: string, name: string}} from_queue
 * @property {{id: string, name: string}} [orig_queue]
 * @property {Record<string, any> | null} attached_data caller data: any JSON values
 * @property {string} title
 * @property {string} [incoming_destination]
 * @property {number} [iswtf]
 * @property {{uniquekey: string, alias: string, status: string, capability: string}[]} [participants]
 * @property {{messages: TranscriptMessage[] | null}} [transcript] the latest messages (at most 200 from a server that caps them)
 * @property {number} [earlier_messages] how many messages came before those of transcript (absent when none)
 * @property {string} [terminal_id]
 * @property {string} [content]
 * @property {Address} [from_address]
 * @property {Address[]} [to_address]
 * @property {Address[]} [cc_address]
 * @property {Address[]} [bcc_address]
 * @property {string} channel phone, chat, email, sms or whatsapp
 * @property {boolean} held
 * @property {boolean} muted
 * @property {boolean} outbound
 * @property {string} [consult] the consultation it waits on
 * @property {string[]} [dtmf] tones the agent sent, newest last
 * @property {string[]} instances the extension instances of it
 * @property {OutboundRequest} [draft] what the agent will send, while it is an extension's draft
 */

/**
 * A message of a conversation (state.TranscriptMessage).
 * @typedef {{id: string, message: string, timestamp: string, originator: string}} TranscriptMessage
 */

/**
 * An extension instance (state.InstanceView).
 * @typedef {object} Instance
 * @property {string} id
 * @property {string} key the extension's key
 * @property {string} text
 * @property {string} icon
 * @property {string} url
 * @property {string} mode interaction or global
 * @property {string} [interaction] the interaction's id, for mode interaction
 * @property {boolean} visible
 * @property {boolean} enabled
 * @property {boolean} expanded
 * @property {number} ordinal the sidebar's order: 0 first, then 1 to 100; ties by text
 * @property {string} phase loaded, ready, exited or closed
 * @property {number} cached how many messages wait for its init
 */

/**
 * What an extension's outbound asks for (state.OutboundRequest): a
 * draft's content, with the sender it goes from.
 * @typedef {object} OutboundRequest
 * @property {string} channel phone, sms, whatsapp or email
 * @property {string[] | null} to
 * @property {string} [from]
 * @property {string} [subject]
 * @property {string} [content]
 * @property {string[]} [cc]
 * @property {string[]} [bcc]
 */

/**
 * The injected faults (state.FaultsView): by command, the reason an action
 * fails and how long its response is delayed (a Go duration).
 * @typedef {{fail_next_init?: string, fail?: Record<string, string>, delay?: Record<string, string>}} Faults
 */

// --- the frames the server sends (docs/relay.md, Server to page)

/**
 * A diagnostic of an inspector row: severity error, warning or info; kind
 * schema, protocol, refused or dropped.
 * @typedef {{severity: string, kind?: string, path?: string, text: string}} Diag
 */

/**
 * One row of the server's log (l frames): dir in (from the extension) or
 * out (to it), instance i of extension k, and the message: m (any JSON an
 * extension sent or got), or seq (the d frame that carries it), or raw
 * (text that was not JSON), or none (a diagnostic of its own). cut, when
 * set, says m is an abridged preview of a message of cut bytes (the page
 * asks for the whole one with a full frame); sz is the bytes of JSON of
 * the message the row carries in the page (the preview when cut), absent
 * on rows without one and from servers before issue 11.
 * @typedef {{n: number, at: string, dir: string, i: string, k: string, m?: any, raw?: string, seq?: number,
 *   re?: number, ms?: number, diag?: Diag[], cut?: number, sz?: number}} LogEntry
 */

/**
 * The session's memory (b frames), in bytes: the server keeps each
 * session within budget; rows and first are the log rows it holds and
 * the oldest one's number; dropped counts what it let go to stay within
 * it: whole rows, the full text of big messages (their previews stay),
 * and deliveries to extensions that were lost; server is the whole
 * server's budget and use.
 * @typedef {{budget: number, used: number, rows: number, first: number,
 *   dropped: {rows: number, rowBytes: number, full: number, fullBytes: number, deliveries: number, deliveryBytes: number},
 *   server?: {budget: number, used: number}}} Memory
 */

/**
 * The answer to a full frame (full frames from the server): m, the whole
 * message of log row n, or gone, why the server no longer has it.
 * @typedef {{n: number, m?: unknown, gone?: string}} FullMessage
 */

/**
 * A message for an instance (d frames): post m into instance i's iframe.
 * @typedef {{t: "d", seq: number, i: string, m: unknown}} Delivery
 */

/**
 * A problem with the configured extensions (p frames): level error or
 * warning; kind unreachable, framing or same-site.
 * @typedef {{level: string, kind?: string, text: string, url?: string}} Problem
 */

/**
 * A scenario the page can play (sl frames).
 * @typedef {{name: string, description?: string, file: string, steps: {line: number, text: string}[] | null}} ScenarioInfo
 */

/**
 * A built-in scenario the configuration leaves out (sl frames), and why.
 * @typedef {{file: string, reason: string, error: string}} Skipped
 */

/**
 * How the scenario playing in the session is going (s frames).
 * @typedef {{name: string, file: string, state: string, index: number, total: number, line: number, text: string,
 *   error?: string, closest?: string[], problems?: number}} ScenarioRun
 */

/**
 * The answer to an e or rec frame (r frames): error when the server refused
 * it; for an e frame, created the id of an interaction it made; for a rec
 * frame, the scenario file.
 * @typedef {{n: number, error?: string, created?: string, yaml?: string, steps?: number, description?: string}} Result
 */

// --- what the page sends in a rec frame (docs/relay.md, Page to server)

/**
 * What an interaction was when an event acted on it (or when a recording
 * started).
 * @typedef {{channel: string, status?: string, outbound: boolean, consult?: boolean}} InteractionInfo
 */

/**
 * The panel when a recording started: the agent (login_status,
 * work_status, phone_status, profile), the queues not served, the faults,
 * and the interactions in the panel, by id.
 * @typedef {{agent: Record<string, string>, unserved: string[], faults: Faults, ids: Record<string, InteractionInfo | null>}} RecordingStart
 */

/**
 * An event of a recording that succeeded: when (ms, the page's clock), the
 * e frame's event, what the page knew of the interaction it names, and
 * the id of the interaction it created.
 * @typedef {{at: number, ev: import("./relay.js").AgentEvent, info: InteractionInfo | null, created: string}} RecordingEntry
 */

/**
 * A frame the server sends.
 * @typedef {{t: "welcome", session: string, resumed: boolean, seq: number, in: number, watching?: boolean, watcher?: string}
 *   | {t: "hosting", on: boolean, embed?: string}
 *   | {t: "k", q: number}
 *   | {t: "v", v: View}
 *   | Delivery
 *   | ({t: "l"} & LogEntry)
 *   | ({t: "r"} & Result)
 *   | {t: "p", p: Problem[]}
 *   | {t: "sl", s: ScenarioInfo[], skipped?: Skipped[]}
 *   | ({t: "s"} & ScenarioRun)
 *   | {t: "lm", next: number}
 *   | ({t: "b"} & Memory)
 *   | ({t: "full"} & FullMessage)} ServerFrame
 */
/** @typedef {Extract<ServerFrame, {t: "welcome"}>} Welcome */

export {};
