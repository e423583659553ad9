// @ts-check
// The package's entry: `import { startCpsim, binaryPath } from "cpsim"`.
// The Playwright fixture is `cpsim/playwright` (playwright.js).
export { binaryPath } from "./binary.js";
export { CpsimError, Session, cpsimArgs, startCpsim } from "./client.js";
