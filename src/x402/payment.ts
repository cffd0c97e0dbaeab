/**
 * x402 payments (protocol version 2, scheme `exact` on EVM): reading what a
 * server asks for (`PaymentRequired`, the base64 `PAYMENT-REQUIRED` header
 * or a tool result), choosing what to pay, and signing it as an EIP-3009
 * `TransferWithAuthorization` of USDC (EIP-712 typed data, signed with viem)
 * into the `PaymentPayload` a retry carries (`PAYMENT-SIGNATURE` header,
 * `_meta["x402/payment"]`).
 *
 * Layer: pure (viem's signing; the clock and randomness are passed in).
 * @module
 */

import { Buffer } from "node:buffer";
import { type Hex, isAddress, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

/** The x402 protocol version mcpc speaks. */
export const X402_VERSION = 2;
/** The request header that carries a payment (base64 `PaymentPayload`). */
export const PAYMENT_SIGNATURE_HEADER = "PAYMENT-SIGNATURE";
/** The response header of a 402 that says what to pay (base64 `PaymentRequired`). */
export const PAYMENT_REQUIRED_HEADER = "PAYMENT-REQUIRED";
/** Where a tool call carries its payment (x402 MCP transport). */
export const PAYMENT_META_KEY = "x402/payment";
/** The longest a server's `maxTimeoutSeconds` makes an authorization valid (s). */
const MAX_SERVER_TIMEOUT_SECONDS = 24 * 60 * 60;

/** The most one payment is, unless `connect --x402-max-amount` says otherwise (USD). */
export const DEFAULT_MAX_PAYMENT_USD = "1";

/** USDC has 6 decimals. */
export const USDC_DECIMALS = 6;

/** The networks mcpc pays on, with USDC's contract there. */
export const NETWORKS: Record<
  string,
  { name: string; chainId: number; usdc: Hex; domain: { name: string; version: string } }
> = {
  "eip155:8453": {
    name: "Base",
    chainId: 8453,
    usdc: "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
    domain: { name: "USD Coin", version: "2" },
  },
  "eip155:84532": {
    name: "Base Sepolia",
    chainId: 84532,
    usdc: "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
    domain: { name: "USDC", version: "2" },
  },
};

/** One way to pay that a server accepts. */
export interface PaymentRequirements {
  scheme: string;
  /** CAIP-2 network, e.g. `eip155:8453`. */
  network: string;
  /** Atomic units of the asset, as a decimal string. */
  amount: string;
  /** The token contract. */
  asset: string;
  payTo: string;
  maxTimeoutSeconds?: number;
  /** For EIP-3009: the token's EIP-712 domain `name` and `version`. */
  extra?: Record<string, unknown>;
}

/** What a server asks to be paid. */
export interface PaymentRequired {
  x402Version: number;
  error?: string;
  resource?: { url?: string; description?: string; mimeType?: string };
  accepts: PaymentRequirements[];
}

/** The signed payment a retry carries. */
export interface PaymentPayload {
  x402Version: number;
  resource?: PaymentRequired["resource"];
  accepted: PaymentRequirements;
  payload: {
    signature: Hex;
    authorization: {
      from: Hex;
      to: Hex;
      value: string;
      validAfter: string;
      validBefore: string;
      nonce: Hex;
    };
  };
}

/** A payment signed for one requirement, with what `x402 sign` shows of it. */
export interface SignedPayment {
  payload: PaymentPayload;
  /** The `PAYMENT-SIGNATURE` header value (base64 JSON of the payload). */
  header: string;
  from: string;
  to: string;
  /** In USD (USDC), e.g. `0.01`. */
  amount: string;
  amountAtomicUnits: string;
  network: string;
  /** When the authorization stops being valid (ISO). */
  expiresAt: string;
}

/** A payment request or payload that cannot be used; the message says why. */
export class PaymentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PaymentError";
  }
}

/** Reads a base64 `PAYMENT-REQUIRED` value. */
export function decodePaymentRequired(base64: string): PaymentRequired {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(base64.trim(), "base64").toString("utf8"));
  } catch {
    throw new PaymentError("The payment request is not base64-encoded JSON");
  }
  const required = asPaymentRequired(value);
  if (!required) {
    throw new PaymentError(
      "The payment request is not an x402 PaymentRequired object (x402Version and accepts)",
    );
  }
  return required;
}

/** `value` as a `PaymentRequired`, when it is one (a tool result's `structuredContent`, say). */
export function asPaymentRequired(value: unknown): PaymentRequired | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.x402Version !== "number" || !Array.isArray(record.accepts)) return undefined;
  const accepts = record.accepts.filter(isRequirement);
  if (accepts.length === 0) return undefined;
  return { ...record, accepts } as PaymentRequired;
}

function isRequirement(value: unknown): value is PaymentRequirements {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Record<string, unknown>;
  return ["scheme", "network", "asset", "payTo"].every((key) => typeof r[key] === "string") &&
    (typeof r.amount === "string" || typeof r.maxAmountRequired === "string") &&
    (r.maxTimeoutSeconds === undefined ||
      (Number.isInteger(r.maxTimeoutSeconds) && (r.maxTimeoutSeconds as number) > 0));
}

