/**
 * Errors and exit codes as documented, output shapes that agree with each
 * other, and schema-aware `key:=value` arguments, against the demo server and
 * server-everything.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import {
  DEMO_SERVER,
  denoEntry,
  everythingStdioEntry,
  Harness,
  STDIO_FIXTURE,
  waitFor,
  writeConfig,
} from "./harness.ts";

type Server = Awaited<ReturnType<typeof startDemoHttpServer>>;

async function withDemo(fn: (harness: Harness, server: Server) => Promise<void>): Promise<void> {
  const server = await startDemoHttpServer();
  const harness = await Harness.create();
  try {
    const connect = await harness.run(["connect", server.url, "@e"]);
    assert.equal(connect.code, 0, connect.stderr);
    await fn(harness, server);
  } finally {
    await harness.cleanup();
    await server.close();
  }
}

Deno.test("an unknown tool exits 1 with Tool not found and a did-you-mean, and no log hint", async () => {
  await withDemo(async (harness, server) => {
    const call = await harness.run(["@e", "tools-call", "ecoh", "message:=x"]);
    assert.equal(call.code, 1, call.stderr);
    assert.equal(
      call.stderr,
      "Error: Tool not found: ecoh\nDid you mean: mcpc @e tools-call echo\n",
    );
    const get = await harness.run(["@e", "tools-get", "ad"]);
    assert.equal(get.code, 1);
    assert.match(get.stderr, /Tool not found: ad\nDid you mean: mcpc @e tools-get add/);
    assert.doesNotMatch(get.stderr, /check logs/);
    const json = await harness.run(["@e", "tools-call", "nothing-like-it", "--json"]);
    assert.equal(json.stdout, "");
    assert.deepEqual(JSON.parse(json.stderr), {
      error: "Tool not found: nothing-like-it\nList the tools with: mcpc @e tools-list",
      code: 1,
    });
    assert.deepEqual(server.stats().calls, {}, "no call reached the server");
  });
});

Deno.test("--timeout accepts decimals and an expired request exits 3", async () => {
  await withDemo(async (harness, server) => {
    const started = Date.now();
    const call = await harness.run(["@e", "tools-call", "slow", "ms:=5000", "--timeout", "0.5"]);
    assert.equal(call.code, 3, call.stderr);
    assert.match(call.stderr, /timed out after 0\.5 s/);
    assert.ok(Date.now() - started < 4_500, "it did not wait for the tool");
    await waitFor(() => server.stats().slowCancelled === 1, 5_000, "the cancellation");
  });
});

for (const json of [false, true]) {
  Deno.test(`Ctrl+C cancels the request and exits 130${json ? " (--json)" : ""}`, async () => {
    await withDemo(async (harness, server) => {
      const child = harness.spawn([
        "@e",
        "tools-call",
        "slow",
        "ms:=30000",
        ...(json ? ["--json"] : []),
      ]);
      await waitFor(() => server.stats().slowStarted === 1, 20_000, "the call to start");
      // scripts/mcpc execs deno, so the child PID is mcpc itself.
      Deno.kill(child.pid, "SIGINT");
      const output = await child.output();
      const stderr = new TextDecoder().decode(output.stderr);
      assert.equal(output.code, 130, stderr);
      const stdout = new TextDecoder().decode(output.stdout);
      assert.equal(stdout, json ? "" : stdout.split("\n")[0] + "\n\n", "nothing after the prefix");
      if (json) assert.deepEqual(JSON.parse(stderr), { error: "Interrupted", code: 130 });
      else assert.equal(stderr, "Interrupted\n");
      await waitFor(() => server.stats().slowCancelled === 1, 10_000, "the server-side cancel");
      const log = await Deno.readTextFile(`${harness.home}/logs/bridge-@e.log`);
      assert.doesNotMatch(log, /\[(WARN|ERROR)\]|^\s+at /m, "a client hanging up is no warning");
      assert.match(log, /\[DEBUG\] IPC client disconnected/);
    });
  });
}

Deno.test("connect --json, restart --json and mcpc @s --json print the same shape", async () => {
  const harness = await Harness.create();
  const server = await startDemoHttpServer();
  try {
    const config = `${harness.home}/mcp.json`;
    await writeConfig(config, { demo: denoEntry(DEMO_SERVER, ["--stdio"]) });
    for (const [name, target] of [["@h", server.url], ["@s", `${config}:demo`]]) {
      const [connected] = await harness.json<Record<string, { status: string }>[]>([
        "connect",
        target,
        name,
      ]);
      const details = await harness.json<Record<string, { status: string }>>([name]);
      const restarted = await harness.json<Record<string, { status: string }>>([name, "restart"]);
      const keys = (value: Record<string, unknown>) => Object.keys(value).sort();
      assert.deepEqual(keys(connected), keys(details), name);
      assert.deepEqual(keys(restarted), keys(details), name);
      const mcpcKeys = (value: Record<string, unknown>) =>
        Object.keys(value._mcpc as object).sort();
      assert.deepEqual(mcpcKeys(connected), mcpcKeys(details), name);
      assert.deepEqual(mcpcKeys(restarted), mcpcKeys(details), name);
      assert.equal(connected._mcpc.status, "created");
      assert.equal(details._mcpc.status, "live");
      assert.equal(restarted._mcpc.status, "live");
      for (const document of [connected, details, restarted]) {
        const mcpc = document._mcpc as unknown as { protocolVersion: string };
        assert.match(mcpc.protocolVersion, /^\d{4}-\d{2}-\d{2}$/, name);
        assert.equal(mcpc.protocolVersion, document.protocolVersion as unknown as string);
      }
    }
  } finally {
    await harness.cleanup();
    await server.close();
  }
});

Deno.test("connect --verbose says on stderr how the bridge connected", async () => {
  const server = await startDemoHttpServer();
  const harness = await Harness.create();
  try {
    const result = await harness.run(["connect", server.url, "@v", "--verbose"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /\[DEBUG\] Bridge of @v started \(pid \d+\) in \d+ ms/);
    assert.match(
      result.stderr,
      /\[DEBUG\] Bridge of @v connected over streamable-http, protocol \d{4}-\d{2}-\d{2} in \d+ ms/,
    );
    assert.doesNotMatch(result.stdout, /DEBUG/);
  } finally {
    await harness.cleanup();
    await server.close();
  }
});

Deno.test("--max-chars never leaves a code fence open", async () => {
  await withDemo(async (harness) => {
    const result = await harness.run([
      "@e",
      "tools-call",
      "echo",
      `message:=${"long text ".repeat(50)}`,
      "--max-chars",
      "120",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /output truncated/);
    const fences = result.stdout.split("\n").filter((line) => line === "````").length;
    assert.equal(fences % 2, 0, result.stdout);
  });
});

Deno.test("a number typed for a string property is sent as the text (demo server)", async () => {
  await withDemo(async (harness) => {
    const result = await harness.json<{ structuredContent: { message: string } }>([
      "@e",
      "tools-call",
      "echo",
      "message:=42",
      "repeat:=2",
    ]);
    assert.deepEqual(result.structuredContent, { message: "42" });
    const typed = await harness.json<{ content: { text: string }[] }>([
      "@e",
      "tools-call",
      "add",
      "a:=2",
      "b:=40",
    ]);
    assert.equal(typed.content[0].text, "42", "numbers stay numbers where the schema says so");
  });
});

Deno.test("server-everything over stdio: schema-aware arguments and the tool list", async () => {
  const harness = await Harness.create();
  try {
    const config = `${harness.home}/mcp.json`;
    await writeConfig(config, { everything: everythingStdioEntry() });
    const connect = await harness.run(["connect", `${config}:everything`, "@ev"]);
    assert.equal(connect.code, 0, connect.stderr);
    assert.match(connect.stdout, /Server: mcp-servers\/everything/);
    const call = await harness.json<{ content: { text: string }[] }>([
      "@ev",
      "tools-call",
      "echo",
      "message:=true",
    ]);
    assert.match(call.content[0].text, /true/);
    const missing = await harness.run(["@ev", "tools-call", "eco", "message:=x"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Did you mean: mcpc @ev tools-call echo/);
  } finally {
    await harness.cleanup();
  }
});

Deno.test("the client declares no capabilities it does not implement, and refuses their requests", async () => {
  const harness = await Harness.create();
  try {
    const config = `${harness.home}/mcp.json`;
    await writeConfig(config, { caps: denoEntry(STDIO_FIXTURE, ["capabilities"]) });
    assert.equal((await harness.run(["connect", `${config}:caps`, "@caps"])).code, 0);
    const result = await harness.json<{ content: { text: string }[] }>([
      "@caps",
      "tools-call",
      "client-capabilities",
    ]);
    // Elicitation (forms and URLs) and the skills extension, which mcpc implements; no sampling,
    // roots or tasks capability.
    assert.deepEqual(JSON.parse(result.content[0].text), {
      elicitation: { form: {}, url: {} },
      extensions: { "io.modelcontextprotocol/skills": {} },
    });
    // A server that asks anyway gets the standard "method not found", in words it can pass on.
    for (
      const [method, why] of [
        ["sampling/createMessage", /no sampling here: this command-line client \(mcpc\) has no/],
        ["roots/list", /no roots here: this command-line client \(mcpc\) shares none/],
      ] as const
    ) {
      const asked = await harness.json<{ content: { text: string }[] }>([
        "@caps",
        "tools-call",
        "ask-client",
        `method:=${method}`,
      ]);
      const reply = JSON.parse(asked.content[0].text) as {
        error?: { code: number; message: string };
      };
      assert.equal(reply.error?.code, -32601, asked.content[0].text);
      assert.match(reply.error!.message, why);
    }
    const log = await Deno.readTextFile(`${harness.home}/logs/bridge-@caps.log`);
    assert.match(log, /refused the server's sampling\/createMessage/);
  } finally {
    await harness.cleanup();
  }
});

Deno.test("a tool list change reaches the cache: details, tools-get and the schema of calls", async () => {
  const harness = await Harness.create();
  try {
    const config = `${harness.home}/mcp.json`;
    await writeConfig(config, { changing: denoEntry(STDIO_FIXTURE, ["changing"]) });
    assert.equal((await harness.run(["connect", `${config}:changing`, "@ch"])).code, 0);
    const before = await harness.json<{ content: { text: string }[] }>([
      "@ch",
      "tools-call",
      "adder",
      "v:=1",
    ]);
    assert.equal(before.content[0].text, '{"v":1}');
    assert.equal((await harness.run(["@ch", "tools-call", "change"])).code, 0);
    await waitFor(
      async () => {
        const details = await harness.json<{ toolNames: string[] }>(["@ch"]);
        return details.toolNames.includes("newtool");
      },
      10_000,
      "the new tool to show",
    );
    const get = await harness.run(["@ch", "tools-get", "adder"]);
    assert.match(get.stdout, /`v`: string \[required\]/);
    const after = await harness.json<{ content: { text: string }[] }>([
      "@ch",
      "tools-call",
      "adder",
      "v:=1",
    ]);
    assert.equal(after.content[0].text, '{"v":"1"}', "the new schema wants a string");
    // The bridge writes notification times into the record within 250 ms.
    const record = await waitFor(
      async () => {
        const stored = (await harness.sessions()).sessions["@ch"];
        return stored.notifications?.tools?.listChangedAt ? stored : undefined;
      },
      5_000,
      "the change in the record",
    );
    assert.ok(record.notifications?.tools?.listChangedAt, "the change is recorded");
  } finally {
    await harness.cleanup();
  }
});
