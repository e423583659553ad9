// @ts-check
// The cookie check's script: see cookies.html. Results are also exposed as
// window.cookieCheck for tests. It finds the panel's origin and posts init
// through panel.js, as every demo does.
import { panelOrigin, post } from "./panel.js";

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.querySelector('[data-testid="' + id + '"]'));

$("ancestor-origin").textContent = window.location.ancestorOrigins && window.location.ancestorOrigins.length
  ? window.location.ancestorOrigins[0] : "(none: not framed, or not Chromium)";
$("referrer").textContent = document.referrer || "(empty)";
$("own-origin").textContent = window.location.origin;

/** @type {{done: boolean, cookies: Record<string, boolean>, panelOrigin: string, error?: string}} */
const check = { done: false, cookies: {}, panelOrigin };
Object.assign(window, { cookieCheck: check });

fetch("/cookies/set", { credentials: "include", cache: "no-store" })
  .then(() => fetch("/cookies/echo", { credentials: "include", cache: "no-store" }))
  .then((r) => r.json())
  .then((/** @type {Record<string, boolean>} */ got) => {
    check.cookies = got;
    for (const name of Object.keys(got)) {
      const cell = document.querySelector('[data-testid="cookie-' + name + '"]');
      if (cell) {
        cell.textContent = got[name] ? "yes" : "no";
        cell.className = got[name] ? "yes" : "no";
      }
    }
    const sameSite = got.cpsim_lax;
    $("verdict").textContent = sameSite
      ? "Every cookie came back: this extension is on the panel's own site, so its cookies are first-party. In production they are third-party and only SameSite=None; Secure would come back."
      : got.cpsim_none
        ? "As in production: only the SameSite=None; Secure cookie came back. Cookies without it are third-party here and are not sent."
        : "No cookie came back: this browser blocks third-party cookies altogether.";
    document.body.dataset.state = "done";
    check.done = true;
  })
  .catch((err) => {
    $("verdict").textContent = "The check failed: " + err;
    document.body.dataset.state = "error";
    check.done = true;
    check.error = String(err);
  });

// Tell the panel it is up, as every extension must; it needs nothing else.
post({ type: "init", payload: false, id: "cookies-init" });
