// @ts-check
// The data the server sent that the whole page reads: the engine's view
// (v frames), the problems (p frames), and the scenarios: the library (sl
// frames) and the run playing in this session (s frames). The start-up
// module writes view and problems, scenarios.js the scenario fields; the
// view modules read them. It imports only constants.js.

import { FINAL } from "./constants.js";

/** The engine's view of the panel (docs/relay.md, v frames). @typedef {import("./types.js").View} View */

/** One problem of the p frames. @typedef {import("./types.js").Problem} Problem */
/** A scenario of the library (sl frames). @typedef {import("./types.js").ScenarioInfo} ScenarioInfo */
/** A scenario run as the s frames give it. @typedef {import("./types.js").ScenarioRun} ScenarioRun */

export const model = {
  /** @type {View | null} the last v frame's view (window.cpsim.view) */
  view: null,
  /** @type {Problem[]} the last p frame's problems */
  problems: [],
  /** @type {ScenarioInfo[] | null} the last sl frame's list (window.cpsim.scenarios) */
  scenarios: null,
  /** @type {ScenarioRun | null} the last s frame (window.cpsim.scenario) */
  run: null,
  /** Date.now() when the last s frame came */
  runAt: 0,
};

/** scenarioActive says whether a scenario is playing or paused. */
export function scenarioActive() {
  return !!model.run && !FINAL.has(model.run.state);
}
