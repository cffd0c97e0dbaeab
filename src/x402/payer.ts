/**
 * How a bridge of `connect --x402` pays (x402 v2, over Streamable HTTP):
 *
 * - A tool whose listed definition says what it costs
 *   (`_meta.x402.paymentRequired`) is paid up front: its call carries a
 *   fresh payment in `params._meta["x402/payment"]` and the
 *   `PAYMENT-SIGNATURE` header.
 * - A request answered `402 Payment Required` with a `PAYMENT-REQUIRED`
 *   header is paid and sent again, once.
 * - A tool result that asks for payment (`isError` with a `PaymentRequired`
 *   in `structuredContent` or its first text) is paid and the call made
 *   again, once.
 *
 * Every payment is signed afresh (an EIP-3009 authorization settles once).
 * The log names what was paid to whom, never the key or a signature.
 *
 * Layer: edge (wraps fetch).
 * @module
 */

import type { Hex } from "viem";
import type { CallToolResult, Tool } from "../mcp/sdk.ts";
import {
  asPaymentRequired,
  atomicToUsd,
  chooseRequirement,
  decodePaymentRequired,
  NETWORKS,
  PAYMENT_META_KEY,
  PAYMENT_REQUIRED_HEADER,
  PAYMENT_SIGNATURE_HEADER,
  PaymentError,
  type PaymentRequired,
  type PaymentRequirements,
  type SignedPayment,
  signPayment,
  X402_VERSION,
} from "./payment.ts";

/** What a bridge's payer needs. */
export interface PayerOptions {
  privateKey: Hex;
  /** The most one payment may be (atomic USDC): more is refused (`connect --x402-max-amount`). */
  maxAtomicUnits: bigint;
  now: () => number;
  log: (message: string) => void;
}

/** Pays for one session's requests. */
export class X402Payer {
  #options: PayerOptions;
  /** Payments made for the next `tools/call` of each tool. */
  #pending = new Map<string, SignedPayment[]>();
  /** The last paid call of each tool, which the next one waits for. */
  #turns = new Map<string, Promise<void>>();
  /** The tools whose call in progress has paid already: a call pays at most once. */
  #paid = new Set<string>();

  constructor(options: PayerOptions) {
    this.#options = options;
  }

  /** `inner` with payments: the tool calls paid ahead, and a 402 paid and retried once. */
  wrap(inner: typeof fetch): typeof fetch {
    return async (input, init) => {
      const headers = new Headers(init?.headers);
      let body = init?.body;
      const message = typeof body === "string" ? jsonRpcRequest(body) : undefined;
      const tool = message?.method === "tools/call" ? String(message.params?.name ?? "") : "";
      const ahead = tool ? this.#pending.get(tool)?.shift() : undefined;
      if (ahead) body = this.#attach(message!, ahead, headers);
      const response = await inner(input, { ...init, headers, body });
      const asked = response.headers.get(PAYMENT_REQUIRED_HEADER);
      // Only a tool call is paid: a ping, a listing or a stream that asks is refused unpaid;
      // so is a call that paid already (the server refused or ignored the payment).
      if (response.status !== 402 || asked === null || !tool || ahead || this.#paid.has(tool)) {
        return response;
      }
      let payment: SignedPayment;
      try {
        payment = await this.#pay(decodePaymentRequired(asked), `tool ${tool}`);
      } catch (error) {
        // Not paid: the server's own 402 answers the call (the log says why).
        if (!(error instanceof PaymentError)) throw error;
        this.#options.log(`x402: ${error.message}`);
        return response;
      }
      await response.body?.cancel();
      this.#paid.add(tool);
      const retryHeaders = new Headers(headers);
      const retryBody = message ? this.#attach(message, payment, retryHeaders) : body;
      retryHeaders.set(PAYMENT_SIGNATURE_HEADER, payment.header);
      return await inner(input, { ...init, headers: retryHeaders, body: retryBody });
    };
  }

  /** Before a call of `name`: pays ahead when its definition says what it costs. */
  async beforeCall(name: string, tool: Tool | undefined): Promise<void> {
    const required = toolPrice(tool);
    if (!required) return;
    this.#queue(name, await this.#pay(required, `tool ${name}`));
    this.#paid.add(name);
  }

