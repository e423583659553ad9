/*
 * cpsim: the Communication Panel simulator's page.
 *
 * The page is a thin relay and a view. It hosts every extension instance in
 * an iframe of its own, relays what the extensions post to the server's
 * engine over one websocket (/ws), posts what the engine sends into the
 * iframes, and renders the engine's view: the agent, the interactions, the
 * extensions, the message inspector. The contract with the server is
 * docs/relay.md. Plain ES2022, no framework, no build step, nothing from the
 * network; the page's Content-Security-Policy forbids inline scripts and
 * styles, so everything is here and in host.css.
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
 * Test hook (read only): window.cpsim = { session, connected, lastSeq, log, view, scenarios, scenario }.
 *   log holds the l frames as received, in log-number order, without
 *   duplicates; a live row of a delivery (which names its d frame by seq)
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
 *   notices
 *     notices               container
 *     session-banner, session-reconnect   shown when another page took over the session
 *     problems              problems banner (the server's p frames); data-level
 *     problems-dismiss
 *     problem               one problem (li); data-level = error | warning
 *     hints                 container of init hints
 *     init-hint             "<instance> has not sent init ..."; data-instance
 *     init-hint-dismiss
 *     pending-list          container of outbound actions waiting for the agent
 *     pending               one; data-id, data-instance, data-channel
 *     pending-confirm, pending-cancel
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
 *     hangup, handle, transfer, consult, join,
 *     outcome-connected, outcome-busy, outcome-no-answer, outcome-other (<select> of the other outcomes)
 *   selected interaction (centre)
 *     detail                data-id (empty when none)
 *     transcript            <ul>; transcript-message (li; data-from = customer | agent | other, data-id)
 *     typing                checkbox: the customer is typing
 *     typing-line
 *     say-text, say-customer, say-agent
 *     email, email-subject, email-from, email-to, email-content
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
 *     log-filter, log-dir, log-type, log-instance, log-problems, log-clear, log-save, tools-toggle
 *     log-list, log-empty, log-jump
 *     log-row               data-n, data-dir, data-type, data-instance, data-id, data-sev (only rendered rows:
 *                           the list is virtual; window.cpsim.log has every entry)
 *     log-detail, log-detail-close, log-copy, log-copy-entry, log-pair, log-diag
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
"use strict";

(() => {
  // ---------------------------------------------------------------------
  // Constants

  const SS_SESSION = "cpsim.session";
  const SS_SEQ = "cpsim.seq";
  const LS_BOTTOM = "cpsim.bottom-h";
  const LS_TOOLS = "cpsim.tools";
  const MAX_RELAY = 8 * 1024 * 1024; // bytes of one extension message the page relays (internal/host maxRelay; docs/relay.md)
  const MAX_WS = 900 * 1024; // bytes per websocket message of batched frames (a bigger frame goes alone)
  const RECENT_MS = 5000; // ms a removed frame is remembered, to name what it posts as it unloads
  const ROW_H = 24; // inspector row height, px (matches --row-h)
  const ACK_EVERY = 100; // ms
  const GRACE = 500; // ms an iframe lives on after its instance left the view
  const INIT_HINT_MS = 10000;
  const MAX_LOG = 200000; // inspector entries kept in the page
  const MAX_UNACKED = 100000; // numbered frames kept for the server while disconnected

  const CHANNELS = {
    phone: { label: "Phone", icon: "phone", create: "Incoming call", from: "+358401234567", fromLabel: "Caller number" },
    chat: { label: "Chat", icon: "chat", create: "Incoming chat", from: "Aino Virtanen", fromLabel: "Visitor name" },
    email: { label: "Email", icon: "email", create: "Incoming email", from: "aino.virtanen@example.com", fromLabel: "From address" },
    sms: { label: "SMS", icon: "sms", create: "Incoming SMS", from: "+358401234567", fromLabel: "Sender number" },
    whatsapp: { label: "WhatsApp", icon: "whatsapp", create: "Incoming WhatsApp", from: "+358401234567", fromLabel: "Sender number" },
  };
  const CONVERSATION = new Set(["chat", "sms", "whatsapp"]);
  const COMMANDS = ["outbound", "detail", "transfer", "consult", "join", "dtmf", "message", "visible", "enabled", "expanded", "interaction", "callState"];
  const OTHER_OUTCOMES = ["bad_address", "barred", "congestion", "queue_closed", "queue_full", "rejected", "system_error", "temporary_failure", "unreachable"];
  const CAD_PRESETS = [
    { label: "Aino Virtanen (gold)", cad: { customer_id: "C-1001", customer_name: "Aino Virtanen", tier: "gold", order_id: "SO-48213" } },
    { label: "Pekka Mäkinen (new)", cad: { customer_id: "C-2417", customer_name: "Pekka Mäkinen", tier: "standard", language: "fi" } },
    { label: "Liisa Korhonen (VIP case)", cad: { customer_id: "C-0007", customer_name: "Liisa Korhonen", tier: "platinum", vip: true, case_id: "CASE-9921", note: "Escalated: call back before 16:00" } },
    { label: "No caller data", cad: {} },
  ];
  const DEFAULT_CONTENT = {
    chat: "Hi! Where is my order SO-48213? It should have arrived yesterday.",
    sms: "Hello, my order SO-48213 has not arrived. Can you check?",
    whatsapp: "Hi! My order SO-48213 is late, any news?",
    email: "Hello,\n\nI ordered a coffee grinder (order SO-48213) two weeks ago and it has not arrived yet.\nCould you tell me where it is?\n\nBest regards,\nAino Virtanen",
  };

  // ---------------------------------------------------------------------
  // Small DOM helpers

  const SVGNS = "http://www.w3.org/2000/svg";
  const tid = (name, root = document) => root.querySelector(`[data-testid="${name}"]`);
  const role = (name, root) => root.querySelector(`[data-role="${name}"]`);

  /** h builds an element: h("div", {class, text, data: {...}, attrs: {...}, on: {...}, ...props}, ...children). */
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v === undefined || v === null || v === false) continue;
        switch (k) {
          case "class": el.className = v; break;
          case "text": el.textContent = v; break;
          case "testid": el.dataset.testid = v; break;
          case "data": for (const [dk, dv] of Object.entries(v)) if (dv !== undefined && dv !== null) el.dataset[dk] = dv; break;
          case "attrs": for (const [ak, av] of Object.entries(v)) if (av !== undefined && av !== null && av !== false) el.setAttribute(ak, av === true ? "" : av); break;
          case "on": for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn); break;
          default: el[k] = v;
        }
      }
    }
    append(el, children);
    return el;
  }
  function append(el, children) {
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) append(el, c);
      else el.append(c instanceof Node ? c : String(c));
    }
  }

  // Icons: simple line drawings on a 24x24 grid, stroked with currentColor.
  const ICONS = {
    logo: '<rect x="1.5" y="1.5" width="21" height="21" rx="6" fill="#2f6fe4" stroke="none"/><path d="M7 8.5h10M7 12h7M7 15.5h4" stroke="#fff" stroke-width="2.2"/><circle cx="17" cy="15.5" r="1.6" fill="#7ee2a0" stroke="none"/>',
    phone: '<path d="M5 3.5h3.5l2 5-2.5 1.6a11.5 11.5 0 0 0 5.9 5.9l1.6-2.5 5 2v3.5a2 2 0 0 1-2 2A17 17 0 0 1 3 5.5a2 2 0 0 1 2-2z"/>',
    "phone-in": '<path d="M5 3.5h3.5l2 5-2.5 1.6a11.5 11.5 0 0 0 5.9 5.9l1.6-2.5 5 2v3.5a2 2 0 0 1-2 2A17 17 0 0 1 3 5.5a2 2 0 0 1 2-2z"/><path d="M15 3.5V9h5.5M15 9l6-6"/>',
    "phone-out": '<path d="M5 3.5h3.5l2 5-2.5 1.6a11.5 11.5 0 0 0 5.9 5.9l1.6-2.5 5 2v3.5a2 2 0 0 1-2 2A17 17 0 0 1 3 5.5a2 2 0 0 1 2-2z"/><path d="M21 8.5V3h-5.5M21 3l-6 6"/>',
    hangup: '<path d="M2.5 14.5c5.2-5 13.8-5 19 0l-2.2 3-3.8-1.4v-2.6a11 11 0 0 0-7 0v2.6l-3.8 1.4z"/>',
    chat: '<path d="M20.5 11.5a8 8 0 0 1-11.7 7.1L4 19.8l1.2-4.4a8 8 0 1 1 15.3-3.9z"/>',
    email: '<rect x="3" y="5.5" width="18" height="13" rx="2"/><path d="M3.5 7l8.5 6 8.5-6"/>',
    sms: '<path d="M4 4.5h16a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H9l-5 4v-15a1 1 0 0 1 1-1z"/><path d="M8.5 10.5h.01M12 10.5h.01M15.5 10.5h.01" stroke-width="2.6"/>',
    whatsapp: '<path d="M12 3a9 9 0 0 0-7.7 13.6L3 21l4.5-1.2A9 9 0 1 0 12 3z"/><path d="M9.2 8.2c-.5 3.2 3.3 7 6.5 6.6l.9-1.7-2-1-1 .8a4 4 0 0 1-2.3-2.3l.8-1-1-2z"/>',
    hold: '<path d="M9 5.5v13M15 5.5v13"/>',
    play: '<path d="M8 5.5v13l10-6.5z"/>',
    stop: '<rect x="6.5" y="6.5" width="11" height="11" rx="1.5"/>',
    step: '<path d="M6 5.5v13l8.5-6.5zM17.5 5.5v13"/>',
    mic: '<rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21"/>',
    "mic-off": '<rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21M3.5 3.5l17 17"/>',
    record: '<circle cx="12" cy="12" r="6.5" fill="currentColor" stroke="none"/>',
    transfer: '<path d="M4 8h14l-4-4M20 16H6l4 4"/>',
    consult: '<circle cx="9" cy="8" r="3.5"/><path d="M2.5 20a6.5 6.5 0 0 1 13 0M18.5 7.5v6M15.5 10.5h6"/>',
    join: '<path d="M6 3.5v6a4.5 4.5 0 0 0 4.5 4.5H20M16.5 10.5 20 14l-3.5 3.5M6 20.5v-3"/>',
    check: '<path d="M4.5 12.5l5 5 10-11"/>',
    x: '<path d="M6 6l12 12M18 6L6 18"/>',
    close: '<path d="M7 7l10 10M17 7L7 17"/>',
    pick: '<path d="M12 3.5v11M7.5 10l4.5 4.5 4.5-4.5M4.5 20.5h15"/>',
    alert: '<path d="M12 3.5l9.5 17h-19z"/><path d="M12 10v4.5M12 17.5h.01"/>',
    download: '<path d="M12 4v11M7.5 10.5 12 15l4.5-4.5M5 20h14"/>',
    send: '<path d="M21 3 10 14M21 3l-6.5 18-4.5-7-7-4.5z"/>',
    headset: '<path d="M4 15v-3a8 8 0 0 1 16 0v3"/><path d="M4 14.5h3.5v6H5.5a1.5 1.5 0 0 1-1.5-1.5zM20 14.5h-3.5v6h2a1.5 1.5 0 0 0 1.5-1.5z"/>',
    presence: '<circle cx="12" cy="12" r="8.5"/><path d="M8.2 12.3l2.6 2.6 5-5.4"/>',
    customer: '<circle cx="12" cy="8" r="4"/><path d="M4 20.5a8 8 0 0 1 16 0"/>',
    syntax: '<path d="M8.5 7 3.5 12l5 5M15.5 7l5 5-5 5M13.5 5l-3 14"/>',
    hint: '<path d="M9 18h6M10 21h4M12 3a6 6 0 0 0-3.6 10.8c.7.5 1.1 1.3 1.1 2.2h5c0-.9.4-1.7 1.1-2.2A6 6 0 0 0 12 3z"/>',
    puzzle: '<path d="M4 7.5h4a2 2 0 1 1 4 0h4v4a2 2 0 1 1 0 4v4H4z"/>',
    pulse: '<path d="M3 12h4l2.5-6 5 12 2.5-6h4"/>',
    globe: '<circle cx="12" cy="12" r="8.5"/><path d="M3.5 12h17M12 3.5c2.5 2.4 3.5 5.3 3.5 8.5s-1 6.1-3.5 8.5c-2.5-2.4-3.5-5.3-3.5-8.5s1-6.1 3.5-8.5z"/>',
    chevron: '<path d="M6 15l6-6 6 6"/>',
    panel: '<rect x="3" y="4.5" width="18" height="15" rx="2"/><path d="M15 4.5v15"/>',
    inbox: '<path d="M3.5 13.5 6.5 5h11l3 8.5v5a1.5 1.5 0 0 1-1.5 1.5H5a1.5 1.5 0 0 1-1.5-1.5z"/><path d="M3.5 13.5h5l1 2.5h5l1-2.5h5"/>',
    tag: '<path d="M3.5 12.5v-9h9l8 8-9 9z"/><circle cx="8" cy="8" r="1.3"/>',
    edit: '<path d="M4 20h4L19 9l-4-4L4 16z"/>',
    copy: '<rect x="9" y="9" width="11" height="11" rx="1.5"/><path d="M5.5 15H4.5a1 1 0 0 1-1-1V4.5a1 1 0 0 1 1-1H14a1 1 0 0 1 1 1v1"/>',
    keypad: '<path d="M7 5h.01M12 5h.01M17 5h.01M7 10h.01M12 10h.01M17 10h.01M7 15h.01M12 15h.01M17 15h.01M12 20h.01" stroke-width="3"/>',
    extension: '<rect x="3.5" y="3.5" width="7" height="7" rx="1.5"/><rect x="13.5" y="3.5" width="7" height="7" rx="1.5"/><rect x="3.5" y="13.5" width="7" height="7" rx="1.5"/><path d="M17 13.5v7M13.5 17h7"/>',
    eye: '<path d="M2.5 12S6 5.5 12 5.5 21.5 12 21.5 12 18 18.5 12 18.5 2.5 12 2.5 12z"/><circle cx="12" cy="12" r="3"/>',
    "eye-off": '<path d="M3.5 3.5l17 17M10 6a9 9 0 0 1 2-.5c6 0 9.5 6.5 9.5 6.5a17 17 0 0 1-2.7 3.4M6.3 7.4A16 16 0 0 0 2.5 12S6 18.5 12 18.5a9 9 0 0 0 4.3-1.1M9.9 9.9a3 3 0 0 0 4.2 4.2"/>',
  };
  const EXT_ICONS = {
    customer: "customer", "customer-view": "customer", person: "customer", "person-placeholder": "customer", employee: "customer",
    syntax: "syntax", "source-code": "syntax", "developer-settings": "syntax", hint: "hint", "lightbulb": "hint", message: "hint", "message-information": "hint",
    puzzle: "puzzle", activity: "pulse", "activity-items": "pulse", "activity-2": "pulse", "line-charts": "pulse",
    call: "phone", phone: "phone", email: "email", "discussion": "chat", "discussion-2": "chat", "comment": "chat", "globe": "globe", "world": "globe",
  };

  function icon(name, cls) {
    const svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("fill", "none");
    svg.setAttribute("stroke", "currentColor");
    svg.setAttribute("stroke-width", "1.8");
    svg.setAttribute("stroke-linecap", "round");
    svg.setAttribute("stroke-linejoin", "round");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "icon" + (cls ? " " + cls : ""));
    svg.innerHTML = ICONS[name] || ICONS.puzzle; // constant markup from ICONS only
    return svg;
  }
  function extIcon(spec) {
    if (typeof spec === "string" && /^data:image\/(png|gif|jpeg|webp|svg\+xml)[;,]/i.test(spec)) {
      return h("img", { src: spec, alt: "", attrs: { "aria-hidden": "true" } });
    }
    const name = typeof spec === "string" ? spec.replace(/^sap-icon:\/\//, "").toLowerCase() : "";
    return icon(EXT_ICONS[name] || (ICONS[name] ? name : "puzzle"));
  }
  function fillIcons(root = document) {
    for (const el of root.querySelectorAll("[data-icon]")) {
      if (!el.firstElementChild) el.append(icon(el.dataset.icon));
    }
  }

  const fmtClock = (d) => {
    const p = (n, w = 2) => String(n).padStart(w, "0");
    return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
  };
  const fmtDuration = (ms) => {
    const s = Math.max(0, Math.floor(ms / 1000));
    const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
    const p = (n) => String(n).padStart(2, "0");
    return hh ? `${hh}:${p(mm)}:${p(ss)}` : `${p(mm)}:${p(ss)}`;
  };
  const truncate = (s, n) => (s.length > n ? s.slice(0, n - 1) + "…" : s);
  const nf = new Intl.NumberFormat("en-US");
  const sig = (x) => JSON.stringify(x);
  /** shortId keeps long opaque ids readable; the full id is in titles and data-id. */
  const shortId = (id) => (typeof id === "string" && id.length > 12 ? id.slice(0, 8) + "…" : id || "");

  const NON_ASCII = /[^\x00-\x7f]/;
  function utf8Len(s) {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) { n += 4; i++; }
      else n += 3;
    }
    return n;
  }

  function storageGet(key) { try { return sessionStorage.getItem(key); } catch { return null; } }
  function storageSet(key, v) { try { sessionStorage.setItem(key, String(v)); } catch { /* private mode */ } }
  function localGet(key) { try { return localStorage.getItem(key); } catch { return null; } }
  function localSet(key, v) { try { localStorage.setItem(key, String(v)); } catch { /* ignore */ } }

  // ---------------------------------------------------------------------
  // Relay state

  const S = {
    ws: null,
    connected: false, // welcome received on the current socket
    welcomed: false, // any welcome since the page loaded (the next hello is not fresh)
    helloFresh: false,
    session: storageGet(SS_SESSION) || "",
    highSeen: Number(storageGet(SS_SEQ)) || 0, // every delivery up to here was posted or is queued
    lastAcked: 0,
    lastAckAt: 0,
    ackTimer: 0,
    view: null,
    problems: [],
    backoff: 250,
    reconnectTimer: 0,
    closeText: "",
    stopped: false,
    unloading: false,
    eventN: 0,
    pendingEvents: new Map(), // n -> {ev, resolve, opts, q}
    q: 0, // the last number given to an m or e frame (relay.md: q)
  };

  /** Extension iframes, by instance id. */
  const frames = new Map(); // id -> rec
  const winToRec = new Map(); // contentWindow -> rec
  const queued = new Map(); // instance id -> [d frames] waiting for its iframe to exist and load
  const waiting = new Set(); // seqs of the deliveries in queued
  const warnedSources = new WeakSet();
  let warnedNullSource = false;
  /** @type {{rec: any, at: number}[]} frames removed lately, newest last */
  let removedLately = [];

  /** ackable is the last seq such that every delivery up to it was posted. */
  function ackable() {
    if (waiting.size === 0) return S.highSeen;
    let min = Infinity;
    for (const s of waiting) if (s < min) min = s;
    return min - 1;
  }

  // Outgoing frames: collected during a task, sent as one message on a
  // zero-delay task (a MessageChannel message: setTimeout(0) is clamped),
  // unless a frame comes alone (see queueFrame).
  // m and e frames are numbered (q) and kept in unacked until the server's
  // k frame says it processed them; after a reconnect the ones after the
  // welcome's in are sent again, so nothing is lost in either direction.
  const outQ = []; // frame texts for the next websocket message
  let unacked = []; // {q, s}: numbered frames the server has not acknowledged
  let flushScheduled = false;
  const flusher = new MessageChannel();
  flusher.port1.onmessage = flushOut;

  // A frame that comes alone (nothing sent for a while) goes at once: a
  // lone request should not wait for a task. Frames that come in a burst
  // (an extension posting many messages, each its own task) are batched.
  let lastSendAt = -Infinity;
  const ALONE_MS = 0.3;
  function queueFrame(str) {
    outQ.push(str);
    if (flushScheduled) return;
    if (outQ.length === 1 && performance.now() - lastSendAt > ALONE_MS) {
      flushOut();
      return;
    }
    flushScheduled = true;
    flusher.port2.postMessage(0);
  }

  /** queueNumbered numbers an m or e frame; body is the frame's JSON after
   * its "q" (starting with a comma). It returns the number. */
  function queueNumbered(t, body) {
    const q = ++S.q;
    const str = '{"t":"' + t + '","q":' + q + body;
    unacked.push({ q, s: str });
    if (unacked.length > MAX_UNACKED) {
      // A page cut off this long drops the oldest rather than grow for ever.
      const cut = unacked.length - MAX_UNACKED;
      unacked.splice(0, cut);
      console.warn(`cpsim: dropped ${cut} extension message(s) kept while disconnected`);
    }
    if (S.connected) queueFrame(str);
    return q;
  }

  function onAck(q) {
    let i = 0;
    while (i < unacked.length && unacked[i].q <= q) i++;
    if (i) unacked = unacked.slice(i);
  }

  function flushOut() {
    flushScheduled = false;
    const ws = S.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || !S.connected) {
      // Numbered frames wait in unacked for the next welcome; acks and log
      // requests are made again then.
      outQ.length = 0;
      return;
    }
    let parts = [], bytes = 2;
    for (const s of outQ) {
      const b = NON_ASCII.test(s) ? utf8Len(s) : s.length;
      if (parts.length && bytes + b + 1 > MAX_WS) {
        ws.send("[" + parts.join(",") + "]");
        parts = [];
        bytes = 2;
      }
      parts.push(s);
      bytes += b + 1;
    }
    outQ.length = 0;
    if (parts.length) ws.send("[" + parts.join(",") + "]");
    lastSendAt = performance.now();
  }

  function scheduleAck() {
    if (S.ackTimer) return;
    const wait = Math.max(0, S.lastAckAt + ACK_EVERY - performance.now());
    S.ackTimer = setTimeout(sendAck, wait);
  }
  function sendAck() {
    S.ackTimer = 0;
    const seq = ackable();
    storageSet(SS_SEQ, seq);
    if (seq > S.lastAcked && S.connected) {
      S.lastAcked = seq;
      S.lastAckAt = performance.now();
      queueFrame('{"t":"a","seq":' + seq + "}");
    }
  }

  // ---------------------------------------------------------------------
  // Messages from extensions

  // Every message an extension posts is either relayed as an m frame, or
  // reported to the server as one with bad (the page could not relay it:
  // the server answers it with an error response) or drop (the panel would
  // not take it: the server shows why). Only messages that no extension
  // frame of this page can have sent are left to the console.
  window.addEventListener("message", (ev) => {
    let rec = ev.source ? winToRec.get(ev.source) : undefined;
    if (!rec && ev.source === null) {
      // A frame posts with no source window once it is unloading: removed
      // by the panel (an exit as the extension goes), or navigating away.
      // Name it by its origin among the frames removed lately and the live
      // ones, so that what it sent is shown rather than lost.
      rec = unloadingFrame(ev.origin);
      if (rec) {
        const why = rec.removed ? "" : `${rec.id} posted it as its page unloaded: the message has no source window, so the panel cannot tell which frame sent it`;
        relay(rec, ev.data, why);
        return;
      }
    }
    if (!rec) {
      if (ev.source === null) {
        if (!warnedNullSource) { warnedNullSource = true; console.warn("cpsim: ignored a message with no source window, from", ev.origin); }
      } else if (typeof ev.source === "object" && !warnedSources.has(ev.source)) {
        warnedSources.add(ev.source);
        console.warn(`cpsim: ignored a message from ${ev.origin}: it is not from an extension iframe of this panel`);
      }
      return;
    }
    rec.lastOrigin = ev.origin;
    if (ev.origin !== rec.origin) {
      relay(rec, ev.data, `the frame is now at ${ev.origin}, not the extension's origin ${rec.origin}`);
      return;
    }
    relay(rec, ev.data, "");
  });

  /** unloadingFrame finds the frame a message with no source window came
   * from: the newest removed lately at that origin, else the only live one. */
  function unloadingFrame(origin) {
    const now = performance.now();
    removedLately = removedLately.filter((x) => now - x.at < RECENT_MS);
    const at = (rec) => (rec.lastOrigin || rec.origin) === origin; // where it was last heard from
    for (let i = removedLately.length - 1; i >= 0; i--) {
      if (at(removedLately[i].rec)) return removedLately[i].rec;
    }
    let found = null;
    for (const rec of frames.values()) {
      if (!at(rec)) continue;
      if (found) return null; // two live frames at that origin: cannot tell
      found = rec;
    }
    return found;
  }

  /** relay sends what an extension posted as an m frame: the message, or
   * with drop set, the reason the panel does not take it. */
  function relay(rec, data, drop) {
    const head = ',"i":' + rec.idJSON;
    const dropped = drop ? ',"drop":' + JSON.stringify(drop) : "";
    let json;
    try {
      json = JSON.stringify(data);
    } catch (e) {
      const msg = String(e && e.message || e);
      const why = /circular|cyclic/i.test(msg) ? "cyclic object" : /bigint/i.test(msg) ? "BigInt value" : msg;
      queueNumbered("m", head + (dropped || ',"bad":' + JSON.stringify("not serializable: " + why) + idOf(data)) + "}");
      return;
    }
    if (json === undefined) {
      const what = data === undefined ? "undefined" : typeof data === "function" ? "a function" : typeof data;
      queueNumbered("m", head + (dropped || ',"bad":' + JSON.stringify("not serializable: " + what)) + "}");
      return;
    }
    if (json.length > MAX_RELAY / 3) {
      const n = utf8Len(json);
      if (n > MAX_RELAY) {
        const why = `the message is ${mib(n)} of JSON, more than the ${mib(MAX_RELAY)} cpsim relays (docs/relay.md)`;
        queueNumbered("m", head + (dropped || ',"bad":' + JSON.stringify(why) + idOf(data)) + "}");
        return;
      }
    }
    queueNumbered("m", head + ',"m":' + json + dropped + "}");
  }

  /** idOf is the ,"id": field of a bad m frame: the message's own id when
   * it is a string or a number, so that the panel can answer it. */
  function idOf(data) {
    const id = data && typeof data === "object" ? data.id : undefined;
    return typeof id === "string" || (typeof id === "number" && Number.isFinite(id)) ? ',"id":' + JSON.stringify(id) : "";
  }

  function mib(n) {
    return `${(n / 1048576).toFixed(n % 1048576 ? 1 : 0)} MiB`;
  }

  // ---------------------------------------------------------------------
  // Deliveries to extensions

  function deliver(f) {
    if (!(f.seq > S.highSeen)) return; // posted (or queued) already
    S.highSeen = f.seq;
    const rec = frames.get(f.i);
    if (rec && rec.loaded && !queued.has(f.i)) {
      post(rec, f);
    } else {
      let q = queued.get(f.i);
      if (!q) { q = []; q.since = performance.now(); queued.set(f.i, q); }
      q.push(f);
      waiting.add(f.seq);
    }
    scheduleAck();
  }

  function post(rec, f) {
    try {
      rec.win.postMessage(f.m, rec.origin);
    } catch (e) {
      console.error(`cpsim: could not post delivery ${f.seq} to ${rec.id} (${rec.origin}):`, e);
    }
  }

  function flushQueued(rec) {
    const q = queued.get(rec.id);
    if (!q) return;
    queued.delete(rec.id);
    for (const f of q) {
      post(rec, f);
      waiting.delete(f.seq);
    }
    scheduleAck();
  }

  function dropQueued(id, why) {
    const q = queued.get(id);
    if (!q) return;
    queued.delete(id);
    for (const f of q) waiting.delete(f.seq);
    console.info(`cpsim: dropped ${q.length} deliver${q.length === 1 ? "y" : "ies"} for ${id}: ${why}`);
    scheduleAck();
  }

  // ---------------------------------------------------------------------
  // Iframes: one per instance, all in one container, never moved.

  const framesEl = tid("ext-frames");

  function createFrame(inst) {
    let origin = "null";
    try { origin = new URL(inst.url, location.href).origin; } catch { /* stays "null": nothing is posted */ }
    const iframe = document.createElement("iframe");
    const rec = {
      id: inst.id, idJSON: JSON.stringify(inst.id), url: inst.url, origin, iframe, win: null,
      loaded: false, loadedAt: 0, loads: 0, removing: false, removed: false, lastOrigin: "", inserting: true,
    };
    iframe.dataset.testid = "ext-frame";
    iframe.dataset.instance = inst.id;
    iframe.title = `${inst.text || inst.key} (${inst.id})`;
    iframe.addEventListener("load", () => {
      if (rec.inserting) return; // the initial about:blank, if a browser reports it
      rec.loaded = true;
      rec.loads++;
      iframe.dataset.loads = String(rec.loads);
      rec.loadedAt = performance.now();
      flushQueued(rec);
      markViewDirty();
    });
    iframe.src = inst.url;
    framesEl.append(iframe);
    rec.inserting = false;
    rec.win = iframe.contentWindow;
    frames.set(inst.id, rec);
    if (rec.win) winToRec.set(rec.win, rec);
    return rec;
  }

  function retireFrame(rec) {
    if (rec.removing) return;
    rec.removing = true;
    rec.iframe.classList.remove("shown");
    rec.iframe.dataset.shown = "false";
    const started = performance.now();
    const step = () => {
      if (queued.has(rec.id)) {
        if (!rec.loaded && performance.now() - started < 3000) { setTimeout(step, 100); return; }
        if (rec.loaded) flushQueued(rec);
        else dropQueued(rec.id, "its iframe never loaded");
      }
      setTimeout(() => removeFrame(rec), GRACE);
    };
    step();
  }

  function removeFrame(rec) {
    if (frames.get(rec.id) !== rec) return;
    if (queued.has(rec.id) && rec.loaded) flushQueued(rec);
    rec.removed = true;
    removedLately.push({ rec, at: performance.now() });
    rec.iframe.remove();
    frames.delete(rec.id);
    if (rec.win) winToRec.delete(rec.win);
    hintDismissed.delete(rec.id);
    markViewDirty();
  }

  function removeAllFrames() {
    for (const rec of frames.values()) {
      rec.iframe.remove();
      if (rec.win) winToRec.delete(rec.win);
    }
    frames.clear();
    queued.clear();
    waiting.clear();
  }

  function syncFrames(v) {
    const ids = new Set();
    for (const inst of v.instances || []) {
      ids.add(inst.id);
      if (!frames.has(inst.id)) createFrame(inst);
    }
    for (const rec of frames.values()) if (!ids.has(rec.id)) retireFrame(rec);
    // Deliveries for an instance that is gone and never had an iframe
    // (started and stopped between two views) have nobody to go to.
    for (const id of [...queued.keys()]) if (!frames.has(id) && !ids.has(id)) dropQueued(id, "the instance is gone");
  }

  // ---------------------------------------------------------------------
  // The websocket

  function wsURL() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
  }

  function connect() {
    clearTimeout(S.reconnectTimer);
    S.reconnectTimer = 0;
    S.stopped = false;
    setConn(S.welcomed ? "reconnecting" : "connecting", S.welcomed ? "Reconnecting…" : "Connecting…");
    let ws;
    try {
      ws = new WebSocket(wsURL());
    } catch (e) {
      S.closeText = String(e.message || e);
      scheduleReconnect();
      return;
    }
    S.ws = ws;
    S.helloSent = false;
    ws.onopen = () => {
      if (S.ws !== ws) return;
      S.helloFresh = !S.welcomed;
      const hello = { t: "hello", session: S.session, seq: ackable(), fresh: S.helloFresh };
      ws.send(JSON.stringify([hello]));
      S.helloSent = true;
      S.lastAcked = hello.seq;
    };
    ws.onmessage = onWsMessage;
    ws.onerror = () => { /* onclose follows with the details */ };
    ws.onclose = (ev) => {
      if (S.ws !== ws) return;
      S.ws = null;
      S.connected = false;
      S.helloSent = false;
      outQ.length = 0; // numbered frames stay in unacked; the rest is made again
      if (S.unloading) return;
      renderScenarioRun(); // the player's buttons need the connection
      const reason = ev.reason ? `${ev.code}: ${ev.reason}` : ev.code === 1006 ? "1006: the connection dropped" : `${ev.code}`;
      S.closeText = reason;
      console.warn("cpsim: relay closed", reason);
      if (/another page took over this session/i.test(ev.reason || "")) {
        S.stopped = true;
        setConn("stopped", "Stopped: another page took over this session");
        const b = tid("session-banner");
        role("text", b).textContent = "Another page (a tab with this session) took over this panel session, so this page stopped. Reconnect here to take it back.";
        b.hidden = false;
        return;
      }
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    const wait = S.backoff;
    S.backoff = Math.min(S.backoff * 2, 5000);
    setConn("reconnecting", `Reconnecting in ${(wait / 1000).toFixed(wait < 1000 ? 2 : 0)} s${S.closeText ? ` (closed ${S.closeText})` : ""}`);
    S.reconnectTimer = setTimeout(connect, wait);
  }

  function setConn(state, text) {
    const el = tid("connection");
    el.dataset.state = state;
    role_conn_text(el).textContent = text;
    el.title = state === "connected"
      ? `Connected to cpsim (session ${S.session})`
      : `Not connected to cpsim${S.closeText ? `; last close: ${S.closeText}` : ""}`;
  }
  function role_conn_text(el) { return el.querySelector(".conn-text"); }

  function onWsMessage(ev) {
    let frs;
    try {
      frs = JSON.parse(ev.data);
    } catch (e) {
      console.error("cpsim: the server sent a message that is not JSON", e);
      return;
    }
    if (!Array.isArray(frs)) frs = [frs];
    let ds = null; // this message's d frames, for l rows that name one by seq
    for (const f of frs) {
      switch (f && f.t) {
        case "d":
          deliver(f);
          (ds || (ds = [])).push(f);
          break;
        case "l":
          if (f.m === undefined && f.seq !== undefined && ds) {
            for (let i = ds.length - 1; i >= 0; i--) if (ds[i].seq === f.seq) { f.m = ds[i].m; break; }
          }
          logReceive(f);
          break;
        case "k": onAck(f.q); break;
        case "v": onView(f.v); break;
        case "r": onResult(f); break;
        case "p": onProblems(f.p); break;
        case "welcome": onWelcome(f); break;
        case "sl": onScenarioList(f.s, f.skipped); break;
        case "s": onScenarioFrame(f); break;
        default: console.warn("cpsim: unknown frame from the server", f);
      }
    }
  }

  function onWelcome(f) {
    const fresh = S.helloFresh;
    const newSession = !f.resumed;
    const processed = Number(f.in) || 0;
    if (!fresh && newSession) {
      // The server no longer knows our session (it restarted): the
      // extensions in our iframes belong to a session that is gone.
      removeAllFrames();
      clearLog(true);
      toast("cpsim did not know this page's session any more (was it restarted?): a new session started and the extensions load again.", "info", "New session");
    }
    if (fresh || newSession) {
      S.highSeen = f.seq;
      waiting.clear();
      queued.clear();
      S.lastAcked = f.seq;
      storageSet(SS_SEQ, f.seq);
      // Numbering continues from what the session has processed; whatever
      // this page numbered before belongs to iframes and clicks of another
      // session (or of the page before the reload).
      unacked = [];
      S.q = processed;
      failPendingEvents(newSession && !fresh ? "cpsim lost the session before it answered" : "");
    } else {
      // Resumed after a dropped connection: send again what the server has
      // not processed. A click it processed before the drop has lost its
      // answer (r frames are not sent again); the view shows its effect.
      onAck(processed);
      for (const [n, p] of S.pendingEvents) {
        if (p.q && p.q <= processed) { S.pendingEvents.delete(n); p.resolve({ lost: true }); }
      }
    }
    S.session = f.session;
    storageSet(SS_SESSION, f.session);
    scenarioWelcome(newSession);
    S.connected = true;
    S.welcomed = true;
    S.backoff = 250;
    S.closeText = "";
    tid("session-banner").hidden = true;
    setConn("connected", "Connected");
    // The history first: the frames sent again add rows, and the server
    // keeps only the latest ones.
    queueFrame('{"t":"log","from":' + (fresh || newSession ? 1 : L.maxN + 1) + "}");
    for (const u of unacked) queueFrame(u.s);
    markViewDirty();
  }

  // ---------------------------------------------------------------------
  // Events (the agent's clicks) and their results

  const EVENT_NAMES = {
    login: "Log in", logout: "Log out", work_status: "Work status", profile: "Presence profile", phone_status: "Softphone",
    serve: "Serve queue", incoming: "New interaction", accept: "Accept", reject: "Reject", pick: "Pick", hangup: "Hang up",
    handle: "Handle", join: "Join", hold: "Hold", unhold: "Unhold", mute: "Mute", unmute: "Unmute", record: "Recording",
    transfer: "Transfer", consult: "Consult", cad: "Caller data", say: "Message", typing: "Typing", outcome: "Call outcome",
    outbound: "Outbound", confirm: "Confirm outbound", cancel: "Cancel outbound", select_interaction: "Select interaction",
    select_extension: "Open extension", send: "Send", state: "State", status: "Status", fail_next_init: "Fail next init",
    fail: "Fail command", delay: "Delay command", clear_faults: "Clear faults",
    scenario_play: "Play scenario", scenario_pause: "Pause scenario", scenario_resume: "Resume scenario",
    scenario_step: "Step scenario", scenario_stop: "Stop scenario",
  };

  /** sendEvent sends an e frame; it resolves with the r frame ({error} when refused). */
  function sendEvent(ev, opts = {}) {
    if (!S.connected) {
      const error = "not connected to cpsim: wait for the connection to come back";
      if (!opts.quiet) toast(error, "error", EVENT_NAMES[ev.type] || ev.type);
      return Promise.resolve({ error });
    }
    const n = ++S.eventN;
    const taken = recordEvent(ev); // the recorder keeps it if it succeeds
    const done = new Promise((resolve) => {
      const p = { ev, resolve, opts, q: 0 };
      S.pendingEvents.set(n, p);
      p.q = queueNumbered("e", ',"n":' + n + ',"e":' + JSON.stringify(ev) + "}");
    });
    if (taken) done.then((r) => recordResult(taken, r));
    return done;
  }

  function onResult(f) {
    const p = S.pendingEvents.get(f.n);
    if (!p) return;
    S.pendingEvents.delete(f.n);
    if (f.error) {
      if (!p.opts.quiet) {
        const what = (EVENT_NAMES[p.ev.type] || p.ev.type) + (p.ev.id ? ` ${shortId(p.ev.id)}` : p.ev.instance ? ` ${p.ev.instance}` : "");
        toast(f.error, "error", `${what} refused`);
      }
      markViewDirty(true); // put selects back to what the view says
    }
    p.resolve(f);
  }

  function failPendingEvents(error) {
    for (const p of S.pendingEvents.values()) {
      if (error && !p.opts.quiet) toast(error, "error", EVENT_NAMES[p.ev.type] || p.ev.type);
      p.resolve({ error: error || "the page reloaded" });
    }
    S.pendingEvents.clear();
  }

  // ---------------------------------------------------------------------
  // Toasts

  const toastsEl = tid("toasts");
  function toast(text, kind = "info", title = "") {
    const el = h("div", { class: "toast", testid: "toast", data: { kind }, attrs: { role: kind === "error" ? "alert" : "status" } },
      icon(kind === "error" ? "alert" : kind === "ok" ? "check" : "hint"),
      h("p", null, title ? h("b", { text: title }) : null, text),
      h("button", { type: "button", class: "icon-btn", testid: "toast-close", attrs: { "aria-label": "Dismiss" }, on: { click: () => el.remove() } }, icon("close")));
    toastsEl.append(el);
    while (toastsEl.children.length > 4) toastsEl.firstElementChild.remove();
    setTimeout(() => el.remove(), kind === "error" ? 9000 : kind === "ok" ? 2500 : 5000);
  }

  // ---------------------------------------------------------------------
  // Rendering scheduler: one pass per animation frame (a timer when the
  // page is hidden, where animation frames do not run).

  let renderScheduled = false;
  const dirty = { view: false, force: false, log: false, logData: false };
  const LOG_EVERY = 250; // ms between inspector updates while messages stream in
  let lastLogRender = 0;
  let logTimer = 0;
  function scheduleRender() {
    if (renderScheduled) return;
    renderScheduled = true;
    if (document.hidden) setTimeout(renderPass, 100);
    else requestAnimationFrame(renderPass);
  }
  function markViewDirty(force) {
    dirty.view = true;
    if (force) dirty.force = true;
    scheduleRender();
  }
  /** markLogDirty renders the inspector on the next frame; new data alone
   * (data = true) renders it at most every LOG_EVERY ms, so that a stream
   * of messages does not spend the relay's time on layout and paint. */
  function markLogDirty(data) {
    if (!data) {
      dirty.log = true;
      scheduleRender();
      return;
    }
    dirty.logData = true;
    if (logTimer) return;
    const wait = lastLogRender + LOG_EVERY - performance.now();
    if (wait <= 0) scheduleRender();
    else logTimer = setTimeout(() => { logTimer = 0; scheduleRender(); }, wait);
  }
  function renderPass() {
    renderScheduled = false;
    if (dirty.view) {
      const force = dirty.force;
      dirty.view = dirty.force = false;
      try { renderView(force); } catch (e) { console.error("cpsim: render", e); }
    }
    const now = performance.now();
    if (dirty.log || (dirty.logData && !logTimer && now - lastLogRender >= LOG_EVERY - 1)) {
      dirty.log = dirty.logData = false;
      lastLogRender = now;
      try { renderLog(); } catch (e) { console.error("cpsim: inspector", e); }
    }
  }
  document.addEventListener("visibilitychange", () => { if (!document.hidden) { renderScheduled = false; scheduleRender(); } });

  function onView(v) {
    S.view = v;
    syncFrames(v);
    markViewDirty();
  }

  function onProblems(list) {
    S.problems = Array.isArray(list) ? list : [];
    markViewDirty();
  }

  // ---------------------------------------------------------------------
  // The view

  const $ = {
    agent: tid("agent"), agentName: tid("agent-name"), agentSub: tid("agent-sub"), avatar: tid("agent-avatar"),
    login: tid("login"), logout: tid("logout"),
    work: tid("work-status"), profile: tid("profile"), phone: tid("phone-status"),
    problems: tid("problems"), hints: tid("hints"), pending: tid("pending-list"),
    newForm: tid("new-form"), newChannel: tid("new-channel"), newQueue: tid("new-queue"), newFrom: tid("new-from"),
    newSubject: tid("new-subject"), newContent: tid("new-content"), newCad: tid("new-cad"), newCadPreset: tid("new-cad-preset"),
    newCadError: tid("new-cad-error"), newCreate: tid("new-create"),
    outForm: tid("outbound-form"), outChannel: tid("outbound-channel"), outTo: tid("outbound-to"), outFrom: tid("outbound-from"),
    outSubject: tid("outbound-subject"), outContent: tid("outbound-content"), outSend: tid("outbound-send"),
    queues: tid("queues"),
    offered: tid("offered-list"), offeredCount: tid("offered-count"), active: tid("active-list"), activeCount: tid("active-count"),
    detail: tid("detail"),
    extTitle: tid("ext-title"), extPlaceholder: tid("ext-placeholder"), extPeek: tid("ext-peek"), extPeekLabel: tid("ext-peek-label"),
    extSidebar: tid("ext-sidebar"),
    evInstance: tid("ev-instance"), faultsActive: tid("faults-active"),
  };
  $.offered.dataset.empty = "Nothing offered. Simulate a customer below.";
  $.active.dataset.empty = "No interaction in hand.";

  const viewSigs = {};
  function changed(key, value) {
    const s = typeof value === "string" ? value : sig(value);
    if (viewSigs[key] === s) return false;
    viewSigs[key] = s;
    return true;
  }

  function renderView(force) {
    if (force) for (const k of Object.keys(viewSigs)) delete viewSigs[k];
    const v = S.view;
    renderProblems();
    if (!v) return;
    renderTopbar(v);
    renderQueues(v);
    renderCards(v);
    renderDetail(v);
    renderExtensions(v);
    renderPending(v);
    renderFaults(v);
    renderEventTargets(v);
    renderScenarioRun();
    renderHints();
    updateInstanceFilter();
  }

  // --- top bar

  function renderTopbar(v) {
    const u = v.user || {};
    if (!changed("topbar", [u.name, u.username, u.extension, u.login_status, u.work_status, u.presence_profiles, v.profile, v.phone_status])) return;
    const first = (u.name && u.name.first_name) || "", last = (u.name && u.name.last_name) || "";
    const name = `${first} ${last}`.trim() || u.username || "Agent";
    $.agentName.textContent = name;
    $.avatar.textContent = ((first[0] || "") + (last[0] || "")).toUpperCase() || "?";
    const loggedIn = u.login_status === "logged_in";
    $.agentSub.textContent = [u.username, u.extension ? `ext ${u.extension}` : "", loggedIn ? "" : "logged out"].filter(Boolean).join(" · ");
    $.agent.dataset.login = u.login_status || "";
    $.agent.dataset.work = loggedIn ? u.work_status || "" : "";
    $.login.hidden = loggedIn;
    $.logout.hidden = !loggedIn;

    $.work.value = u.work_status || "not_ready";
    $.work.closest(".pill-select").dataset.value = loggedIn ? u.work_status : "";
    $.work.closest(".pill-select").dataset.disabled = String(!loggedIn);

    const profiles = u.presence_profiles || [];
    $.profile.replaceChildren(...profiles.map((p) => h("option", { value: p.name, text: p.name + (p.type && p.type !== "presence" ? ` (${p.type})` : "") })));
    $.profile.value = v.profile || "";
    const cur = profiles.find((p) => p.name === v.profile);
    $.profile.closest(".pill-select").dataset.kind = cur ? cur.type : "";
    $.profile.closest(".pill-select").title = cur ? `${cur.name}: ${cur.availability}${cur.settings && cur.settings.reason ? ` (${cur.settings.reason})` : ""}` : "";

    $.phone.value = v.phone_status || "disconnected";
    $.phone.closest(".pill-select").dataset.value = v.phone_status;
  }

  $.login.addEventListener("click", () => sendEvent({ type: "login" }));
  $.logout.addEventListener("click", () => sendEvent({ type: "logout" }));
  $.work.addEventListener("change", () => sendEvent({ type: "work_status", status: $.work.value }));
  $.profile.addEventListener("change", () => sendEvent({ type: "profile", profile: $.profile.value }));
  $.phone.addEventListener("change", () => sendEvent({ type: "phone_status", status: $.phone.value }));

  // --- problems banner

  let problemsDismissed = "";
  tid("problems-dismiss").addEventListener("click", () => {
    problemsDismissed = $.problems.dataset.sig || "";
    $.problems.hidden = true;
  });

  // The server computes every problem, the same-site ones from the origin
  // this page was opened at (docs/relay.md, p frames).
  function renderProblems() {
    const all = S.problems || [];
    const s = sig(all);
    if (!changed("problems", s)) return;
    const b = $.problems;
    b.dataset.sig = s;
    if (!all.length) { b.hidden = true; return; }
    b.dataset.level = all.some((p) => p.level === "error") ? "error" : "warning";
    role("list", b).replaceChildren(...all.map((p) => h("li", { testid: "problem", data: { level: p.level, url: p.url } },
      h("span", { class: "lvl", text: p.level === "error" ? "error" : "warning" }), h("span", { text: p.text }))));
    b.hidden = problemsDismissed === s;
  }

  // --- init hints

  const hintDismissed = new Set();
  function renderHints() {
    const v = S.view;
    const want = [];
    if (v) {
      const now = performance.now();
      for (const inst of v.instances || []) {
        const rec = frames.get(inst.id);
        if (inst.phase === "loaded" && rec && rec.loaded && !rec.removing && now - rec.loadedAt >= INIT_HINT_MS && !hintDismissed.has(inst.id)) want.push(inst.id);
      }
    }
    if (!changed("hints", want)) return;
    $.hints.replaceChildren(...want.map((id) => h("div", { class: "hint", testid: "init-hint", data: { instance: id }, attrs: { role: "status" } },
      icon("hint"),
      h("p", { text: `${id} has not sent init: check its URL and that it posts {type: 'init'} to the panel` }),
      h("button", { type: "button", class: "icon-btn", testid: "init-hint-dismiss", attrs: { "aria-label": `Dismiss the hint about ${id}` },
        on: { click: () => { hintDismissed.add(id); renderHints(); } } }, icon("close")))));
  }

  // --- queues

  function renderQueues(v) {
    if (!changed("queues", v.queues)) return;
    const list = role("list", $.queues);
    list.replaceChildren(...(v.queues || []).map((q) => {
      const cb = h("input", { type: "checkbox", checked: !!q.serve, disabled: !!q.forced_to_serve, testid: "serve", data: { queue: q.name },
        attrs: { "aria-label": `Serve ${q.name}` },
        on: { change: () => sendEvent({ type: "serve", queue: q.name, serve: cb.checked }) } });
      return h("li", { data: { channel: q.type } },
        h("label", { class: "check" }, cb, h("span", { class: "ch-dot" }), q.name),
        h("span", { class: "q-type", text: (CHANNELS[q.type] ? CHANNELS[q.type].label : q.type) + (q.forced_to_serve ? " · forced" : "") }));
    }));
    fillQueueSelect();
  }

  // --- interaction cards

  const cardEls = new Map(); // id -> element
  const TONES = { queued: "", incoming: "ring", accepted: "live", outgoing: "call", ended: "ended", handled: "ended", rejected: "bad" };

  function statusText(it) {
    const cs = it.channel_status;
    switch (it.status) {
      case "queued": return "Queued";
      case "incoming": return it.channel === "phone" ? "Ringing" : "Offered";
      case "accepted":
      case "outgoing":
        if (cs === "calling") return "Calling…";
        if (cs === "onhold") return "On hold";
        if (cs === "muted") return "Muted";
        if (cs === "transferring") return "Transferring";
        if (cs === "connected") return it.channel === "phone" ? "Connected" : "Active";
        return cs || it.status;
      case "ended":
        if (cs === "transferring") return "Transferred";
        if (cs === "disconnected") return "Ended";
        return (cs || "ended").replace(/_/g, " ");
    }
    return it.status;
  }
  function statusTone(it) {
    if (it.channel_status === "onhold" || it.channel_status === "muted") return "hold";
    if (it.status === "ended" && it.channel_status && !["disconnected", "transferring"].includes(it.channel_status)) return "bad";
    if (it.status === "outgoing" && it.channel_status === "connected") return "live";
    return TONES[it.status] || "";
  }
  function live(it) {
    return (it.status === "accepted" || it.status === "outgoing") && ["connected", "onhold", "muted"].includes(it.channel_status);
  }
  function owned(it) {
    return it.status === "accepted" || it.status === "outgoing" || it.status === "ended";
  }
  function customerName(it) {
    const cad = it.attached_data || {};
    return typeof cad.customer_name === "string" ? cad.customer_name : "";
  }
  function cardTitle(it) {
    if (it.channel === "email") return it.title || "(no subject)";
    if (it.consult_for) return it.title || `Consultation with ${it.destination}`;
    if (it.outbound && it.channel === "phone") return it.destination || it.title;
    return customerName(it) || it.title || it.originator || it.id;
  }
  function cardSub(it) {
    const bits = [];
    if (it.channel === "email") bits.push(it.from_address ? it.from_address.address : it.originator);
    else if (customerName(it) && it.originator && it.originator !== customerName(it)) bits.push(it.originator);
    else if (it.outbound) bits.push(`to ${it.destination}`);
    if (it.from_queue && it.from_queue.name) bits.push(it.from_queue.name);
    bits.push(shortId(it.id));
    return bits.filter(Boolean).join(" · ");
  }
  function sinceMs(it) {
    const t = Date.parse(it.date_created);
    return Number.isNaN(t) ? 0 : t;
  }

  function actionButton(testid, label, iconName, onClick, opts = {}) {
    return h("button", {
      type: "button", class: "btn act " + (opts.iconOnly ? "act-icon " : "") + (opts.cls || ""), testid, title: opts.title || label,
      disabled: !!opts.disabled, attrs: { "aria-pressed": opts.pressed === undefined ? null : String(opts.pressed), "aria-label": opts.iconOnly ? label : null },
      on: { click: (e) => { e.stopPropagation(); onClick(); } },
    }, iconName ? icon(iconName) : null, opts.iconOnly ? null : label);
  }

  function cardActions(it, v) {
    const id = it.id, ch = it.channel, st = it.status;
    const ev = (type, extra) => () => sendEvent({ type, id, ...extra });
    const out = [];
    const rec = ((v.user || {}).permissions || {}).recording || "enabled";
    if (st === "incoming") {
      out.push(actionButton("accept", "Accept", "check", ev("accept"), { cls: "btn-good" }));
      out.push(actionButton("reject", "Reject", "x", ev("reject"), { cls: "btn-outline-bad" }));
    }
    if (st === "queued") out.push(actionButton("pick", "Pick", "pick", ev("pick"), { title: "Take it from the queue" }));
    const calling = st === "outgoing" && it.channel_status === "calling";
    if (ch === "phone") {
      if (live(it)) {
        out.push(it.held
          ? actionButton("unhold", "Unhold", "play", ev("unhold"), { pressed: true, iconOnly: true, title: "On hold: unhold" })
          : actionButton("hold", "Hold", "hold", ev("hold"), { pressed: false, iconOnly: true }));
        out.push(it.muted
          ? actionButton("unmute", "Unmute", "mic-off", ev("unmute"), { pressed: true, iconOnly: true, title: "Muted: unmute" })
          : actionButton("mute", "Mute", "mic", ev("mute"), { pressed: false, iconOnly: true }));
        if (rec !== "hidden") {
          const on = !!it.recording;
          out.push(actionButton("record", on ? "Stop recording" : "Start recording", "record", ev("record", { on: !on }),
            { pressed: on, cls: "act-rec", iconOnly: true, disabled: rec === "disabled", title: rec === "disabled" ? "Recording is disabled for this agent" : on ? "Recording: stop" : "Start recording" }));
        }
        out.push(actionButton("transfer", "Transfer", "transfer", () => transferDialog(it), { iconOnly: true }));
        if (!it.consult_for) out.push(actionButton("consult", "Consult", "consult", () => consultDialog(it), { iconOnly: true, disabled: !!it.consult, title: it.consult ? `A consultation is in progress: ${it.consult}` : "Consult" }));
      }
      if ((it.consult || it.consult_for) && (live(it) || calling)) out.push(actionButton("join", "Join", "join", ev("join"), { title: it.consult ? `Join the consultation ${it.consult}` : `Join with ${it.consult_for}` }));
      if (live(it) || calling) out.push(actionButton("hangup", "Hang up", "hangup", ev("hangup"), { cls: "btn-bad" }));
      if (st === "ended" || (owned(it) && !live(it) && !calling)) out.push(actionButton("handle", "Handle", "check", ev("handle"), { cls: "btn-primary", title: "Done: close it" }));
    } else if (CONVERSATION.has(ch)) {
      if (live(it)) {
        out.push(actionButton("transfer", "Transfer", "transfer", () => transferDialog(it), { iconOnly: true }));
        if (ch === "chat" && !it.consult_for) out.push(actionButton("consult", "Consult", "consult", () => consultDialog(it), { iconOnly: true, disabled: !!it.consult }));
        out.push(actionButton("hangup", "End", "hangup", ev("hangup"), { cls: "btn-outline-bad", title: "End the conversation (hang up)" }));
      }
      if (owned(it)) out.push(actionButton("handle", "Handle", "check", ev("handle"), { cls: "btn-primary", title: "Done: close it" }));
    } else if (ch === "email") {
      if (live(it)) out.push(actionButton("transfer", "Transfer", "transfer", () => transferDialog(it), { iconOnly: true }));
      if (owned(it)) out.push(actionButton("handle", "Handle", "check", ev("handle"), { cls: "btn-primary", title: "Done: close it" }));
    }
    const row = out.length ? h("div", { class: "icard-actions" }, out) : null;
    let outcomes = null;
    if (calling && ch === "phone") {
      const other = h("select", { class: "mini-select", testid: "outcome-other", attrs: { "aria-label": "Other outcome" },
        on: { click: (e) => e.stopPropagation(), change: () => { if (other.value) sendEvent({ type: "outcome", id, result: other.value }); other.value = ""; } } },
        h("option", { value: "", text: "Other…" }), OTHER_OUTCOMES.map((o) => h("option", { value: o, text: o.replace(/_/g, " ") })));
      outcomes = h("div", { class: "outcomes" }, h("span", { text: "Outcome:" }),
        actionButton("outcome-connected", "Answered", "check", ev("outcome", { result: "connected" }), { cls: "btn-good" }),
        actionButton("outcome-busy", "Busy", null, ev("outcome", { result: "busy" })),
        actionButton("outcome-no-answer", "No answer", null, ev("outcome", { result: "no_answer" })),
        other);
    }
    return [row, outcomes];
  }

  function buildCard(it, v) {
    const isActive = v.active === it.id;
    const tags = [];
    if (it.outbound) tags.push(h("span", { class: "tag", text: "Outbound" }));
    if (it.consult_for) tags.push(h("span", { class: "tag tag-warn", title: it.consult_for, text: `Consultation for ${shortId(it.consult_for)}` }));
    if (it.consult) tags.push(h("span", { class: "tag tag-warn", title: it.consult, text: `Consulting ${shortId(it.consult)}` }));
    if (it.conference_id) tags.push(h("span", { class: "tag", text: "Conference" }));
    if (it.recording) tags.push(h("span", { class: "tag tag-rec" }, icon("record"), "REC"));
    const cad = it.attached_data || {};
    if (cad.tier) tags.push(h("span", { class: "tag" }, icon("tag"), String(cad.tier)));
    if ((it.instances || []).length) tags.push(h("span", { class: "tag", title: it.instances.join(", ") }, icon("extension"), String(it.instances.length)));
    const customer = (it.participants || []).find((p) => p.uniquekey === "customer");
    if (customer && customer.status === "typing") tags.push(h("span", { class: "tag", text: "typing…" }));

    const selectable = owned(it) && !isActive;
    const [actions, outcomes] = cardActions(it, v);
    const el = h("article", {
      class: "icard", testid: "interaction",
      data: { id: it.id, status: it.status, channel: it.channel, channelStatus: it.channel_status, active: String(isActive), selectable: String(owned(it)) },
      attrs: { "aria-current": isActive ? "true" : null, "aria-label": `${CHANNELS[it.channel] ? CHANNELS[it.channel].label : it.channel} ${cardTitle(it)}: ${statusText(it)}` },
      on: { click: () => { if (owned(it) && S.view && S.view.active !== it.id) sendEvent({ type: "select_interaction", id: it.id }); } },
    },
    h("div", { class: "icard-top" },
      h("span", { class: "ch-badge", title: CHANNELS[it.channel] ? CHANNELS[it.channel].label : it.channel }, icon(CHANNELS[it.channel] ? CHANNELS[it.channel].icon : "puzzle")),
      h("div", { class: "icard-main" },
        selectable
          ? h("button", { type: "button", class: "icard-title link-plain", testid: "select", text: cardTitle(it), title: "Select this interaction",
            on: { click: (e) => { e.stopPropagation(); sendEvent({ type: "select_interaction", id: it.id }); } } })
          : h("div", { class: "icard-title", text: cardTitle(it) }),
        h("div", { class: "icard-sub", text: cardSub(it) })),
      h("div", { class: "icard-meta" },
        h("span", { class: "status-pill", data: { tone: statusTone(it) }, text: statusText(it) }),
        h("span", { class: "timer", data: { since: String(sinceMs(it)) }, text: fmtDuration(Date.now() - sinceMs(it)) }))),
    tags.length ? h("div", { class: "icard-tags" }, tags) : null,
    actions, outcomes);
    return el;
  }

  function renderCards(v) {
    const its = [...(v.interactions || [])].sort((a, b) => sinceMs(a) - sinceMs(b));
    const offered = its.filter((it) => it.status === "incoming" || it.status === "queued");
    const inHand = its.filter((it) => !(it.status === "incoming" || it.status === "queued"));
    const rec = ((v.user || {}).permissions || {}).recording;
    const seen = new Set();
    const place = (list, container) => {
      let prev = null;
      for (const it of list) {
        seen.add(it.id);
        const s = sig([it, v.active === it.id, rec]);
        let el = cardEls.get(it.id);
        if (!el || el._sig !== s) {
          const focusTid = el && el.contains(document.activeElement) ? document.activeElement.dataset.testid : null;
          const fresh = buildCard(it, v);
          fresh._sig = s;
          if (el) el.replaceWith(fresh);
          el = fresh;
          cardEls.set(it.id, el);
          if (focusTid) { const f = tid(focusTid, el); if (f) f.focus(); }
        }
        const want = prev ? prev.nextElementSibling : container.firstElementChild;
        if (el.parentNode !== container || want !== el) {
          if (prev) prev.after(el); else container.prepend(el);
        }
        prev = el;
      }
    };
    place(offered, $.offered);
    place(inHand, $.active);
    for (const [id, el] of cardEls) if (!seen.has(id)) { el.remove(); cardEls.delete(id); }
    $.offeredCount.textContent = offered.length;
    $.activeCount.textContent = inHand.length;
  }

  // --- dialogs for transfer and consult

  const dlg = tid("dialog");
  const dlgForm = role("form", dlg);
  let dlgResolve = null;
  function openDialog({ title, text, toLabel, toValue, withCad, okLabel }) {
    if (dlg.open) closeDialog(null);
    role("title", dlg).textContent = title;
    role("text", dlg).textContent = text || "";
    role("to-label", dlg).textContent = toLabel || "To";
    tid("dialog-to", dlg).value = toValue || "";
    tid("dialog-cad", dlg).value = "";
    role("cad-field", dlg).hidden = !withCad;
    tid("dialog-error", dlg).hidden = true;
    tid("dialog-ok", dlg).textContent = okLabel || "OK";
    dlg.showModal();
    tid("dialog-to", dlg).select();
    return new Promise((resolve) => { dlgResolve = resolve; });
  }
  function closeDialog(result) {
    if (dlg.open) dlg.close();
    const r = dlgResolve;
    dlgResolve = null;
    if (r) r(result);
  }
  dlgForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const to = tid("dialog-to", dlg).value.trim();
    const err = tid("dialog-error", dlg);
    if (!to) { err.textContent = "Give a recipient."; err.hidden = false; return; }
    let cad;
    if (!role("cad-field", dlg).hidden) {
      const raw = tid("dialog-cad", dlg).value.trim();
      if (raw) {
        try { cad = JSON.parse(raw); } catch (x) { err.textContent = "Caller data: " + x.message; err.hidden = false; return; }
        if (!cad || typeof cad !== "object" || Array.isArray(cad)) { err.textContent = "Caller data must be a JSON object."; err.hidden = false; return; }
      }
    }
    closeDialog({ to, cad });
  });
  tid("dialog-cancel", dlg).addEventListener("click", () => closeDialog(null));
  dlg.addEventListener("cancel", (e) => { e.preventDefault(); closeDialog(null); });

  async function transferDialog(it) {
    const r = await openDialog({ title: `Transfer ${shortId(it.id)}`, text: "The interaction ends here and a new leg goes to the recipient, carrying its caller data.",
      toLabel: "Number, address or queue", toValue: it.channel === "email" ? "sales@example.com" : "+358201230200", withCad: true, okLabel: "Transfer" });
    if (r) sendEvent({ type: "transfer", id: it.id, to: r.to, ...(r.cad ? { cad: r.cad } : {}) });
  }
  async function consultDialog(it) {
    const r = await openDialog({ title: `Consult on ${shortId(it.id)}`, text: it.channel === "phone" ? "The call is put on hold while you consult." : "A consultation starts beside the chat.",
      toLabel: "Number or agent", toValue: "+358201230555", okLabel: "Consult" });
    if (r) sendEvent({ type: "consult", id: it.id, to: r.to });
  }

  // --- centre: the active interaction

  const detail = {
    id: null, head: null, body: null, cad: null, cadEditing: false,
    sayText: h("textarea", { testid: "say-text", rows: 2, placeholder: "Write a message as the customer or the agent…", attrs: { "aria-label": "Message text" } }),
  };
  const typingBox = h("input", { type: "checkbox", testid: "typing" });
  typingBox.addEventListener("change", () => { if (detail.id) sendEvent({ type: "typing", id: detail.id, on: typingBox.checked }); });
  const sayCustomer = h("button", { type: "button", class: "btn btn-small", testid: "say-customer", title: "Send as the customer (Enter)" }, icon("customer"), "As customer");
  const sayAgent = h("button", { type: "button", class: "btn btn-small btn-primary", testid: "say-agent", title: "Send as the agent (Ctrl+Enter)" }, icon("send"), "As agent");
  const typingLabel = h("label", { class: "check", title: "Show the customer as typing (participants[].status)" }, typingBox, "Customer typing");
  const sayBox = h("div", { class: "say-box" }, detail.sayText,
    h("div", { class: "say-actions" }, h("span", { class: "hint-text", text: "Enter: as customer · Ctrl+Enter: as agent" }), h("span", { class: "spacer" }), sayCustomer, sayAgent));
  function say(from) {
    const text = detail.sayText.value;
    if (!detail.id || !text.trim()) { detail.sayText.focus(); return; }
    const id = detail.id;
    sendEvent({ type: "say", id, text, from }).then((r) => { if (!r.error && detail.id === id && detail.sayText.value === text) detail.sayText.value = ""; });
  }
  sayCustomer.addEventListener("click", () => say("customer"));
  sayAgent.addEventListener("click", () => say("agent"));
  detail.sayText.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      say(e.ctrlKey || e.metaKey ? "agent" : "customer");
    }
  });

  function renderDetail(v) {
    const it = (v.interactions || []).find((x) => x.id === v.active);
    const root = $.detail;
    if (!it) {
      if (!changed("detail", "none")) return;
      detail.id = null;
      root.dataset.id = "";
      const loggedIn = v.user && v.user.login_status === "logged_in";
      root.replaceChildren(h("div", { class: "empty-state" }, icon("inbox"),
        h("h2", { text: "No interaction selected" }),
        h("p", { text: loggedIn
          ? "Create a customer contact on the left, accept it, and its extensions load on the right."
          : "The agent is logged out: log in to take interactions." })));
      return;
    }
    if (detail.id !== it.id) {
      detail.id = it.id;
      detail.cadEditing = false;
      detail.sayText.value = "";
      viewSigs.dHead = viewSigs.dBody = viewSigs.dCad = undefined;
      root.dataset.id = it.id;
      detail.head = h("section", { class: "card" });
      detail.body = h("div");
      detail.cad = h("section", { class: "card d-section", testid: "cad-card" });
      root.replaceChildren(detail.head, detail.body, detail.cad);
      root.closest(".col").scrollTop = 0;
      viewSigs.detail = "some";
    }
    if (changed("dHead", it)) renderDetailHead(it, v);
    const bodySig = { id: it.id, ch: it.channel, st: it.status, cs: it.channel_status, t: it.transcript, p: it.participants, title: it.title, c: it.content, f: it.from_address, to: it.to_address, cc: it.cc_address };
    if (changed("dBody", bodySig)) renderDetailBody(it);
    if (!detail.cadEditing && changed("dCad", it.attached_data)) renderCad(it);
  }

  function renderDetailHead(it, v) {
    const ch = CHANNELS[it.channel] || { label: it.channel, icon: "puzzle" };
    const rows = [
      ["From", it.originator], ["To", it.destination], ["Queue", it.from_queue && it.from_queue.name],
      ["Status", `${it.status} / ${it.channel_status}`], ["Created", it.date_created ? new Date(it.date_created).toLocaleTimeString() : ""],
      ["Waited", typeof it.iswtf === "number" ? `${it.iswtf.toFixed(1)} s` : ""],
    ];
    if (it.channel === "phone") {
      rows.push(["Recording", it.recording ? "on" : "off"]);
      if (it.dtmf && it.dtmf.length) rows.push(["Tones sent", it.dtmf.join(" ")]);
    }
    if (it.orig_queue) rows.push(["Original queue", it.orig_queue.name]);
    if (it.consult) rows.push(["Consultation", shortId(it.consult)]);
    if (it.consult_for) rows.push(["Consultation for", shortId(it.consult_for)]);
    if (it.conference_id) rows.push(["Conference", shortId(it.conference_id)]);
    if (it.channel_sub_type) rows.push(["Channel type", `${it.channel_type} / ${it.channel_sub_type}`]);
    rows.push(["Extensions", (it.instances || []).join(", ") || "none"]);
    detail.head.replaceChildren(
      h("div", { class: "d-head", data: { channel: it.channel } },
        h("span", { class: "ch-badge" }, icon(ch.icon)),
        h("div", { class: "icard-main" },
          h("h2", { class: "d-title", text: cardTitle(it) }),
          h("div", { class: "d-sub" }, `${ch.label}${it.outbound ? " · outbound" : ""} · `, h("code", { class: "d-id", title: "Interaction id", text: it.id }))),
        h("span", { class: "status-pill", data: { tone: statusTone(it) }, text: statusText(it) })),
      h("dl", { class: "d-grid" }, rows.filter((r) => r[1]).map(([k, val]) => h("div", null, h("dt", { text: k }), h("dd", { text: String(val) })))));
    detail.head.dataset.channel = it.channel;
  }

  function renderDetailBody(it) {
    const body = detail.body;
    if (CONVERSATION.has(it.channel)) {
      let sec = body.firstElementChild;
      if (!sec || sec.dataset.kind !== "conversation") {
        sec = h("section", { class: "card d-section", data: { kind: "conversation", channel: it.channel } },
          h("div", { class: "d-section-head" }, icon(CHANNELS[it.channel].icon), h("h3", { text: "Conversation" }),
            h("span", { class: "count", data: { role: "tcount" } }), h("span", { class: "spacer" }), typingLabel),
          h("ul", { class: "transcript", testid: "transcript", attrs: { "aria-live": "polite" } }),
          h("div", { class: "typing-line", testid: "typing-line" }),
          sayBox);
        body.replaceChildren(sec);
      }
      sec.dataset.channel = it.channel;
      const ul = tid("transcript", sec);
      const stick = ul.scrollTop + ul.clientHeight >= ul.scrollHeight - 8;
      const msgs = (it.transcript && it.transcript.messages) || [];
      const agentKeys = new Set((it.participants || []).filter((p) => p.uniquekey !== "customer").map((p) => p.uniquekey));
      const user = (S.view && S.view.user) || {};
      ul.replaceChildren(...msgs.map((m) => {
        const from = m.originator === "customer" ? "customer" : (m.originator === user.username || agentKeys.has(m.originator)) ? "agent" : "other";
        const t = Date.parse(m.timestamp);
        return h("li", { class: "bubble", testid: "transcript-message", data: { from, id: m.id } },
          m.message, h("small", { text: `${from === "customer" ? (customerName(it) || it.originator || "Customer") : m.originator}${Number.isNaN(t) ? "" : " · " + new Date(t).toLocaleTimeString()}` }));
      }));
      if (stick) ul.scrollTop = ul.scrollHeight;
      sec.querySelector('[data-role="tcount"]').textContent = msgs.length;
      const customer = (it.participants || []).find((p) => p.uniquekey === "customer");
      const typing = !!customer && customer.status === "typing";
      typingBox.checked = typing;
      tid("typing-line", sec).textContent = typing ? `${customer.alias || "The customer"} is typing…` : "";
      const ended = it.status === "ended";
      sayAgent.disabled = !live(it);
      sayAgent.title = live(it) ? "Send as the agent (Ctrl+Enter)" : "The agent can write only while the conversation is in progress";
      sayCustomer.disabled = ended;
    } else if (it.channel === "email") {
      const dl = h("dl", { class: "email-head" },
        h("dt", { text: "Subject" }), h("dd", { testid: "email-subject", text: it.title || "" }),
        h("dt", { text: "From" }), h("dd", { testid: "email-from", text: addr(it.from_address) || it.originator || "" }),
        h("dt", { text: "To" }), h("dd", { testid: "email-to", text: (it.to_address || []).map(addr).join(", ") || it.destination || "" }),
        (it.cc_address && it.cc_address.length) ? [h("dt", { text: "Cc" }), h("dd", { text: it.cc_address.map(addr).join(", ") })] : null);
      body.replaceChildren(h("section", { class: "card d-section", testid: "email", data: { kind: "email", channel: "email" } },
        h("div", { class: "d-section-head" }, icon("email"), h("h3", { text: "Email" })),
        dl, h("pre", { class: "email-body", testid: "email-content", text: it.content || "(empty)" })));
    } else {
      body.replaceChildren();
    }
  }
  const addr = (a) => (a ? (a.name ? `${a.name} <${a.address}>` : a.address) : "");

  function fmtValue(v) {
    return typeof v === "string" ? v : JSON.stringify(v);
  }

  function renderCad(it) {
    const sec = detail.cad;
    const cad = it.attached_data || {};
    const keys = Object.keys(cad);
    const editable = owned(it) && it.status !== "ended" || it.status === "queued" || it.status === "incoming";
    const editBtn = h("button", { type: "button", class: "btn btn-small btn-quiet", testid: "cad-edit", disabled: !editable,
      title: editable ? "Edit the caller data (sends a cad event)" : "The caller data of an ended interaction cannot change" }, icon("edit"), "Edit");
    editBtn.addEventListener("click", () => editCad(it));
    sec.replaceChildren(
      h("div", { class: "d-section-head" }, icon("tag"), h("h3", { text: "Caller data" }), h("span", { class: "count", text: keys.length }), h("span", { class: "spacer" }), editBtn),
      keys.length
        ? h("table", { class: "cad-table", testid: "cad" }, h("tbody", null, keys.map((k) => h("tr", { data: { key: k } }, h("th", { text: k, attrs: { scope: "row" } }), h("td", { text: fmtValue(cad[k]) })))))
        : h("p", { class: "cad-empty", testid: "cad-empty", text: "No caller data attached." }));
  }

  function editCad(it) {
    detail.cadEditing = true;
    const sec = detail.cad;
    const before = it.attached_data || {};
    const ta = h("textarea", { class: "mono", testid: "cad-editor", rows: Math.min(14, Math.max(4, Object.keys(before).length + 3)), spellcheck: false, attrs: { "aria-label": "Caller data JSON" } });
    ta.value = JSON.stringify(before, null, 2);
    const err = h("p", { class: "field-error", testid: "cad-error", hidden: true });
    const save = h("button", { type: "button", class: "btn btn-small btn-primary", testid: "cad-save" }, "Save");
    const cancel = h("button", { type: "button", class: "btn btn-small btn-quiet", testid: "cad-cancel" }, "Cancel");
    const done = () => { detail.cadEditing = false; viewSigs.dCad = undefined; markViewDirty(); };
    cancel.addEventListener("click", done);
    save.addEventListener("click", async () => {
      let next;
      try { next = JSON.parse(ta.value); } catch (e) { err.textContent = e.message; err.hidden = false; return; }
      if (!next || typeof next !== "object" || Array.isArray(next)) { err.textContent = "Caller data must be a JSON object."; err.hidden = false; return; }
      const cur = ((S.view.interactions || []).find((x) => x.id === it.id) || it).attached_data || {};
      const set = {};
      for (const k of Object.keys(cur)) if (!(k in next)) set[k] = null;
      for (const [k, val] of Object.entries(next)) if (sig(cur[k]) !== sig(val)) set[k] = val;
      if (!Object.keys(set).length) { done(); return; }
      const r = await sendEvent({ type: "cad", id: it.id, set });
      if (r.error) { err.textContent = r.error; err.hidden = false; return; }
      done();
    });
    sec.replaceChildren(
      h("div", { class: "d-section-head" }, icon("tag"), h("h3", { text: "Caller data" }), h("span", { class: "spacer" }), cancel, save),
      ta, err, h("p", { class: "kv-note", text: "Saving sends the changed keys as a cad event; a removed key is sent as null." }));
    ta.focus();
  }

  // --- extensions: sidebar and area

  let peek = false;
  $.extPeek.addEventListener("change", () => { peek = $.extPeek.checked; markViewDirty(); });

  function renderExtensions(v) {
    const insts = v.instances || [];
    const byId = new Map(insts.map((i) => [i.id, i]));
    const act = (v.interactions || []).find((x) => x.id === v.active);
    const mine = act ? (act.instances || []).map((id) => byId.get(id)).filter((i) => i && i.mode !== "global") : [];
    const globals = insts.filter((i) => i.mode === "global");

    if (changed("extSidebar", [mine, globals.map((g) => [g.id, g.phase, g.text]), v.active_extension])) {
      role("buttons", $.extSidebar).replaceChildren(...mine.map((inst) => {
        const b = h("button", {
          type: "button", class: "ext-btn", testid: "ext-button", hidden: !inst.visible, disabled: !inst.enabled,
          data: { instance: inst.id, phase: inst.phase, key: inst.key },
          title: `${inst.text} (${inst.id}, ${inst.phase}${inst.enabled ? "" : ", disabled"}${inst.expanded ? "" : ", collapsed"})`,
          attrs: { "aria-pressed": String(v.active_extension === inst.id) },
          on: { click: () => sendEvent({ type: "select_extension", instance: inst.id }) },
        }, extIcon(inst.icon), h("span", { class: "t", text: inst.text || inst.key }), h("span", { class: "pdot", data: { phase: inst.phase } }));
        return b;
      }));
      const g = role("globals", $.extSidebar);
      g.replaceChildren(...(globals.length ? [h("h4", { text: "Global" })] : []),
        ...globals.map((inst) => h("div", { class: "glob", testid: "global-instance", data: { instance: inst.id, phase: inst.phase },
          title: `${inst.text} (${inst.id}): a hidden global extension, loaded from login to logout. Phase: ${inst.phase}` },
        icon("eye-off"), h("span", { text: inst.text || inst.key }), h("span", { class: "phase", data: { phase: inst.phase }, text: inst.phase }))));
    }

    // Which iframe shows: the opened extension, when it belongs to the
    // active interaction and is expanded (or peeked at).
    const opened = byId.get(v.active_extension);
    const shownInst = opened && opened.mode !== "global" && act && opened.interaction === act.id ? opened : null;
    const showFrame = shownInst && (shownInst.expanded || peek) ? shownInst.id : null;
    for (const rec of frames.values()) {
      const on = rec.id === showFrame && !rec.removing;
      if (rec.iframe.classList.contains("shown") !== on) rec.iframe.classList.toggle("shown", on);
      rec.iframe.classList.toggle("peeking", on && !shownInst.expanded);
      rec.iframe.dataset.shown = String(on);
    }
    $.extPeekLabel.hidden = !(shownInst && !shownInst.expanded);

    const rec = shownInst && frames.get(shownInst.id);
    if (changed("extHead", [shownInst, rec && rec.loaded, act && act.id])) {
      if (shownInst) {
        let origin = shownInst.url;
        try { origin = new URL(shownInst.url).host; } catch { /* keep */ }
        $.extTitle.replaceChildren(...[extIcon(shownInst.icon), h("span", { text: shownInst.text || shownInst.key }),
          h("span", { class: "phase", data: { phase: shownInst.phase }, title: "Lifecycle phase: loaded (no init yet), ready, exited", text: shownInst.phase }),
          shownInst.cached ? h("span", { class: "count", title: "Messages cached until the extension sends init", text: `${shownInst.cached} cached` }) : null,
          h("span", { class: "ext-url", text: `${shownInst.id} · ${origin}` })].filter(Boolean));
      } else {
        $.extTitle.replaceChildren(icon("extension"), h("span", { text: "Extensions" }));
      }
    }
    if (changed("extPlaceholder", [shownInst && shownInst.id, shownInst && shownInst.expanded, peek, act && act.id, act && act.status, mine.map((i) => [i.id, i.visible]), insts.length])) {
      let content = null;
      if (shownInst && !shownInst.expanded && !peek) {
        content = emptyState("eye-off", `${shownInst.text || shownInst.key} is collapsed`, [
          "The extension is loaded but set ", h("code", { text: "expanded" }), " to false (or is configured collapsed), so the panel hides it. It shows when it sends ",
          h("code", { text: '{command: "expanded", value: true}' }), ". Tick Peek to look at it anyway."]);
      } else if (!shownInst) {
        if (!act) content = emptyState("extension", "No interaction selected", ["An interaction's extensions load when it is accepted, and appear in the sidebar on the right."]);
        else if (!mine.length) content = emptyState("extension", "No extension for this interaction", ["No extension is configured for the queue ", h("code", { text: (act.from_queue && act.from_queue.name) || "?" }), ", or it has been handled."]);
        else content = emptyState("extension", "Open an extension", ["Choose an extension in the sidebar to open it here. The panel then sends it ", h("code", { text: "activeExtension" }), "."]);
      }
      $.extPlaceholder.replaceChildren(...(content ? [content] : []));
    }
  }
  function emptyState(iconName, title, text) {
    return h("div", { class: "empty-state" }, icon(iconName), h("h2", { text: title }), h("p", null, text));
  }

  // --- pending outbound actions

  function renderPending(v) {
    const list = v.pending || [];
    if (!changed("pending", list)) return;
    const byId = new Map((v.instances || []).map((i) => [i.id, i]));
    $.pending.replaceChildren(...list.map((p) => {
      const r = p.request || {};
      const inst = byId.get(p.instance);
      const ch = CHANNELS[r.channel] || { label: r.channel, icon: "send" };
      const rows = [["To", (r.to || []).join(", ")], ["From", r.from], ["Subject", r.subject], ["Message", r.content], ["Cc", (r.cc || []).join(", ")], ["Bcc", (r.bcc || []).join(", ")]];
      return h("section", { class: "pending", testid: "pending", data: { id: p.id, instance: p.instance, channel: r.channel }, attrs: { role: "alertdialog", "aria-label": `Confirm outbound ${ch.label}` } },
        h("h3", null, icon(ch.icon), `Start an outbound ${ch.label.toLowerCase() === "phone" ? "call" : ch.label}?`),
        h("p", { text: `${inst ? inst.text : p.instance} (${p.instance}) asks the agent to start it. The extension waits for your answer.` }),
        h("dl", null, rows.filter((x) => x[1]).map(([k, val]) => [h("dt", { text: k }), h("dd", { text: val })])),
        h("div", { class: "pending-actions" },
          h("button", { type: "button", class: "btn btn-quiet", testid: "pending-cancel", on: { click: () => sendEvent({ type: "cancel", id: p.id }) } }, "Cancel"),
          h("button", { type: "button", class: "btn btn-primary", testid: "pending-confirm", on: { click: () => sendEvent({ type: "confirm", id: p.id }) } }, icon(ch.icon), "Confirm")));
    }));
  }

  // --- faults

  function renderFaults(v) {
    const f = v.faults || {};
    if (!changed("faults", f)) return;
    const items = [];
    if (f.fail_next_init !== undefined) {
      items.push(h("li", { testid: "fault", data: { kind: "init" } }, h("span", { text: `Next init fails: "${f.fail_next_init}"` })));
    }
    for (const [cmd, reason] of Object.entries(f.fail || {})) {
      items.push(h("li", { testid: "fault", data: { kind: "fail", command: cmd } }, h("span", { text: `${cmd} answers error: "${reason}"` }),
        h("button", { type: "button", class: "icon-btn", testid: "fault-remove", attrs: { "aria-label": `Stop failing ${cmd}` }, on: { click: () => sendEvent({ type: "fail", command: cmd, reason: "" }) } }, icon("close"))));
    }
    for (const [cmd, d] of Object.entries(f.delay || {})) {
      items.push(h("li", { testid: "fault", data: { kind: "delay", command: cmd } }, h("span", { text: `${cmd} answers ${d} late` }),
        h("button", { type: "button", class: "icon-btn", testid: "fault-remove", attrs: { "aria-label": `Stop delaying ${cmd}` }, on: { click: () => sendEvent({ type: "delay", command: cmd, ms: 0 }) } }, icon("close"))));
    }
    $.faultsActive.replaceChildren(...items);
  }

  // ---------------------------------------------------------------------
  // Forms: new customer contact, outbound, queues

  const newDirty = { from: false, subject: false, content: false };
  let newChannel = "phone";

  function setNewChannel(ch) {
    newChannel = ch;
    $.newChannel.value = ch;
    const c = CHANNELS[ch];
    role("from-label", $.newForm).textContent = c.fromLabel;
    if (!newDirty.from) $.newFrom.value = c.from;
    role("subject-field", $.newForm).hidden = ch !== "email";
    if (!newDirty.subject && !$.newSubject.value) $.newSubject.value = "Order SO-48213 has not arrived";
    role("content-field", $.newForm).hidden = ch === "phone";
    role("content-label", $.newForm).textContent = ch === "email" ? "Body" : "First message";
    if (!newDirty.content && ch !== "phone") $.newContent.value = DEFAULT_CONTENT[ch] || "";
    $.newContent.rows = ch === "email" ? 5 : 2;
    role("create-label", $.newForm).textContent = c.create;
    const ic = role("create-icon", $.newForm);
    ic.replaceChildren(icon(ch === "phone" ? "phone-in" : c.icon));
    $.newForm.closest(".card").dataset.channel = ch;
    fillQueueSelect();
  }
  function fillQueueSelect() {
    const qs = ((S.view && S.view.queues) || []).filter((q) => q.type === newChannel);
    const cur = $.newQueue.value;
    $.newQueue.replaceChildren(...qs.map((q) => h("option", { value: q.name, text: q.name })));
    if (!qs.length) $.newQueue.append(h("option", { value: "", text: S.view ? `No ${CHANNELS[newChannel].label} queue` : "…" }));
    if (qs.some((q) => q.name === cur)) $.newQueue.value = cur;
  }
  $.newChannel.addEventListener("change", () => setNewChannel($.newChannel.value));
  $.newFrom.addEventListener("input", () => { newDirty.from = true; });
  $.newSubject.addEventListener("input", () => { newDirty.subject = true; });
  $.newContent.addEventListener("input", () => { newDirty.content = true; });

  $.newCadPreset.replaceChildren(...CAD_PRESETS.map((p, i) => h("option", { value: String(i), text: p.label })));
  $.newCadPreset.addEventListener("change", () => {
    const p = CAD_PRESETS[Number($.newCadPreset.value)];
    $.newCad.value = JSON.stringify(p.cad, null, 2);
    checkNewCad();
  });
  $.newCad.value = JSON.stringify(CAD_PRESETS[0].cad, null, 2);
  function checkNewCad() {
    const raw = $.newCad.value.trim();
    let cad = {};
    let error = "";
    if (raw) {
      try {
        cad = JSON.parse(raw);
        if (!cad || typeof cad !== "object" || Array.isArray(cad)) error = "Caller data must be a JSON object, such as {\"customer_id\": \"C-1001\"}.";
      } catch (e) { error = e.message; }
    }
    $.newCadError.textContent = error;
    $.newCadError.hidden = !error;
    $.newCad.closest(".field").classList.toggle("invalid", !!error);
    return error ? null : cad;
  }
  $.newCad.addEventListener("input", checkNewCad);

  $.newForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const cad = checkNewCad();
    if (cad === null) { $.newCad.focus(); return; }
    const ev = { type: "incoming", channel: newChannel };
    if ($.newQueue.value) ev.queue = $.newQueue.value;
    const from = $.newFrom.value.trim();
    if (from) ev.from = from;
    if (newChannel === "email" && $.newSubject.value.trim()) ev.subject = $.newSubject.value.trim();
    if (newChannel !== "phone" && $.newContent.value) ev.content = $.newContent.value;
    if (Object.keys(cad).length) ev.cad = cad;
    $.newCreate.disabled = true;
    const r = await sendEvent(ev);
    $.newCreate.disabled = false;
    // No toast on success: the new card appears in the list.
  });

  // the form can fold away, to leave the column to the interactions
  const newToggle = tid("new-toggle");
  function setNewOpen(open) {
    newToggle.setAttribute("aria-expanded", String(open));
    $.newForm.hidden = !open;
    localSet("cpsim.new-open", open ? "1" : "0");
  }
  newToggle.addEventListener("click", () => setNewOpen($.newForm.hidden));
  if (localGet("cpsim.new-open") === "0") setNewOpen(false);

  // the agent's outbound, in a dialog
  const outDlg = tid("outbound-dialog");
  tid("outbound-open").addEventListener("click", () => {
    setOutChannel();
    outDlg.showModal();
    $.outTo.focus();
  });
  tid("outbound-cancel").addEventListener("click", () => outDlg.close());

  function setOutChannel() {
    const ch = $.outChannel.value;
    role("subject-field", $.outForm).hidden = ch !== "email";
    role("content-field", $.outForm).hidden = ch === "phone";
    const label = role("send-label", $.outForm);
    label.textContent = ch === "phone" ? "Call" : ch === "email" ? "Send email" : `Send ${CHANNELS[ch].label}`;
    const ic = $.outSend.querySelector("[data-icon]");
    ic.replaceChildren(icon(ch === "phone" ? "phone-out" : CHANNELS[ch].icon));
    if (ch === "email" && !/@/.test($.outTo.value)) $.outTo.value = "aino.virtanen@example.com";
    if (ch !== "email" && /@/.test($.outTo.value)) $.outTo.value = "+358401234567";
    if (!$.outSubject.value) $.outSubject.value = "Your order SO-48213";
    if (!$.outContent.value) $.outContent.value = "Hello, this is Sinch support about your order SO-48213.";
  }
  $.outChannel.addEventListener("change", setOutChannel);
  $.outForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const ch = $.outChannel.value;
    const toList = $.outTo.value.split(/[,;]/).map((s) => s.trim()).filter(Boolean);
    if (!toList.length) { toast("Give a recipient.", "error", "Outbound"); $.outTo.focus(); return; }
    const ev = { type: "outbound", channel: ch, to: toList.length === 1 ? toList[0] : toList };
    if ($.outFrom.value.trim()) ev.from = $.outFrom.value.trim();
    if (ch === "email" && $.outSubject.value.trim()) ev.subject = $.outSubject.value.trim();
    if (ch !== "phone" && $.outContent.value) ev.content = $.outContent.value;
    $.outSend.disabled = true;
    const r = await sendEvent(ev);
    $.outSend.disabled = false;
    if (!r.error) outDlg.close();
  });

  // ---------------------------------------------------------------------
  // Event editor

  const ev = {
    instance: tid("ev-instance"), kind: tid("ev-kind"), preset: tid("ev-preset"), json: tid("ev-json"),
    check: tid("ev-check"), send: tid("ev-send"), format: tid("ev-format"), route: tid("ev-route"),
    pristine: true,
  };

  function editorTarget() {
    const v = S.view;
    if (!v) return { inst: null, interaction: null };
    const inst = (v.instances || []).find((i) => i.id === ev.instance.value) || null;
    const iid = (inst && inst.interaction) || v.active || ((v.interactions || [])[0] || {}).id || null;
    const interaction = (v.interactions || []).find((i) => i.id === iid) || null;
    return { inst, interaction };
  }
  function wireInteraction(it) {
    if (!it) return null;
    const { channel, held, muted, outbound, consult, dtmf, instances, ...wire } = it; // eslint-disable-line no-unused-vars
    return wire;
  }

  function presets(kind) {
    const { interaction } = editorTarget();
    const iid = interaction ? interaction.id : "INTERACTION-ID";
    const user = (S.view && S.view.user) || {};
    const profile = (user.presence_profiles || []).find((p) => p.name !== (S.view && S.view.profile)) || (user.presence_profiles || [])[0] || {};
    const now = new Date().toISOString();
    switch (kind) {
      case "state": return [
        ["status: ended", { id: iid, attribute: "status", value: "ended" }],
        ["channel_status: onhold", { id: iid, attribute: "channel_status", value: "onhold" }],
        ["channel_status: disconnected", { id: iid, attribute: "channel_status", value: "disconnected" }],
        ["cad: changed caller data", { id: iid, attribute: "cad", value: { customer_id: "C-1001", tier: "platinum", note: "sent from the event editor" } }],
        ["message: a chat message", { id: iid, attribute: "message", value: { id: "m-editor-1", message: "Hello from the event editor", timestamp: now, originator: "customer" } }],
        ["activeInteraction", { id: iid, attribute: "activeInteraction", value: wireInteraction(interaction) || {} }],
        ["an attribute the schema does not know", { id: iid, attribute: "colour", value: "blue" }],
      ];
      case "status": return [
        ["work_status: not_ready", { attribute: "work_status", value: "not_ready" }],
        ["work_status: ready", { attribute: "work_status", value: "ready" }],
        ["work_status: wrap_up", { attribute: "work_status", value: "wrap_up" }],
        ["login_status: logged_out", { attribute: "login_status", value: "logged_out" }],
        ["phone_status: disconnected", { attribute: "phone_status", value: "disconnected" }],
        ["profile: " + (profile.name || "?"), { attribute: "profile", value: profile }],
        ["a value of the wrong type", { attribute: "work_status", value: 42 }],
      ];
      case "exit": return [["exit", { id: "cp-x", type: "exit" }]];
      default: return [
        ["response to an id it never sent", { id: "nobody-asked-1", type: "response", payload: { value: "ok" } }],
        ["error response", { id: "cp-x", type: "response", payload: { value: "error", reason: "something went wrong" } }],
        ["state without a payload", { id: "cp-x", type: "state" }],
        ["unknown type", { id: "cp-x", type: "hello", payload: {} }],
        ["a string, not an object", "just a string"],
        ["status with an interaction (seed example)", { id: "cp-x", type: "status", payload: { attribute: "work_status", value: "ready" } }],
      ];
    }
  }

  function fillPresets(keepJSON) {
    const list = presets(ev.kind.value);
    const cur = ev.preset.value;
    ev.preset.replaceChildren(...list.map(([label], i) => h("option", { value: String(i), text: label })));
    if (cur && Number(cur) < list.length) ev.preset.value = cur;
    if (!keepJSON) applyPreset();
    updateRoute();
  }
  function applyPreset() {
    const list = presets(ev.kind.value);
    const p = list[Number(ev.preset.value) || 0];
    ev.json.value = JSON.stringify(p ? p[1] : {}, null, 2);
    ev.pristine = true;
    checkEditor();
  }
  function updateRoute() {
    const k = ev.kind.value;
    const { inst } = editorTarget();
    ev.route.textContent = k === "state"
      ? "A state event goes through the panel's routing and cache rules: to the instances of the interaction named by id, and to every global instance. Give {id, attribute, value}."
      : k === "status"
        ? "A status event goes to every instance, through the cache rules. Give {attribute, value}."
        : `Posted as is to ${inst ? inst.id : "the chosen instance"}, with no cache rules (validated, warnings shown in the inspector).`;
  }
  function checkEditor() {
    const raw = ev.json.value;
    try {
      const val = JSON.parse(raw);
      const k = ev.kind.value;
      if ((k === "state" || k === "status") && (!val || typeof val !== "object" || Array.isArray(val) || typeof val.attribute !== "string")) {
        throw new Error(`a ${k} needs an object with "attribute"${k === "state" ? ', "value" and usually "id"' : ' and "value"'}`);
      }
      if (k === "state" || k === "status") {
        const extra = Object.keys(val).filter((x) => !(k === "state" ? ["id", "attribute", "value"] : ["attribute", "value"]).includes(x));
        if (extra.length) throw new Error(`unexpected ${extra.join(", ")}: a ${k} takes ${k === "state" ? "id, attribute and value" : "attribute and value"}`);
      }
      ev.check.dataset.ok = "true";
      ev.check.textContent = "✓ Valid JSON";
      ev.json.classList.remove("invalid");
      return { ok: true, val };
    } catch (e) {
      ev.check.dataset.ok = "false";
      ev.check.textContent = "✕ " + e.message;
      ev.check.title = e.message;
      ev.json.classList.add("invalid");
      return { ok: false, error: e.message };
    }
  }
  ev.kind.addEventListener("change", () => { ev.preset.value = "0"; fillPresets(false); });
  ev.preset.addEventListener("change", applyPreset);
  ev.instance.addEventListener("change", () => { updateRoute(); if (ev.pristine) fillPresets(false); });
  ev.json.addEventListener("input", () => { ev.pristine = false; checkEditor(); });
  ev.format.addEventListener("click", () => { const c = checkEditor(); if (c.ok) ev.json.value = JSON.stringify(c.val, null, 2); });
  ev.send.addEventListener("click", async () => {
    const c = checkEditor();
    if (!c.ok) { ev.json.focus(); toast(c.error, "error", "Not sent: fix the JSON"); return; }
    const k = ev.kind.value;
    let e;
    if (k === "state") {
      e = { type: "state", attribute: c.val.attribute, value: c.val.value === undefined ? null : c.val.value };
      if (c.val.id) e.id = c.val.id;
    } else if (k === "status") {
      e = { type: "status", attribute: c.val.attribute, value: c.val.value === undefined ? null : c.val.value };
    } else {
      if (!ev.instance.value) { toast("Choose an instance to send to.", "error", "Not sent"); return; }
      e = { type: "send", instance: ev.instance.value, message: c.val };
    }
    const r = await sendEvent(e);
    if (!r.error) toast(`${k} sent${k === "exit" || k === "raw" ? ` to ${e.instance}` : ""}: see the inspector`, "ok");
  });

  function renderEventTargets(v) {
    const insts = v.instances || [];
    if (!changed("evTargets", insts.map((i) => [i.id, i.text, i.mode, i.phase]))) return;
    const cur = ev.instance.value;
    ev.instance.replaceChildren(...(insts.length ? insts.map((i) => h("option", { value: i.id, text: `${i.id}${i.mode === "global" ? " (global)" : ""} · ${i.phase}` }))
      : [h("option", { value: "", text: "No instance loaded" })]));
    if (insts.some((i) => i.id === cur)) ev.instance.value = cur;
    else if (v.active_extension && insts.some((i) => i.id === v.active_extension)) ev.instance.value = v.active_extension;
    if (ev.pristine) fillPresets(false); else updateRoute();
  }

  // ---------------------------------------------------------------------
  // Faults

  const fault = {
    initReason: tid("fault-init-reason"), init: tid("fault-init"),
    failCmd: tid("fault-fail-command"), failReason: tid("fault-fail-reason"), fail: tid("fault-fail"),
    delayCmd: tid("fault-delay-command"), delayMs: tid("fault-delay-ms"), delay: tid("fault-delay"), clear: tid("fault-clear"),
  };
  fault.failCmd.replaceChildren(...COMMANDS.map((c) => h("option", { value: c, text: c })));
  fault.delayCmd.replaceChildren(...["init", ...COMMANDS].map((c) => h("option", { value: c, text: c })));
  fault.delayCmd.value = "detail";
  fault.init.addEventListener("click", () => {
    const reason = fault.initReason.value.trim();
    sendEvent({ type: "fail_next_init", ...(reason ? { reason } : {}) });
  });
  fault.fail.addEventListener("click", () => {
    const reason = fault.failReason.value.trim();
    if (!reason) { toast("Give the error reason the command answers (clear it with the × in the list).", "error", "Fail"); fault.failReason.focus(); return; }
    sendEvent({ type: "fail", command: fault.failCmd.value, reason });
  });
  fault.delay.addEventListener("click", () => {
    const ms = Math.round(Number(fault.delayMs.value));
    if (!Number.isFinite(ms) || ms < 0) { toast("The delay is a number of milliseconds, 0 or more.", "error", "Delay"); return; }
    sendEvent({ type: "delay", command: fault.delayCmd.value, ms });
  });
  fault.clear.addEventListener("click", () => sendEvent({ type: "clear_faults" }));

  // ---------------------------------------------------------------------
  // Scenarios (docs/scenarios.md): the library the server offers (sl
  // frames), the run playing in this session (s frames), and the player's
  // buttons (scenario_* events). They live in a tab of the tools beside the
  // event editor and faults; a pill in the top bar follows the run.

  const LS_TAB = "cpsim.tools-tab";
  const LS_SPEED = "cpsim.speed";
  const FINAL = new Set(["passed", "failed", "stopped"]);
  const RUN_LABEL = { idle: "Not playing", playing: "Playing", paused: "Paused", passed: "Passed", failed: "Failed", stopped: "Stopped" };

  const SC = {
    list: null, // the last sl frame's list (window.cpsim.scenarios)
    run: null, // the last s frame (window.cpsim.scenario)
    runAt: 0, // Date.now() when it came
    selected: "", // file of the scenario the player shows
  };
  const SCE = {
    tab: tid("scenarios-tab"), toolsTab: tid("tools-tab"), pane: tid("scenarios"), toolsPane: document.getElementById("tools-pane"),
    count: tid("scenario-count"), list: tid("scenario-list"), speed: tid("scenario-speed"),
    play: tid("scenario-play"), pause: tid("scenario-pause"), resume: tid("scenario-resume"), step: tid("scenario-step"), stop: tid("scenario-stop"),
    state: tid("scenario-state"), progress: tid("scenario-progress"), steps: tid("scenario-steps"), error: tid("scenario-error"),
    indicator: tid("scenario-indicator"), problems: tid("scenario-problems"),
  };
  SCE.player = SCE.pane.querySelector(".scen-player");
  SCE.countText = role("count", SCE.pane);
  SCE.runLine = role("run", SCE.pane);
  SCE.note = role("note", SCE.pane);

  // --- the tabs of the tools column

  function setToolsTab(name, focus) {
    const scen = name === "scenarios";
    SCE.tab.setAttribute("aria-selected", String(scen));
    SCE.toolsTab.setAttribute("aria-selected", String(!scen));
    SCE.tab.tabIndex = scen ? 0 : -1;
    SCE.toolsTab.tabIndex = scen ? -1 : 0;
    SCE.pane.hidden = !scen;
    SCE.toolsPane.hidden = scen;
    document.body.classList.toggle("tools-scen", scen);
    localSet(LS_TAB, scen ? "scenarios" : "tools");
    if (focus) (scen ? SCE.tab : SCE.toolsTab).focus();
    if (scen) { scrollCurrentStep(); scrollSelectedScenario(); }
    markLogDirty(); // the inspector's width changed
  }
  SCE.tab.addEventListener("click", () => setToolsTab("scenarios"));
  SCE.toolsTab.addEventListener("click", () => setToolsTab("tools"));
  for (const t of [SCE.toolsTab, SCE.tab]) {
    t.addEventListener("keydown", (e) => {
      if (!["ArrowLeft", "ArrowRight", "Home", "End"].includes(e.key)) return;
      e.preventDefault();
      const scen = e.key === "End" || (e.key !== "Home" && t === SCE.toolsTab);
      setToolsTab(scen ? "scenarios" : "tools", true);
    });
  }
  function openScenarios() {
    if (document.body.classList.contains("tools-hidden")) setTools(true);
    setToolsTab("scenarios");
  }
  SCE.indicator.addEventListener("click", openScenarios);

  // --- frames

  function onScenarioList(list, skipped) {
    SC.list = Array.isArray(list) ? list : [];
    renderSkipped(Array.isArray(skipped) ? skipped : []);
    if (!findScenario(SC.selected)) {
      const cur = SC.run && findScenario(SC.run.file);
      SC.selected = cur ? cur.file : SC.list.length ? SC.list[0].file : "";
    }
    renderScenarioList();
    renderScenarioSteps();
    renderScenarioRun();
  }

  /** renderSkipped lists the built-in scenarios the configuration leaves
   * out, and why (they name queues or profiles it does not have). */
  function renderSkipped(skipped) {
    const el = tid("scenario-skipped");
    el.hidden = !skipped.length;
    role("summary", el).textContent = `${skipped.length} built-in scenario${skipped.length === 1 ? " is" : "s are"} left out: ${skipped.length === 1 ? "it does" : "they do"} not fit your configuration`;
    role("list", el).replaceChildren(...skipped.map((x) => h("li", { title: x.error || "" }, h("code", { text: x.file }), `: ${x.reason}`)));
  }

  function onScenarioFrame(f) {
    const prev = SC.run;
    SC.run = f;
    SC.runAt = Date.now();
    const started = !FINAL.has(f.state) && (!prev || prev.file !== f.file || FINAL.has(prev.state));
    if (started) {
      // A new run: show its steps (the agent can look at another one meanwhile).
      SC.selected = f.file;
      renderScenarioList();
      renderScenarioSteps();
    } else if (!prev || prev.state !== f.state || !findScenario(f.file)) {
      renderScenarioList();
      if (!findScenario(f.file) && SC.selected === f.file) renderScenarioSteps();
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
   * of the scenario playing, or of the last one played. */
  function scenarioWelcome(newSession) {
    if (newSession) SC.run = null;
    renderScenarioList();
    renderScenarioSteps();
    renderScenarioRun();
  }

  // --- the library

  function findScenario(key) {
    if (!key) return null;
    const all = allScenarios();
    return all.find((x) => x.file === key) || all.find((x) => x.name === key) || null;
  }
  /** allScenarios is the library, and the scenario playing when the library
   * does not have it (one cpsim plays in every new session, -scenario FILE). */
  function allScenarios() {
    const list = SC.list || [];
    const r = SC.run;
    if (r && r.file && !list.some((x) => x.file === r.file || x.name === r.name)) {
      return [{ name: r.name, description: "Played by cpsim in every new session (-scenario): its steps are not in the library, so only the current one shows.", file: r.file, steps: null }, ...list];
    }
    return list;
  }
  function selectedScenario() { return findScenario(SC.selected); }
  function isRunOf(x) { return !!(x && SC.run && (SC.run.file === x.file || (!SC.run.file && SC.run.name === x.name))); }

  function renderScenarioList() {
    const all = allScenarios();
    SCE.count.textContent = (SC.list || []).length;
    if (!all.length) {
      SCE.list.replaceChildren(h("li", { class: "scen-empty", text: SC.list ? "cpsim offers no scenarios." : "Waiting for the list of scenarios…" }));
      return;
    }
    const active = SC.run && !FINAL.has(SC.run.state);
    SCE.list.replaceChildren(...all.map((x) => {
      const sel = x.file === SC.selected;
      const runState = isRunOf(x) ? SC.run.state : "";
      const n = x.steps ? x.steps.length : SC.run ? SC.run.total : 0;
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
    const b = SCE.list.querySelector('.scen-item[aria-pressed="true"]');
    if (!b || SCE.pane.hidden || !SCE.list.clientHeight) return;
    const li = b.parentElement, list = SCE.list;
    if (li.offsetTop < list.scrollTop || li.offsetTop + li.offsetHeight > list.scrollTop + list.clientHeight) {
      list.scrollTop = Math.max(0, li.offsetTop - 8);
    }
  }

  function selectScenario(file) {
    if (SC.selected === file) return;
    SC.selected = file;
    for (const b of SCE.list.querySelectorAll(".scen-item")) b.setAttribute("aria-pressed", String(b.dataset.file === file));
    renderScenarioSteps();
    renderScenarioRun();
  }

  // --- the steps of the selected scenario

  function renderScenarioSteps() {
    const x = selectedScenario();
    SCE.steps.scrollTop = 0;
    if (!x) {
      SCE.steps.replaceChildren(h("li", { class: "scen-empty", text: (SC.list || []).length ? "Choose a scenario to see its steps." : "" }));
      return;
    }
    const rows = x.steps
      ? x.steps.map((st, i) => [st, i])
      : SC.run ? [[{ line: SC.run.line, text: SC.run.text }, SC.run.index]] : [];
    SCE.steps.replaceChildren(...rows.map(([st, i]) => h("li", {
      class: "scen-step", testid: "scenario-step-row", data: { line: String(st.line), index: String(i) }, title: `${x.file}:${st.line}`,
    }, h("span", { class: "ln", text: String(st.line) }), h("span", { class: "mark", attrs: { "aria-hidden": "true" } }), h("code", { class: "st", text: st.text }))));
    markCurrentStep();
  }

  function markCurrentStep() {
    const x = selectedScenario();
    const r = isRunOf(x) ? SC.run : null;
    if (x && !x.steps && r) {
      // a scenario the library lacks: its one row is the current step
      const li = SCE.steps.firstElementChild;
      if (li && li.dataset.line !== String(r.line)) { renderScenarioSteps(); return; }
    }
    const idx = r ? r.index : -1;
    for (const li of SCE.steps.children) {
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
    const li = SCE.steps.querySelector('[data-current="true"]');
    if (!li || SCE.pane.hidden || !SCE.steps.clientHeight) return;
    const list = SCE.steps;
    const top = li.offsetTop, bottom = top + li.offsetHeight;
    if (top < list.scrollTop + 4 || bottom > list.scrollTop + list.clientHeight - 4) {
      list.scrollTop = Math.max(0, top - Math.max(0, (list.clientHeight - li.offsetHeight) / 3));
    }
  }

  // --- the run: state, progress, failure, buttons

  const errorText = (f) => (f && f.error) || "";
  const firstLine = (s) => truncate(String(s || "").split("\n")[0], 200);
  /** closestItem shows one of the messages that came nearest an unmet
   * expectation ("<json> from <instance>") as the inspector sums it up; a
   * click finds it in the inspector. */
  function closestItem(c) {
    const text = String(c);
    const m = /^([\s\S]*) from (\S+)$/.exec(text);
    const json = m ? m[1] : text, inst = m ? m[2] : "";
    let msg, sum = json;
    try {
      msg = JSON.parse(json);
      const r = derive({ m: msg });
      const s = summary(r).text;
      sum = r.type === "init" || r.type === "exit" ? s : `${r.type} · ${s}`;
    } catch { msg = undefined; /* cut at 240 characters: shown as it is */ }
    return h("li", null, h("button", {
      type: "button", class: "scen-closest-item", title: `${json}\n\nClick to find it in the inspector`,
      on: { click: () => findInLog(msg, inst) },
    }, h("code", { text: sum }), inst ? h("span", { class: "tag", text: inst }) : null));
  }
  /** findInLog selects the latest inspector row of a message an instance sent. */
  function findInLog(msg, inst) {
    const want = msg === undefined ? null : canonical(msg);
    for (let i = L.entries.length - 1; i >= 0; i--) {
      const e = L.entries[i];
      if (e.dir === "in" && (!inst || e.i === inst) && want !== null && e.m !== undefined && canonical(e.m) === want) { jumpTo(e.n); return; }
    }
    toast("That message is not in the inspector's log (cleared, or too long to find).", "info");
  }
  /** canonical is JSON with sorted keys, as the server writes messages. */
  function canonical(v) {
    if (v === null || typeof v !== "object") return JSON.stringify(v);
    if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
    return "{" + Object.keys(v).sort().map((k) => JSON.stringify(k) + ":" + canonical(v[k])).join(",") + "}";
  }

  /** splitError splits an s frame's error, "file:line: step as written:
   * reason", into where and why: the step itself is the failed row of the
   * list. An error of another shape is all reason. */
  function splitError(f) {
    const e = errorText(f);
    const where = `${f.file}:${f.line}`;
    const head = `${where}: ${f.text}: `;
    if (e.startsWith(head)) return { where, reason: e.slice(head.length) };
    if (e.startsWith(where + ": ")) return { where, reason: e.slice(where.length + 2) };
    return { where: "", reason: e || "The scenario failed." };
  }

  function renderScenarioRun() {
    const r = SC.run;
    const state = r ? r.state : "idle";
    const active = state === "playing" || state === "paused";
    const x = selectedScenario();
    const total = r ? r.total : 0;
    const done = !r ? 0 : state === "passed" ? total : Math.min(r.index, total);
    const sigNow = [r, x && x.file, REC.on, S.connected, !!(x && x.steps), SC.runAt && Date.now() - SC.runAt > 10000];
    if (!changed("scenRun", sigNow)) return;

    SCE.state.dataset.state = state;
    SCE.state.textContent = RUN_LABEL[state] || state;
    SCE.progress.dataset.state = state;
    SCE.progress.max = Math.max(1, total);
    SCE.progress.value = done;
    SCE.progress.dataset.index = r ? String(r.index) : "";
    SCE.progress.dataset.total = String(total);
    SCE.progress.setAttribute("aria-valuetext", r ? `${done} of ${total} steps done` : "no scenario playing");
    SCE.countText.textContent = !r ? "" : state === "passed" ? `${total} of ${total}` : `Step ${Math.min(r.index + 1, total)} of ${total}`;
    SCE.countText.title = r ? `${r.file}:${r.line}: ${r.text}` : "";

    // which run this is, when the player shows another scenario
    const other = r && !isRunOf(x);
    SCE.runLine.hidden = !other;
    if (other) {
      SCE.runLine.replaceChildren(`${RUN_LABEL[state] || state}: `,
        h("button", { type: "button", class: "link", text: r.name, title: "Show its steps", on: { click: () => selectScenario(r.file) } }),
        ` · line ${r.line}: `, h("code", { text: truncate(r.text || "", 80) }));
    }

    // the failure: the error (with file:line) and what the extension sent
    const failed = state === "failed";
    SCE.error.hidden = !failed;
    if (failed) {
      const { where, reason } = splitError(r);
      role("error", SCE.error).replaceChildren(where ? h("strong", { class: "scen-where", text: where }) : null, reason);
      SCE.error.title = r.error || "";
      const closest = Array.isArray(r.closest) ? r.closest : [];
      role("closest-wrap", SCE.error).hidden = !closest.length;
      role("closest", SCE.error).replaceChildren(...closest.map(closestItem));
    }
    // the protocol problems of the extensions' messages while it played:
    // the page only reports them; cpsim test fails on them
    const np = r && r.problems ? r.problems : 0;
    SCE.problems.hidden = !np;
    SCE.problems.dataset.count = String(np);
    if (np) {
      SCE.problems.replaceChildren(
        h("button", { type: "button", class: "link", text: `${np} message${np === 1 ? "" : "s"} with protocol problems`, title: "Show the messages with problems in the inspector", on: { click: showProblems } }),
        " from the extensions while it played. The page only reports them; cpsim test fails the scenario on them (unless -problems report).");
    }
    SCE.note.hidden = !!r;
    SCE.player.dataset.state = state;

    // buttons
    const playable = !!(x && x.steps);
    SCE.play.disabled = !S.connected || !playable || REC.on;
    SCE.play.title = REC.on ? "Stop recording first: playing restarts the session"
      : !playable ? (x ? "This scenario is not in cpsim's library, so the page cannot play it" : "Choose a scenario")
        : `Play ${x.name}: the session restarts with the scenario's data`;
    SCE.pause.hidden = state === "paused";
    SCE.resume.hidden = state !== "paused";
    SCE.pause.disabled = state !== "playing";
    SCE.step.disabled = !active;
    SCE.stop.disabled = !active;

    // the top bar and the tab
    const recent = r && (active || failed || (SC.runAt && Date.now() - SC.runAt < 10000));
    SCE.indicator.hidden = !recent;
    if (r) {
      SCE.indicator.dataset.state = state;
      role("text", SCE.indicator).textContent = r.name;
      role("count", SCE.indicator).textContent = `${done}/${total}`;
      role("state", SCE.indicator).textContent = RUN_LABEL[state] || state;
      SCE.indicator.title = `Scenario ${r.name} (${r.file}): ${RUN_LABEL[state] || state}, step ${Math.min(r.index + 1, total)} of ${total} (line ${r.line}). Click to open the Scenarios tab.`;
    }
    role("dot", SCE.tab).dataset.state = active || failed ? state : "";
    renderRecorder();
  }

  // --- the player's buttons

  SCE.speed.value = ["1", "2", "5", "10", "50"].includes(localGet(LS_SPEED)) ? localGet(LS_SPEED) : "1";
  SCE.speed.addEventListener("change", () => localSet(LS_SPEED, SCE.speed.value));

  SCE.play.addEventListener("click", async () => {
    const x = selectedScenario();
    if (!x || !x.steps) return;
    const v = S.view || {};
    const inHand = (v.interactions || []).filter((it) => it.status !== "incoming" && it.status !== "queued").length;
    const active = SC.run && !FINAL.has(SC.run.state);
    if (inHand || active) {
      const ok = await confirmDialog({
        title: `Play “${x.name}”?`,
        text: [
          "Playing restarts this session with the scenario's data:",
          inHand ? `the ${inHand === 1 ? "interaction" : `${inHand} interactions`} in hand close${inHand === 1 ? "s" : ""},` : "",
          active ? `“${SC.run.name}” stops,` : "",
          "and the extensions get exit and load again.",
        ].filter(Boolean).join(" "),
        ok: "Restart and play",
      });
      if (!ok) return;
    }
    sendEvent({ type: "scenario_play", name: x.name, speed: Number(SCE.speed.value) || 1 });
  });
  SCE.pause.addEventListener("click", () => sendEvent({ type: "scenario_pause" }));
  SCE.resume.addEventListener("click", () => sendEvent({ type: "scenario_resume" }));
  SCE.step.addEventListener("click", () => sendEvent({ type: "scenario_step" }));
  SCE.stop.addEventListener("click", () => sendEvent({ type: "scenario_stop" }));

  // --- a confirmation dialog

  const cdlg = tid("confirm-dialog");
  let cdlgResolve = null;
  function confirmDialog({ title, text, ok }) {
    if (cdlg.open) closeConfirm(false);
    role("title", cdlg).textContent = title;
    role("text", cdlg).textContent = text || "";
    tid("confirm-ok", cdlg).textContent = ok || "OK";
    cdlg.showModal();
    tid("confirm-ok", cdlg).focus();
    return new Promise((resolve) => { cdlgResolve = resolve; });
  }
  function closeConfirm(result) {
    if (cdlg.open) cdlg.close();
    const r = cdlgResolve;
    cdlgResolve = null;
    if (r) r(result);
  }
  role("form", cdlg).addEventListener("submit", (e) => { e.preventDefault(); closeConfirm(true); });
  tid("confirm-cancel", cdlg).addEventListener("click", () => closeConfirm(false));
  cdlg.addEventListener("cancel", (e) => { e.preventDefault(); closeConfirm(false); });

  // ---------------------------------------------------------------------
  // The recorder: what the agent does in the page (every event that
  // succeeds, with the time between them) becomes a scenario file.

  const SS_REC = "cpsim.recording";
  const NAME_PREFIX = { phone: "call", chat: "chat", email: "mail", sms: "sms", whatsapp: "wa" };
  const REC = {
    on: false,
    session: "",
    startedAt: 0, // Date.now()
    start: null, // the panel when the recording started: {agent, unserved, faults, ids}
    entries: [], // {at, ev, info, ok, created}: ok is null until the r frame comes
    last: null, // the last recording: {name, description, yaml, events, steps, ms}
  };
  const recUI = {
    pill: tid("record-indicator"), start: tid("record-start"), open: tid("record-open"), stop: tid("record-stop"),
  };
  recUI.time = role("time", recUI.pill);
  recUI.steps = role("steps", recUI.pill);
  recUI.onNote = role("rec-on", SCE.pane);

  function interactionInfo(v, id) {
    const it = ((v && v.interactions) || []).find((x) => x.id === id);
    return it ? { channel: it.channel, status: it.status, outbound: !!it.outbound, consult: !!it.consult_for } : null;
  }

  /** recordEvent notes an event the page is sending, while recording; the
   * note is kept if the server's r frame has no error. */
  function recordEvent(ev) {
    if (!REC.on || !ev || typeof ev.type !== "string" || ev.type.startsWith("scenario_")) return null;
    if (ev.type === "select_extension") return null; // no scenario step does it
    let copy;
    try { copy = JSON.parse(JSON.stringify(ev)); } catch { return null; }
    let info = ev.id ? interactionInfo(S.view, ev.id) : null;
    if (!info && (ev.type === "confirm" || ev.type === "cancel")) {
      // a pending outbound: what it will create
      const p = ((S.view && S.view.pending) || []).find((x) => x.id === ev.id);
      if (p && p.request) info = { channel: p.request.channel, outbound: true };
    }
    const e = { at: Date.now(), ev: copy, info, ok: null, created: "" };
    REC.entries.push(e);
    return e;
  }
  function recordResult(e, r) {
    const i = REC.entries.indexOf(e);
    if (i < 0) return;
    if (r && r.error) REC.entries.splice(i, 1);
    else {
      e.ok = true;
      if (r && r.created) e.created = r.created;
    }
    saveRec();
    renderRecorder();
  }

  function saveRec() {
    const keep = { on: REC.on, session: REC.session, startedAt: REC.startedAt, start: REC.start, entries: REC.entries.filter((e) => e.ok), last: REC.last };
    try { sessionStorage.setItem(SS_REC, JSON.stringify(keep)); } catch { /* too big or private mode: the recording stays in this page */ }
  }
  function loadRec() {
    try {
      const saved = JSON.parse(storageGet(SS_REC) || "null");
      if (!saved || saved.session !== S.session) return;
      REC.last = saved.last || null;
      if (saved.on && saved.start) {
        REC.on = true;
        REC.session = saved.session;
        REC.startedAt = saved.startedAt;
        REC.start = saved.start;
        REC.entries = Array.isArray(saved.entries) ? saved.entries : [];
      }
    } catch { /* ignore */ }
  }

  function startRecording() {
    const v = S.view;
    if (!v || !S.connected) { toast("Wait for the connection to cpsim.", "error", "Record"); return; }
    if (SC.run && !FINAL.has(SC.run.state)) { toast("Stop the scenario first.", "error", "Record"); return; }
    const u = v.user || {};
    REC.on = true;
    REC.session = S.session;
    REC.startedAt = Date.now();
    REC.entries = [];
    REC.start = {
      agent: { login_status: u.login_status, work_status: u.work_status, phone_status: v.phone_status, profile: v.profile },
      unserved: (v.queues || []).filter((q) => !q.serve && !q.forced_to_serve).map((q) => q.name),
      faults: v.faults || {},
      ids: Object.fromEntries((v.interactions || []).map((it) => [it.id, interactionInfo(v, it.id)])),
    };
    saveRec();
    viewSigs.scenRun = undefined;
    renderScenarioRun();
    toast("Everything you do in the panel now becomes a step, with the time between. Stop in the top bar.", "info", "Recording");
  }

  async function stopRecording() {
    if (!REC.on) return;
    REC.on = false;
    recUI.stop.disabled = true;
    // let the last clicks' results come
    for (let i = 0; i < 40 && REC.entries.some((e) => e.ok === null); i++) await new Promise((res) => setTimeout(res, 50));
    recUI.stop.disabled = false;
    const entries = REC.entries.filter((e) => e.ok);
    const stamp = new Date(REC.startedAt);
    const p2 = (n) => String(n).padStart(2, "0");
    const when = `${stamp.getFullYear()}-${p2(stamp.getMonth() + 1)}-${p2(stamp.getDate())} ${p2(stamp.getHours())}:${p2(stamp.getMinutes())}`;
    const name = `Recorded session ${when}`;
    const built = recordingYAML({ start: REC.start, entries }, name, "", when);
    const description = `Recorded in the panel on ${when}${built.names.length ? `: ${built.names.join(", ")}` : ""}.`;
    REC.last = {
      name, description, when,
      yaml: built.yaml.replace(/^description:.*$/m, () => `description: ${yStr(description)}`),
      events: entries.length, steps: built.steps, ms: Date.now() - REC.startedAt,
    };
    REC.entries = [];
    saveRec();
    viewSigs.scenRun = undefined;
    renderScenarioRun();
    openRecordDialog();
  }

  recUI.start.addEventListener("click", startRecording);
  recUI.stop.addEventListener("click", stopRecording);
  recUI.open.addEventListener("click", openRecordDialog);

  function renderRecorder() {
    recUI.pill.hidden = !REC.on;
    recUI.start.hidden = REC.on;
    recUI.onNote.hidden = !REC.on;
    recUI.open.hidden = REC.on || !REC.last;
    const active = SC.run && !FINAL.has(SC.run.state);
    recUI.start.disabled = !S.connected || !!active;
    recUI.start.title = active ? "Stop the scenario first: a recording starts from the panel as you leave it"
      : "Record what you do in the panel (every event that succeeds) into a scenario file";
    if (REC.on) {
      recUI.time.dataset.since = String(REC.startedAt);
      recUI.time.textContent = fmtDuration(Date.now() - REC.startedAt);
      const n = REC.entries.filter((e) => e.ok).length;
      recUI.steps.textContent = `${n} event${n === 1 ? "" : "s"}`;
    } else {
      delete recUI.time.dataset.since;
    }
  }

  // --- YAML

  // A plain word needs no quotes; anything else is written as a JSON string,
  // which YAML reads the same (escaping what YAML would not take as is).
  const PLAIN = /^[A-Za-z_][A-Za-z0-9_./@+-]*$/;
  const RESERVED = /^(true|false|yes|no|on|off|y|n|null|nan|inf|infinity)$/i;
  function yStr(s) {
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
  /** flow writes a step's fields in flow style, leaving out the undefined ones. */
  function flow(pairs) {
    return "{" + pairs.filter(([, x]) => x !== undefined).map(([k, x]) => `${k}: ${x instanceof Raw ? x.text : yValue(x)}`).join(", ") + "}";
  }
  class Raw { constructor(text) { this.text = text; } toString() { return this.text; } }
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
  function recordingYAML(rec, name, description, when) {
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

  // --- the dialog that saves a recording

  const rdlg = tid("record-dialog");
  const rd = {
    name: tid("record-name", rdlg), desc: tid("record-description", rdlg), yaml: tid("record-yaml", rdlg),
    copy: tid("record-copy", rdlg), download: tid("record-download", rdlg), close: tid("record-close", rdlg),
    nameError: tid("record-name-error", rdlg), text: role("text", rdlg), hint: role("hint", rdlg),
  };
  function openRecordDialog() {
    const last = REC.last;
    if (!last) return;
    rd.name.value = last.name;
    rd.desc.value = last.description;
    rd.yaml.value = last.yaml;
    rd.text.textContent = last.events
      ? `${last.events} event${last.events === 1 ? "" : "s"} in ${fmtDuration(last.ms)} became ${last.steps} step${last.steps === 1 ? "" : "s"}. Name it, then copy it or download it, and play it with cpsim -scenario FILE or cpsim test FILE.`
      : "Nothing was recorded: no event of the page succeeded while recording.";
    checkRecordName();
    if (!rdlg.open) rdlg.showModal();
    rd.name.focus();
    rd.name.select();
  }
  function checkRecordName() {
    const ok = !!rd.name.value.trim();
    rd.nameError.hidden = ok;
    rd.name.closest(".field").classList.toggle("invalid", !ok);
    rd.copy.disabled = rd.download.disabled = !ok;
    return ok;
  }
  /** setHeader rewrites the name: or description: line of the YAML, keeping the developer's edits to the rest. */
  function setHeader(key, value) {
    const line = `${key}: ${yStr(value.trim())}`;
    const re = new RegExp(`^${key}:.*$`, "m");
    rd.yaml.value = re.test(rd.yaml.value) ? rd.yaml.value.replace(re, () => line) : line + "\n" + rd.yaml.value;
    if (REC.last) { REC.last[key] = value; REC.last.yaml = rd.yaml.value; saveRec(); }
  }
  rd.name.addEventListener("input", () => { setHeader("name", rd.name.value); checkRecordName(); });
  rd.desc.addEventListener("input", () => setHeader("description", rd.desc.value));
  rd.yaml.addEventListener("input", () => { if (REC.last) { REC.last.yaml = rd.yaml.value; saveRec(); } });
  rd.close.addEventListener("click", () => rdlg.close());
  role("form", rdlg).addEventListener("submit", (e) => e.preventDefault());
  rd.copy.addEventListener("click", () => { if (checkRecordName()) copyText(rd.yaml.value, "Scenario YAML copied"); });
  rd.download.addEventListener("click", () => {
    if (!checkRecordName()) return;
    const slug = rd.name.value.trim().toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60) || "scenario";
    const blob = new Blob([rd.yaml.value], { type: "application/yaml" });
    const url = URL.createObjectURL(blob);
    const a = h("a", { href: url, download: `${slug}.yaml` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    rd.hint.textContent = `Saved as ${a.download}`;
    toast(`Saved as ${a.download}. Check it with cpsim validate ${a.download}.`, "ok");
  });

  // ---------------------------------------------------------------------
  // Inspector

  const L = {
    entries: [], // the l frames, in log number order (window.cpsim.log)
    rows: [], // derived data for entries[i]
    late: [], // entries that arrived out of order, merged in the next pass
    maxN: 0,
    filtered: [], // indexes of rows that pass the filter
    filterSig: "",
    selected: 0, // log number of the selected row, 0 for none
    stick: true,
    autoScrollTop: -1,
    clearedN: 0,
    types: new Set(),
    insts: new Set(),
    problems: 0,
    unseen: 0,
  };
  const logList = tid("log-list");
  const logSpacer = logList.querySelector(".log-spacer");
  const logDetail = tid("log-detail");
  const logCount = tid("log-count");
  const logProblemCount = tid("log-problem-count");
  const logEmpty = tid("log-empty");
  const logJump = tid("log-jump");
  const filt = { text: tid("log-filter"), dir: tid("log-dir"), type: tid("log-type"), inst: tid("log-instance"), problems: tid("log-problems") };

  function logReceive(f) {
    if (f.n > L.maxN) {
      L.entries.push(f);
      L.maxN = f.n;
    } else {
      L.late.push(f);
    }
    markLogDirty(true);
  }

  function clearLog(all) {
    if (all) {
      L.entries = [];
      L.rows = [];
      L.late = [];
      L.maxN = 0;
      L.clearedN = 0;
      L.types.clear();
      L.insts.clear();
      L.problems = 0;
    } else {
      L.clearedN = L.maxN;
    }
    L.selected = 0;
    L.filterSig = "";
    markLogDirty();
  }

  /** severity is a row's worst diagnostic: error, warning, info (a note,
   * not a problem) or "". */
  function severity(diag) {
    if (!diag || !diag.length) return "";
    if (diag.some((d) => d.severity === "error")) return "error";
    return diag.some((d) => d.severity === "warning") ? "warning" : "info";
  }
  const isProblem = (sev) => sev === "error" || sev === "warning";

  function derive(e) {
    const m = e.m;
    const o = m && typeof m === "object" && !Array.isArray(m) ? m : null;
    let type;
    if (o) type = typeof o.type === "string" ? o.type : "(no type)";
    else if (e.raw !== undefined) type = "bad";
    else if (m === undefined) type = "note";
    else type = Array.isArray(m) ? "array" : typeof m;
    const id = o && o.id !== undefined && o.id !== null ? (typeof o.id === "string" ? o.id : JSON.stringify(o.id)) : "";
    return { e, type, id, sev: severity(e.diag), sum: null, hay: null, respN: 0, respMs: 0 };
  }

  function short(v, n = 48) {
    if (v === null) return "null";
    switch (typeof v) {
      case "string": return `"${truncate(v, n)}"`;
      case "number": case "boolean": return String(v);
      case "undefined": return "—";
    }
    if (Array.isArray(v)) return `[${v.length} item${v.length === 1 ? "" : "s"}]`;
    if (v.channel_type && v.id) return `interaction ${v.id} (${v.channel_sub_type || v.channel_type}, ${v.status})`;
    if (v.username !== undefined && v.presence_profiles) return `user ${v.username}`;
    if (v.key !== undefined && v.url !== undefined) return `extension ${v.key}`;
    if (v.message !== undefined && v.originator !== undefined) return `"${truncate(String(v.message), n)}" from ${v.originator}`;
    if (Array.isArray(v.messages)) return `transcript (${v.messages.length} messages)`;
    if (v.name !== undefined && v.availability !== undefined) return `profile ${v.name}`;
    const keys = Object.keys(v);
    if (!keys.length) return "{}";
    if (keys.length <= 12) {
      let j;
      try { j = JSON.stringify(v); } catch { j = ""; }
      if (j && j.length <= 4096) return truncate(j, n + 24);
    }
    return `{${truncate(keys.join(", "), n)}}`;
  }

  function summary(r) {
    if (r.sum !== null) return r.sum;
    const e = r.e, m = e.m;
    let s = "";
    let err = false;
    if (e.raw !== undefined) s = e.raw;
    else if (m === undefined) s = e.diag && e.diag.length ? e.diag[0].text : e.seq ? `delivery ${e.seq} (its d frame was not in the same websocket message)` : "";
    else if (!m || typeof m !== "object" || Array.isArray(m)) s = short(m, 80);
    else {
      const p = m.payload;
      const po = p && typeof p === "object" && !Array.isArray(p) ? p : null;
      switch (r.type) {
        case "action":
          if (po) {
            s = `${po.command === undefined ? "(no command)" : po.command} ${po.value === undefined ? "" : short(po.value)}`;
            if (po.interactionId) s += ` on ${po.interactionId}`;
          } else s = "(no payload)";
          break;
        case "response":
          if (po && po.value === "error") { s = `error: ${po.reason || "(no reason)"}`; err = true; }
          else s = po ? short(po.value, 60) : "(no payload)";
          break;
        case "state":
        case "status":
          s = po ? `${po.attribute} = ${short(po.value)}${po.interaction && po.interaction.id ? ` · ${po.interaction.id}` : ""}` : "(no payload)";
          break;
        case "init":
          s = `init ${p === undefined ? "(no payload)" : short(p)}`;
          break;
        case "exit":
          s = "exit" + (p !== undefined ? ` ${short(p)}` : "");
          break;
        default:
          s = p === undefined ? "" : short(p, 60);
      }
    }
    r.sum = { text: s.trim(), err };
    return r.sum;
  }

  function haystack(r) {
    if (r.hay === null) {
      const e = r.e;
      let body;
      try { body = e.m === undefined ? (e.raw || "") : JSON.stringify(e.m); } catch { body = ""; }
      r.hay = `${e.n} ${e.i} ${e.k} ${e.dir} ${r.type} ${r.id} ${body} ${(e.diag || []).map((d) => d.kind + " " + d.path + " " + d.text).join(" ")}`.toLowerCase();
    }
    return r.hay;
  }

  function currentFilter() {
    return { text: filt.text.value.trim().toLowerCase(), dir: filt.dir.value, type: filt.type.value, inst: filt.inst.value, problems: filt.problems.checked, cleared: L.clearedN };
  }
  function matches(r, f) {
    const e = r.e;
    if (e.n <= f.cleared) return false;
    if (f.dir && e.dir !== f.dir) return false;
    if (f.type && r.type !== f.type) return false;
    if (f.inst && e.i !== f.inst) return false;
    if (f.problems && !isProblem(r.sev)) return false;
    if (f.text) {
      const words = f.text.split(/\s+/);
      const hay = haystack(r);
      for (const w of words) if (!hay.includes(w)) return false;
    }
    return true;
  }

  function findRow(n) {
    let lo = 0, hi = L.rows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const x = L.rows[mid].e.n;
      if (x === n) return mid;
      if (x < n) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
  }

  function pair(r) {
    if (!r.e.re) return;
    const i = findRow(r.e.re);
    if (i >= 0) { L.rows[i].respN = r.e.n; L.rows[i].respMs = r.e.ms; }
  }

  function addRow(r) {
    L.types.add(r.type);
    if (r.e.i) L.insts.add(r.e.i);
    if (isProblem(r.sev)) L.problems++;
  }

  /** ingest derives rows for new entries; returns true when the order changed. */
  function ingest() {
    let resorted = false;
    if (L.late.length) {
      const have = new Set(L.entries.map((e) => e.n));
      const add = L.late.filter((e) => !have.has(e.n) && (have.add(e.n), true));
      L.late = [];
      if (add.length) {
        L.entries = L.entries.concat(add).sort((a, b) => a.n - b.n);
        L.rows = [];
        L.types.clear();
        L.insts.clear();
        L.problems = 0;
        resorted = true;
      }
    }
    if (L.entries.length > MAX_LOG) {
      L.entries.splice(0, L.entries.length - Math.floor(MAX_LOG * 0.9));
      L.rows = [];
      L.types.clear();
      L.insts.clear();
      L.problems = 0;
      resorted = true;
    }
    const start = L.rows.length;
    for (let i = start; i < L.entries.length; i++) {
      const r = derive(L.entries[i]);
      L.rows.push(r);
      addRow(r);
    }
    if (resorted) { for (const r of L.rows) pair(r); }
    else for (let i = start; i < L.rows.length; i++) pair(L.rows[i]);
    return { resorted, start };
  }

  function refreshFilterOptions() {
    const addOptions = (sel, values, label) => {
      const have = new Set([...sel.options].map((o) => o.value));
      for (const v of [...values].sort()) if (!have.has(v)) sel.append(h("option", { value: v, text: label ? label(v) : v }));
    };
    addOptions(filt.type, L.types);
    addOptions(filt.inst, L.insts);
  }
  function updateInstanceFilter() {
    if (S.view) for (const i of S.view.instances || []) L.insts.add(i.id);
    refreshFilterOptions();
  }

  const pool = [];

  function renderLog() {
    const { resorted, start } = ingest();
    const f = currentFilter();
    const fs = sig(f);
    const prevLen = L.filtered.length;
    if (resorted || fs !== L.filterSig) {
      L.filterSig = fs;
      L.filtered = [];
      for (let i = 0; i < L.rows.length; i++) if (matches(L.rows[i], f)) L.filtered.push(i);
    } else {
      for (let i = start; i < L.rows.length; i++) if (matches(L.rows[i], f)) L.filtered.push(i);
    }
    const added = L.filtered.length - prevLen;
    if (!L.stick && added > 0) L.unseen += added;
    refreshFilterOptions();

    const total = L.filtered.length;
    logCount.textContent = total === L.rows.length ? nf.format(total) : `${nf.format(total)} / ${nf.format(L.rows.length)}`;
    logProblemCount.textContent = nf.format(L.problems);
    logProblemCount.dataset.zero = String(L.problems === 0);
    logEmpty.hidden = total > 0;
    if (!total && L.rows.length) logEmpty.textContent = "No message matches the filter.";
    else logEmpty.textContent = "No messages yet. They appear here as extensions and the panel talk.";

    logSpacer.style.height = total * ROW_H + "px";
    if (L.stick) {
      logList.scrollTop = logList.scrollHeight;
      L.autoScrollTop = logList.scrollTop; // the scroll event this causes needs no second render
      L.unseen = 0;
    }
    logJump.hidden = L.stick || L.unseen === 0;
    if (!logJump.hidden) logJump.textContent = `${nf.format(L.unseen)} new ↓`;

    const top = logList.scrollTop;
    const height = logList.clientHeight || 300;
    const last = Math.min(total, Math.ceil((top + height) / ROW_H) + 4);
    const first = Math.max(0, Math.min(Math.floor(top / ROW_H) - 4, last - Math.ceil(height / ROW_H) - 8));
    const need = last - first;
    while (pool.length < need) {
      const el = h("div", { class: "log-row", testid: "log-row", attrs: { role: "option" } },
        h("span", { class: "c-time" }), h("span", { class: "c-dir" }, h("span", { class: "dir" })), h("span", { class: "c-inst" }),
        h("span", { class: "c-id" }), h("span", { class: "c-type" }), h("span", { class: "c-sum" }), h("span", { class: "c-ms" }));
      el.addEventListener("click", () => selectRow(Number(el.dataset.n)));
      pool.push(el);
    }
    // Only the rows in view are in the document (tests can trust them);
    // the rest of the pool waits detached.
    // Row idx always uses pool[idx % need], so that while new rows arrive
    // only the rows that scroll in are filled; the others just move.
    for (let idx = first; idx < last; idx++) {
      const el = pool[idx % need];
      fillRow(el, L.rows[L.filtered[idx]], idx);
      if (!el.isConnected) logList.append(el);
    }
    for (let j = need; j < pool.length; j++) if (pool[j].isConnected) pool[j].remove();
    renderLogDetail();
  }

  function fillRow(el, r, idx) {
    el.style.transform = `translateY(${idx * ROW_H}px)`;
    el.classList.toggle("alt", idx % 2 === 1);
    const e = r.e;
    const key = `${e.n}|${r.respN}|${L.selected === e.n}`;
    if (el._key === key) return;
    el._key = key;
    el.dataset.n = e.n;
    el.dataset.dir = e.dir;
    el.dataset.type = r.type;
    el.dataset.instance = e.i;
    el.dataset.id = r.id;
    if (r.sev) el.dataset.sev = r.sev; else delete el.dataset.sev;
    el.setAttribute("aria-selected", String(L.selected === e.n));
    const [cTime, cDir, cInst, cId, cType, cSum, cMs] = el.children;
    const d = new Date(e.at);
    cTime.textContent = Number.isNaN(d.getTime()) ? e.at : fmtClock(d);
    cDir.firstChild.dataset.dir = e.dir;
    cDir.firstChild.textContent = e.dir === "in" ? "IN" : "OUT";
    cDir.title = e.dir === "in" ? "in: from the extension to the panel" : "out: from the panel to the extension";
    cInst.textContent = e.i;
    cInst.title = `${e.i} (${e.k})`;
    cId.textContent = r.id;
    cId.title = r.id;
    cType.textContent = r.type;
    cType.dataset.type = r.type;
    const s = summary(r);
    cSum.replaceChildren();
    if (r.sev) cSum.append(h("span", { class: "sev", data: { sev: r.sev }, text: r.sev === "error" ? "✕" : r.sev === "warning" ? "⚠" : "ℹ" }));
    cSum.append(s.err ? h("span", { class: "err", text: s.text }) : s.text);
    if (r.sev && e.m !== undefined) cSum.append(h("span", { class: "sev", data: { sev: r.sev }, text: ` — ${e.diag[0].text}` }));
    el.title = r.sev ? e.diag.map((x) => `${x.severity}: ${x.text}`).join("\n") : "";
    const ms = e.re ? e.ms : r.respN ? r.respMs : null;
    cMs.textContent = ms !== null && ms !== undefined ? fmtMs(ms) : (e.dir === "in" && (r.type === "action" || r.type === "init") && r.id ? "…" : "");
    cMs.title = e.re ? `answers #${e.re} after ${ms} ms` : r.respN ? `answered by #${r.respN} after ${r.respMs} ms` : cMs.textContent === "…" ? "no response yet" : "";
  }
  const fmtMs = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

  logList.addEventListener("scroll", () => {
    if (L.stick && logList.scrollTop === L.autoScrollTop) return; // our own auto-scroll
    const atBottom = logList.scrollTop + logList.clientHeight >= logList.scrollHeight - ROW_H / 2;
    if (atBottom !== L.stick) L.stick = atBottom;
    if (atBottom) L.unseen = 0;
    markLogDirty();
  }, { passive: true });
  logJump.addEventListener("click", () => { L.stick = true; markLogDirty(); });
  new ResizeObserver(() => markLogDirty()).observe(logList);

  for (const el of [filt.text]) el.addEventListener("input", () => markLogDirty());
  for (const el of [filt.dir, filt.type, filt.inst, filt.problems]) el.addEventListener("change", () => markLogDirty());
  /** showProblems filters the inspector to the rows with problems. */
  function showProblems() {
    filt.problems.checked = true;
    markLogDirty();
  }
  filt.text.addEventListener("keydown", (e) => { if (e.key === "Escape") { filt.text.value = ""; markLogDirty(); } });
  tid("log-clear").addEventListener("click", () => clearLog(false));

  function selectRow(n) {
    L.selected = L.selected === n ? 0 : n;
    for (const el of pool) el._key = "";
    markLogDirty();
  }

  logList.addEventListener("keydown", (e) => {
    if (!["ArrowUp", "ArrowDown", "Home", "End", "Escape", "PageUp", "PageDown"].includes(e.key)) return;
    e.preventDefault();
    if (e.key === "Escape") { L.selected = 0; for (const el of pool) el._key = ""; markLogDirty(); return; }
    const total = L.filtered.length;
    if (!total) return;
    let pos = L.selected ? L.filtered.findIndex((i) => L.rows[i].e.n === L.selected) : -1;
    const page = Math.max(1, Math.floor(logList.clientHeight / ROW_H) - 1);
    if (e.key === "ArrowDown") pos = Math.min(total - 1, pos + 1);
    else if (e.key === "ArrowUp") pos = pos < 0 ? total - 1 : Math.max(0, pos - 1);
    else if (e.key === "PageDown") pos = Math.min(total - 1, pos + page);
    else if (e.key === "PageUp") pos = Math.max(0, pos - page);
    else if (e.key === "Home") pos = 0;
    else if (e.key === "End") pos = total - 1;
    L.selected = L.rows[L.filtered[pos]].e.n;
    scrollToPos(pos);
    for (const el of pool) el._key = "";
    markLogDirty();
  });
  function scrollToPos(pos) {
    const y = pos * ROW_H;
    if (y < logList.scrollTop) logList.scrollTop = y;
    else if (y + ROW_H > logList.scrollTop + logList.clientHeight) logList.scrollTop = y + ROW_H - logList.clientHeight;
    L.stick = logList.scrollTop + logList.clientHeight >= logList.scrollHeight - ROW_H / 2;
  }
  function jumpTo(n) {
    let pos = L.filtered.findIndex((i) => L.rows[i].e.n === n);
    if (pos < 0) {
      // Not shown under the current filter: clear it so the row can be seen.
      filt.text.value = ""; filt.dir.value = ""; filt.type.value = ""; filt.inst.value = ""; filt.problems.checked = false;
      L.clearedN = Math.min(L.clearedN, n - 1);
      L.filterSig = "";
      renderLog();
      pos = L.filtered.findIndex((i) => L.rows[i].e.n === n);
      if (pos < 0) { toast(`Message #${n} is no longer in the log.`, "info"); return; }
    }
    L.selected = n;
    L.stick = false;
    logList.scrollTop = Math.max(0, pos * ROW_H - logList.clientHeight / 2);
    for (const el of pool) el._key = "";
    markLogDirty();
  }

  let detailKey = "";
  function renderLogDetail() {
    const i = L.selected ? findRow(L.selected) : -1;
    if (i < 0) {
      if (!logDetail.hidden) { logDetail.hidden = true; detailKey = ""; }
      return;
    }
    const r = L.rows[i];
    const e = r.e;
    const key = `${e.n}|${r.respN}`;
    if (key === detailKey && !logDetail.hidden) return;
    detailKey = key;
    logDetail.hidden = false;
    const d = new Date(e.at);
    const meta = [
      ["Time", Number.isNaN(d.getTime()) ? e.at : `${d.toLocaleDateString()} ${fmtClock(d)}`],
      ["Direction", e.dir === "in" ? "in: from the extension" : "out: to the extension"],
      ["Instance", `${e.i} (extension ${e.k})`],
      ["Type", r.type + (r.id ? ` · id ${r.id}` : "")],
    ];
    const pairEl = e.re
      ? h("button", { type: "button", class: "link", testid: "log-pair", on: { click: () => jumpTo(e.re) } }, `answers #${e.re}, after ${e.ms} ms`)
      : r.respN
        ? h("button", { type: "button", class: "link", testid: "log-pair", on: { click: () => jumpTo(r.respN) } }, `answered by #${r.respN}, after ${r.respMs} ms`)
        : null;
    let body;
    if (e.m !== undefined) body = jsonView(e.m);
    else if (e.raw !== undefined) body = h("pre", { class: "json", text: e.raw });
    else body = h("p", { class: "tool-note", text: "A note: this row carries diagnostics only (for instance a message the panel cached instead of sending)." });
    logDetail.replaceChildren(
      h("div", { class: "ld-head" }, h("strong", { text: `#${e.n}` }), h("span", { class: "dir", data: { dir: e.dir }, text: e.dir.toUpperCase() }),
        h("span", { text: r.type }), h("span", { class: "spacer" }),
        h("button", { type: "button", class: "btn btn-small btn-quiet", testid: "log-copy", title: "Copy the message as JSON", on: { click: () => copyText(JSON.stringify(e.m !== undefined ? e.m : e.raw !== undefined ? e.raw : null, null, 2), "Message copied") } }, icon("copy"), "Copy"),
        h("button", { type: "button", class: "btn btn-small btn-quiet", testid: "log-copy-entry", title: "Copy the whole log entry (time, direction, instance, diagnostics) as JSON", on: { click: () => copyText(JSON.stringify(e, null, 2), "Log entry copied") } }, "Entry"),
        h("button", { type: "button", class: "icon-btn", testid: "log-detail-close", attrs: { "aria-label": "Close the details" }, on: { click: () => selectRow(e.n) } }, icon("close"))),
      h("div", { class: "ld-body" },
        h("dl", { class: "ld-meta" }, meta.map(([k, val]) => [h("dt", { text: k }), h("dd", { text: val })]),
          pairEl ? [h("dt", { text: e.re ? "Request" : "Response" }), h("dd", null, pairEl)] : null),
        e.diag && e.diag.length ? h("ul", { class: "diags" }, e.diag.map((x) => h("li", { class: "diag", testid: "log-diag", data: { severity: x.severity } },
          h("b", { text: x.severity }), x.kind ? h("code", { text: `[${x.kind}] ` }) : null, x.path ? h("code", { text: x.path + " " }) : null, x.text))) : null,
        body));
  }

  /** jsonView pretty-prints JSON with light highlighting (text nodes only, never HTML). */
  function jsonView(v) {
    const text = JSON.stringify(v, null, 2) ?? String(v);
    const pre = h("pre", { class: "json" });
    if (text.length > 200000) { pre.textContent = text; return pre; }
    const re = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
    let last = 0;
    const frag = document.createDocumentFragment();
    for (let m; (m = re.exec(text));) {
      if (m.index > last) frag.append(text.slice(last, m.index));
      if (m[1]) {
        frag.append(h("span", { class: m[2] ? "j-key" : "j-str", text: m[1] }));
        if (m[2]) frag.append(m[2]);
      } else if (m[3]) frag.append(h("span", { class: "j-lit", text: m[3] }));
      else frag.append(h("span", { class: "j-num", text: m[4] }));
      last = re.lastIndex;
    }
    if (last < text.length) frag.append(text.slice(last));
    pre.append(frag);
    return pre;
  }

  async function copyText(text, done) {
    try {
      await navigator.clipboard.writeText(text);
      toast(done, "ok");
    } catch {
      const ta = h("textarea", { value: text, attrs: { "aria-hidden": "true" } });
      ta.className = "sr-only";
      document.body.append(ta);
      ta.select();
      const ok = document.execCommand("copy");
      ta.remove();
      toast(ok ? done : "The browser refused to copy.", ok ? "ok" : "error");
    }
  }

  tid("log-save").addEventListener("click", () => {
    ingest();
    const data = {
      format: "cpsim-log",
      version: 1,
      saved_at: new Date().toISOString(),
      panel: location.origin,
      session: S.session,
      user_agent: navigator.userAgent,
      problems: S.problems,
      view: S.view,
      entries: L.entries,
    };
    const blob = new Blob([JSON.stringify(data, null, 1)], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
    const a = h("a", { href: url, download: `cpsim-log-${S.session || "session"}-${stamp}.json` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    toast(`Saved ${nf.format(L.entries.length)} messages as ${a.download}`, "ok");
  });

  // ---------------------------------------------------------------------
  // Layout: the resizable bottom panel and the tools column

  const splitter = tid("inspector-resize");
  function setBottom(px) {
    const max = Math.max(160, window.innerHeight - 300);
    const v = Math.round(Math.min(max, Math.max(110, px)));
    document.documentElement.style.setProperty("--bottom-h", v + "px");
    splitter.setAttribute("aria-valuenow", String(v));
    return v;
  }
  const savedBottom = Number(localGet(LS_BOTTOM));
  if (savedBottom > 0) setBottom(savedBottom);
  splitter.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    splitter.setPointerCapture(e.pointerId);
    splitter.classList.add("dragging");
    const move = (m) => setBottom(window.innerHeight - m.clientY - 3);
    const up = () => {
      splitter.classList.remove("dragging");
      splitter.removeEventListener("pointermove", move);
      splitter.removeEventListener("pointerup", up);
      splitter.removeEventListener("pointercancel", up);
      localSet(LS_BOTTOM, tid("inspector").getBoundingClientRect().height);
      markLogDirty();
    };
    splitter.addEventListener("pointermove", move);
    splitter.addEventListener("pointerup", up);
    splitter.addEventListener("pointercancel", up);
  });
  splitter.addEventListener("keydown", (e) => {
    const cur = tid("inspector").getBoundingClientRect().height;
    if (e.key === "ArrowUp") { e.preventDefault(); localSet(LS_BOTTOM, setBottom(cur + 24)); }
    if (e.key === "ArrowDown") { e.preventDefault(); localSet(LS_BOTTOM, setBottom(cur - 24)); }
  });
  const toolsToggle = tid("tools-toggle");
  function setTools(show) {
    document.body.classList.toggle("tools-hidden", !show);
    toolsToggle.setAttribute("aria-pressed", String(show));
    localSet(LS_TOOLS, show ? "1" : "0");
    markLogDirty();
  }
  toolsToggle.addEventListener("click", () => setTools(document.body.classList.contains("tools-hidden")));
  if (localGet(LS_TOOLS) === "0") setTools(false);

  tid("session-reconnect").addEventListener("click", () => {
    tid("session-banner").hidden = true;
    S.backoff = 250;
    connect();
  });

  // ---------------------------------------------------------------------
  // Once a second: timers on cards, init hints, stale queued deliveries.

  setInterval(() => {
    const now = Date.now();
    for (const el of document.querySelectorAll(".timer[data-since]")) {
      const since = Number(el.dataset.since);
      if (since) el.textContent = fmtDuration(now - since);
    }
    renderHints();
    const ids = new Set(((S.view && S.view.instances) || []).map((i) => i.id));
    for (const [id, q] of [...queued]) {
      if (!frames.has(id) && !ids.has(id) && performance.now() - q.since > 2000) dropQueued(id, "no such instance in the view");
    }
  }, 1000);

  // ---------------------------------------------------------------------
  // Start

  window.addEventListener("pagehide", () => {
    S.unloading = true;
    storageSet(SS_SEQ, ackable());
  });
  window.addEventListener("pageshow", (e) => {
    if (e.persisted) { S.unloading = false; if (!S.ws) connect(); }
  });

  Object.defineProperty(window, "cpsim", {
    value: Object.freeze({
      get session() { return S.session; },
      get connected() { return S.connected; },
      get lastSeq() { return ackable(); },
      get log() { return L.entries; },
      get view() { return S.view; },
      get scenarios() { return SC.list; },
      get scenario() { return SC.run; },
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
})();
