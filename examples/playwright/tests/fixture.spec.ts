// Tests of the fixture itself: an expectation that is not met fails with a
// message that says what was expected and which messages came closest, in
// the test and in Playwright's report.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { CpsimError } from "cpsim";
import { test, expect } from "cpsim/playwright";

test("a message that does not come fails with what was expected and the closest that came", async ({ panel }) => {
  await panel.incoming({ channel: "phone", cad: { customer_id: "C-1" } });
  await panel.accept();
  await panel.waitForMessage({ type: "action", payload: { command: "detail", value: "user" } }, { from: "customer-card" });

  // Did the card ever (after: 0) ask for a transfer? No.
  const err = await panel.waitForMessage({ type: "action", payload: { command: "transfer" } }, { from: "customer-card", within: "1s", after: 0 })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CpsimError);
  const e = err as CpsimError;
  expect(e.status).toBe(422);
  expect(e.message).toMatch(/expected .* to send \{"payload":\{"command":"transfer"\},"type":"action"\} within 1s/);
  // The closest messages are what the card sent (its init, its detail
  // requests), as cpsim test shows them.
  expect(e.message).toMatch(/the closest messages that came:\n {4}\{"id":.*"type":"action"\} from customer-card-\d+/);
});

test("a failing spec's report says what was expected", async ({}, testInfo) => {
  const here = fileURLToPath(new URL("..", import.meta.url));
  const cli = fileURLToPath(import.meta.resolve("@playwright/test/cli"));
  // The run inherits nothing of this worker's (TEST_*, PW_*), and writes
  // its results apart from this run's.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TEST_|PW_|PLAYWRIGHT_)/.test(k)));
  const run = spawn(process.execPath, [cli, "test", "-c", "failing.config.ts", "--reporter", "line", "--output", testInfo.outputPath("failing")], {
    cwd: here, env: { ...env, FORCE_COLOR: "0", NO_COLOR: "1", CI: "" },
  });
  let out = "";
  run.stdout.setEncoding("utf8").on("data", (d: string) => { out += d; });
  run.stderr.setEncoding("utf8").on("data", (d: string) => { out += d; });
  const code = await new Promise((resolve) => run.on("close", resolve));
  await testInfo.attach("the failing run's output", { body: out, contentType: "text/plain" });

  expect(code, out).toBe(1);
  expect(out).toContain("expects a transfer the card never asks for");
  expect(out).toMatch(/CpsimError: expected .* to send \{"payload":\{"command":"transfer"\},"type":"action"\} within 2s/);
  expect(out).toMatch(/the closest messages that came:\n +\{.*\} from customer-card-\d+/);
  // A test that passes its own checks fails on its extension's protocol problem.
  expect(out).toContain("passes, but the extension sent a command the panel does not know");
  expect(out).toMatch(/1 protocol problem in the messages of customer-card \(cpsim test fails on them too; the option failOnProblems: false only reports them\):\n +customer-card-\d+: error [a-z-]+: .*nonsense/);
  expect(out).toContain("2 failed");
});
