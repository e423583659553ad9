// Playwright's configuration for the example. The fixture (cpsim/playwright)
// starts cpsim once per worker; the browser is a Chromium of the machine's
// (Debian's at /usr/bin/chromium, or the one CPSIM_CHROMIUM names), so that
// nothing is downloaded: drop launchOptions to use Playwright's own
// (npx playwright install chromium).
import { defineConfig } from "@playwright/test";
import type { CpsimWorkerFixtures, PanelFixtures } from "cpsim/playwright";

export default defineConfig<PanelFixtures, CpsimWorkerFixtures>({
  testDir: "tests",
  // Generous safety nets for a busy CI machine: a test waits for what it
  // needs, and only fails at these if it never comes.
  timeout: 120_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  reporter: "list",
  use: {
    // No extension given: cpsim serves its demos, the customer card among
    // them. Your own: cpsimOptions: { extensions: ["http://localhost:3000/panel.html"] }.
    cpsimOptions: {},
    // The extension the tests look at, by its key (cpsim's log lists them).
    extensionKey: "customer-card",
    // How long panel.waitForMessage waits for a message, as expect's timeout.
    messageTimeout: 30_000,
    browserName: "chromium",
    launchOptions: { executablePath: process.env.CPSIM_CHROMIUM || "/usr/bin/chromium" },
    trace: "retain-on-failure",
  },
});
