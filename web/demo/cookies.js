// The cookie check's script: see cookies.html. Results are also exposed as
// window.cookieCheck for tests.
"use strict";
(function () {
  var panelOrigin = window.location.ancestorOrigins && window.location.ancestorOrigins.length
    ? window.location.ancestorOrigins[0]
    : (document.referrer ? new URL(document.referrer).origin : "");
  var $ = function (id) { return document.querySelector('[data-testid="' + id + '"]'); };

  $("ancestor-origin").textContent = window.location.ancestorOrigins && window.location.ancestorOrigins.length
    ? window.location.ancestorOrigins[0] : "(none: not framed, or not Chromium)";
  $("referrer").textContent = document.referrer || "(empty)";
  $("own-origin").textContent = window.location.origin;

  window.cookieCheck = { done: false, cookies: {}, panelOrigin: panelOrigin };

  fetch("/cookies/set", { credentials: "include", cache: "no-store" })
    .then(function () { return fetch("/cookies/echo", { credentials: "include", cache: "no-store" }); })
    .then(function (r) { return r.json(); })
    .then(function (got) {
      window.cookieCheck.cookies = got;
      Object.keys(got).forEach(function (name) {
        var cell = $("cookie-" + name);
        if (cell) {
          cell.textContent = got[name] ? "yes" : "no";
          cell.className = got[name] ? "yes" : "no";
        }
      });
      var sameSite = got.cpsim_lax;
      $("verdict").textContent = sameSite
        ? "Every cookie came back: this extension is on the panel's own site, so its cookies are first-party. In production they are third-party and only SameSite=None; Secure would come back."
        : got.cpsim_none
          ? "As in production: only the SameSite=None; Secure cookie came back. Cookies without it are third-party here and are not sent."
          : "No cookie came back: this browser blocks third-party cookies altogether.";
      document.body.dataset.state = "done";
      window.cookieCheck.done = true;
    })
    .catch(function (err) {
      $("verdict").textContent = "The check failed: " + err;
      document.body.dataset.state = "error";
      window.cookieCheck.done = true;
      window.cookieCheck.error = String(err);
    });

  // Tell the panel it is up, as every extension must; it needs nothing else.
  if (panelOrigin && window.parent !== window) {
    window.parent.postMessage({ type: "init", payload: false, id: "cookies-init" }, panelOrigin);
  }
})();
