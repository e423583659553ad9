// The example's configuration, for the spec in failing/ that fails on
// purpose: tests/fixture.spec.ts runs it to see what a failure says.
import { defineConfig } from "@playwright/test";
import type { CpsimWorkerFixtures, PanelFixtures } from "cpsim/playwright";
import config from "./playwright.config.js";

export default defineConfig<PanelFixtures, CpsimWorkerFixtures>(config, { testDir: "failing", retries: 0 });
