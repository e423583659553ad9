// @ts-check
// Tests of lib/client.js against a real cpsim: the one CPSIM_BINARY names
// (the README's test command builds it with go build), or the platform
// package's. Run with `node --test npm/cpsim/test/`. They need no
// browser: the Playwright example (examples/playwright) drives a real
// page; here the control API is driven with no page, as a test that only
// uses the API does.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CpsimError, Session, cpsimArgs, startCpsim } from "../lib/client.js";
import { kinds } from "../lib/vocabulary.js";

const here = fileURLToPath(new URL(".", import.meta.url));

/**
 * withCpsim starts cpsim for one test and stops it after.
 * @param {import("node:test").TestContext} t
 * @param {import("../lib/client.js").StartOptions} [options]
 */
async function withCpsim(t, options) {
  const cpsim = await startCpsim(options);
  t.after(() => cpsim.stop());
  return cpsim;
}

/**
 * rejection awaits a promise that must reject, and returns its error.
 * @param {Promise<unknown>} p
 * @returns {Promise<any>}
 */
async function rejection(p) {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail("it resolved; want it to reject");
}

test("cpsimArgs: free loopback ports, the ready line, and the demos only when nothing else is loaded", () => {
  const base = ["-ready-json", "-addr", "127.0.0.1:0"];
  const tests = [
    { name: "nothing given: the demos", o: {}, want: [...base, "-demo-addr", "localhost:0"] },
    { name: "an extension", o: { extensions: ["http://localhost:3000/a.html"] }, want: [...base, "-extension", "http://localhost:3000/a.html"] },
    { name: "an extension and the demos", o: { extensions: ["http://localhost:3000/a.html"], demos: true },
      want: [...base, "-demo-addr", "localhost:0", "-extension", "http://localhost:3000/a.html"] },
    { name: "globals and a config", o: { global: ["http://localhost:3000/g.html"], config: "c.yaml", args: ["-seed", "7"] },
      want: [...base, "-global", "http://localhost:3000/g.html", "-config", "c.yaml", "-seed", "7"] },
    { name: "no demos", o: { demos: false }, want: [...base, "-demo-addr", ""] },
  ];
  for (const tt of tests) assert.deepEqual(cpsimArgs(tt.o), tt.want, tt.name);
});

test("every event of the vocabulary is a Session method, and none hides another method", () => {
  const own = ["send", "view", "interaction", "messages", "waitForMessage", "play", "end"];
  const seen = new Set();
  for (const k of kinds) {
    assert.equal(typeof (/** @type {any} */ (Session.prototype))[k.method], "function", k.type);
    assert.ok(!own.includes(k.method), `${k.type}'s method ${k.method} is one of Session's own`);
    assert.ok(!seen.has(k.method), `${k.method} twice`);
    seen.add(k.method);
  }
  for (const m of own) assert.equal(typeof (/** @type {any} */ (Session.prototype))[m], "function", m);
  // The methods are those the types declare (vocabulary.d.ts is generated with vocabulary.js).
  const dts = readFileSync(join(here, "..", "lib", "vocabulary.d.ts"), "utf8");
  for (const k of kinds) assert.match(dts, new RegExp(`\\n  ${k.method}\\(`), `vocabulary.d.ts declares ${k.method}`);
});

