/**
 * Runs a parsed invocation: calls the use case and prints its result in the
 * chosen mode. Returns the exit code; errors propagate to `main.ts`.
 *
 * Layer: edge-facing orchestration (all I/O goes through the context).
 * @module
 */

import { resolve } from "node:path";
import { type InputFlags, ON_INPUT_ACTIONS, parseInputAnswer } from "../app/activity.ts";
import type { CommandOutput } from "../app/output.ts";
import type { AppContext } from "../context.ts";
import { usageError } from "../errors.ts";
import { truncateOutput } from "../render/human/misc.ts";
import { sessionLine } from "../render/human/sessions.ts";
import { toJson } from "../render/json.ts";
import { renderForTerminal } from "../render/terminal_text.ts";
import type { Theme } from "../render/theme.ts";
import { VERSION } from "../version.ts";
import type { Invocation } from "./parse_argv.ts";
import { parseStdinArgs, parseToolArgs, typedTextOf } from "./tool_args.ts";

/** Runs the invocation and returns the exit code. */
export async function runInvocation(ctx: AppContext, invocation: Invocation): Promise<number> {
  switch (invocation.kind) {
    case "version":
      ctx.stdout(ctx.output.json ? `${toJson({ version: VERSION })}\n` : `${VERSION}\n`);
      return 0;
    case "help":
      ctx.stdout(`${invocation.text}\n`);
      return 0;
    case "list": {
      const { listSessionsOutput } = await import("../app/list_sessions.ts");
      return print(ctx, await listSessionsOutput(ctx));
    }
    case "top":
      return await runTop(ctx, invocation);
    case "session":
      return await runSession(ctx, invocation);
  }
}

