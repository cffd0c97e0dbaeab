/**
 * scripts/install.sh against a fake release on a loopback HTTP server: the
 * archives packed by scripts/package.ts (with a stand-in binary) and their
 * SHA256SUMS. It picks this machine's archive, checks it, installs it to
 * the prefix, and refuses a tampered archive, a missing target and a version
 * that is not the one asked, installing nothing.
 */

import assert from "node:assert/strict";
import { fakeRelease } from "../fixtures/fake_release.ts";
import { VERSION } from "../../src/version.ts";
import { ROOT, runProgram, type RunResult } from "./harness.ts";

const INSTALL = `${ROOT}scripts/install.sh`;

function install(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return runProgram("sh", [INSTALL, ...args], {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: "/nonexistent",
    ...env,
  });
}

Deno.test("install.sh installs this machine's archive after checking its SHA-256", async () => {
  const release = await fakeRelease();
  const prefix = await Deno.makeTempDir({ prefix: "mcpc-prefix-" });
  try {
    const result = await install(["--base-url", release.url, "--prefix", prefix]);
    assert.equal(result.code, 0, result.stderr);
    const machine = `${Deno.build.arch}-${
      Deno.build.os === "darwin" ? "apple-darwin" : "unknown-linux-gnu"
    }`;
    assert.ok(
      release.requests.includes(`mcpc-${VERSION}-${machine}.tar.gz`),
      release.requests.join(),
    );
    assert.match(result.stdout, new RegExp(`Installed mcpc ${VERSION} to ${prefix}/bin/mcpc`));
    assert.match(result.stdout, /Add it to your PATH/);
    assert.match(result.stdout, /Next: mcpc connect/);
    const info = await Deno.stat(`${prefix}/bin/mcpc`);
    assert.equal(info.mode! & 0o777, 0o755);
    const ran = await new Deno.Command(`${prefix}/bin/mcpc`, { stdout: "piped" }).output();
    assert.equal(new TextDecoder().decode(ran.stdout).trim(), VERSION);

    // The other platform's archive, asked for by name.
    const other = await install(["--base-url", release.url, "--prefix", `${prefix}/mac`], {
      MCPC_INSTALL_OS: "Darwin",
      MCPC_INSTALL_ARCH: "arm64",
    });
    assert.equal(other.code, 0, other.stderr);
    assert.ok(release.requests.includes(`mcpc-${VERSION}-aarch64-apple-darwin.tar.gz`));
  } finally {
    await release.close();
    await Deno.remove(prefix, { recursive: true });
  }
});

Deno.test("install.sh refuses a tampered archive, an unknown platform or version, and installs nothing", async () => {
  const release = await fakeRelease();
  const prefix = await Deno.makeTempDir({ prefix: "mcpc-prefix-" });
  try {
    const wrongVersion = await install([
      "--base-url",
      release.url,
      "--prefix",
      prefix,
      "--version",
      "9.9.9",
    ]);
    assert.equal(wrongVersion.code, 1);
    assert.match(wrongVersion.stderr, new RegExp(`is mcpc ${VERSION}, not 9\\.9\\.9`));

    const unknown = await install(["--base-url", release.url, "--prefix", prefix], {
      MCPC_INSTALL_ARCH: "riscv64",
    });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no mcpc binary for the riscv64 processor/);
    const windows = await install(["--base-url", release.url, "--prefix", prefix], {
      MCPC_INSTALL_OS: "MINGW64_NT",
    });
    assert.match(windows.stderr, /no install script for MINGW64_NT/);

    const noRepository = await install(["--prefix", prefix]);
    assert.equal(noRepository.code, 1);
    assert.match(noRepository.stderr, /names no repository: pass --base-url/);

    // Every archive changed after its sum was taken.
    for await (const entry of Deno.readDir(`${release.dir}/release`)) {
      if (entry.name.endsWith(".tar.gz")) {
        await Deno.writeFile(
          `${release.dir}/release/${entry.name}`,
          new TextEncoder().encode("evil"),
          {
            append: true,
          },
        );
      }
    }
    const tampered = await install(["--base-url", release.url, "--prefix", prefix]);
    assert.equal(tampered.code, 1);
    assert.match(tampered.stderr, /the SHA-256 of mcpc-\S+ is [0-9a-f]{64}, not [0-9a-f]{64}/);
    assert.match(tampered.stderr, /not installed/);
    await assert.rejects(Deno.stat(`${prefix}/bin/mcpc`), Deno.errors.NotFound);
  } finally {
    await release.close();
    await Deno.remove(prefix, { recursive: true });
  }
});
