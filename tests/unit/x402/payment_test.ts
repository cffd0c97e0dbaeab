import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Hex } from "viem";
import { signerOf } from "../../fixtures/x402_server.ts";
import {
  atomicToUsd,
  chooseRequirement,
  decodePaymentRequired,
  PaymentError,
  type PaymentRequired,
  signPayment,
  usdToAtomic,
} from "../../../src/x402/payment.ts";
import { paymentAsked, toolPrice } from "../../../src/x402/payer.ts";
import { makeWallet } from "../../../src/x402/wallet.ts";

/** A well-known test key (never funded). */
const KEY: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const REQUIREMENT = {
  scheme: "exact",
  network: "eip155:8453",
  amount: "10000",
  asset: "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
  payTo: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C",
  maxTimeoutSeconds: 60,
  extra: { name: "USD Coin", version: "2" },
};
const REQUIRED: PaymentRequired = {
  x402Version: 2,
  resource: { url: "https://api.example/mcp" },
  accepts: [REQUIREMENT],
};
const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);

Deno.test("signPayment() signs an EIP-3009 authorization that recovers to the wallet", async () => {
  const signed = await signPayment(KEY, REQUIRED, REQUIREMENT, {
    now: NOW,
    randomBytes: () => new Uint8Array(32).fill(7),
  });
  const { authorization } = signed.payload.payload;
  assert.equal(signed.from, ADDRESS);
  assert.equal(authorization.value, "10000");
  assert.equal(authorization.validAfter, "0");
  assert.equal(authorization.validBefore, String(NOW / 1000 + 60));
  assert.equal(authorization.nonce, `0x${"07".repeat(32)}`);
  assert.equal(signed.amount, "0.01");
  assert.equal(signed.expiresAt, new Date(NOW + 60_000).toISOString());
  const signer = await signerOf(signed.payload, {
    name: "USD Coin",
    version: "2",
    chainId: 8453,
    verifyingContract: REQUIREMENT.asset,
  });
  assert.equal(signer, ADDRESS);
  // The header is the payload, base64 JSON, with the requirement it pays.
  const decoded = JSON.parse(Buffer.from(signed.header, "base64").toString("utf8"));
  assert.deepEqual(decoded, signed.payload);
  assert.equal(decoded.accepted.payTo, REQUIREMENT.payTo);
  assert.deepEqual(decoded.resource, REQUIRED.resource);
});

Deno.test("signPayment() takes --amount and --expiry, and a fresh nonce each time", async () => {
  const first = await signPayment(KEY, REQUIRED, REQUIREMENT, {
    now: NOW,
    amountUsd: "1.5",
    expirySeconds: 10,
  });
  assert.equal(first.amountAtomicUnits, "1500000");
  assert.equal(first.amount, "1.5");
  assert.equal(first.payload.payload.authorization.value, "1500000");
  assert.equal(first.payload.accepted.amount, "10000", "accepted stays what the server asked");
  assert.equal(first.payload.payload.authorization.validBefore, String(NOW / 1000 + 10));
  const second = await signPayment(KEY, REQUIRED, REQUIREMENT, { now: NOW });
  assert.notEqual(
    first.payload.payload.authorization.nonce,
    second.payload.payload.authorization.nonce,
  );
  const noTimeout = await signPayment(KEY, REQUIRED, {
    ...REQUIREMENT,
    maxTimeoutSeconds: undefined,
  }, {
    now: NOW,
  });
  assert.equal(noTimeout.payload.payload.authorization.validBefore, String(NOW / 1000 + 3600));
});

Deno.test("decodePaymentRequired() reads the header and refuses what is not one", () => {
  const header = Buffer.from(JSON.stringify(REQUIRED)).toString("base64");
  assert.deepEqual(decodePaymentRequired(header), REQUIRED);
  assert.throws(() => decodePaymentRequired("%%%"), PaymentError);
  assert.throws(
    () => decodePaymentRequired(Buffer.from('{"x402Version":2}').toString("base64")),
    /not an x402 PaymentRequired/,
  );
});

Deno.test("chooseRequirement() takes the first exact option on a known network", () => {
  const other = { ...REQUIREMENT, network: "solana:mainnet" };
  assert.equal(
    chooseRequirement({ x402Version: 2, accepts: [other, REQUIREMENT] }).network,
    "eip155:8453",
  );
  assert.throws(
    () => chooseRequirement({ x402Version: 2, accepts: [other] }),
    /offered: exact on solana:mainnet/,
  );
});

