// A check of the package's types as a TypeScript user meets them: tsc -p
// npm/cpsim compiles this file (it is never run). Each @ts-expect-error
// is a mistake the types must catch.

import { CpsimError, Session, startCpsim } from "../lib/index.js";
import type { Cpsim, Interaction, Message, PanelEvent, Play, SessionInfo } from "../lib/index.js";
import { expect, test } from "../lib/playwright.js";
import type { FrameLocator } from "@playwright/test";

export async function client(): Promise<void> {
  const cpsim: Cpsim = await startCpsim({ extensions: ["http://localhost:3000/panel.html"], args: ["-seed", "1"], timeout: 30_000 });
  const s = await cpsim.session("t-1");
  const url: string = s.url;

  const call: Interaction = await s.incoming({ channel: "phone", cad: { customer_id: "C-1" } });
  await s.accept();
  await s.accept(call.id);
  await s.accept({ id: call.id });
  await s.hold();
  await s.say({ from: "customer", text: "Hello" });
  await s.workStatus("ready");
  await s.workStatus({ status: "not_ready" });
  await s.delay({ command: "detail", ms: 500 });
  await s.fail({ command: "transfer", reason: "backend down" });
  await s.outbound({ channel: "sms", to: ["+358401234567"], content: "Hi" });
  await s.clearFaults();
  const event: PanelEvent = { type: "transfer", id: call.id, to: "+358409999999", cad: { case: "C-17" } };
  await s.send(event);

  // @ts-expect-error say needs who says it
  await s.say({ text: "Hello" });
  // @ts-expect-error no such channel
  await s.incoming({ channel: "pigeon" });
  // @ts-expect-error no such work status
  await s.workStatus("busy");
  // @ts-expect-error no such event
  await s.send({ type: "teleport" });
  // @ts-expect-error incoming has no short form
  await s.incoming("phone");

  const m: Message = await s.waitForMessage({ type: "init" }, { from: "panel", within: "5s" });
  const n: number = m.n;
  const page = await s.messages({ after: n, limit: 10, wait: 1000 });
  const info: SessionInfo = await s.view();
  const held: boolean | undefined = info.view.interactions[0]?.held;
  const play: Play = await s.play("inbound-call", { speed: 10 });
  await s.end();

  try {
    await new Session(cpsim.panelUrl, "t-2").accept("x");
  } catch (err) {
    if (err instanceof CpsimError) {
      const why: string = `${err.status} ${err.field ?? ""} ${err.detail}`;
      void why;
    }
  }
  await cpsim.stop();
  void [url, page, held, play];
}

test.use({ cpsimOptions: { global: ["http://localhost:3000/recorder.html"] }, extensionKey: "panel" });

test("the fixture's types", async ({ panel, cpsim, page }) => {
  await panel.incoming({ channel: "chat", cad: { customer_id: "C-2" } });
  await panel.accept();
  const frame: FrameLocator = panel.extension.frame();
  await expect(frame.getByText("C-2")).toBeVisible();
  await expect(panel.extensionFor("recorder").iframe()).toHaveCount(1);
  const inst = await panel.extension.open();
  const key: string = inst.key;
  const same: boolean = panel.page === page && cpsim.panelUrl.startsWith("http");
  // @ts-expect-error extensionKey is a string
  test.use({ extensionKey: 7 });
  void [key, same];
});