test("a session driven through the API: a call comes in, is accepted, held and hung up", async (t) => {
  const cpsim = await withCpsim(t);
  assert.match(cpsim.panelUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(cpsim.demoUrl || "", /^http:\/\/localhost:\d+$/, "the demos, on another site");
  const res = await fetch(cpsim.demoUrl + "/customer-card.html");
  assert.equal(res.status, 200);
  await res.arrayBuffer();

  const s = await cpsim.session("call-1");
  assert.equal(s.url, `${cpsim.panelUrl}/?session=call-1`);
  const call = await s.incoming({ channel: "phone", cad: { customer_id: "C-1" } });
  assert.equal(typeof call.id, "string");
  assert.equal(call.channel, "phone");
  assert.deepEqual(call.attached_data?.customer_id, "C-1");
  assert.equal(s.lastInteraction, call.id);

  await s.accept(); // the last one created
  await s.hold(call.id); // by id
  await s.unhold(call); // by the interaction incoming returned
  await s.hold(call);
  let info = await s.view();
  assert.equal(info.name, "call-1");
  assert.equal(info.page, false);
  let it = info.view.interactions.find((i) => i.id === call.id);
  assert.equal(it?.held, true, "held");
  assert.ok(info.view.instances.some((i) => i.interaction === call.id && i.key === "customer-card"),
    "the customer card is loaded for the call");

  await s.unhold({ id: call.id });
  await s.hangup();
  it = await s.interaction(call.id);
  assert.equal(it?.held, false);

  const page = await s.messages();
  assert.ok(Array.isArray(page.messages));
  assert.equal(typeof page.next, "number");
  assert.equal(page.dropped, 0);

  // Another session is another agent.
  const other = await cpsim.session();
  assert.match(other.name, /^js-[0-9a-f]+$/);
  info = await other.view();
  assert.deepEqual(info.view.interactions, []);
});

test("refusals are CpsimErrors that say why, with the status and the field", async (t) => {
  const cpsim = await withCpsim(t);
  const s = await cpsim.session();

  let err = await rejection(s.accept("no-such-interaction"));
  assert.ok(err instanceof CpsimError, String(err));
  assert.equal(err.status, 409);
  assert.match(err.message, /no-such-interaction/);
  assert.match(err.message, /POST \/api\/v1\/sessions\/js-[0-9a-f]+\/events with 409/);

  err = await rejection(s.send(/** @type {any} */ ({ type: "teleport" })));
  assert.equal(err.status, 400);
  assert.equal(err.field, "type");
  assert.match(err.message, /teleport/);

  err = await rejection(s.incoming(/** @type {any} */ ({ channel: "phone", colour: "blue" })));
  assert.equal(err.status, 400);
  assert.equal(err.field, "colour");
  assert.match(err.message, /unknown field "colour"/);

  err = await rejection(s.incoming(/** @type {any} */ ({ channel: "pigeon" })));
  assert.equal(err.status, 409);
  assert.match(err.message, /unknown channel "pigeon": use one of phone, chat/);

  err = await rejection(s.accept());
  assert.ok(err instanceof TypeError);
  assert.match(err.message, /accept needs the id of an interaction: none was created through this session yet/);

  err = await rejection(new Session(cpsim.panelUrl, "never-started").view());
  assert.equal(err.status, 404);

  assert.throws(() => new Session(cpsim.panelUrl, "-bad name"), /session name "-bad name"/);
});

test("waitForMessage that is not met says what was expected", async (t) => {
  const cpsim = await withCpsim(t);
  const s = await cpsim.session();
  const err = await rejection(s.waitForMessage({ type: "action", payload: { command: "detail", value: "user" } }, { within: 50 }));
  assert.ok(err instanceof CpsimError, String(err));
  assert.equal(err.status, 422);
  assert.match(err.message, /"command":"detail"/);
  assert.match(err.message, /within 50ms/);
  assert.equal(s.cursor, 0, "a wait not met moves no cursor");

  const bad = await rejection(s.waitForMessage({ type: "actoin" }));
  assert.equal(bad.status, 400);
  assert.equal(bad.field, "message");
  assert.match(bad.message, /did you mean "action"/);
});

test("play: a scenario that passes resolves with its report, one that fails rejects with why", async (t) => {
  const cpsim = await withCpsim(t);
  const s = await cpsim.session();
  const passing = `name: A call, with no extension expected
steps:
  - incoming: {as: call1, channel: phone, cad: {customer_id: C-7}}
  - accept: call1
  - hangup: call1
  - handle: call1
`;
  const play = await s.play(passing, { speed: 10 });
  assert.equal(play.state, "passed");
  assert.equal(play.report?.passed, true);

  const failing = passing.replace("  - hangup: call1\n", "  - expect: {type: action, payload: {command: detail, value: queues}, within: 100ms}\n  - hangup: call1\n");
  const err = await rejection(s.play({ yaml: failing }));
  assert.ok(err instanceof CpsimError, String(err));
  assert.equal(err.play?.state, "failed");
  assert.match(err.message, /yaml:5: expect: /);
  assert.match(err.message, /"value":"queues"/);

  const broken = await rejection(s.play("name: x\nsteps:\n  - acept: call1\n"));
  assert.equal(broken.status, 400);
  assert.equal(broken.field, "yaml");
  assert.match(broken.message, /yaml:3:5: .*acept.*did you mean "accept"/);

  const unknown = await rejection(s.play("no-such-scenario"));
  assert.equal(unknown.status, 400);
  assert.equal(unknown.field, "scenario");
});

test("startCpsim rejects with cpsim's own words when cpsim cannot start", async () => {
  let err = await rejection(startCpsim({ args: ["-bogus"] }));
  assert.match(err.message, /cpsim exited with code 2 before it listened/);
  assert.match(err.message, /flag provided but not defined: -bogus/);

  err = await rejection(startCpsim({ binary: join(tmpdir(), "no-such-cpsim") }));
  assert.match(err.message, /cannot start cpsim \(.*no-such-cpsim\): spawn .* ENOENT/);
});

/**
 * fakeCpsim writes an executable that prints script's text and then waits
 * until it is killed, as a cpsim that does not work would.
 * @param {import("node:test").TestContext} t
 * @param {string} stdout
 * @param {string} stderr
 */
function fakeCpsim(t, stdout, stderr) {
  const dir = mkdtempSync(join(tmpdir(), "cpsim-fake-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "cpsim");
  writeFileSync(path, `#!${process.execPath}\nprocess.stdout.write(${JSON.stringify(stdout)});\nprocess.stderr.write(${JSON.stringify(stderr)});\nsetInterval(() => {}, 1000);\n`);
  chmodSync(path, 0o755);
  return path;
}

test("startCpsim gives up on a cpsim that never says it listens", { skip: process.platform === "win32" && "a script is no executable on Windows" }, async (t) => {
  const binary = fakeCpsim(t, "", "");
  const err = await rejection(startCpsim({ binary, timeout: 200 }));
  assert.match(err.message, /cpsim did not start listening within 0.2 s \(.*cpsim -ready-json -addr 127.0.0.1:0/);
});

test("startCpsim stops when its signal aborts, with cpsim's log", { skip: process.platform === "win32" && "a script is no executable on Windows" }, async (t) => {
  const binary = fakeCpsim(t, "", "starting, slowly\n");
  const stop = new AbortController();
  const err = await rejection(startCpsim({ binary, signal: stop.signal, onLog: (chunk) => {
    if (chunk.includes("slowly")) stop.abort(new Error("enough"));
  } }));
  assert.match(err.message, /the start of cpsim was aborted \(enough\); its log:\n {4}starting, slowly/);
});

test("startCpsim refuses a binary that prints something else than where it listens", { skip: process.platform === "win32" && "a script is no executable on Windows" }, async (t) => {
  const binary = fakeCpsim(t, "cpsim is running: open http://127.0.0.1:8080/ in a browser\n", "");
  const err = await rejection(startCpsim({ binary }));
  assert.match(err.message, /printed "cpsim is running: open http:\/\/127.0.0.1:8080\/ in a browser" where it should say where it listens \(-ready-json\)/);
});

/**
 * gone tells whether a process is no more (or a zombie, which a container's
 * first process may leave unreaped).
 * @param {number} pid
 */
function gone(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

/**
 * eventually waits until cond holds, polling; the test runner's own
 * timeout is the safety net.
 * @param {() => boolean} cond
 */
async function eventually(cond) {
  while (!cond()) await new Promise((r) => setTimeout(r, 20));
}

test("stop ends cpsim, and so does the exit of the Node process that started it", async () => {
  const cpsim = await startCpsim();
  await cpsim.stop();
  assert.ok(gone(cpsim.pid), "stopped");
  await cpsim.stop(); // twice is fine

  // A Node process that starts cpsim and exits without stopping it.
  const script = `import { startCpsim } from ${JSON.stringify(new URL("../lib/client.js", import.meta.url).href)};
const c = await startCpsim(); console.log(c.pid); process.exit(0);`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (d) => { out += d; });
  const code = await new Promise((resolve) => child.on("close", resolve));
  assert.equal(code, 0);
  const pid = Number(out.trim());
  assert.ok(pid > 0, `the child printed ${JSON.stringify(out)}`);
  await eventually(() => gone(pid));
});
