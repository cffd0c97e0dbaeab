/**
 * The one door to the MCP SDK for the client side (bridge and `connect`).
 *
 * The SDK's `exports` map points type lookups for `*.js` subpaths at
 * `*.js.d.ts` files that do not exist, so Deno would see `any`. Each
 * re-export here names the real typings with `@ts-types`.
 *
 * Layer: edge (loads the SDK). Never import this from the session-command path.
 * @module
 */

// @ts-types="@modelcontextprotocol/sdk/client/index"
export { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
export {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
export { getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
// @ts-types="@modelcontextprotocol/sdk/client/auth"
export { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
// @ts-types="@modelcontextprotocol/sdk/types"
export {
  ErrorCode,
  McpError,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
