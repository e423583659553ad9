// @ts-check
// The recorder's scenario writer: it turns a recording (the panel as it
// was when the recording started, and the events that succeeded, with
// their times) into a scenario file (docs/scenarios.md): interactions are
// named call1, chat1, mail1, sms1, wa1, out1, cons1 from the r frames'
// created; one the recording did not see created gets a name step. Pure
// functions; it owns nothing and imports nothing.

const NAME_PREFIX = { phone: "call", chat: "chat", email: "mail", sms: "sms", whatsapp: "wa" };

// A plain word needs no quotes; anything else is written as a JSON string,
// which YAML reads the same (escaping what YAML would not take as is).
const PLAIN = /^[A-Za-z_][A-Za-z0-9_./@+-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|y|n|null|nan|inf|infinity)$/i;
export function yStr(s) {
  s = String(s);
  if (PLAIN.test(s) && !RESERVED.test(s)) return s;
  return JSON.stringify(s).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}
function yValue(v) {
  if (v === null || v === undefined) return "null";
  switch (typeof v) {
    case "boolean": return String(v);
    case "number": return Number.isFinite(v) ? String(v) : "null";
    case "string": return yStr(v);
  }
  if (Array.isArray(v)) return "[" + v.map(yValue).join(", ") + "]";
  return "{" + Object.entries(v).map(([k, x]) => yStr(k) + ": " + yValue(x)).join(", ") + "}";
}
/** Raw is text written as is: durations and names we made. */
class Raw { constructor(text) { this.text = text; } toString() { return this.text; } }
/** flow writes a step's fields in flow style, leaving out the undefined ones. */
function flow(pairs) {
  return "{" + pairs.filter(([, x]) => x !== undefined).map(([k, x]) => `${k}: ${x instanceof Raw ? x.text : yValue(x)}`).join(", ") + "}";
}
const raw = (text) => new Raw(text); // written as is: durations and names we made
function msText(ms) {
  ms = Math.max(0, Math.round(Number(ms) || 0));
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
/** waitText rounds a gap to the second, or to half a second under 5 s. */
function waitText(ms) {
  const s = ms / 1000;
  const r = s < 5 ? Math.round(s * 2) / 2 : Math.round(s);
  return `${r}s`;
}
const DURATION = /^[0-9][0-9.]*(ns|us|µs|ms|s|m|h)([0-9.]+(ns|us|µs|ms|s|m|h))*$/;

/** recordingYAML turns a recording into a scenario file (docs/scenarios.md). */
export function recordingYAML(rec, name, description, when) {
  const start = rec.start || { agent: {}, unserved: [], faults: {}, ids: {} };
  const names = new Map(); // interaction id -> name
  const counts = {};
  const named = []; // "call1 (phone)", for the description
  const fresh = (prefix) => { counts[prefix] = (counts[prefix] || 0) + 1; return prefix + counts[prefix]; };
  const prefixOf = (info) => (!info ? "it" : info.outbound ? "out" : info.consult ? "cons" : NAME_PREFIX[info.channel] || "it");
  const startNames = []; // name steps for interactions in the panel before the recording
  const steps = [];

  // ref names an interaction the step acts on; one the recording did not
  // see created gets a name step: at the start when it was in the panel
  // already, else just before (an extension created it, for instance).
  function ref(id, e) {
    if (!id) return undefined;
    if (names.has(id)) return raw(names.get(id));
    const before = start.ids[id];
    const info = before || e.info;
    const as = fresh(prefixOf(info));
    names.set(id, as);
    named.push(info ? `${as} (${info.channel})` : as);
    const step = `- name: ${flow([["as", raw(as)], ["channel", info ? info.channel : undefined], ["status", info ? info.status : undefined]])}`;
    if (before) startNames.push(step);
    else steps.push(step + "  # an extension created it (not the agent): add an expect for its action before this");
    return raw(as);
  }
  function create(e, prefix) {
    const as = fresh(prefix);
    if (e.created) names.set(e.created, as);
    const channel = e.ev.channel || (e.info && e.ev.type === "confirm" ? e.info.channel : "");
    named.push(channel ? `${as} (${channel})` : as);
    return raw(as);
  }
  const known = (id, e) => !!id && (names.has(id) || !!start.ids[id] || !!e.info);

  function step(e) {
    const ev = e.ev, t = ev.type;
    const id = () => ref(ev.id, e);
    switch (t) {
      case "cancel":
        steps.push("# an extension asked for this outbound: for the scenario to replay, it must ask again (expect its outbound action)");
        return t;
      case "login": case "logout": case "clear_faults":
        return t;
      case "work_status": case "phone_status":
        return `${t}: ${yStr(ev.status)}`;
      case "profile":
        return `profile: ${yStr(ev.profile)}`;
      case "serve":
        return `serve: ${flow([["queue", ev.queue], ["on", !!ev.serve]])}`;
      case "incoming": {
        const as = create(e, NAME_PREFIX[ev.channel] || "it");
        return `incoming: ${flow([["as", as], ["channel", ev.channel], ["queue", ev.queue], ["from", ev.from], ["to", ev.to],
          ["subject", ev.subject], ["content", ev.content], ["cad", ev.cad && Object.keys(ev.cad).length ? ev.cad : undefined]])}`;
      }
      case "accept": case "reject": case "pick": case "hangup": case "handle": case "join":
      case "hold": case "unhold": case "mute": case "unmute":
        return `${t}: ${id() || ""}`;
      case "select_interaction":
        return `select: ${id() || ""}`;
      case "record":
        return `record: ${flow([["in", id()], ["do", raw(ev.on ? "start" : "stop")]])}`;
      case "transfer":
        return `transfer: ${flow([["in", id()], ["to", ev.to], ["cad", ev.cad]])}`;
      case "consult": {
        const inName = id();
        return `consult: ${flow([["in", inName], ["to", ev.to], ["as", create(e, "cons")]])}`;
      }
      case "cad":
        return `cad: ${flow([["in", id()], ["set", ev.set || {}]])}`;
      case "say":
        return `say: ${flow([["in", id()], ["from", ev.from], ["text", ev.text]])}`;
      case "typing":
        return `typing: ${flow([["in", id()], ["on", !!ev.on]])}`;
      case "outcome":
        return `outcome: ${flow([["in", id()], ["result", ev.result]])}`;
      case "outbound":
        return `outbound: ${flow([["as", create(e, "out")], ["channel", ev.channel], ["to", ev.to], ["from", ev.from], ["subject", ev.subject], ["content", ev.content]])}`;
      case "confirm":
        steps.push("# an extension asked for this outbound: for the scenario to replay, it must ask again (expect its outbound action)");
        return e.created ? `confirm: ${flow([["as", create(e, "out")]])}` : "confirm";
      case "send":
        return `send: ${yValue(ev.message)}`;
      case "state":
        return `state: ${flow([["in", known(ev.id, e) ? id() : undefined], ["attribute", ev.attribute], ["value", ev.value === undefined ? null : ev.value]])}`;
      case "status":
        return `status: ${flow([["attribute", ev.attribute], ["value", ev.value === undefined ? null : ev.value]])}`;
      case "fail_next_init":
        return ev.reason ? `fail_next_init: ${yStr(ev.reason)}` : "fail_next_init";
      case "fail":
        return `fail: ${flow([["command", ev.command], ["reason", ev.reason ? ev.reason : undefined]])}`;
      case "delay":
        return `delay: ${flow([["command", ev.command], ["by", raw(msText(ev.ms))]])}`;
    }
    return `# ${t}: no scenario step does this`;
  }

  let prev = 0;
  for (const e of rec.entries) {
    if (prev && e.at - prev > 1000) steps.push(`- wait: ${waitText(e.at - prev)}`);
    prev = e.at;
    const s = step(e);
    steps.push(s.startsWith("#") ? s : "- " + s);
  }

  // the panel as it was when the recording started
  const setup = [];
  for (const q of start.unserved || []) setup.push(`- serve: ${flow([["queue", q], ["on", false]])}`);
  const f = start.faults || {};
  if (f.fail_next_init !== undefined && f.fail_next_init !== null) setup.push(f.fail_next_init ? `- fail_next_init: ${yStr(f.fail_next_init)}` : "- fail_next_init");
  for (const [cmd, reason] of Object.entries(f.fail || {})) setup.push(`- fail: ${flow([["command", cmd], ["reason", reason || undefined]])}`);
  for (const [cmd, d] of Object.entries(f.delay || {})) setup.push(`- delay: ${flow([["command", cmd], ["by", DURATION.test(String(d)) ? raw(String(d)) : String(d)]])}`);

  const a = start.agent || {};
  const agent = [["login_status", a.login_status], ["work_status", a.work_status], ["phone_status", a.phone_status], ["profile", a.profile]]
    .filter(([, x]) => typeof x === "string" && x);
  const out = [
    `# Recorded in cpsim${when ? ` on ${when}` : ""}. Add expect steps for what the extension should do (docs/scenarios.md).`,
    `name: ${yStr(name)}`,
    `description: ${yStr(description)}`,
  ];
  if (agent.length) out.push(`agent: ${flow(agent)}`);
  const body = [];
  if (setup.length || startNames.length) {
    body.push("# the panel as it was when the recording started");
    body.push(...setup);
    if (startNames.length) {
      body.push("# in the panel before the recording (a scenario starts with an empty one: create them with incoming and accept)");
      body.push(...startNames);
    }
    if (steps.length) body.push("# what the agent did");
  }
  body.push(...steps);
  if (body.length) out.push("steps:", ...body.map((l) => "  " + l));
  else out.push("steps: []  # nothing was recorded");
  return { yaml: out.join("\n") + "\n", names: named, steps: body.filter((l) => l.startsWith("- ")).length };
}
