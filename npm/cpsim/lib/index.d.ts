export { binaryPath } from "./binary.js";
export * from "./client.js";