async function runTop(
  ctx: AppContext,
  invocation: Extract<Invocation, { kind: "top" }>,
): Promise<number> {
  const [first, second] = invocation.args as (string | undefined)[];
  switch (invocation.command) {
    case "connect": {
      const { parseServerArg } = await import("../config/server_target.ts");
      const wholeFile = first !== undefined && parseServerArg(first)?.type === "config-file";
      if (first === undefined || wholeFile) {
        // Each entry brings its own headers and settings: these apply to one server only.
        const given = [
          ["header", "-H/--header"],
          ["profile", "--profile/--no-profile"],
          ["caFile", "--ca-file"],
          ["insecure", "--insecure"],
          ["proxy", "--proxy"],
          ["proxyBearerToken", "--proxy-bearer-token"],
          ["x402", "--x402"],
          ["x402MaxAmount", "--x402-max-amount"],
        ].filter(([key]) => invocation.options[key] !== undefined).map(([, flag]) => flag);
        if (given.length > 0) {
          throw usageError(
            `${given.join(" and ")} apply to one server, not to every entry of config files: ` +
              "set them in the file's entries, or connect one entry (mcpc connect <file>:<entry>)",
          );
        }
      }
      if (first === undefined) {
        const { connectDiscovered } = await import("../app/connect_discover.ts");
        return print(
          ctx,
          await connectDiscovered(ctx, {
            stdio: invocation.options.stdio === true,
            protocolVersion: invocation.options.protocolVersion as string | undefined,
          }),
        );
      }
      if (wholeFile) {
        if (second !== undefined) {
          throw usageError(
            `A config file connects each entry under its own name: drop ${second}, or name ` +
              `one entry: mcpc connect ${first}:<entry> ${second}`,
          );
        }
        const { connectConfigFile } = await import("../app/connect_config.ts");
        return print(
          ctx,
          await connectConfigFile(ctx, {
            file: first,
            stdio: invocation.options.stdio === true,
            protocolVersion: invocation.options.protocolVersion as string | undefined,
          }),
        );
      }
      if (invocation.options.stdio === true) {
        throw usageError("--stdio applies to a whole config file: mcpc connect <file> --stdio");
      }
      const { connectSession } = await import("../app/connect_session.ts");
      return print(
        ctx,
        await connectSession(ctx, {
          target: first,
          sessionName: second,
          headers: (invocation.options.header as string[] | undefined) ?? [],
          protocolVersion: invocation.options.protocolVersion as string | undefined,
          profile: invocation.options.profile as string | false | undefined,
          caFile: invocation.options.caFile as string | undefined,
          insecure: invocation.options.insecure === true,
          proxy: invocation.options.proxy as string | undefined,
          proxyBearerToken: invocation.options.proxyBearerToken as string | undefined,
          x402: invocation.options.x402 === true,
          x402MaxAmount: invocation.options.x402MaxAmount as string | undefined,
        }),
      );
    }
    case "completion": {
      const { COMPLETION_SHELLS, completionScript } = await import("./complete.ts");
      const shell = COMPLETION_SHELLS.find((candidate) => candidate === first);
      if (!shell) {
        throw usageError(
          `Unknown shell: ${first}. mcpc completes in ${COMPLETION_SHELLS.join(", ")}`,
        );
      }
      ctx.stdout(completionScript(shell));
      return 0;
    }
    case "x402": {
      if (first === undefined) {
        const { commandHelp } = await import("./help.ts");
        const { findCommand } = await import("./command_table.ts");
        ctx.stdout(`${commandHelp(findCommand("top", "x402")!, "top")}\n`);
        return 0;
      }
      const { x402Command } = await import("../app/x402_commands.ts");
      const option = (name: string) => invocation.options[name] as string | undefined;
      return print(
        ctx,
        await x402Command(ctx, {
          subcommand: first,
          args: (invocation.args[1] as string[] | undefined) ?? [],
          amount: option("amount"),
          expiry: option("expiry"),
          rpcUrl: option("rpcUrl"),
        }),
      );
    }
    case "login": {
      const { login } = await import("../app/login.ts");
      const option = (name: string) => invocation.options[name] as string | undefined;
      return print(
        ctx,
        await login(ctx, {
          server: first!,
          profile: option("profile"),
          scope: option("scope"),
          clientId: option("clientId"),
          clientSecret: option("clientSecret"),
          clientMetadataUrl: option("clientMetadataUrl"),
          callbackPort: option("callbackPort"),
          clientCredentials: invocation.options.clientCredentials === true,
          dpop: invocation.options.dpop === true,
          clientKey: option("clientKey"),
          clientKeyAlg: option("clientKeyAlg"),
          caFile: option("caFile"),
          insecure: invocation.options.insecure === true,
        }),
      );
    }
    case "logout": {
      const { logout } = await import("../app/logout.ts");
      return print(
        ctx,
        await logout(ctx, {
          server: first!,
          profile: invocation.options.profile as string | undefined,
        }),
      );
    }
    case "close": {
      const names = [...new Set((invocation.args[0] as string[] | undefined) ?? [])];
      const all = invocation.options.all === true;
      if (names.length === 0 && !all) {
        throw usageError(
          "Missing required argument: @session\n\nExample: mcpc close @myapp (or mcpc close --all)",
        );
      }
      if (all && names.length > 0) {
        throw usageError("Give either session names or --all, not both");
      }
      if (names.length === 1) {
        return await runSession(ctx, {
          kind: "session",
          session: names[0],
          command: "close",
          args: [],
          options: invocation.options,
          flags: invocation.flags,
        });
      }
      const { closeSessions } = await import("../app/close_session.ts");
      return print(ctx, await closeSessions(ctx, all ? "all" : names));
    }
    case "clean": {
      const { clean } = await import("../app/clean.ts");
      return print(ctx, await clean(ctx, (invocation.args[0] as string[] | undefined) ?? []));
    }
    case "grep": {
      const { grepAll } = await import("../app/grep.ts");
      return print(ctx, await grepAll(ctx, grepRequest(invocation)));
    }
    case "restart":
      return await runSession(ctx, {
        kind: "session",
        session: first!,
        command: invocation.command,
        args: [],
        options: invocation.options,
        flags: invocation.flags,
      });
    default:
      throw usageError(`Unknown command: ${invocation.command}`);
  }
}

