/**
 * The version of mcpc, kept in step with `deno.json`.
 *
 * Layer: pure.
 * @module
 */

/** The mcpc version string. */
export const VERSION = "0.1.0";
