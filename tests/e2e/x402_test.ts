/**
 * x402 (experimental): the wallet commands, `x402 sign`, and a session with
 * `--x402` paying a local paid server (tests/fixtures/x402_server.ts) that
 * checks every signature it gets with viem, in all three ways a payment is
 * asked for, in both eras. Balances come from a fake JSON-RPC endpoint on
 * loopback; nothing leaves the machine. The key stays out of argv, the
 * bridge's environment, sessions.json and logs.
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { PAY_TO, PRICE, SEPOLIA_USDC, signerOf, startX402Server } from "../fixtures/x402_server.ts";
import { Harness } from "./harness.ts";

/** A well-known test key (never funded). */
const KEY = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

/** A JSON-RPC endpoint that says: Base Sepolia, 1 ETH, 2.5 USDC. */
function fakeRpc(): { url: string; calls: string[]; close(): Promise<void> } {
  const calls: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.json();
    const answer = (request: { id: number; method: string; params?: unknown[] }) => {
      calls.push(request.method);
      const result = request.method === "eth_chainId"
        ? "0x14a34"
        : request.method === "eth_getBalance"
        ? "0xde0b6b3a7640000"
        : request.method === "eth_call"
        ? `0x${(2_500_000).toString(16).padStart(64, "0")}`
        : null;
      return { jsonrpc: "2.0", id: request.id, result };
    };
    return Response.json(Array.isArray(body) ? body.map(answer) : answer(body));
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    calls,
    close: () => server.shutdown(),
  };
}

Deno.test("x402 wallet: import from stdin, refuse a second, info with balances and offline, remove", async () => {
  const h = await Harness.create();
  const rpc = fakeRpc();
  try {
    const none = await h.run(["--json", "x402", "info"]);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(JSON.parse(none.stdout), null);

    const imported = await h.run(["--json", "x402", "import"], { stdin: `${KEY}\n` });
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal(JSON.parse(imported.stdout).address, ADDRESS);
    const again = await h.run(["x402", "init"]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /An x402 wallet exists already \(0x70997970/);

    const info = await h.json<{ address: string; balances: { eth: string; usdc: string } }>([
      "--json",
      "x402",
      "info",
      "--rpc-url",
      rpc.url,
    ]);
    assert.equal(info.address, ADDRESS);
    assert.deepEqual(info.balances, { eth: "1", usdc: "2.5" });
    assert.ok(rpc.calls.includes("eth_call"), "USDC balanceOf was read");
    const human = await h.run(["x402", "info", "--rpc-url", rpc.url]);
    assert.match(human.stdout, /USDC: +2\.5/);
    assert.match(human.stdout, /Base Sepolia \(eip155:84532\)/);
    assert.match(human.stdout, /█/, "a QR code of the address");

    const offline = await h.run(["--json", "x402", "info", "--rpc-url", "http://127.0.0.1:1/"]);
    assert.equal(offline.code, 0, offline.stderr);
    const offlineInfo = JSON.parse(offline.stdout);
    assert.equal(offlineInfo.balances, null);
    assert.match(
      offlineInfo.balancesError,
      /^Cannot read the balances from http:\/\/127\.0\.0\.1:1\//,
    );

    for (const file of ["sessions.json", "profiles.json"]) {
      const text = await Deno.readTextFile(`${h.home}/${file}`).catch(() => "");
      assert.doesNotMatch(text, new RegExp(KEY, "i"));
    }
    const removed = await h.json<{ removed: boolean }>(["--json", "x402", "remove"]);
    assert.equal(removed.removed, true);
    assert.equal(JSON.parse((await h.run(["--json", "x402", "info"])).stdout), null);
    // A key given as an argument works, with a warning (none in --json mode: stderr stays clean).
    const argued = await h.run(["x402", "import", KEY]);
    assert.equal(argued.code, 0, argued.stderr);
    assert.match(argued.stderr, /the private key was given on the command line/);
    assert.equal((await h.run(["x402", "remove"])).code, 0);
    const quiet = await h.run(["--json", "x402", "import", KEY]);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stderr, "");
    assert.equal((await h.run(["x402", "remove"])).code, 0);
    const bad = await h.run(["x402", "import"], { stdin: "0x1234\n" });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Invalid private key: expected 32 bytes/);
    const unknown = await h.run(["x402", "pay"]);
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.stderr,
      /Unknown x402 command: pay\. Use one of: init, import, info, remove, sign/,
    );
    const help = await h.run(["x402"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Subcommands:/);
  } finally {
    await rpc.close();
    await h.cleanup();
  }
});