async function runSession(
  ctx: AppContext,
  invocation: Extract<Invocation, { kind: "session" }>,
): Promise<number> {
  const name = invocation.session;
  const { requireSessionName } = await import("../app/session_bridge.ts");
  requireSessionName(name);
  const commands = await import("../app/session_commands.ts");
  if (invocation.command === "close") {
    const { closeSession } = await import("../app/close_session.ts");
    return print(ctx, await closeSession(ctx, name));
  }
  await printPrefix(ctx, name);
  switch (invocation.command) {
    case undefined:
      return print(ctx, await commands.serverDetails(ctx, name));
    case "restart": {
      const { restartSession } = await import("../app/restart_session.ts");
      return print(ctx, await restartSession(ctx, name));
    }
    case "tools-list":
      return print(
        ctx,
        await commands.toolsList(ctx, name, { full: invocation.options.full === true }),
      );
    case "tools-get":
      return print(
        ctx,
        await commands.toolsGet(ctx, name, String(invocation.args[0]), schemaFlags(invocation)),
      );
    case "tools-call": {
      const tool = String(invocation.args[0]);
      const raw = (invocation.args[1] as string[] | undefined) ?? [];
      const args = await toolArguments(ctx, raw);
      return print(
        ctx,
        await commands.toolsCall(ctx, name, {
          tool,
          arguments: args,
          typedText: typedTextOf(raw),
          schema: schemaFlags(invocation),
          mode: {
            task: invocation.options.task === true,
            detach: invocation.options.detach === true,
          },
          input: await inputFlags(ctx, invocation),
        }),
      );
    }
    case "tasks-list":
    case "tasks-get":
    case "tasks-result":
    case "tasks-cancel":
      return print(ctx, await runTaskCommand(ctx, invocation));
    case "resources-list":
    case "resources-templates-list":
    case "resources-read":
    case "resources-subscribe":
    case "resources-unsubscribe":
      return print(ctx, await runResourceCommand(ctx, invocation));
    case "prompts-list": {
      const { promptsList } = await import("../app/prompt_commands.ts");
      return print(ctx, await promptsList(ctx, name));
    }
    case "prompts-get": {
      const { promptsGet } = await import("../app/prompt_commands.ts");
      const raw = (invocation.args[1] as string[] | undefined) ?? [];
      const args = await toolArguments(ctx, raw);
      return print(
        ctx,
        await promptsGet(ctx, name, {
          prompt: String(invocation.args[0]),
          arguments: args,
          typedText: typedTextOf(raw),
          schema: schemaFlags(invocation),
        }),
      );
    }
    case "skills-list":
    case "skills-get":
    case "skills-pull":
      return print(ctx, await runSkillCommand(ctx, invocation));
    case "logging-set-level": {
      const { loggingSetLevel } = await import("../app/prompt_commands.ts");
      return print(ctx, await loggingSetLevel(ctx, name, String(invocation.args[0])));
    }
    case "notifications": {
      const { notificationsFollow, notificationsList, requireFollowable } = await import(
        "../app/notification_commands.ts"
      );
      if (invocation.options.follow !== true) {
        return print(ctx, await notificationsList(ctx, name));
      }
      requireFollowable(ctx);
      return await notificationsFollow(ctx, name);
    }
    case "grep": {
      const { grepSession } = await import("../app/grep.ts");
      return print(ctx, await grepSession(ctx, name, grepRequest(invocation)));
    }
    case "ping":
      return print(ctx, await commands.ping(ctx, name));
    default:
      throw usageError(`Unknown command: ${invocation.command}`);
  }
}

/** The task commands (loaded only for them). */
async function runTaskCommand(
  ctx: AppContext,
  invocation: Extract<Invocation, { kind: "session" }>,
) {
  const tasks = await import("../app/task_commands.ts");
  const name = invocation.session;
  const taskId = String(invocation.args[0] ?? "");
  switch (invocation.command) {
    case "tasks-list":
      return await tasks.tasksList(ctx, name);
    case "tasks-get":
      return await tasks.tasksGet(ctx, name, taskId);
    case "tasks-result":
      return await tasks.tasksResult(ctx, name, taskId, await inputFlags(ctx, invocation));
    default:
      return await tasks.tasksCancel(ctx, name, taskId);
  }
}

/** `--input`, `--input-file` and `--on-input`: how the server's questions are answered. */
async function inputFlags(
  ctx: AppContext,
  invocation: { options: Record<string, unknown> },
): Promise<InputFlags> {
  const { input, inputFile, onInput } = invocation.options as Record<string, string | undefined>;
  if (input !== undefined && inputFile !== undefined) {
    throw usageError("Use --input or --input-file, not both", { userInput: true });
  }
  if (onInput !== undefined && !(ON_INPUT_ACTIONS as readonly string[]).includes(onInput)) {
    throw usageError(
      `Invalid --on-input value: ${onInput} (expected ${ON_INPUT_ACTIONS.join(" or ")})`,
      { userInput: true },
    );
  }
  let answer: Record<string, unknown> | undefined;
  if (input !== undefined) answer = parseInputAnswer(input, "--input");
  if (inputFile !== undefined) {
    let text: string;
    try {
      text = await Deno.readTextFile(resolve(ctx.cwd, inputFile));
    } catch (error) {
      throw usageError(`Cannot read --input-file ${inputFile}: ${(error as Error).message}`, {
        userInput: true,
      });
    }
    answer = parseInputAnswer(text, `--input-file ${inputFile}`);
  }
  return {
    ...(answer ? { answer } : {}),
    ...(onInput ? { otherwise: onInput as InputFlags["otherwise"] } : {}),
  };
}

