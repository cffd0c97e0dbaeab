import assert from "node:assert/strict";
import { discoveryPaths } from "../../../src/app/connect_discover.ts";

Deno.test("discoveryPaths() lists the project's places, then the user's, then the OS's", () => {
  assert.deepEqual(discoveryPaths({ cwd: "/p", home: "/h", os: "linux" }), [
    "/p/.mcp.json",
    "/p/mcp.json",
    "/p/mcp_config.json",
    "/p/.cursor/mcp.json",
    "/p/.vscode/mcp.json",
    "/p/.kiro/settings/mcp.json",
    "/h/.cursor/mcp.json",
    "/h/.vscode/mcp.json",
    "/h/.codeium/windsurf/mcp_config.json",
    "/h/.kiro/settings/mcp.json",
    "/h/.claude.json",
    "/h/.config/Code/User/mcp.json",
    "/h/.config/Claude/claude_desktop_config.json",
  ]);
  assert.deepEqual(discoveryPaths({ cwd: "/p", home: "/h", os: "darwin" }).slice(11), [
    "/h/Library/Application Support/Code/User/mcp.json",
    "/h/Library/Application Support/Claude/claude_desktop_config.json",
  ]);
  const windows = discoveryPaths({ cwd: "/p", home: "/h", os: "windows", appData: "/a" });
  assert.deepEqual(windows.slice(11), [
    "/a/Code/User/mcp.json",
    "/a/Claude/claude_desktop_config.json",
  ]);
  assert.equal(discoveryPaths({ cwd: "/p", home: "/h", os: "windows" }).length, 11, "no APPDATA");
  assert.equal(discoveryPaths({ cwd: "/p", home: undefined, os: "linux" }).length, 6);
});

Deno.test("discoveryPaths() lists a place once when the project is the home folder", () => {
  const paths = discoveryPaths({ cwd: "/h", home: "/h", os: "linux" });
  assert.equal(new Set(paths).size, paths.length);
  assert.equal(paths.filter((path) => path === "/h/.cursor/mcp.json").length, 1);
  assert.equal(paths.length, 10);
});
