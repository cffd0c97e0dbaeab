/** SDK errors as the client side of the MCP SDK throws them, for tests of their handling. */

import { SdkErrorCode, SdkHttpError } from "../../src/mcp/sdk.ts";

/** An HTTP failure as the SDK's Streamable HTTP transport reports it (`text` is the body). */
export function httpError(status: number, text: string): SdkHttpError {
  return new SdkHttpError(
    SdkErrorCode.ClientHttpNotImplemented,
    `Error POSTing to endpoint: ${text}`,
    { status, text },
  );
}