Deno.test("x402 sign: a payment for a PAYMENT-REQUIRED value that recovers to the wallet", async () => {
  const h = await Harness.create();
  try {
    assert.equal((await h.run(["x402", "import"], { stdin: KEY })).code, 0);
    const required = {
      x402Version: 2,
      resource: { url: "https://paid.example/mcp" },
      accepts: [{
        scheme: "exact",
        network: "eip155:84532",
        amount: PRICE,
        asset: SEPOLIA_USDC,
        payTo: PAY_TO,
        maxTimeoutSeconds: 60,
        extra: { name: "USDC", version: "2" },
      }],
    };
    const header = Buffer.from(JSON.stringify(required)).toString("base64");
    const signed = await h.json<Record<string, string>>([
      "--json",
      "x402",
      "sign",
      header,
      "--amount",
      "0.02",
      "--expiry",
      "30",
    ]);
    assert.equal(signed.from, ADDRESS);
    assert.equal(signed.to, PAY_TO);
    assert.equal(signed.amount, "0.02");
    assert.equal(signed.amountAtomicUnits, "20000");
    assert.equal(signed.network, "eip155:84532");
    const payload = JSON.parse(Buffer.from(signed.paymentSignature, "base64").toString("utf8"));
    const authorization = payload.payload.authorization;
    const signer = await signerOf(payload, {
      name: "USDC",
      version: "2",
      chainId: 84532,
      verifyingContract: SEPOLIA_USDC,
    });
    assert.equal(signer, ADDRESS);
    const seconds = Number(authorization.validBefore) - Date.now() / 1000;
    assert.ok(seconds > 20 && seconds <= 31, `valid for --expiry 30 s (${seconds})`);

    const human = await h.run(["x402", "sign", header]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /PAYMENT-SIGNATURE: [A-Za-z0-9+/=]{100,}/);
    assert.match(human.stdout, /"url": "https:\/\/paid\.example\/mcp"/);
    const garbage = await h.run(["x402", "sign", "not-base64-json"]);
    assert.equal(garbage.code, 1);
    assert.match(garbage.stderr, /not base64-encoded JSON/);
    const badAmount = await h.run(["x402", "sign", header, "--amount", "-3"]);
    assert.match(badAmount.stderr, /Invalid amount: "-3"/);
  } finally {
    await h.cleanup();
  }
});

