// @ts-check
// The view: one pass that renders every part of the page from the engine's
// view (model.js) when the render scheduler says it changed. Each part
// renders itself and skips its work when its data has not changed. It owns
// nothing; it imports the view modules (top bar, notices, forms, cards,
// detail, extensions, faults, event editor, scenarios, inspector, the
// watching banner) and render.js.

import { renderCards } from "./cards.js";
import { renderDetail } from "./detail.js";
import { renderEventTargets } from "./editor.js";
import { renderExtensions } from "./extensions.js";
import { renderFaults } from "./faults.js";
import { renderQueues } from "./forms.js";
import { updateInstanceFilter } from "./inspector.js";
import { model } from "./model.js";
import { renderHints, renderProblems } from "./notices.js";
import { forget } from "./render.js";
import { renderScenarioRun } from "./scenarios.js";
import { renderTopbar } from "./topbar.js";
import { renderSession } from "./watch.js";

/** renderView renders the page from model.view; force rebuilds every part.
 * @param {boolean} force */
export function renderView(force) {
  if (force) forget();
  const v = model.view;
  renderProblems();
  renderSession();
  if (!v) return;
  renderTopbar(v);
  renderQueues(v);
  renderCards(v);
  renderDetail(v);
  renderExtensions(v);
  renderFaults(v);
  renderEventTargets(v);
  renderScenarioRun();
  renderHints();
  updateInstanceFilter();
}
