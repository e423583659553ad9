// Tests of cpsim's demo customer card, as you would test your extension:
// the panel fixture is a session of cpsim of the test's own, open in its
// page; the test plays the customer and the agent through it, and looks at
// the extension in its iframe and at the messages it sends the panel.
import { test, expect } from "cpsim/playwright";

test("a call: the card shows who calls, and holds the call from its button", async ({ panel }) => {
  await panel.incoming({ channel: "phone", cad: { customer_id: "C-1", customer_name: "Aino Virtanen" } });
  await panel.accept(); // the card loads for the call, and opens as the agent would open it
  const card = panel.extension.frame();
  await expect(card.getByText("C-1")).toBeVisible();
  await expect(card.getByTestId("customer-name")).toHaveText("Aino Virtanen");

  // The card says init, then asks who the agent is.
  await panel.waitForMessage({ type: "init" }, { from: "customer-card" });
  await panel.waitForMessage({ type: "action", payload: { command: "detail", value: "user" } });

  // The agent holds the call from the card: it asks the panel, and the
  // panel holds it.
  await card.getByTestId("btn-hold").click();
  await panel.waitForMessage({ type: "action", payload: { command: "callState", value: "hold" } });
  await expect(card.getByTestId("hold-state")).toHaveAttribute("data-on", "true");
  const call = await panel.interaction(panel.lastInteraction!);
  expect(call?.held).toBe(true);
});

test("a chat: the customer's words reach the card, and the agent answers from it", async ({ panel }) => {
  const chat = await panel.incoming({ channel: "chat", from: "aino@example.com", cad: { customer_id: "C-2" } });
  await panel.accept(chat.id);
  await panel.say({ from: "customer", text: "Where is my order?" });
  const card = panel.extension.frame();
  await expect(card.getByTestId("transcript-message").filter({ hasText: "Where is my order?" })).toHaveAttribute("data-from", "customer");

  await card.getByTestId("reply-input").fill("It ships today.");
  await card.getByTestId("reply-send").click();
  await panel.waitForMessage({ type: "action", payload: { command: "message", value: { content: "It ships today." } } });
  await expect(card.getByTestId("transcript-message").filter({ hasText: "It ships today." })).toHaveAttribute("data-from", "agent");
});

test("the card stops when the agent handles the interaction", async ({ panel }) => {
  await panel.incoming({ channel: "phone", cad: { customer_id: "C-3" } });
  await panel.accept();
  const card = panel.extension.frame();
  await expect(card.getByText("C-3")).toBeVisible();
  await panel.hangup();
  await panel.handle();
  // The panel sends exit and closes the instance: its iframe goes.
  await expect(panel.extension.iframe()).toHaveCount(0);
});

test("a scenario plays in the panel and passes", async ({ panel, cpsim }) => {
  // A scenario of its own, with the card alone (cpsim's other demos
  // include the specification's examples, which make protocol mistakes on
  // purpose and would fail it). patience: a busy CI machine gets each
  // expect three times its within.
  const play = await panel.play(`
name: A call to the card
extensions:
  - {key: customer-card, url: "${cpsim.demoUrl}/customer-card.html"}
steps:
  - incoming: {as: call1, channel: phone, cad: {customer_id: C-4}}
  - accept: call1
  - expect: {type: init, within: 10s}
  - expect: {type: action, payload: {command: detail, value: user}}
  - hangup: call1
  - handle: call1
`, { patience: 3 });
  expect(play.report?.summary).toMatch(/^PASS/);
});