Deno.test("chooseRequirement() pays only USDC, to an address, a whole positive amount", () => {
  const other = { ...REQUIREMENT, asset: "0x0000000000000000000000000000000000000001" };
  assert.throws(() => chooseRequirement({ x402Version: 2, accepts: [other] }), /in USDC/);
  const payee = { ...REQUIREMENT, payTo: "not-an-address" };
  assert.throws(() => chooseRequirement({ x402Version: 2, accepts: [payee] }), PaymentError);
  for (const amount of ["1e6", "0", "-5", "1.5"]) {
    assert.throws(
      () => chooseRequirement({ x402Version: 2, accepts: [{ ...REQUIREMENT, amount }] }),
      /invalid amount/,
      amount,
    );
  }
});

Deno.test("signPayment() bounds a server's timeout and knows Base Sepolia's USDC domain", async () => {
  const sepolia = {
    ...REQUIREMENT,
    network: "eip155:84532",
    asset: "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
    maxTimeoutSeconds: 10 ** 9,
    extra: undefined,
  };
  const signed = await signPayment(KEY, { x402Version: 2, accepts: [sepolia] }, sepolia, {
    now: NOW,
  });
  assert.equal(
    signed.payload.payload.authorization.validBefore,
    String(NOW / 1000 + 24 * 60 * 60),
  );
  const signer = await signerOf(signed.payload, {
    name: "USDC",
    version: "2",
    chainId: 84532,
    verifyingContract: sepolia.asset,
  });
  assert.equal(signer, ADDRESS);
  const text = { ...REQUIREMENT, maxTimeoutSeconds: "3600" };
  assert.equal(
    decodeOrUndefined({ x402Version: 2, accepts: [text] }),
    undefined,
    "a timeout that is not a whole number is not a requirement",
  );
});

function decodeOrUndefined(value: unknown) {
  try {
    return decodePaymentRequired(Buffer.from(JSON.stringify(value)).toString("base64"));
  } catch {
    return undefined;
  }
}

Deno.test("usdToAtomic() and atomicToUsd() convert with USDC's 6 decimals", () => {
  assert.equal(usdToAtomic("0.01"), 10000n);
  assert.equal(usdToAtomic("2"), 2000000n);
  assert.equal(usdToAtomic("0.000001"), 1n);
  for (const bad of ["0", "-1", "1.0000001", "abc", "1e3", ""]) {
    assert.throws(() => usdToAtomic(bad), PaymentError, bad);
  }
  assert.equal(atomicToUsd(10000n), "0.01");
  assert.equal(atomicToUsd(2000000n), "2");
  assert.equal(atomicToUsd(1n), "0.000001");
});

Deno.test("toolPrice() reads a tool's _meta.x402; paymentAsked() reads a result asking for payment", () => {
  const tool = (meta: unknown) => ({
    name: "t",
    inputSchema: { type: "object" as const },
    _meta: meta as never,
  });
  assert.deepEqual(toolPrice(tool({ x402: { paymentRequired: REQUIREMENT } }))?.accepts, [
    REQUIREMENT,
  ]);
  assert.deepEqual(toolPrice(tool({ x402: { paymentRequired: REQUIRED } }))?.accepts, [
    REQUIREMENT,
  ]);
  assert.deepEqual(
    toolPrice(tool({ x402: { paymentRequired: true, ...REQUIREMENT } }))?.accepts[0].payTo,
    REQUIREMENT.payTo,
  );
  assert.equal(toolPrice(tool({ x402: { paymentRequired: false } })), undefined);
  assert.equal(toolPrice(tool(undefined)), undefined);

  const text = { type: "text" as const, text: JSON.stringify(REQUIRED) };
  assert.deepEqual(paymentAsked({ isError: true, content: [text] })?.accepts, [REQUIREMENT]);
  assert.deepEqual(
    paymentAsked({ isError: true, content: [], structuredContent: REQUIRED as never })?.accepts,
    [REQUIREMENT],
  );
  assert.equal(paymentAsked({ content: [text] }), undefined, "only an error result asks");
  assert.equal(
    paymentAsked({ isError: true, content: [{ type: "text", text: "nope" }] }),
    undefined,
  );
});

Deno.test("makeWallet() takes a key with or without 0x and refuses others without repeating them", () => {
  assert.equal(makeWallet(KEY.slice(2), NOW).address, ADDRESS);
  assert.equal(makeWallet(` ${KEY.toUpperCase().replace("0X", "0x")} `, NOW).address, ADDRESS);
  assert.throws(() => makeWallet("0x1234", NOW), (error: Error) => !error.message.includes("1234"));
  const random = makeWallet(undefined, NOW);
  assert.match(random.privateKey, /^0x[0-9a-f]{64}$/);
  assert.equal(random.createdAt, new Date(NOW).toISOString());
});