  /**
   * After a call of `name`: when its result asks for payment, pays for the
   * next call of it and says so (the caller calls once more).
   */
  async afterCall(name: string, result: CallToolResult): Promise<boolean> {
    const required = paymentAsked(result);
    // One payment per call: a server that asks again after being paid is not paid twice.
    if (!required || this.#paid.has(name)) return false;
    this.#queue(name, await this.#pay(required, `tool ${name}`));
    this.#paid.add(name);
    return true;
  }

  /** Forgets payments made for calls that did not happen (a call that failed before sending). */
  drop(name: string): void {
    this.#pending.delete(name);
    this.#paid.delete(name);
  }

  /**
   * Runs the paid calls of one tool one at a time: a payment made for a
   * call is sent with that call (several clients of a proxy call at once).
   */
  async exclusive<T>(name: string, run: () => Promise<T>): Promise<T> {
    const before = this.#turns.get(name) ?? Promise.resolve();
    const turn = before.then(run, run);
    const settled = turn.then(() => {}, () => {});
    this.#turns.set(name, settled);
    try {
      return await turn;
    } finally {
      if (this.#turns.get(name) === settled) this.#turns.delete(name);
    }
  }

  #queue(name: string, payment: SignedPayment): void {
    const queue = this.#pending.get(name) ?? [];
    queue.push(payment);
    this.#pending.set(name, queue);
  }

  async #pay(required: PaymentRequired, what: string): Promise<SignedPayment> {
    const requirement = chooseRequirement(required);
    if (BigInt(requirement.amount) > this.#options.maxAtomicUnits) {
      throw new PaymentError(
        `The server asks ${atomicToUsd(BigInt(requirement.amount))} USDC for ${what}, more than ` +
          `this session pays at once (${atomicToUsd(this.#options.maxAtomicUnits)} USDC; ` +
          "connect --x402-max-amount sets it): not paid",
      );
    }
    const payment = await signPayment(this.#options.privateKey, required, requirement, {
      now: this.#options.now(),
    });
    this.#options.log(
      `x402: paying ${payment.amount} USDC to ${payment.to} on ${
        NETWORKS[payment.network]?.name ?? payment.network
      } for ${what} (valid until ${payment.expiresAt})`,
    );
    return payment;
  }

  /** The request with the payment in its `_meta` and header; returns the new body. */
  #attach(message: JsonRpcRequest, payment: SignedPayment, headers: Headers): string {
    headers.set(PAYMENT_SIGNATURE_HEADER, payment.header);
    const params = message.params ?? {};
    const meta = (params._meta as Record<string, unknown> | undefined) ?? {};
    return JSON.stringify({
      ...message,
      params: { ...params, _meta: { ...meta, [PAYMENT_META_KEY]: payment.payload } },
    });
  }
}

interface JsonRpcRequest {
  jsonrpc: string;
  id?: unknown;
  method: string;
  params?: Record<string, unknown>;
}

function jsonRpcRequest(body: string): JsonRpcRequest | undefined {
  try {
    const value = JSON.parse(body);
    return typeof value?.method === "string" && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What a tool's definition says it costs: `_meta.x402.paymentRequired`, a
 * `PaymentRequired` or one requirement (or `true` with the requirement's
 * fields in `_meta.x402` itself).
 */
export function toolPrice(tool: Tool | undefined): PaymentRequired | undefined {
  const x402 = (tool?._meta as Record<string, unknown> | undefined)?.x402 as
    | Record<string, unknown>
    | undefined;
  if (!x402) return undefined;
  const given = x402.paymentRequired === true ? x402 : x402.paymentRequired;
  if (typeof given !== "object" || given === null) return undefined;
  return asPaymentRequired(given) ??
    asPaymentRequired({ x402Version: X402_VERSION, accepts: [given as PaymentRequirements] });
}

/** The payment a tool result asks for (x402 MCP transport), if it asks. */
export function paymentAsked(result: CallToolResult): PaymentRequired | undefined {
  if (!result.isError) return undefined;
  const structured = asPaymentRequired(result.structuredContent);
  if (structured) return structured;
  const first = result.content?.[0];
  if (first?.type !== "text") return undefined;
  try {
    return asPaymentRequired(JSON.parse(first.text));
  } catch {
    return undefined;
  }
}
