import assert from "node:assert/strict";
import { getDefaultEnvironment } from "@modelcontextprotocol/client/stdio";
import {
  defaultServerEnvironment,
  inheritedVariables,
} from "../../../src/mcp/server_environment.ts";

Deno.test("a stdio server inherits exactly what the SDK's stdio transport passes on", () => {
  assert.deepEqual(defaultServerEnvironment(), getDefaultEnvironment());
});

Deno.test("defaultServerEnvironment() keeps the listed names only, without shell functions", () => {
  const env = {
    HOME: "/home/u",
    PATH: "/usr/bin",
    TERM: "() { :; }",
    API_TOKEN: "secret",
    USER: "u",
  };
  assert.deepEqual(defaultServerEnvironment(env, "linux"), {
    HOME: "/home/u",
    PATH: "/usr/bin",
    USER: "u",
  });
  assert.deepEqual(defaultServerEnvironment({ PATH: "C:\\bin", HOME: "x" }, "windows"), {
    PATH: "C:\\bin",
  });
  assert.ok(inheritedVariables("darwin").includes("SHELL"));
  assert.ok(inheritedVariables("windows").includes("SYSTEMROOT"));
});
