// @ts-check
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
 *   - every action shows a pending toast (with elapsed seconds, for a
 *     panel that answers late) that turns into success or the panel's
 *     error reason; a non-direct SMS, WhatsApp or email is answered at once
 *     as a draft the agent sends from the panel; the status line at the
 *     bottom always repeats the latest outcome.
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
 *
 * Modules (web/demo/card/; each opens with what it owns and imports; the
 * imports form no cycle, lower modules never import higher ones):
 *   dom.js            element lookup (typed), h, icons             imports nothing
 *   format.js         labels, dates, durations, CAD values         imports nothing
 *   sanitize.js       allow-list HTML sanitiser                    imports nothing
 *   model.js          the state object `card`, the panel's data
 *                     shapes, folding what the panel says into it  imports nothing
 *   connection.js     request / action through ../panel.js         model
 *   feedback.js       phase, banner, status line, toasts           dom, format, model
 *   view-customer.js  header, customer and CAD                     dom, format, model
 *   view-conversation.js  transcript, email, phone panes           dom, format, sanitize, model
 *   view-controls.js  controls enabled / shown, prefill, phase     dom, format, model, feedback
 *   view.js           render: the whole card                       dom, model, view-*
 *   actions.js        the agent's actions, with their feedback     connection, dom, feedback, format, model, view
 *   details.js        detail user / transcript, refresh            connection, dom, feedback, model, view, view-conversation
 *   notifications.js  state and status messages                    feedback, model, view, view-*
 *   controls.js       wires the controls to their actions          actions, details, dom
 *   lifecycle.js      init, messages from the panel, exit          ../panel.js, and the modules above
 * This file loads lifecycle.js and starts it once the document is parsed.
 */
import { start } from "./card/lifecycle.js";

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
