// @ts-check
// The package's entry: `import { binaryPath } from "cpsim"`.
export { binaryPath } from "./binary.js";
