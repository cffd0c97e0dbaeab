/**
 * MCP data types used across mcpc. Type-only: importing this loads no code,
 * so the session-command path may use it.
 *
 * Layer: pure (types).
 * @module
 */

export type {
  BlobResourceContents,
  CallToolResult,
  ContentBlock,
  ElicitRequestFormParams,
  ElicitRequestParams,
  ElicitRequestURLParams,
  ElicitResult,
  GetPromptResult,
  Implementation,
  InitializeResult,
  JSONRPCMessage,
  LoggingLevel,
  Prompt,
  PromptArgument,
  PromptMessage,
  ReadResourceResult,
  Resource,
  ResourceContents,
  ServerCapabilities,
  Task,
  TaskStatus,
  TextResourceContents,
  Tool,
} from "@modelcontextprotocol/client";

/** A resource template as listed by `resources/templates/list` (the SDK calls it `ResourceTemplateType`). */
export type { ResourceTemplateType as ResourceTemplate } from "@modelcontextprotocol/client";
