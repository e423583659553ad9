// @ts-check
// The top bar: the agent (name, login and logout), the work status, the
// presence profile and the softphone. It owns the top bar's controls and
// sends their events; it imports relay.js (sendEvent), render.js (changed)
// and the DOM helpers. The connection indicator is relay.js's, the
// scenario and recording pills scenarios.js's and recorder.js's.

import { closestEl, h, tid } from "./dom.js";
import { sendEvent } from "./relay.js";
import { changed } from "./render.js";

const bar = {
  agent: tid("agent"), agentName: tid("agent-name"), agentSub: tid("agent-sub"), avatar: tid("agent-avatar"),
  login: tid("login"), logout: tid("logout"),
  work: /** @type {HTMLSelectElement} */ (tid("work-status")),
  profile: /** @type {HTMLSelectElement} */ (tid("profile")),
  phone: /** @type {HTMLSelectElement} */ (tid("phone-status")),
};

/** renderTopbar shows the agent of the view v.
 * @param {import("./model.js").View} v */
export function renderTopbar(v) {
  const u = v.user || {};
  if (!changed("topbar", [u.name, u.username, u.extension, u.login_status, u.work_status, u.presence_profiles, v.profile, v.phone_status])) return;
  const first = (u.name && u.name.first_name) || "", last = (u.name && u.name.last_name) || "";
  const name = `${first} ${last}`.trim() || u.username || "Agent";
  bar.agentName.textContent = name;
  bar.avatar.textContent = ((first[0] || "") + (last[0] || "")).toUpperCase() || "?";
  const loggedIn = u.login_status === "logged_in";
  bar.agentSub.textContent = [u.username, u.extension ? `ext ${u.extension}` : "", loggedIn ? "" : "logged out"].filter(Boolean).join(" · ");
  bar.agent.dataset.login = u.login_status || "";
  bar.agent.dataset.work = loggedIn ? u.work_status || "" : "";
  bar.login.hidden = loggedIn;
  bar.logout.hidden = !loggedIn;

  bar.work.value = u.work_status || "not_ready";
  closestEl(bar.work, ".pill-select").dataset.value = loggedIn ? u.work_status : "";
  closestEl(bar.work, ".pill-select").dataset.disabled = String(!loggedIn);

  const profiles = u.presence_profiles || [];
  bar.profile.replaceChildren(...profiles.map((p) => h("option", { value: p.name, text: p.name + (p.type && p.type !== "presence" ? ` (${p.type})` : "") })));
  bar.profile.value = v.profile || "";
  const cur = profiles.find((p) => p.name === v.profile);
  closestEl(bar.profile, ".pill-select").dataset.kind = cur ? cur.type : "";
  closestEl(bar.profile, ".pill-select").title = cur ? `${cur.name}: ${cur.availability}${cur.settings && cur.settings.reason ? ` (${cur.settings.reason})` : ""}` : "";

  bar.phone.value = v.phone_status || "disconnected";
  closestEl(bar.phone, ".pill-select").dataset.value = v.phone_status;
}

bar.login.addEventListener("click", () => sendEvent({ type: "login" }));
bar.logout.addEventListener("click", () => sendEvent({ type: "logout" }));
bar.work.addEventListener("change", () => sendEvent({ type: "work_status", status: bar.work.value }));
bar.profile.addEventListener("change", () => sendEvent({ type: "profile", profile: bar.profile.value }));
bar.phone.addEventListener("change", () => sendEvent({ type: "phone_status", status: bar.phone.value }));
