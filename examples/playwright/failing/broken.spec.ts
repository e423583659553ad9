// Fails on purpose: the card never asks the panel to transfer a call.
// tests/fixture.spec.ts runs it (npx playwright test -c failing.config.ts)
// and checks that the failure says what was expected and what came.
import { test } from "cpsim/playwright";

test("expects a transfer the card never asks for", async ({ panel }) => {
  await panel.incoming({ channel: "phone", cad: { customer_id: "C-9" } });
  await panel.accept();
  await panel.waitForMessage({ type: "action", payload: { command: "detail", value: "user" } }, { from: "customer-card" });
  // Any message since the start (after: 0): the card's init and its detail come closest.
  await panel.waitForMessage({ type: "action", payload: { command: "transfer" } }, { from: "customer-card", within: "2s", after: 0 });
});
