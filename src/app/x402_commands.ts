/**
 * `mcpc x402 init|import|info|remove|sign` (experimental): the one wallet
 * that pays for tools with USDC (x402 v2), and signing a payment by hand for
 * a `PAYMENT-REQUIRED` value (reference.md §8.8). The private key is kept in
 * the secret store; it is read from stdin by `import`, printed by no command.
 *
 * Layer: application.
 * @module
 */

import { createPublicClient, erc20Abi, formatEther, formatUnits, type Hex, http } from "viem";
import { renderUnicodeCompact } from "uqr";
import type { AppContext } from "../context.ts";
import { McpcError, usageError } from "../errors.ts";
import { proxyVariables } from "../config/proxy_env.ts";
import { outboundFetch } from "../platform/outbound_fetch.ts";
import type { Theme } from "../render/theme.ts";
import {
  chooseRequirement,
  decodePaymentRequired,
  NETWORKS,
  PAYMENT_SIGNATURE_HEADER,
  PaymentError,
  signPayment,
  USDC_DECIMALS,
  usdToAtomic,
} from "../x402/payment.ts";
import {
  InvalidKeyError,
  makeWallet,
  readWallet,
  removeWallet,
  saveWallet,
  type Wallet,
} from "../x402/wallet.ts";
import type { CommandOutput } from "./output.ts";

/** The subcommands of `mcpc x402`. */
export const X402_SUBCOMMANDS = ["init", "import", "info", "remove", "sign"] as const;

/** Where `info` reads balances unless `--rpc-url` says otherwise (Base mainnet). */
export const DEFAULT_RPC_URL = "https://mainnet.base.org";
/** Bound on the balance reads of `info` (ms). */
const RPC_TIMEOUT_MS = 15_000;

/** What `mcpc x402 <subcommand>` was given. */
export interface X402Request {
  subcommand: string;
  args: string[];
  amount?: string;
  expiry?: string;
  rpcUrl?: string;
}

const EXPERIMENTAL =
  "x402 payments are experimental: keep only small amounts in this wallet, and check what a " +
  "server charges before you connect with --x402.";

/** Runs one `x402` subcommand. */
export async function x402Command(ctx: AppContext, request: X402Request): Promise<CommandOutput> {
  const extra = (count: number) => {
    if (request.args.length > count) {
      throw usageError(
        `Unexpected argument for x402 ${request.subcommand}: ${request.args[count]}`,
      );
    }
  };
  switch (request.subcommand) {
    case "init":
      extra(0);
      return await init(ctx, undefined);
    case "import":
      extra(1);
      return await init(ctx, await keyToImport(ctx, request.args[0]));
    case "info":
      extra(0);
      return await info(ctx, request.rpcUrl ?? DEFAULT_RPC_URL);
    case "remove": {
      extra(0);
      const removed = await removeWallet(ctx.secrets);
      return {
        json: { removed },
        human: (theme) =>
          removed ? theme.green("✓ x402 wallet removed") : "No x402 wallet to remove.",
      };
    }
    case "sign":
      extra(1);
      return await sign(ctx, request);
    default:
      throw usageError(
        `Unknown x402 command: ${request.subcommand}. Use one of: ${X402_SUBCOMMANDS.join(", ")}`,
        { hint: 'Run "mcpc help x402" for usage information.' },
      );
  }
}

async function init(ctx: AppContext, key: string | undefined): Promise<CommandOutput> {
  const existing = await readWallet(ctx.secrets);
  if (existing) {
    throw usageError(
      `An x402 wallet exists already (${existing.address}). Remove it first with: mcpc x402 remove`,
    );
  }
  let wallet: Wallet;
  try {
    wallet = makeWallet(key, ctx.now());
  } catch (error) {
    if (error instanceof InvalidKeyError) throw usageError(error.message);
    throw error;
  }
  await saveWallet(ctx.secrets, wallet);
  return {
    json: { address: wallet.address, createdAt: wallet.createdAt },
    human: (theme) =>
      [
        theme.green(
          `✓ x402 wallet ${key === undefined ? "created" : "imported"}: ${wallet.address}`,
        ),
        theme.yellow(`⚠ ${EXPERIMENTAL}`),
        "",
        "Fund it with USDC on Base (and use it with: mcpc connect <server> @name --x402):",
        renderUnicodeCompact(wallet.address),
      ].join("\n"),
  };
}

/** The key `import` is given: on stdin (preferred: nothing in argv), or as its argument. */
async function keyToImport(ctx: AppContext, argument: string | undefined): Promise<string> {
  if (argument !== undefined) {
    // In --json mode a successful command prints nothing on stderr.
    if (!ctx.output.json) {
      ctx.stderr(
        "Warning: the private key was given on the command line, where the shell history and " +
          "other users' process lists can see it; prefer: mcpc x402 import < key.txt\n",
      );
    }
    return argument;
  }
  if (ctx.stdinIsTerminal) {
    throw usageError(
      "Give the private key on stdin: mcpc x402 import < key.txt (or pipe it from a password manager)",
    );
  }
  const key = (await ctx.readStdin()).trim();
  if (key === "") throw usageError("No private key on stdin");
  return key;
}

/** The wallet, or the usage error that says how to make one. */
async function requireWallet(ctx: AppContext): Promise<Wallet> {
  const wallet = await readWallet(ctx.secrets);
  if (!wallet) {
    throw usageError("No x402 wallet. Create one with: mcpc x402 init (or mcpc x402 import)");
  }
  return wallet;
}

