/**
 * The one door to the MCP SDK (v2 line) for the client side: the bridge and
 * `connect`.
 *
 * Layer: edge (loads the SDK). Never import this from the session-command path.
 * @module
 */

export {
  Client,
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  UnsupportedProtocolVersionError,
} from "@modelcontextprotocol/client";
export type { ClientOptions, PriorDiscovery } from "@modelcontextprotocol/client";
