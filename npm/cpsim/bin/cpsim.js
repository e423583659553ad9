#!/usr/bin/env node
// @ts-check
// `npx cpsim ...`: runs the cpsim binary of this machine's platform package
// with the same arguments, standard input, output and error, and ends as it
// ends: with its exit code, or killed by the same signal. Signals sent to
// this process (Ctrl-C, a test runner's SIGTERM) are passed on, so that
// cpsim stops cleanly: every extension gets exit and every page is closed.
// No dependencies, no postinstall: the binary came with npm install.

import { spawn } from "node:child_process";
import { constants } from "node:os";
import { binaryPath } from "../lib/binary.js";

/** @type {string} */
let binary;
try {
  binary = binaryPath();
} catch (err) {
  console.error(`cpsim: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}

// On Windows a console's Ctrl-C reaches cpsim by itself, and child.kill
// would end it at once, with no clean stop: there this process only stays
// alive until cpsim has stopped.
/** @type {NodeJS.Signals[]} */
const signals = process.platform === "win32" ? ["SIGINT", "SIGBREAK"] : ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
/** @param {NodeJS.Signals} signal */
function pass(signal) {
  if (process.platform !== "win32") {
    child.kill(signal);
  }
}
// Listening before cpsim starts: a signal that comes meanwhile waits for
// this script to end, and so finds the child to pass it to.
for (const signal of signals) {
  process.on(signal, pass);
}

const child = spawn(binary, process.argv.slice(2), { stdio: "inherit" });

child.on("error", (err) => {
  console.error(`cpsim: cannot run ${binary}: ${err.message}`);
  process.exit(1);
});

child.on("exit", (code, signal) => {
  if (signal === null) {
    process.exit(code ?? 1);
  }
  // Die of the same signal, as a shell reports it; else exit as a shell
  // would have (128 + the signal's number).
  for (const s of signals) {
    process.off(s, pass);
  }
  process.kill(process.pid, signal);
  process.exit(128 + (constants.signals[signal] ?? 0));
});