/** The resource commands (loaded only for them). */
async function runResourceCommand(
  ctx: AppContext,
  invocation: Extract<Invocation, { kind: "session" }>,
) {
  const resources = await import("../app/resource_commands.ts");
  const name = invocation.session;
  const uri = String(invocation.args[0] ?? "");
  switch (invocation.command) {
    case "resources-list":
      return await resources.resourcesList(ctx, name);
    case "resources-templates-list":
      return await resources.resourceTemplatesList(ctx, name);
    case "resources-read":
      return await resources.resourcesRead(ctx, name, uri, {
        output: invocation.options.output as string | undefined,
        force: invocation.options.force === true,
        maxSize: invocation.options.maxSize as string | undefined,
      });
    default:
      return await resources.resourcesSubscribe(
        ctx,
        name,
        uri,
        invocation.command === "resources-subscribe",
      );
  }
}

/** The skill commands (loaded only for them). */
async function runSkillCommand(
  ctx: AppContext,
  invocation: Extract<Invocation, { kind: "session" }>,
) {
  const skills = await import("../app/skill_commands.ts");
  const name = invocation.session;
  const skill = String(invocation.args[0] ?? "");
  switch (invocation.command) {
    case "skills-list":
      return await skills.skillsList(ctx, name);
    case "skills-get":
      return await skills.skillsGet(ctx, name, skill);
    default:
      return await skills.skillsPull(ctx, name, skill, {
        dir: invocation.args[1] as string | undefined,
        force: invocation.options.force === true,
      });
  }
}

/** `--schema` / `--schema-mode` as given. */
function schemaFlags(invocation: { options: Record<string, unknown> }) {
  return {
    schema: invocation.options.schema as string | undefined,
    schemaMode: invocation.options.schemaMode as string | undefined,
  };
}

/** What `grep` was asked (the same at the top level and on a session). */
function grepRequest(invocation: { args: unknown[]; options: Record<string, unknown> }) {
  const option = (name: string) => invocation.options[name] === true;
  return {
    pattern: String(invocation.args[0] ?? ""),
    regex: option("regex"),
    caseSensitive: option("caseSensitive"),
    tools: option("tools"),
    resources: option("resources"),
    prompts: option("prompts"),
    instructions: option("instructions"),
    maxResults: invocation.options.maxResults as string | undefined,
  };
}

async function toolArguments(ctx: AppContext, raw: string[]): Promise<Record<string, unknown>> {
  if (raw.length === 0) {
    if (ctx.stdinIsTerminal) return {};
    return parseStdinArgs(await readStdinBounded(ctx));
  }
  const parsed = parseToolArgs(raw);
  if (Array.isArray(parsed)) {
    throw usageError("Tool arguments must be a JSON object, not an array");
  }
  return parsed;
}

/** Reads piped tool arguments; a stdin that never closes fails after the request timeout. */
async function readStdinBounded(ctx: AppContext): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() =>
      reject(
        usageError(
          `No tool arguments were given and stdin did not close within ${
            ctx.timeoutMs / 1000
          } s. ` +
            "Pass key:=value arguments, or close stdin (e.g. </dev/null)",
        ),
      ), ctx.timeoutMs);
  });
  try {
    return await Promise.race([ctx.readStdin(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Prints `[@name → target]` and a blank line before human session output. */
async function printPrefix(ctx: AppContext, name: string): Promise<void> {
  if (ctx.output.json) return;
  const record = await ctx.sessions.get(name);
  if (!record) return;
  ctx.stdout(`${humanText(ctx, (theme) => `[${sessionLine(record, theme)}]`)}\n\n`);
}

/** Human text with mcpc's styles only: nothing the server sent can drive the terminal. */
function humanText(ctx: AppContext, render: (theme: Theme) => string): string {
  return renderForTerminal(render, {
    colors: ctx.output.theme.colors,
    nonce: crypto.randomUUID().replaceAll("-", ""),
  });
}

function print(ctx: AppContext, output: CommandOutput): number {
  if (ctx.output.json) {
    ctx.stdout(`${toJson(output.json)}\n`);
  } else {
    let text = humanText(ctx, output.human);
    if (output.truncatable && ctx.output.maxChars !== undefined) {
      text = truncateOutput(text, ctx.output.maxChars);
    }
    ctx.stdout(`${text}\n`);
  }
  return output.exitCode ?? 0;
}
