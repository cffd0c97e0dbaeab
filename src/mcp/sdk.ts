/**
 * The one door to the MCP SDK (v2 line) for the client side: the bridge and
 * `connect`.
 *
 * Layer: edge (loads the SDK). Never import this from the session-command path.
 * @module
 */

export {
  Client,
  CLIENT_CAPABILITIES_META_KEY,
  LOG_LEVEL_META_KEY,
  ProtocolError,
  ProtocolErrorCode,
  RELATED_TASK_META_KEY,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  specTypeSchemas,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  UnsupportedProtocolVersionError,
} from "@modelcontextprotocol/client";
export type {
  CallToolResult,
  ClientOptions,
  CompleteRequestParams,
  CompleteResult,
  GetPromptResult,
  LoggingLevel,
  McpSubscription,
  PriorDiscovery,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplateType as ResourceTemplate,
  SubscriptionFilter,
  Tool,
} from "@modelcontextprotocol/client";
