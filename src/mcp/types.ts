/**
 * MCP data types used across mcpc. Type-only: importing this loads no code,
 * so the session-command path may use it.
 *
 * Layer: pure (types).
 * @module
 */

export type {
  CallToolResult,
  ContentBlock,
  Implementation,
  InitializeResult,
  JSONRPCMessage,
  ServerCapabilities,
  Tool,
} from "@modelcontextprotocol/client";
