// @ts-check
// Finds the cpsim binary this package runs: the one in the platform
// package npm installed beside it (@cpsim/linux-x64, ...), or the one
// CPSIM_BINARY names. bin/cpsim.js runs it; a JavaScript client starts it.
// Plain Node, no dependencies: it runs before anything else could be
// installed.

import { createRequire } from "node:module";
import { statSync } from "node:fs";
import { isAbsolute, resolve as resolvePath } from "node:path";

const require = createRequire(import.meta.url);

/**
 * The platform packages, by Node's `${process.platform}-${process.arch}`:
 * each holds one binary, at bin/cpsim (bin/cpsim.exe on Windows). The same
 * six are package.json's optionalDependencies and the directories under
 * npm/@cpsim in the repository (test/binary.test.js checks).
 * @type {Readonly<Record<string, string>>}
 */
export const platformPackages = Object.freeze({
  "linux-x64": "@cpsim/linux-x64",
  "linux-arm64": "@cpsim/linux-arm64",
  "darwin-x64": "@cpsim/darwin-x64",
  "darwin-arm64": "@cpsim/darwin-arm64",
  "win32-x64": "@cpsim/win32-x64",
  "win32-arm64": "@cpsim/win32-arm64",
});

/**
 * @typedef {object} Where
 * @property {string} platform process.platform: linux, darwin, win32, ...
 * @property {string} arch process.arch: x64, arm64, ...
 * @property {Record<string, string | undefined>} env the environment, for CPSIM_BINARY
 * @property {(id: string) => string} resolve require.resolve, from this package
 */

/**
 * resolveBinary is binaryPath with the machine passed in, for the tests.
 * @param {Where} where
 * @returns {string} the binary's absolute path
 * @throws {Error} when there is none: a platform with no package, a
 *   platform package npm did not install, or a CPSIM_BINARY that is not a file
 */
export function resolveBinary({ platform, arch, env, resolve }) {
  const override = env.CPSIM_BINARY;
  if (override) {
    const path = isAbsolute(override) ? override : resolvePath(override);
    let isFile = false;
    try {
      isFile = statSync(path).isFile();
    } catch {
      // Reported below, with the path.
    }
    if (!isFile) {
      throw new Error(`CPSIM_BINARY is ${JSON.stringify(override)}, which is not a file: give the path of a cpsim binary, or unset CPSIM_BINARY to run the one npm installed`);
    }
    return path;
  }
  const key = `${platform}-${arch}`;
  const pkg = Object.hasOwn(platformPackages, key) ? platformPackages[key] : undefined;
  if (pkg === undefined) {
    throw new Error(
      `cpsim has no binary for ${key} on npm (there are ${Object.keys(platformPackages).join(", ")}). ` +
        "Build one with Go (go install github.com/cpsim/cpsim/cmd/cpsim@latest) and set CPSIM_BINARY to its path.",
    );
  }
  const file = `${pkg}/bin/${platform === "win32" ? "cpsim.exe" : "cpsim"}`;
  try {
    return resolve(file);
  } catch (err) {
    if (!isNotFound(err)) {
      throw err;
    }
  }
  let installed = false;
  try {
    resolve(`${pkg}/package.json`);
    installed = true;
  } catch {
    // Not installed: the usual case, explained below.
  }
  if (installed) {
    throw new Error(`the package ${pkg} is installed but has no ${file.slice(pkg.length + 1)}: reinstall cpsim (rm -rf node_modules && npm install), or set CPSIM_BINARY to a cpsim binary`);
  }
  throw new Error(
    `cpsim's binary for ${key} is in the package ${pkg}, which is not installed. ` +
      "npm installs it as an optional dependency of cpsim, unless optional dependencies are left out: " +
      "reinstall without --no-optional or --omit=optional (and without omit=optional in .npmrc or NPM_CONFIG_OMIT), " +
      "e.g. rm -rf node_modules && npm install. " +
      "A node_modules installed on another platform (copied, or mounted into a container) lacks it too. " +
      "Or set CPSIM_BINARY to the path of a cpsim binary.",
  );
}

/**
 * binaryPath returns the absolute path of the cpsim binary to run: the
 * file CPSIM_BINARY names when it is set, else the binary of the platform
 * package npm installed for this machine (@cpsim/linux-x64 and so on).
 * @returns {string}
 * @throws {Error} that says why there is none and what to do
 */
export function binaryPath() {
  return resolveBinary({ platform: process.platform, arch: process.arch, env: process.env, resolve: require.resolve });
}

/**
 * @param {unknown} err
 * @returns {boolean}
 */
function isNotFound(err) {
  return err instanceof Error && "code" in err && err.code === "MODULE_NOT_FOUND";
}