/** The first requirement mcpc can pay: scheme `exact` on a network it knows. */
export function chooseRequirement(required: PaymentRequired): PaymentRequirements {
  // Only USDC: an authorization is for the one token its domain names, whatever the log says.
  const payable = required.accepts.find((r) =>
    r.scheme === "exact" && NETWORKS[r.network] &&
    r.asset.toLowerCase() === NETWORKS[r.network].usdc.toLowerCase() && isAddress(r.payTo)
  );
  if (!payable) {
    const offered = required.accepts.map((r) => `${r.scheme} on ${r.network}`).join(", ");
    throw new PaymentError(
      `None of the server's payment options can be paid (offered: ${offered}); mcpc pays ` +
        `"exact" in USDC on ${Object.keys(NETWORKS).join(" or ")}`,
    );
  }
  // x402 v1 named the amount maxAmountRequired.
  const amount = payable.amount ??
    (payable as unknown as { maxAmountRequired: string }).maxAmountRequired;
  if (!/^\d+$/.test(amount) || BigInt(amount) === 0n) {
    throw new PaymentError(`The server asks for an invalid amount: "${amount}"`);
  }
  return { ...payable, amount };
}

/** Options of {@linkcode signPayment}. */
export interface SignOptions {
  /** Pay this many USD instead of the amount asked (`--amount`). */
  amountUsd?: string;
  /** Valid for this many seconds (`--expiry`; default: the requirement's maxTimeoutSeconds, else 3600). */
  expirySeconds?: number;
  /** Clock (ms). */
  now: number;
  /** 32 random bytes (the authorization's nonce). */
  randomBytes?: () => Uint8Array;
}

/** Signs a payment of `requirement` with `privateKey` (EIP-3009 over EIP-712). */
export async function signPayment(
  privateKey: Hex,
  required: PaymentRequired,
  requirement: PaymentRequirements,
  options: SignOptions,
): Promise<SignedPayment> {
  const network = NETWORKS[requirement.network];
  if (!network) throw new PaymentError(`Cannot pay on network ${requirement.network}`);
  const account = privateKeyToAccount(privateKey);
  const value = options.amountUsd !== undefined
    ? usdToAtomic(options.amountUsd)
    : BigInt(requirement.amount);
  // A server's timeout is bounded (a day): an authorization is not left valid for years.
  const seconds = options.expirySeconds ??
    Math.min(requirement.maxTimeoutSeconds ?? 3600, MAX_SERVER_TIMEOUT_SECONDS);
  const validBefore = BigInt(Math.floor(options.now / 1000) + seconds);
  const nonce = toHex((options.randomBytes ?? randomNonce)());
  const authorization = {
    from: account.address,
    to: requirement.payTo as Hex,
    value,
    validAfter: 0n,
    validBefore,
    nonce,
  };
  const signature = await account.signTypedData({
    domain: {
      name: typeof requirement.extra?.name === "string"
        ? requirement.extra.name
        : network.domain.name,
      version: typeof requirement.extra?.version === "string"
        ? requirement.extra.version
        : network.domain.version,
      chainId: network.chainId,
      verifyingContract: requirement.asset as Hex,
    },
    types: TRANSFER_WITH_AUTHORIZATION,
    primaryType: "TransferWithAuthorization",
    message: authorization,
  });
  const payload: PaymentPayload = {
    x402Version: X402_VERSION,
    ...(required.resource ? { resource: required.resource } : {}),
    // What the server asked, as it asked it (servers match it against their own requirements).
    accepted: requirement,
    payload: {
      signature,
      authorization: {
        ...authorization,
        value: value.toString(),
        validAfter: "0",
        validBefore: validBefore.toString(),
      },
    },
  };
  return {
    payload,
    header: Buffer.from(JSON.stringify(payload), "utf8").toString("base64"),
    from: account.address,
    to: requirement.payTo,
    amount: atomicToUsd(value),
    amountAtomicUnits: value.toString(),
    network: requirement.network,
    expiresAt: new Date(Number(validBefore) * 1000).toISOString(),
  };
}

/** The EIP-712 types of EIP-3009's `TransferWithAuthorization`. */
export const TRANSFER_WITH_AUTHORIZATION = {
  TransferWithAuthorization: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "validAfter", type: "uint256" },
    { name: "validBefore", type: "uint256" },
    { name: "nonce", type: "bytes32" },
  ],
} as const;

/** `0.01` (USD) → 10000 (atomic USDC); refuses anything but a positive decimal with ≤ 6 places. */
export function usdToAtomic(usd: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,6}))?$/.exec(usd.trim());
  if (!match) {
    throw new PaymentError(
      `Invalid amount: "${usd}". Give US dollars with at most 6 decimals, e.g. 0.01`,
    );
  }
  const atomic = BigInt(match[1]) * 10n ** BigInt(USDC_DECIMALS) +
    BigInt((match[2] ?? "").padEnd(USDC_DECIMALS, "0"));
  if (atomic === 0n) throw new PaymentError(`Invalid amount: "${usd}". It must be more than 0`);
  return atomic;
}

/** 10000 (atomic USDC) → `0.01`. */
export function atomicToUsd(atomic: bigint): string {
  const scale = 10n ** BigInt(USDC_DECIMALS);
  const fraction = (atomic % scale).toString().padStart(USDC_DECIMALS, "0").replace(/0+$/, "");
  return `${atomic / scale}${fraction ? `.${fraction}` : ""}`;
}

function randomNonce(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}
