// Fails on purpose: the card never asks the panel to transfer a call.
// tests/fixture.spec.ts runs it (npx playwright test -c failing.config.ts)
// and checks that the failure says what was expected and what came.
import { test, expect } from "cpsim/playwright";

test("expects a transfer the card never asks for", async ({ panel }) => {
  await panel.incoming({ channel: "phone", cad: { customer_id: "C-9" } });
  await panel.accept();
  await panel.waitForMessage({ type: "action", payload: { command: "detail", value: "user" } }, { from: "customer-card" });
  // Any message since the start (after: 0): the card's init and its detail come closest.
  await panel.waitForMessage({ type: "action", payload: { command: "transfer" } }, { from: "customer-card", within: "2s", after: 0 });
});

// Passes its own checks, but the card (here, the test posing as it) sends
// a command the panel does not know: the fixture fails the test on the
// protocol problem, as cpsim test fails a scenario (failOnProblems).
test("passes, but the extension sent a command the panel does not know", async ({ panel, page }) => {
  await panel.incoming({ channel: "phone", cad: { customer_id: "C-9" } });
  await panel.accept();
  await panel.waitForMessage({ type: "init" }, { from: "customer-card" });
  const card = page.frames().find((f) => f.url().includes("/customer-card.html"));
  if (!card) throw new Error("no customer card frame");
  await card.evaluate(() => window.parent.postMessage({ id: "bad-1", type: "action", payload: { command: "nonsense" } }, "*"));
  await expect.poll(async () => (await panel.messages()).messages.some((m) => (m.problems ?? []).length > 0)).toBe(true);
});
