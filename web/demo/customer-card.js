/*
 * customer-card.js: the cpsim "Customer card" demo extension.
 *
 * An interaction-specific extension for the Sinch Contact Center
 * Communication Panel: the panel loads it once per accepted interaction
 * (phone call, chat, email, SMS, WhatsApp) in an iframe on another origin,
 * and it speaks the panel's window.postMessage API only, through panel.js
 * (shared by the demos). An ES module, no framework, nothing loaded from
 * the network.
 *
 * What it does
 *   - finds the panel origin as the specification's examples do
 *     (location.ancestorOrigins[0], else document.referrer), posts every
 *     message to that origin, and accepts a message only when
 *     event.source === window.parent and event.origin is that origin;
 *   - sends init with payload true, shows the interaction of the init
 *     response, asks for "detail user" (the greeting) and, for text
 *     conversations, "detail transcript"; then follows the state messages
 *     (status, channel_status, cad, message) and the
 *     status messages (phone_status, work_status, ...);
 *   - stops when the panel sends exit: it removes its listener, shows
 *     "Interaction handled", disables every control and sends nothing more;
 *   - actions: outbound (phone, sms, whatsapp, email; "direct" checkbox),
 *     transfer (with a note passed as CAD {"note": ...}), consult, join,
 *     message, dtmf, callState (hold/unhold, mute/unmute,
 *     startRecording/stopRecording), interaction (hangup, handle) and
 *     detail (user, interaction, transcript; the refresh button);
 *   - every action shows a pending toast (with elapsed seconds: a
 *     non-direct outbound waits for the agent to confirm in the panel) that
 *     turns into success or the panel's error reason; the status line at
 *     the bottom always repeats the latest outcome.
 *
 * Channels: cpsim sends SMS and WhatsApp as channel_type "chat" with
 * channel_sub_type "sms" / "whatsapp" (docs/spec-notes.md #6). A transcript
 * message is the agent's when its originator is the agent's username (from
 * "detail user"); "customer" is the customer; anyone else (a consulted
 * party) is shown as a third party.
 *
 * Element ids and data-testid attributes for browser tests
 * (id -> data-testid):
 *   body[data-phase]        loading | ready | ended | exited | error | standalone
 *   body[data-channel]      phone | chat | sms | whatsapp | email
 *   cc-channel              channel          channel and sub type label
 *   cc-interaction-status   interaction-status  pill; data-state = status
 *   cc-queue                queue            queue name
 *   cc-greeting             greeting         "Signed in as <first> <last>"
 *   cc-refresh              refresh          refresh button (detail interaction, transcript, user)
 *   cc-banner               banner           handled / ended / error notice; data-kind
 *   cc-banner-action        banner-action    retry init / close interaction
 *   cc-customer-name        customer-name    customer name heading
 *   cc-customer-sub         customer-sub     customer id and originator line
 *   cc-badges               badges           tier badge [data-testid=tier-badge, data-tier],
 *                                            VIP badge [data-testid=vip-badge], language [data-testid=language-badge]
 *   cc-note                 cad-note         a CAD "note" (e.g. passed on transfer)
 *   cc-facts                customer-facts   email, phone, order, case, last contact
 *                                            (each dd has data-testid="fact-<key>")
 *   cc-cad-extra            cad-extra        table of any other CAD keys (tr[data-key])
 *   cc-cad-empty            cad-empty        shown when the CAD is empty
 *   cc-transcript           transcript       li.msg[data-from=customer|agent|other][data-id]
 *   cc-transcript-count     transcript-count
 *   cc-reply                reply-input      reply box (chat, sms, whatsapp)
 *   cc-reply-send           reply-send       send button (command message)
 *   cc-email-subject        email-subject    email subject (interaction title)
 *   cc-email-meta           email-meta       from / to / cc
 *   cc-email-body           email-content    email content (sanitised HTML)
 *   cc-caller-number        caller-number    phone: the other party's number
 *   cc-call-status          call-status      phone: channel status in words; data-state = channel_status
 *   cc-call-timer           call-timer
 *   cc-ind-hold / -mute / -rec   hold-state / mute-state / recording-state  (data-on = true|false)
 *   cc-btn-hold             btn-hold         hold / unhold
 *   cc-btn-mute             btn-mute         mute / unmute
 *   cc-btn-record           btn-record       startRecording / stopRecording
 *   cc-btn-hangup           btn-hangup       interaction hangup
 *   cc-keypad               keypad           keys (data-testid / id): dtmf-key-0..9 / cc-dtmf-0..9,
 *                                            dtmf-key-* / cc-dtmf-star, dtmf-key-# / cc-dtmf-hash
 *   cc-dtmf-input           dtmf-input       digits to send
 *   cc-dtmf-send            dtmf-send        send the digits (command dtmf)
 *   cc-route-to             route-to         transfer / consult destination
 *   cc-transfer-note        transfer-note    note passed as CAD on transfer
 *   cc-btn-transfer         btn-transfer
 *   cc-btn-consult          btn-consult      (phone and web chat)
 *   cc-btn-join             btn-join         (phone)
 *   cc-out-phone            out-phone        outbound number (prefilled from CAD phone / originator)
 *   cc-out-email            out-email        outbound address (prefilled from CAD email)
 *   cc-out-subject          out-subject
 *   cc-out-content          out-content
 *   cc-out-direct           out-direct       checkbox: direct outbound
 *   cc-btn-callback         btn-callback     outbound phone
 *   cc-btn-sms              btn-sms          outbound sms
 *   cc-btn-whatsapp         btn-whatsapp     outbound whatsapp
 *   cc-btn-email            btn-email        outbound email
 *   cc-btn-handle           btn-handle       interaction handle
 *   cc-toasts               toasts           one div[data-testid=toast] per action:
 *                                            data-command, data-state = pending | success | error
 *   cc-status               status-line      latest outcome; data-state = idle | pending | success | error | info
 *   cc-footnote             interaction-id   the interaction id
 * Every action button carries data-command (the API command it sends) and
 * aria-busy="true" while its request is pending.
 */
import { framed, fromPanel, panelOrigin, request as requestPanel, settle, stop } from "./panel.js";