async function info(ctx: AppContext, rpcUrl: string): Promise<CommandOutput> {
  const wallet = await readWallet(ctx.secrets);
  if (!wallet) {
    return {
      json: null,
      human: () => "No x402 wallet. Create one with: mcpc x402 init (or mcpc x402 import)",
    };
  }
  let balances: { eth: string; usdc: string | null; network: string } | null = null;
  let failure: string | undefined;
  try {
    balances = await readBalances(ctx, wallet.address, rpcUrl);
  } catch (error) {
    failure = `Cannot read the balances from ${rpcUrl}: ${reason(error)}`;
  }
  return {
    json: {
      address: wallet.address,
      createdAt: wallet.createdAt,
      balances: balances && { eth: balances.eth, usdc: balances.usdc },
      ...(balances ? { network: balances.network } : {}),
      ...(failure ? { balancesError: failure } : {}),
    },
    human: (theme: Theme) =>
      [
        `Address: ${wallet.address}`,
        `Created: ${wallet.createdAt}`,
        ...(balances
          ? [
            `Network: ${balances.network}`,
            `ETH:     ${balances.eth}`,
            `USDC:    ${balances.usdc ?? "(no USDC contract known on this network)"}`,
          ]
          : [theme.yellow(`⚠ ${failure}`)]),
        "",
        renderUnicodeCompact(wallet.address),
      ].join("\n"),
  };
}

/** ETH and USDC balances of `address`, from the JSON-RPC endpoint `rpcUrl`. */
async function readBalances(ctx: AppContext, address: Hex, rpcUrl: string) {
  let url: URL;
  try {
    url = new URL(rpcUrl);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError();
  } catch {
    throw usageError(`Invalid --rpc-url: "${rpcUrl}". Give an http(s) URL`);
  }
  const client = createPublicClient({
    transport: http(url.href, {
      timeout: RPC_TIMEOUT_MS,
      retryCount: 0,
      fetchFn: outboundFetch({ proxyEnv: proxyVariables(ctx.env) }),
    }),
  });
  const chainId = await client.getChainId();
  const network = Object.entries(NETWORKS).find(([, known]) => known.chainId === chainId);
  const [eth, usdc] = await Promise.all([
    client.getBalance({ address }),
    network
      ? client.readContract({
        address: network[1].usdc,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [address],
      })
      : Promise.resolve(undefined),
  ]);
  return {
    eth: formatEther(eth),
    usdc: usdc === undefined ? null : formatUnits(usdc, USDC_DECIMALS),
    network: network ? `${network[1].name} (${network[0]})` : `chain ${chainId}`,
  };
}

async function sign(ctx: AppContext, request: X402Request): Promise<CommandOutput> {
  const encoded = request.args[0];
  if (encoded === undefined) {
    throw usageError("Missing required argument: payment-required", {
      hint: "Example: mcpc x402 sign <base64 PAYMENT-REQUIRED header value> [--amount 0.01]",
    });
  }
  const expirySeconds = request.expiry === undefined ? undefined : parseExpiry(request.expiry);
  try {
    if (request.amount !== undefined) usdToAtomic(request.amount);
    const required = decodePaymentRequired(encoded);
    const wallet = await requireWallet(ctx);
    const payment = await signPayment(wallet.privateKey, required, chooseRequirement(required), {
      now: ctx.now(),
      ...(request.amount !== undefined ? { amountUsd: request.amount } : {}),
      ...(expirySeconds !== undefined ? { expirySeconds } : {}),
    });
    const url = required.resource?.url ?? "https://<server>/mcp";
    const config = {
      mcpServers: { paid: { url, headers: { [PAYMENT_SIGNATURE_HEADER]: payment.header } } },
    };
    return {
      json: {
        paymentSignature: payment.header,
        from: payment.from,
        to: payment.to,
        amount: payment.amount,
        amountAtomicUnits: payment.amountAtomicUnits,
        network: payment.network,
        expiresAt: payment.expiresAt,
      },
      human: (theme) =>
        [
          theme.green(
            `✓ Signed a payment of ${payment.amount} USDC from ${payment.from} to ${payment.to} ` +
              `on ${NETWORKS[payment.network].name} (valid until ${payment.expiresAt})`,
          ),
          "",
          `${PAYMENT_SIGNATURE_HEADER}: ${payment.header}`,
          "",
          "As an MCP config entry:",
          JSON.stringify(config, null, 2),
        ].join("\n"),
    };
  } catch (error) {
    if (error instanceof PaymentError) throw usageError(error.message);
    throw error;
  }
}

function parseExpiry(text: string): number {
  const seconds = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(seconds >= 1 && seconds <= 31_536_000)) {
    throw usageError(`Invalid --expiry: "${text}". Give whole seconds from 1 to 31536000 (a year)`);
  }
  return seconds;
}

function reason(error: unknown): string {
  if (error instanceof McpcError) throw error;
  if (!(error instanceof Error)) return String(error);
  // viem's errors: a short message, and the transport's own words in `details`.
  const { shortMessage, details } = error as Error & { shortMessage?: string; details?: string };
  const first = (shortMessage ?? error.message).split("\n")[0];
  let deepest: Error = error;
  while (deepest.cause instanceof Error) deepest = deepest.cause;
  const why = deepest !== error ? deepest.message : details;
  return why && !first.includes(why) ? `${first} (${why.split("\n")[0]})` : first;
}
