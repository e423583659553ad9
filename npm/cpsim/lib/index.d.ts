export { binaryPath } from "./binary.js";
