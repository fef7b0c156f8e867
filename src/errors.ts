/**
 * The one error class callers are meant to catch.
 *
 * @module
 */

/**
 * What went wrong, in a word:
 * - `"decode"`: an inbound message could not be read (the session goes on);
 * - `"encode"`: an outbound frame could not be serialized, or the stale-response gate forgot an
 *   interrupted response to keep its bound (the session goes on);
 * - `"closed"`: the socket failed, or refused a message (its `send` threw: that message is lost
 *   and counted; while the socket stays open the session goes on), or the session ended with
 *   inbound messages unread;
 * - `"timeout"`: a bounded wait ran out (a socket that never opened, the close handshake, a
 *   REST hang-up, a far end's `start`, resume or acknowledgement, Genesys's close after our
 *   `disconnect`);
 * - `"backpressure"`: the reader of `readable` fell behind (its oldest audio dropped: the
 *   session goes on), or stayed behind by too many messages, or the peer stopped reading, or
 *   messages piled up behind an asynchronous `deserialize` (the session ends with 1008);
 * - `"protocol"`: the peer broke the protocol (a message over `maxMessageBytes`, 1009; media
 *   after its `stop`), the far end reported an error, a REST hang-up failed, or the serializer's
 *   set-up failed or it or a `serialize` did not finish within `sendTimeoutMs` (1011); whether
 *   the session ends is `TransportError.fatal`;
 * - `"application"`: the application's own code threw (a `receive` handler, a session callback
 *   given to an adapter, an observer, a listener of the transport's events, a background mixer;
 *   an async one's promise rejected); the session ends with 1011. Not fatal, the session going
 *   on: a background that declined the session, a mixer's `detach` that threw at the end, a
 *   `waitUntil` that threw (the hang-up goes on).
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
   * Whether the error ends the session: the transport then closes from this side with
   * `closeCode` (see {@linkcode TransportError.fatal}).
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
  /**
   * The WebSocket close code this error led to, when it ended the session: the one sent, for a
   * fatal error; 1006 for the "timeout" of a socket that never opened (see {@linkcode fatal}).
   */
  readonly closeCode: number | undefined;
  /**
   * Whether the error ended the session: the transport closed from this side because of it
   * (`closed.initiator` "local", no "disconnected" event). An error that only tells why the
   * connection is gone is not fatal, and the connection's end settles the session as the far
   * end's (`initiator` "remote", a "disconnected" event): a socket's "error" followed by its
   * close, and a socket that never opened within `openTimeoutMs` (a "timeout" with `closeCode`
   * 1006: the caller never came, or is gone).
   */
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