for (const era of ["2026-07-28", "2025-11-25"]) {
  Deno.test(`connect --x402 pays ahead, on 402 and on a payment-required result, once each [${era}]`, async () => {
    const server = await startX402Server();
    const h = await Harness.create();
    try {
      const noWallet = await h.run(["connect", server.url, "@pay", "--x402"]);
      assert.equal(noWallet.code, 1);
      assert.match(
        noWallet.stderr,
        /--x402 needs an x402 wallet\. Create one with: mcpc x402 init/,
      );

      assert.equal((await h.run(["x402", "import"], { stdin: KEY })).code, 0);
      const connected = await h.run([
        "connect",
        server.url,
        "@pay",
        "--x402",
        "--protocol-version",
        era,
      ]);
      assert.equal(connected.code, 0, connected.stderr);
      assert.equal((await h.sessions()).sessions["@pay"].x402, true);
      for (const tool of ["free", "premium", "metered", "gated"]) {
        const call = await h.run(["@pay", "--json", "tools-call", tool]);
        assert.equal(call.code, 0, `${tool}: ${call.stderr}`);
        assert.match(JSON.parse(call.stdout).content[0].text, tool === "free" ? /free/ : /paid/);
      }
      assert.deepEqual(server.refused, []);
      // Paid ahead: premium ran once, with the payment; metered twice (asked, then paid).
      assert.equal(server.calls.premium, 1);
      assert.equal(server.calls.metered, 2);
      assert.deepEqual(
        server.accepted.map(({ tool, via, from, value }) => `${tool} ${via} ${from} ${value}`),
        [
          `premium meta ${ADDRESS} ${PRICE}`,
          `metered meta ${ADDRESS} ${PRICE}`,
          `gated header ${ADDRESS} ${PRICE}`,
        ],
        "each paid tool was paid exactly once, by the wallet",
      );
      const log = await Deno.readTextFile(`${h.home}/logs/bridge-@pay.log`);
      assert.match(
        log,
        /x402: paying 0\.01 USDC to 0x209693Bc6afc0C5328bA36FaF03C514EF312287C on Base Sepolia for tool premium/,
      );
      assert.doesNotMatch(log, new RegExp(KEY, "i"));
      const pid = (await h.sessions()).sessions["@pay"].pid!;
      assert.doesNotMatch(await Deno.readTextFile(`/proc/${pid}/cmdline`), new RegExp(KEY, "i"));
      assert.doesNotMatch(await Deno.readTextFile(`/proc/${pid}/environ`), new RegExp(KEY, "i"));
      assert.doesNotMatch(await Deno.readTextFile(`${h.home}/sessions.json`), new RegExp(KEY, "i"));

      // More than the session pays at once is refused, and nothing is signed for it.
      const pricey = await h.run(["@pay", "tools-call", "pricey"]);
      assert.equal(pricey.code, 2, pricey.stderr);
      assert.match(
        pricey.stderr,
        /The server asks 2 USDC for tool pricey, more than this session pays at once \(1 USDC; connect --x402-max-amount sets it\): not paid/,
      );
      assert.equal(server.accepted.length, 3);
      const raised = await h.run([
        "connect",
        server.url,
        "@rich",
        "--x402",
        "--x402-max-amount",
        "5",
        "--protocol-version",
        era,
      ]);
      assert.equal(raised.code, 0, raised.stderr);
      assert.equal((await h.run(["@rich", "tools-call", "pricey"])).code, 0);
      assert.equal(server.accepted.at(-1)?.tool, "pricey");
      assert.equal((await h.run(["@rich", "close"])).code, 0);

      // A bridge started again (restart) pays with the same wallet.
      assert.equal((await h.run(["@pay", "restart"])).code, 0);
      const paid = await h.run(["@pay", "tools-call", "premium"]);
      assert.equal(paid.code, 0, paid.stderr);
      assert.equal(server.accepted.length, 5);
      // Without the wallet, the session cannot pay: it says so.
      assert.equal((await h.run(["x402", "remove"])).code, 0);
      assert.equal((await h.run(["@pay", "restart"])).code !== 0, true);
    } finally {
      await h.cleanup();
      await server.close();
    }
  });
}

Deno.test("connect --x402 with --proxy needs a token; --x402-max-amount needs --x402 and an amount", async () => {
  const h = await Harness.create();
  try {
    assert.equal((await h.run(["x402", "import"], { stdin: KEY })).code, 0);
    const open = await h.run([
      "connect",
      "http://127.0.0.1:9/mcp",
      "@p",
      "--x402",
      "--proxy",
      "9931",
    ]);
    assert.equal(open.code, 1);
    assert.match(open.stderr, /--x402 with --proxy needs --proxy-bearer-token/);
    const alone = await h.run([
      "connect",
      "http://127.0.0.1:9/mcp",
      "@p",
      "--x402-max-amount",
      "2",
    ]);
    assert.match(alone.stderr, /--x402-max-amount applies with --x402 only/);
    const bad = await h.run([
      "connect",
      "http://127.0.0.1:9/mcp",
      "@p",
      "--x402",
      "--x402-max-amount",
      "x",
    ]);
    assert.match(bad.stderr, /Invalid --x402-max-amount: Invalid amount: "x"/);
    const records = await h.sessions().catch(() => ({ sessions: {} as Record<string, unknown> }));
    assert.equal(records.sessions["@p"], undefined);
  } finally {
    await h.cleanup();
  }
});

Deno.test("connect --x402 is refused for a stdio server", async () => {
  const h = await Harness.create();
  try {
    assert.equal((await h.run(["x402", "import"], { stdin: KEY })).code, 0);
    const config = `${h.home}/mcp.json`;
    await Deno.writeTextFile(config, JSON.stringify({ mcpServers: { s: { command: "true" } } }));
    const result = await h.run(["connect", `${config}:s`, "@s", "--x402"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--x402 applies to HTTP servers only/);
  } finally {
    await h.cleanup();
  }
});
