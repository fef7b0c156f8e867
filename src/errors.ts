/**
 * The one error class callers are meant to catch.
 *
 * @module
 */

/**
 * What went wrong, in a word:
 * - `"decode"`: an inbound message could not be read (the session goes on);
 * - `"encode"`: an outbound frame could not be serialized (the session goes on);
 * - `"closed"`: the socket is closed or closing;
 * - `"timeout"`: a bounded wait ran out (close handshake, send);
 * - `"backpressure"`: the peer stopped reading, or a queue overflowed beyond recovery;
 * - `"protocol"`: the peer broke the protocol (oversized message, unexpected message kind);
 * - `"application"`: the application's own code threw (a `receive` handler, a session callback
 *   given to an adapter); the session ends with 1011.
 */
export type TransportErrorCode =
  | "decode"
  | "encode"
  | "closed"
  | "timeout"
  | "backpressure"
  | "protocol"
  | "application";

/** Options for {@linkcode TransportError}. */
export interface TransportErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /** The WebSocket close code this error leads to, when it ends the session. */
  closeCode?: number;
  /**
   * Whether the error ends the session.
   *
   * @default {false}
   */
  fatal?: boolean;
}

/**
 * An error raised by a transport or serializer, with a machine-readable {@linkcode code}.
 *
 * @example Telling a bad message from a dead session
 * ```ts
 * import { TransportError } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * const error = new TransportError("decode", "not JSON: '{'");
 * assert.equal(error.code, "decode");
 * assert.equal(error.fatal, false);
 * assert.ok(error instanceof Error);
 * ```
 */
export class TransportError extends Error {
  /** What went wrong. */
  readonly code: TransportErrorCode;
  /** The WebSocket close code this error led to, when it ended the session. */
  readonly closeCode: number | undefined;
  /** Whether the error ended the session. */
  readonly fatal: boolean;

  /** Makes an error with a code, a message naming the bad value, and options. */
  constructor(code: TransportErrorCode, message: string, options: TransportErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TransportError";
    this.code = code;
    this.closeCode = options.closeCode;
    this.fatal = options.fatal ?? false;
  }
}