(() => {
  // The panel's origin, found as the specification's examples find it
  // (panel.js).
  const PANEL_ORIGIN = panelOrigin;
  const FRAMED = framed;

  // Caller data keys the card knows how to show.
  const KNOWN_CAD = new Set(["customer_id", "customer_name", "tier", "email", "phone",
    "order_id", "case_id", "language", "vip", "last_contact", "note"]);
  const CONVERSATION = new Set(["chat", "sms", "whatsapp"]);
  const LIVE_CHANNEL_STATUS = new Set(["connected", "onhold", "muted"]);
  const LIVE_STATUS = new Set(["accepted", "outgoing"]);
  const DTMF_KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];
  const DTMF_SUB = { 2: "ABC", 3: "DEF", 4: "GHI", 5: "JKL", 6: "MNO", 7: "PQRS", 8: "TUV", 9: "WXYZ", 0: "+" };

  const S = {
    phase: "loading",
    it: null,                 // the interaction, as last heard
    user: null,               // detail user
    messages: [],             // transcript, merged by id
    messageIds: new Set(),
    held: false,
    muted: false,
    recording: false,
    consult: null,            // the consultation this card started
    phoneStatus: "",
    workStatus: "",
    timer: 0,
    stopped: false,
    prefilled: false,
  };

  // ------------------------------------------------------------------ DOM

  const $ = (id) => document.getElementById(id);

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      el.append(c instanceof Node ? c : String(c));
    }
    return el;
  }

  const SVG_NS = "http://www.w3.org/2000/svg";
  function icon(name, cls = "ic") {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("class", cls);
    svg.setAttribute("aria-hidden", "true");
    const use = document.createElementNS(SVG_NS, "use");
    use.setAttribute("href", "#ic-" + name);
    svg.append(use);
    return svg;
  }

  function setIcon(svg, name) {
    const use = svg && svg.querySelector("use");
    if (use) use.setAttribute("href", "#ic-" + name);
  }

  // A small allow-list sanitiser for the HTML that chat and email content
  // may carry. Parsed inertly by DOMParser; only plain formatting survives,
  // rebuilt as fresh elements of this document.
  const ALLOWED = new Set(["b", "strong", "i", "em", "u", "s", "p", "br", "div", "span", "ul", "ol",
    "li", "blockquote", "pre", "code", "a", "h1", "h2", "h3", "h4", "hr", "small", "sub", "sup",
    "table", "thead", "tbody", "tr", "td", "th"]);
  const DROP = new Set(["script", "style", "iframe", "object", "embed", "link", "meta", "template",
    "svg", "math", "form", "input", "button", "textarea", "select", "img", "video", "audio",
    "noscript", "frame", "frameset", "base", "head", "title"]);

  function sanitize(html) {
    const doc = new DOMParser().parseFromString(String(html), "text/html");
    const frag = document.createDocumentFragment();
    const walk = (src, dst) => {
      for (const n of src.childNodes) {
        if (n.nodeType === Node.TEXT_NODE) {
          dst.append(n.data);
        } else if (n.nodeType === Node.ELEMENT_NODE) {
          const tag = n.localName;
          if (DROP.has(tag)) continue;
          if (!ALLOWED.has(tag)) {
            walk(n, dst);
            continue;
          }
          const el = document.createElement(tag);
          if (tag === "a") {
            const href = n.getAttribute("href") || "";
            if (/^(https?:|mailto:)/i.test(href.trim())) {
              el.setAttribute("href", href.trim());
              el.setAttribute("target", "_blank");
              el.setAttribute("rel", "noopener noreferrer");
            }
          }
          walk(n, el);
          dst.append(el);
        }
      }
    };
    walk(doc.body, frag);
    return frag;
  }

  // ----------------------------------------------------------- formatting

  const cap = (s) => (s ? s.charAt(0).toUpperCase() + s.slice(1) : "");
  const words = (s) => cap(String(s || "").replace(/_/g, " "));

  function channelOf(it) {
    if (!it) return "";
    if (it.channel_type === "chat" && (it.channel_sub_type === "sms" || it.channel_sub_type === "whatsapp")) {
      return it.channel_sub_type;
    }
    return it.channel_type || "";
  }

  const CHANNEL_LABEL = { phone: "Phone call", chat: "Web chat", sms: "SMS", whatsapp: "WhatsApp", email: "Email", user_defined: "Custom channel" };
  const CHANNEL_ICON = { phone: "phone", chat: "chat", sms: "sms", whatsapp: "whatsapp", email: "mail", user_defined: "chat" };

  const STATUS_LABEL = {
    queued: "Queued", incoming: "Incoming", outgoing: "Outgoing", accepted: "In progress",
    rejected: "Rejected", handled: "Handled", ended: "Ended",
  };

  const CALL_STATUS_LABEL = {
    connected: "Connected", onhold: "On hold", muted: "Muted", calling: "Calling…",
    ringing: "Ringing", disconnected: "Call ended", transferring: "Transferred",
    busy: "Busy", no_answer: "No answer", rejected: "Rejected", knocking: "Waiting in queue",
  };

  function time(ts) {
    const d = new Date(ts);
    if (Number.isNaN(d.getTime())) return "";
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function dateTime(ts) {
    const d = new Date(ts);
    if (Number.isNaN(d.getTime())) return String(ts || "");
    return d.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  }

  function relative(ts) {
    const d = new Date(ts);
    if (Number.isNaN(d.getTime())) return String(ts);
    const sec = Math.round((d.getTime() - Date.now()) / 1000);
    const abs = Math.abs(sec);
    const rtf = new Intl.RelativeTimeFormat([], { numeric: "auto" });
    if (abs < 60) return rtf.format(sec, "second");
    if (abs < 3600) return rtf.format(Math.round(sec / 60), "minute");
    if (abs < 86400) return rtf.format(Math.round(sec / 3600), "hour");
    if (abs < 86400 * 45) return rtf.format(Math.round(sec / 86400), "day");
    if (abs < 86400 * 365) return rtf.format(Math.round(sec / (86400 * 30)), "month");
    return rtf.format(Math.round(sec / (86400 * 365)), "year");
  }

  function duration(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    const hh = Math.floor(s / 3600);
    const mm = Math.floor((s % 3600) / 60);
    const ss = String(s % 60).padStart(2, "0");
    return hh ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
  }

  function languageName(code) {
    try {
      const name = new Intl.DisplayNames(["en"], { type: "language" }).of(String(code));
      return name && name !== code ? name : String(code).toUpperCase();
    } catch {
      return String(code);
    }
  }

  function initials(name) {
    const parts = String(name).replace(/[^\p{L}\p{N}\s]/gu, " ").trim().split(/\s+/).filter(Boolean);
    if (!parts.length) return "";
    const first = parts[0][0] || "";
    const last = parts.length > 1 ? parts[parts.length - 1][0] : "";
    return (first + last).toUpperCase();
  }

  function truthy(v) {
    return v === true || v === 1 || /^(true|yes|1)$/i.test(String(v));
  }

  function valueText(v) {
    if (v === null || v === undefined) return "—";
    if (Array.isArray(v) && v.every((x) => typeof x !== "object")) return v.join(", ");
    if (typeof v === "object") {
      const entries = Object.entries(v);
      if (entries.every(([, x]) => x === null || typeof x !== "object")) {
        return entries.map(([k, x]) => `${k}: ${x}`).join(", ");
      }
      return JSON.stringify(v);
    }
    return String(v);
  }

  // A CAD key that may break after its underscores.
  function keyNodes(k) {
    return String(k).split("_").flatMap((part, i) => (i ? ["_", h("wbr"), part] : [part]));
  }

  const looksLikePhone = (s) => /^\+?[\d\s()-]{5,}$/.test(String(s || ""));
  const looksLikeEmail = (s) => /^[^\s@]+@[^\s@]+$/.test(String(s || ""));

  // ------------------------------------------------------------ messaging

  // request sends a message and resolves with the response payload
  // ({value, reason}).
  function request(type, payload) {
    if (S.stopped) return Promise.resolve({ value: "error", reason: "not connected to the Communication Panel" });
    return requestPanel("cc", type, payload);
  }

  const action = (command, value, extra) => request("action", { command, value, ...(extra || {}) });
  const isError = (p) => !p || p.value === "error";
  const reasonOf = (p) => (p && p.reason) || "the panel gave no reason";

  function onMessage(event) {
    if (!fromPanel(event)) return;
    const msg = event.data;
    if (!msg || typeof msg !== "object" || S.stopped) return;
    switch (msg.type) {
      case "response":
        settle(msg);
        break;
      case "state":
        onState(msg.payload || {});
        break;
      case "status":
        onStatus(msg.payload || {});
        break;
      case "exit":
        onExit();
        break;
      default:
        break;
    }
  }

  // ---------------------------------------------------------- lifecycle

  async function start() {
    buildKeypad();
    wire();
    if (!FRAMED || !PANEL_ORIGIN) {
      setPhase("standalone");
      notConnected();
      banner("info", "Not inside the Communication Panel",
        "This extension is loaded by the Communication Panel for each accepted interaction. Open cpsim (http://127.0.0.1:8080/) and accept an interaction to see it at work.");
      status("info", "Waiting to be loaded by the Communication Panel.");
      $("cc-customer-name").textContent = "Customer card";
      return;
    }
    window.addEventListener("message", onMessage);
    await init();
  }

  async function init() {
    setPhase("loading");
    hideBanner();
    status("pending", "Connecting to the Communication Panel…");
    const res = await request("init", true);
    if (S.stopped) return;
    if (isError(res)) {
      setPhase("error");
      notConnected();
      banner("error", "The panel refused to start this extension", reasonOf(res), "Try again", init);
      status("error", "init failed: " + reasonOf(res));
      return;
    }
    if (!res.value || typeof res.value !== "object") {
      setPhase("error");
      notConnected();
      banner("info", "No interaction", "The panel has no interaction for this extension. It is meant to be configured as an interaction-specific extension of a queue.");
      status("info", "Connected, but there is no interaction to show.");
      return;
    }
    setPhase("ready");
    adopt(res.value);
    absorbTranscript(res.value.transcript && res.value.transcript.messages);
    render();
    status("success", "Connected to the Communication Panel.");
    S.timer = window.setInterval(tick, 1000);
    loadUser();
    if (CONVERSATION.has(channelOf(S.it))) loadTranscript();
  }

  function notConnected() {
    $("cc-channel").textContent = "Customer card";
    const pill = $("cc-interaction-status");
    pill.dataset.state = "error";
    pill.textContent = "Not connected";
  }

  async function loadUser() {
    const res = await action("detail", "user");
    if (S.stopped) return;
    if (isError(res) || typeof res.value !== "object") {
      $("cc-greeting").textContent = "";
      return;
    }
    S.user = res.value;
    if (!S.phoneStatus && S.user.phone) S.phoneStatus = S.user.phone.sip_connected ? "connected" : "disconnected";
    if (!S.workStatus) S.workStatus = S.user.work_status || "";
    render();
  }

  async function loadTranscript() {
    const res = await action("detail", "transcript");
    if (S.stopped) return false;
    if (isError(res)) return false;
    if (Array.isArray(res.value)) absorbTranscript(res.value);
    renderTranscript();
    return true;
  }

  function onExit() {
    // The panel is removing this extension: the interaction was handled or
    // the agent logged out. Stop listening and never send again.
    window.removeEventListener("message", onMessage);
    window.clearInterval(S.timer);
    S.stopped = true;
    stop("the panel closed this extension before answering");
    setPhase("exited");
    if (S.it) render();
    document.querySelectorAll("button, input, textarea, select").forEach((el) => { el.disabled = true; });
    banner("done", "Interaction handled",
      "The panel has closed this interaction. This card has stopped and sends nothing more.");
    status("info", "Interaction handled: the extension has stopped.");
    window.scrollTo({ top: 0 });
  }

  function setPhase(phase) {
    S.phase = phase;
    document.body.dataset.phase = phase;
  }

  // ------------------------------------------------------------- events

  function adopt(it) {
    if (!it || typeof it !== "object") return;
    if (S.it && it.id && S.it.id && it.id !== S.it.id) return;
    S.it = { ...(S.it || {}), ...it };
    if (!S.it.attached_data || typeof S.it.attached_data !== "object") S.it.attached_data = {};
    if (typeof it.recording === "boolean") S.recording = it.recording;
    followChannelStatus(S.it.channel_status);
  }

  function followChannelStatus(cs) {
    // One channel_status shows both flags: onhold wins over muted.
    if (cs === "onhold") S.held = true;
    else if (cs === "muted") { S.held = false; S.muted = true; }
    else if (cs === "connected") { S.held = false; S.muted = false; }
    else if (cs === "disconnected" || cs === "transferring") { S.held = false; S.muted = false; }
  }

  function absorbTranscript(list) {
    if (!Array.isArray(list)) return;
    for (const m of list) addMessage(m, false);
  }

  function addMessage(m, live) {
    if (!m || typeof m !== "object") return false;
    const key = m.id || `${m.timestamp}|${m.originator}|${m.message}`;
    if (S.messageIds.has(key)) return false;
    S.messageIds.add(key);
    S.messages.push({ ...m, _key: key, _live: live });
    S.messages.sort((a, b) => String(a.timestamp).localeCompare(String(b.timestamp)));
    return true;
  }

  function onState(p) {
    if (!S.it) return;
    const about = p.interaction;
    const mine = !about || !about.id || about.id === S.it.id;
    switch (p.attribute) {
      case "status":
        if (!mine) return;
        adopt(about);
        S.it.status = p.value;
        if (p.value === "ended") status("info", "The interaction has ended.");
        render();
        break;
      case "channel_status":
        if (!mine) return;
        adopt(about);
        S.it.channel_status = p.value;
        followChannelStatus(p.value);
        render();
        break;
      case "cad":
        if (!mine) return;
        adopt(about);
        S.it.attached_data = p.value && typeof p.value === "object" ? p.value : {};
        renderCustomer();
        flash("cc-customer");
        break;
      case "message":
        if (!mine) return;
        if (addMessage(p.value, true)) renderTranscript();
        break;
      // activeInteraction and activeExtension reach this instance only when
      // its own interaction or extension becomes active, and nothing says
      // when it stops being so: the card shows neither.
      default:
        break;
    }
  }

  function onStatus(p) {
    if (p.attribute === "phone_status") S.phoneStatus = p.value;
    else if (p.attribute === "work_status") S.workStatus = p.value;
    if (S.it) render();
  }

  function tick() {
    if (S.stopped) return;
    renderTimer();
    for (const t of document.querySelectorAll('.toast[data-state="pending"]')) {
      const since = Number(t.dataset.since);
      const el = t.querySelector(".toast-elapsed");
      if (el) el.textContent = duration(Date.now() - since);
    }
  }

  // ------------------------------------------------------------ actions

  // run sends one action with its feedback: the button is busy and a
  // pending toast shows until the answer, which turns into success or the
  // panel's reason.
  async function run({ command, value, button, label, pendingText, done, extra }) {
    if (S.stopped) return null;
    if (button) {
      button.setAttribute("aria-busy", "true");
      button.disabled = true;
    }
    const toast = showToast({ state: "pending", command, title: label, body: pendingText || "Waiting for the panel…" });
    status("pending", `${label}…`);
    const res = await action(command, value, extra);
    if (button && !S.stopped) {
      button.removeAttribute("aria-busy");
      button.disabled = false;
    }
    if (res && res.exited) {
      settleToast(toast, "error", label, "No answer: the interaction was handled first.");
      return res;
    }
    if (isError(res)) {
      settleToast(toast, "error", `${label} failed`, reasonOf(res));
      status("error", `${label} failed: ${reasonOf(res)}`);
    } else {
      const text = done ? done(res.value) : "Done.";
      settleToast(toast, "success", label, text);
      status("success", `${label}: ${text}`);
    }
    if (!S.stopped) render();
    return res;
  }

  function validationError(label, text, field) {
    const t = showToast({ state: "error", command: "none", title: label, body: text });
    status("error", `${label}: ${text}`);
    if (field) field.focus();
    return t;
  }

  async function sendReply(e) {
    e.preventDefault();
    const box = $("cc-reply");
    const text = box.value.trim();
    if (!text) {
      validationError("Reply", "Write a message first.", box);
      return;
    }
    const res = await run({
      command: "message", value: { content: text }, button: $("cc-reply-send"),
      label: "Send reply", pendingText: "Sending your reply…", done: () => "Message sent.",
    });
    if (res && !isError(res)) {
      if (box.value.trim() === text) box.value = "";
      box.focus();
    }
  }

  function sendTones(digits, button) {
    return run({
      command: "dtmf", value: { content: digits }, button,
      label: `Tone${digits.length > 1 ? "s" : ""} ${digits}`, pendingText: "Sending DTMF…",
      done: () => `Sent ${digits}.`,
    });
  }

  async function sendToneField(e) {
    e.preventDefault();
    const input = $("cc-dtmf-input");
    const digits = input.value.replace(/\s+/g, "");
    if (!digits) {
      validationError("Tones", "Type the digits to send.", input);
      return;
    }
    if (!/^[0-9*#A-Da-d]+$/.test(digits)) {
      validationError("Tones", "Use only 0-9, *, # and A-D.", input);
      return;
    }
    const res = await sendTones(digits, $("cc-dtmf-send"));
    if (res && !isError(res)) input.value = "";
  }

  async function callState(op, label) {
    const btn = { hold: "cc-btn-hold", unhold: "cc-btn-hold", mute: "cc-btn-mute", unmute: "cc-btn-mute" }[op] || "cc-btn-record";
    const res = await run({
      command: "callState", value: op, button: $(btn), label,
      pendingText: "Asking the panel…", done: () => "Done.",
    });
    if (!res || isError(res)) return;
    // Recording is not a notified attribute: follow our own request.
    if (op === "hold") S.held = true;
    if (op === "unhold") S.held = false;
    if (op === "mute") S.muted = true;
    if (op === "unmute") S.muted = false;
    if (op === "startRecording") S.recording = true;
    if (op === "stopRecording") S.recording = false;
    if (S.it) S.it.recording = S.recording;
    render();
  }

  function toggleHold() { callState(S.held ? "unhold" : "hold", S.held ? "Resume call" : "Hold call"); }
  function toggleMute() { callState(S.muted ? "unmute" : "mute", S.muted ? "Unmute" : "Mute"); }
  function toggleRecord() { callState(S.recording ? "stopRecording" : "startRecording", S.recording ? "Stop recording" : "Start recording"); }

  function hangup() {
    return run({
      command: "interaction", value: "hangup", button: $("cc-btn-hangup"), label: "Hang up",
      pendingText: "Ending the call…", done: () => "The call has ended.",
    });
  }

  function handle() {
    return run({
      command: "interaction", value: "handle", button: $("cc-btn-handle"), label: "Close interaction",
      pendingText: "Handling the interaction…", done: () => "Handled.",
    });
  }

  function routeTarget(label) {
    const input = $("cc-route-to");
    const to = input.value.trim();
    if (!to) {
      validationError(label, "Enter a destination: a number, an agent or a queue.", input);
      return "";
    }
    return to;
  }

  async function transfer() {
    const to = routeTarget("Transfer");
    if (!to) return;
    const note = $("cc-transfer-note").value.trim();
    const value = { to };
    if (note) value.cad = { note };
    const res = await run({
      command: "transfer", value, button: $("cc-btn-transfer"), label: `Transfer to ${to}`,
      pendingText: "Transferring…",
      done: (v) => (note ? "Transferred with your note." : "Transferred.") + idNote(v),
    });
    if (res && !isError(res)) $("cc-transfer-note").value = "";
  }

  async function consult() {
    const to = routeTarget("Consult");
    if (!to) return;
    const res = await run({
      command: "consult", value: { to }, button: $("cc-btn-consult"), label: `Consult ${to}`,
      pendingText: "Starting the consultation…",
      done: (v) => (channelOf(S.it) === "phone"
        ? "Consultation started; the customer is on hold. Join when the consulted party answers."
        : "Consultation started.") + idNote(v),
    });
    if (res && !isError(res) && res.value && typeof res.value === "object") S.consult = res.value;
  }

  async function join() {
    // The prose's join takes no recipient: it joins the consultation in
    // progress. The schema requires a value, so an empty object is sent.
    const res = await run({
      command: "join", value: {}, button: $("cc-btn-join"), label: "Join calls",
      pendingText: "Joining the customer and the consulted party…",
      done: () => "Joined: the customer and the consulted party now talk to each other.",
    });
    if (res && !isError(res)) S.consult = null;
  }

  function idNote(v) {
    return v && typeof v === "object" && v.id ? ` (${String(v.id).slice(0, 8)}…)` : "";
  }

  const OUT_LABEL = { phone: "Call back", sms: "Send SMS", whatsapp: "Send WhatsApp", email: "Email customer" };
  const OUT_NOUN = { phone: "call", sms: "SMS", whatsapp: "WhatsApp message", email: "email" };

  async function outbound(channel, button) {
    const direct = $("cc-out-direct").checked;
    const content = $("cc-out-content").value.trim();
    const label = OUT_LABEL[channel];
    const value = { channel, direct };
    if (channel === "email") {
      const input = $("cc-out-email");
      const to = input.value.trim();
      if (!to) {
        validationError(label, "Enter the customer’s email address.", input);
        return;
      }
      value.to = to.split(/[,;]\s*/).filter(Boolean);
      const subject = $("cc-out-subject").value.trim();
      if (subject) value.subject = subject;
      if (content) value.content = content;
    } else {
      const input = $("cc-out-phone");
      const to = input.value.trim();
      if (!to) {
        validationError(label, "Enter the customer’s phone number.", input);
        return;
      }
      value.to = to;
      if (channel !== "phone" && content) value.content = content;
    }
    const noun = OUT_NOUN[channel];
    const who = Array.isArray(value.to) ? value.to.join(", ") : value.to;
    await run({
      command: "outbound", value, button, label: `${label} · ${who}`,
      pendingText: direct
        ? `Creating the ${noun}…`
        : `Waiting for you to confirm the ${noun} in the panel…`,
      done: (v) => {
        const st = v && typeof v === "object" ? (v.channel_status || v.status) : "";
        return `${cap(noun)} ${direct ? "created" : "confirmed"}${st ? ` (${words(st).toLowerCase()})` : ""}.` + idNote(v);
      },
    });
  }

  async function refresh() {
    const btn = $("cc-refresh");
    btn.classList.add("spinning");
    const toast = showToast({ state: "pending", command: "detail", title: "Refresh", body: "Asking the panel for the latest details…" });
    status("pending", "Refreshing…");
    btn.disabled = true;
    const [it, user] = await Promise.all([action("detail", "interaction"), action("detail", "user")]);
    let transcriptOk = true;
    if (!isError(it) && it.value && typeof it.value === "object") {
      adopt(it.value);
      absorbTranscript(it.value.transcript && it.value.transcript.messages);
      if (CONVERSATION.has(channelOf(S.it))) transcriptOk = await loadTranscript();
    }
    if (!isError(user) && user.value && typeof user.value === "object") S.user = user.value;
    if (S.stopped) return;
    btn.disabled = false;
    btn.classList.remove("spinning");
    if (isError(it)) {
      settleToast(toast, "error", "Refresh failed", reasonOf(it));
      status("error", "Refresh failed: " + reasonOf(it));
    } else if (isError(user) || !transcriptOk) {
      const why = isError(user) ? reasonOf(user) : "the transcript could not be loaded";
      settleToast(toast, "error", "Refresh incomplete", why);
      status("error", "Refresh incomplete: " + why);
    } else {
      settleToast(toast, "success", "Refresh", "Up to date.");
      status("success", "Refreshed from the panel.");
    }
    render();
  }

  // ------------------------------------------------------------ feedback

  const STATE_ICON = { pending: null, success: "check", error: "alert", info: "info" };

  function showToast({ state, command, title, body }) {
    const box = $("cc-toasts");
    const t = h("div", {
      class: "toast", "data-testid": "toast", "data-state": state, "data-command": command,
      "data-since": Date.now(), role: state === "error" ? "alert" : "status",
    });
    fillToast(t, state, title, body);
    box.append(t);
    while (box.children.length > 3) {
      const old = [...box.children].find((c) => c.dataset.state !== "pending");
      if (!old) break;
      old.remove();
    }
    return t;
  }

  function fillToast(t, state, title, body) {
    t.dataset.state = state;
    t.replaceChildren(...[
      state === "pending" ? h("span", { class: "spinner", "aria-hidden": "true" }) : icon(STATE_ICON[state], "ic toast-icon"),
      h("div", { class: "toast-text" },
        h("strong", { class: "toast-title", text: title }),
        h("span", { class: "toast-body", "data-testid": "toast-body", text: body }),
        state === "pending" ? h("span", { class: "toast-elapsed", text: "0:00" }) : null),
      state === "pending" ? null : h("button", {
        type: "button", class: "toast-close", "aria-label": "Dismiss", onclick: () => t.remove(),
      }, icon("close")),
    ].filter(Boolean));
  }

  function settleToast(t, state, title, body) {
    if (!t.isConnected) $("cc-toasts").append(t);
    fillToast(t, state, title, body);
    if (state === "success") window.setTimeout(() => t.remove(), 5000);
    else window.setTimeout(() => t.remove(), 20000);
  }

  function status(state, text) {
    const bar = $("cc-status");
    bar.dataset.state = state;
    $("cc-status-text").textContent = text;
    const holder = bar.querySelector(".status-icon");
    holder.replaceChildren(state === "pending"
      ? h("span", { class: "spinner" })
      : icon(STATE_ICON[state] || "info"));
  }

  function banner(kind, title, body, actionLabel, actionFn) {
    const b = $("cc-banner");
    b.hidden = false;
    b.dataset.kind = kind;
    setIcon(b.querySelector(".banner-icon"), { error: "alert", done: "done", ended: "info", info: "info" }[kind] || "info");
    $("cc-banner-title").textContent = title;
    $("cc-banner-body").textContent = body;
    const btn = $("cc-banner-action");
    btn.hidden = !actionLabel;
    btn.disabled = false;
    btn.textContent = actionLabel || "";
    btn.onclick = actionFn || null;
  }

  function hideBanner() {
    $("cc-banner").hidden = true;
  }

  function flash(id) {
    const el = $(id);
    el.classList.remove("flash");
    void el.offsetWidth;
    el.classList.add("flash");
  }

  // ------------------------------------------------------------- render

  function live() {
    const it = S.it;
    return !!it && LIVE_STATUS.has(it.status) && LIVE_CHANNEL_STATUS.has(it.channel_status);
  }

  function render() {
    if (!S.it) return;
    const ch = channelOf(S.it);
    document.body.dataset.channel = ch;
    renderHeader();
    renderCustomer();
    renderConversation();
    renderActions();
    renderTimer();
    $("cc-footnote").textContent = `Interaction ${S.it.id || ""}`;
    prefill();
  }

  function renderHeader() {
    const it = S.it;
    const ch = channelOf(it);
    setIcon($("cc-channel-icon").querySelector("svg"), CHANNEL_ICON[ch] || "chat");
    $("cc-channel-icon").dataset.channel = ch;
    let label = CHANNEL_LABEL[ch] || words(ch);
    if (it.consult_for) label += " · consultation";
    else if (it.status === "outgoing") label += " · outbound";
    $("cc-channel").textContent = label;
    const pill = $("cc-interaction-status");
    let st = it.status || "";
    if (S.phase === "exited") st = "handled";
    pill.dataset.state = st;
    pill.textContent = st === "ended" && it.channel_status === "transferring" ? "Transferred" : (STATUS_LABEL[st] || words(st) || "—");
    $("cc-queue").textContent = it.from_queue && it.from_queue.name ? it.from_queue.name : "";
    const u = S.user;
    let greet = "";
    if (u) {
      const n = u.name ? `${u.name.first_name || ""} ${u.name.last_name || ""}`.trim() : "";
      greet = `Signed in as ${n || u.alias || u.username || "agent"}`;
      if (S.workStatus) greet += ` · ${words(S.workStatus)}`;
    }
    $("cc-greeting").textContent = greet;
    $("cc-refresh").disabled = S.phase !== "ready" && S.phase !== "ended";
  }

  function customerName(it, cad) {
    if (cad.customer_name) return String(cad.customer_name);
    if (it.dir_entry && it.dir_entry.name) return it.dir_entry.name;
    if (it.from_address && it.from_address.name) return it.from_address.name;
    const customer = (it.participants || []).find((p) => p.uniquekey === "customer");
    if (customer && customer.alias && !looksLikePhone(customer.alias)) return customer.alias;
    return "";
  }

  function renderCustomer() {
    const it = S.it;
    const cad = it.attached_data || {};
    const name = customerName(it, cad);
    const contact = it.originator || "";
    const h1 = $("cc-customer-name");
    h1.textContent = name || contact || "Unknown customer";
    h1.classList.toggle("unknown", !name);

    const avatar = $("cc-avatar");
    const tier = cad.tier ? String(cad.tier).toLowerCase() : "";
    avatar.dataset.tier = tier;
    const ini = name ? initials(name) : "";
    avatar.replaceChildren(ini ? document.createTextNode(ini) : icon("user"));

    const sub = [];
    if (cad.customer_id) sub.push(h("span", { class: "cid", title: "Customer id", text: String(cad.customer_id) }));
    if (name && contact) sub.push(h("span", { class: "contact", text: contact }));
    if (!name) sub.push(h("span", { class: "contact", text: contact ? "Customer not identified" : "No customer details" }));
    $("cc-customer-sub").replaceChildren(...sub);

    const badges = [];
    if (tier) {
      badges.push(h("span", { class: `badge tier tier-${tier.replace(/[^a-z0-9-]/g, "")}`, "data-testid": "tier-badge", "data-tier": tier },
        h("span", { class: "tier-dot", "aria-hidden": "true" }), `${cap(tier)} tier`));
    }
    if ("vip" in cad && truthy(cad.vip)) {
      badges.push(h("span", { class: "badge vip", "data-testid": "vip-badge" }, icon("star"), "VIP"));
    }
    if (cad.language) {
      badges.push(h("span", { class: "badge lang", "data-testid": "language-badge", title: `Language: ${cad.language}` },
        icon("globe"), languageName(cad.language)));
    }
    $("cc-badges").replaceChildren(...badges);
    $("cc-badges").hidden = !badges.length;

    const note = cad.note;
    $("cc-note").hidden = !note;
    $("cc-note-text").textContent = note ? valueText(note) : "";

    const facts = [];
    const fact = (key, ic, label, value, title) => {
      facts.push(h("div", { class: "fact" },
        h("dt", {}, icon(ic), h("span", { text: label })),
        h("dd", { "data-testid": `fact-${key}`, title: title || null, text: value })));
    };
    if (cad.email) fact("email", "mail", "Email", String(cad.email));
    if (cad.phone) fact("phone", "phone", "Phone", String(cad.phone));
    if (cad.order_id) fact("order_id", "bag", "Order", String(cad.order_id));
    if (cad.case_id) fact("case_id", "case", "Case", String(cad.case_id));
    if (cad.last_contact) fact("last_contact", "clock", "Last contact", relative(cad.last_contact), dateTime(cad.last_contact));
    $("cc-facts").replaceChildren(...facts);
    $("cc-facts").hidden = !facts.length;

    const extra = Object.keys(cad).filter((k) => !KNOWN_CAD.has(k)).sort();
    const tbody = $("cc-cad-extra").tBodies[0];
    tbody.replaceChildren(...extra.map((k) => h("tr", { "data-key": k },
      h("th", { scope: "row", title: k }, keyNodes(k)), h("td", { text: valueText(cad[k]) }))));
    $("cc-extra-wrap").hidden = !extra.length;
    $("cc-cad-empty").hidden = Object.keys(cad).length > 0;
  }

  function renderConversation() {
    const ch = channelOf(S.it);
    const isConv = CONVERSATION.has(ch);
    $("cc-conversation").hidden = false;
    $("cc-chat-pane").hidden = !isConv;
    $("cc-email-pane").hidden = ch !== "email";
    $("cc-phone-pane").hidden = ch !== "phone";
    $("cc-conversation").hidden = !isConv && ch !== "email" && ch !== "phone";
    if (isConv) renderTranscript();
    if (ch === "email") renderEmail();
    if (ch === "phone") renderPhone();
  }

  function agentKeys() {
    const keys = new Set();
    if (S.user) {
      if (S.user.username) keys.add(S.user.username);
    }
    return keys;
  }

  function who(m) {
    const agents = agentKeys();
    const it = S.it;
    const parts = (it && it.participants) || [];
    const p = parts.find((x) => x.uniquekey === m.originator);
    if (agents.has(m.originator)) return { from: "agent", name: "You" };
    if (m.originator === "customer") {
      const cad = (it && it.attached_data) || {};
      return { from: "customer", name: cad.customer_name || (p && p.alias) || "Customer" };
    }
    if (!S.user && p && p.alias && it && p.uniquekey !== "customer" && p.uniquekey !== "consultee" && parts.indexOf(p) > 0) {
      // Before detail user answers: the agent joins the participants after the customer.
      return { from: "agent", name: p.alias };
    }
    return { from: "other", name: (p && p.alias) || m.originator || "Unknown" };
  }

  function renderTranscript() {
    const list = $("cc-transcript");
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const rich = channelOf(S.it) === "chat";
    const items = S.messages.map((m) => {
      const w = who(m);
      const body = h("div", { class: "bubble" });
      if (rich) body.append(sanitize(m.message || ""));
      else body.textContent = m.message || "";
      return h("li", { class: `msg from-${w.from}`, "data-from": w.from, "data-id": m.id || m._key, "data-testid": "transcript-message" },
        h("div", { class: "msg-meta" }, h("span", { class: "msg-who", text: w.name }), h("time", { datetime: m.timestamp || "", text: time(m.timestamp) })),
        body);
    });
    if (!items.length) {
      items.push(h("li", { class: "transcript-empty", text: "No messages yet." }));
    }
    list.replaceChildren(...items);
    const n = S.messages.length;
    $("cc-transcript-count").textContent = `${n} message${n === 1 ? "" : "s"}`;
    if (atBottom || S.messages.some((m) => m._live)) list.scrollTop = list.scrollHeight;
    for (const m of S.messages) m._live = false;
  }

  function addressText(a) {
    if (!a) return "";
    return a.name ? `${a.name} <${a.address}>` : a.address;
  }

  function renderEmail() {
    const it = S.it;
    $("cc-email-subject").textContent = it.title || "(no subject)";
    $("cc-email-date").textContent = it.date_created ? dateTime(it.date_created) : "";
    const rows = [];
    const row = (k, v) => { if (v) rows.push(h("div", {}, h("dt", { text: k }), h("dd", { text: v }))); };
    row("From", it.from_address ? addressText(it.from_address) : it.originator);
    row("To", (it.to_address || []).map(addressText).join(", ") || it.destination);
    row("Cc", (it.cc_address || []).map(addressText).join(", "));
    $("cc-email-meta").replaceChildren(...rows);
    const body = $("cc-email-body");
    if (it.content) {
      body.replaceChildren(sanitize(it.content));
      body.classList.remove("empty");
    } else {
      body.textContent = "This email has no content.";
      body.classList.add("empty");
    }
    const att = it.attachments || [];
    const box = $("cc-email-attachments");
    box.hidden = !att.length;
    box.replaceChildren(...att.map((a) => h("span", { class: "chip" }, icon("note"), a.filename || "attachment", a.size ? ` · ${a.size}` : "")));
  }

  function renderPhone() {
    const it = S.it;
    const out = it.status === "outgoing" || !!it.consult_for;
    $("cc-call-direction").textContent = it.consult_for ? "Consulting" : (out ? "Calling" : "Caller");
    $("cc-caller-number").textContent = (out ? it.destination : it.originator) || "—";
    const cs = it.channel_status || "";
    const st = $("cc-call-status");
    st.dataset.state = cs;
    st.textContent = CALL_STATUS_LABEL[cs] || words(cs) || "—";

    const ind = (id, on, onText, offText, onIcon, offIcon) => {
      const li = $(id);
      li.dataset.on = String(on);
      li.querySelector("span").textContent = on ? onText : offText;
      setIcon(li.querySelector("svg"), on ? onIcon : offIcon);
    };
    ind("cc-ind-hold", S.held, "On hold", "Not on hold", "pause", "pause");
    ind("cc-ind-mute", S.muted, "Muted", "Microphone on", "mic-off", "mic");
    ind("cc-ind-rec", S.recording, "Recording", "Not recording", "record", "record");

    const setToggle = (id, on, onLabel, offLabel) => {
      const b = $(id);
      b.setAttribute("aria-pressed", String(on));
      b.querySelector("span").textContent = on ? onLabel : offLabel;
    };
    setToggle("cc-btn-hold", S.held, "Resume", "Hold");
    setToggle("cc-btn-mute", S.muted, "Unmute", "Mute");
    setToggle("cc-btn-record", S.recording, "Stop rec.", "Record");
    setIcon($("cc-btn-mute").querySelector("svg"), S.muted ? "mic" : "mic-off");
  }

  function renderTimer() {
    const el = $("cc-call-timer");
    if (!S.it || channelOf(S.it) !== "phone") return;
    const start = new Date(S.it.date_created).getTime();
    if (Number.isNaN(start) || !live()) {
      el.textContent = "";
      return;
    }
    el.textContent = duration(Date.now() - start);
  }

  function setEnabled(id, on, why) {
    const el = $(id);
    if (!el || el.getAttribute("aria-busy") === "true") return;
    el.disabled = S.phase === "exited" || !on;
    if (el.disabled && why) el.title = why;
    else el.removeAttribute("title");
  }

  function renderActions() {
    const it = S.it;
    const ch = channelOf(it);
    const isLive = live();
    const ended = it.status === "ended";
    const calling = it.status === "outgoing" && it.channel_status === "calling";
    const phoneOk = S.phoneStatus !== "disconnected";
    const notLive = "Only while the interaction is in progress";

    setPhaseFromStatus();

    // Conversation
    setEnabled("cc-reply", isLive, notLive);
    setEnabled("cc-reply-send", isLive, notLive);
    // Phone
    setEnabled("cc-btn-hold", isLive, notLive);
    setEnabled("cc-btn-mute", isLive, notLive);
    setEnabled("cc-btn-record", isLive, notLive);
    setEnabled("cc-btn-hangup", isLive || calling, "There is no call to hang up");
    const tonesOk = isLive && !S.held;
    for (const b of $("cc-keypad").querySelectorAll("button")) setEnabled(b.id, tonesOk, S.held ? "Resume the call to send tones" : notLive);
    setEnabled("cc-dtmf-input", tonesOk);
    setEnabled("cc-dtmf-send", tonesOk, S.held ? "Resume the call to send tones" : notLive);
    $("cc-dtmf-hint").textContent = S.held ? "The call is on hold: resume it to send tones." : (isLive ? "" : "Tones can be sent while the call is connected.");

    // Transfer / consult / join
    const canConsult = (ch === "phone" || ch === "chat") && !it.consult_for;
    $("cc-route").hidden = false;
    $("cc-btn-consult").hidden = !canConsult;
    $("cc-btn-join").hidden = ch !== "phone";
    $("cc-route-title").textContent = canConsult ? "Transfer or consult" : "Transfer";
    setEnabled("cc-route-to", isLive);
    setEnabled("cc-transfer-note", isLive);
    setEnabled("cc-btn-transfer", isLive, notLive);
    setEnabled("cc-btn-consult", isLive, notLive);
    setEnabled("cc-btn-join", isLive, notLive);
    let hint = "";
    if (ch === "phone" && S.consult) hint = `Consultation with ${S.consult.destination || "the other party"} in progress: Join connects them with the customer and leaves the call.`;
    else if (ch === "phone") hint = "Consult puts the customer on hold; Join then connects both parties and leaves you out.";
    else if (!isLive) hint = "Transfer is available while the interaction is in progress.";
    $("cc-route-hint").textContent = hint;

    // Outbound
    $("cc-followup").hidden = false;
    setEnabled("cc-btn-callback", phoneOk, "The softphone is disconnected");
    $("cc-btn-callback").querySelector("span").textContent = ch === "phone" || it.originator ? "Call back" : "Call";

    // Wrap up: a call is hung up first; a conversation or an email can be
    // closed while in progress.
    const canHandle = ended || (isLive && ch !== "phone");
    $("cc-wrap").hidden = ch === "phone" && !ended;
    setEnabled("cc-btn-handle", canHandle, ch === "phone" ? "Hang up before closing the interaction" : "Nothing to close yet");
    $("cc-wrap-title").textContent = ended ? "Ready to wrap up" : "Done with this customer?";
    $("cc-wrap-hint").textContent = ended
      ? "Close the interaction when your notes are done."
      : (ch === "phone" ? "Hang up first, then close the interaction." : "Closing ends the conversation and handles it in the panel.");
  }

  function setPhaseFromStatus() {
    if (S.phase === "exited" || !S.it) return;
    const ended = S.it.status === "ended";
    if (ended && S.phase !== "ended") {
      setPhase("ended");
      const transferred = S.it.channel_status === "transferring";
      banner("ended", transferred ? "Transferred" : "The interaction has ended",
        transferred
          ? "The customer was passed on. Close the interaction when you are done here."
          : "The customer has left. Close the interaction when your notes are done.",
        "Close interaction", handle);
    } else if (!ended && S.phase === "ended") {
      setPhase("ready");
      hideBanner();
    }
  }

  // ------------------------------------------------------------- prefill

  function prefill() {
    if (S.prefilled || !S.it) return;
    S.prefilled = true;
    const it = S.it;
    const cad = it.attached_data || {};
    const ch = channelOf(it);
    const phone = cad.phone || ((ch === "phone" || ch === "sms" || ch === "whatsapp") && looksLikePhone(it.originator) && it.status !== "outgoing" ? it.originator : "")
      || (looksLikePhone(it.destination) && it.status === "outgoing" ? it.destination : "");
    const email = cad.email || (ch === "email" ? (it.from_address && it.from_address.address) || (looksLikeEmail(it.originator) ? it.originator : "") : "");
    $("cc-out-phone").value = phone || "";
    $("cc-out-email").value = email || "";
    let subject = "Following up on your request";
    if (ch === "email" && it.title) subject = /^re:/i.test(it.title) ? it.title : `Re: ${it.title}`;
    else if (cad.case_id) subject = `Your case ${cad.case_id}`;
    else if (cad.order_id) subject = `Your order ${cad.order_id}`;
    $("cc-out-subject").value = subject;
  }

  // --------------------------------------------------------------- wiring

  function buildKeypad() {
    const pad = $("cc-keypad");
    pad.replaceChildren(...DTMF_KEYS.map((k) => {
      const b = h("button", {
        type: "button", class: "key", id: `cc-dtmf-${k === "*" ? "star" : k === "#" ? "hash" : k}`,
        "data-testid": `dtmf-key-${k}`, "data-command": "dtmf", "data-digit": k, "aria-label": `Send tone ${k}`,
      }, h("span", { class: "key-main", text: k }), h("span", { class: "key-sub", text: DTMF_SUB[k] || "\u00a0" }));
      b.addEventListener("click", () => sendTones(k, b));
      return b;
    }));
  }

  function wire() {
    $("cc-refresh").addEventListener("click", refresh);
    $("cc-reply-form").addEventListener("submit", sendReply);
    $("cc-reply").addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        $("cc-reply-form").requestSubmit();
      }
    });
    $("cc-dtmf-form").addEventListener("submit", sendToneField);
    $("cc-btn-hold").addEventListener("click", toggleHold);
    $("cc-btn-mute").addEventListener("click", toggleMute);
    $("cc-btn-record").addEventListener("click", toggleRecord);
    $("cc-btn-hangup").addEventListener("click", hangup);
    // Enter in the destination field must not transfer by accident.
    $("cc-route-form").addEventListener("submit", (e) => e.preventDefault());
    $("cc-btn-transfer").addEventListener("click", transfer);
    $("cc-btn-consult").addEventListener("click", consult);
    $("cc-btn-join").addEventListener("click", join);
    $("cc-out-form").addEventListener("submit", (e) => e.preventDefault());
    for (const id of ["cc-btn-callback", "cc-btn-sms", "cc-btn-whatsapp", "cc-btn-email"]) {
      const b = $(id);
      b.addEventListener("click", () => outbound(b.dataset.channel, b));
    }
    $("cc-btn-handle").addEventListener("click", handle);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
