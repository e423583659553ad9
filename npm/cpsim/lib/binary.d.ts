/**
 * The absolute path of the cpsim binary to run: the file the environment
 * variable CPSIM_BINARY names when it is set, else the binary of the
 * platform package npm installed for this machine (`@cpsim/linux-x64`,
 * `@cpsim/darwin-arm64`, `@cpsim/win32-x64`, ...).
 *
 * @throws {Error} when there is none, with why and what to do: a platform
 *   cpsim has no package for, a platform package left out of the install
 *   (`--omit=optional`), or a CPSIM_BINARY that is not a file.
 */
export function binaryPath(): string;
