// @ts-check
// Unit tests of lib/binary.js, run with `node --test npm/cpsim/test/` (Go's
// internal/release runs them in the README's test command). The package's
// round trip, built and installed as a user does, is in internal/release.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { platformPackages, resolveBinary } from "../lib/binary.js";

const here = fileURLToPath(new URL(".", import.meta.url));

/**
 * A resolve that finds the given module ids only.
 * @param {Record<string, string>} found
 * @returns {(id: string) => string}
 */
function resolver(found) {
  return (id) => {
    if (Object.hasOwn(found, id)) {
      return found[id];
    }
    const err = new Error(`Cannot find module '${id}'`);
    Object.assign(err, { code: "MODULE_NOT_FOUND" });
    throw err;
  };
}

test("the platform packages are package.json's optionalDependencies and the repository's npm/@cpsim", () => {
  const pkg = JSON.parse(readFileSync(join(here, "..", "package.json"), "utf8"));
  const names = Object.values(platformPackages).sort();
  assert.deepEqual(Object.keys(pkg.optionalDependencies).sort(), names);
  assert.deepEqual(readdirSync(join(here, "..", "..", "@cpsim")).map((d) => `@cpsim/${d}`).sort(), names);
  for (const [key, name] of Object.entries(platformPackages)) {
    const platform = JSON.parse(readFileSync(join(here, "..", "..", name, "package.json"), "utf8"));
    assert.equal(platform.name, name);
    assert.deepEqual([`${platform.os}-${platform.cpu}`], [key], `${name}'s os and cpu`);
    assert.equal(platform.bin, undefined, `${name} must not link a bin of its own`);
  }
});

test("resolveBinary", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "cpsim-binary-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "cpsim");
  writeFileSync(file, "");

  /** @type {{name: string, platform: string, arch: string, env?: Record<string, string>, found?: Record<string, string>, want?: string, error?: RegExp}[]} */
  const cases = [
    { name: "linux x64", platform: "linux", arch: "x64", found: { "@cpsim/linux-x64/bin/cpsim": "/n/linux-x64/bin/cpsim" }, want: "/n/linux-x64/bin/cpsim" },
    { name: "macOS arm64", platform: "darwin", arch: "arm64", found: { "@cpsim/darwin-arm64/bin/cpsim": "/n/d/bin/cpsim" }, want: "/n/d/bin/cpsim" },
    { name: "Windows has cpsim.exe", platform: "win32", arch: "x64", found: { "@cpsim/win32-x64/bin/cpsim.exe": "C:\\n\\cpsim.exe" }, want: "C:\\n\\cpsim.exe" },
    { name: "CPSIM_BINARY wins", platform: "linux", arch: "x64", env: { CPSIM_BINARY: file }, found: { "@cpsim/linux-x64/bin/cpsim": "/n/bin/cpsim" }, want: file },
    { name: "CPSIM_BINARY on a platform with no package", platform: "freebsd", arch: "x64", env: { CPSIM_BINARY: file }, want: file },
    { name: "CPSIM_BINARY that is not there", platform: "linux", arch: "x64", env: { CPSIM_BINARY: join(dir, "none") }, error: /CPSIM_BINARY is ".*none", which is not a file/ },
    { name: "CPSIM_BINARY that is a directory", platform: "linux", arch: "x64", env: { CPSIM_BINARY: dir }, error: /which is not a file/ },
    { name: "the platform package left out", platform: "linux", arch: "arm64", error: /in the package @cpsim\/linux-arm64, which is not installed\. .*--no-optional or --omit=optional/ },
    { name: "a platform with no package", platform: "freebsd", arch: "x64", error: /no binary for freebsd-x64 on npm .*CPSIM_BINARY/ },
    { name: "a 32-bit machine", platform: "linux", arch: "ia32", error: /no binary for linux-ia32/ },
    { name: "a package without its binary", platform: "darwin", arch: "x64", found: { "@cpsim/darwin-x64/package.json": "/n/package.json" }, error: /@cpsim\/darwin-x64 is installed but has no bin\/cpsim/ },
    { name: "not an own property", platform: "constructor", arch: "", error: /no binary for constructor-/ },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const where = { platform: c.platform, arch: c.arch, env: c.env ?? {}, resolve: resolver(c.found ?? {}) };
      if (c.error) {
        assert.throws(() => resolveBinary(where), c.error);
      } else {
        assert.equal(resolveBinary(where), c.want);
      }
    });
  }
});

test("a resolve that fails otherwise is not taken for a missing package", () => {
  const resolve = () => {
    throw new Error("EACCES");
  };
  assert.throws(() => resolveBinary({ platform: "linux", arch: "x64", env: {}, resolve }), /^Error: EACCES$/);
});
