/**
 * The events a {@linkcode WebSocketTransport} dispatches. Our own `Event` subclasses rather than
 * `ErrorEvent`/`CloseEvent`, which not every runtime lets user code construct.
 *
 * @module
 */

import type { TransportError } from "./errors.ts";
import type { SpeakingEvent, StaleAudioEvent } from "./playback.ts";

/**
 * Dispatched as "error": something went wrong. Unless `error.fatal`, the session goes on.
 *
 * @example
 * ```ts
 * import { TransportError, TransportErrorEvent } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * const event = new TransportErrorEvent(new TransportError("decode", "bad JSON"));
 * assert.equal(event.type, "error");
 * assert.equal(event.error.code, "decode");
 * ```
 */
export class TransportErrorEvent extends Event {
  /** What went wrong. */
  readonly error: TransportError;

  /** Makes an "error" event carrying `error`. */
  constructor(error: TransportError) {
    super("error");
    this.error = error;
  }
}

/**
 * Dispatched as "disconnected" when the remote side closed or dropped the connection, or its
 * socket never opened within `openTimeoutMs` (code 1006); not when we closed it.
 *
 * @example
 * ```ts
 * import { TransportCloseEvent } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * const event = new TransportCloseEvent("disconnected", { code: 1000, reason: "bye" });
 * assert.equal(event.code, 1000);
 * ```
 */
export class TransportCloseEvent extends Event {
  /** The close code the remote side sent (1005 when it sent none). */
  readonly code: number;
  /** The close reason the remote side sent. */
  readonly reason: string;

  /** Makes a close event of type `type`. */
  constructor(type: string, init: { code: number; reason: string }) {
    super(type);
    this.code = init.code;
    this.reason = init.reason;
  }
}

/** How a session ended: what `transport.closed` settles with. */
export interface TransportClosed {
  /** The close code (1005 when the peer sent none, 1006 when the connection dropped). */
  code: number;
  /** The close reason. */
  reason: string;
  /** Who closed first. */
  initiator: "local" | "remote";
}

/** The transport's events by name, for typed listeners. */
export interface TransportEventMap {
  /** The socket is open and the serializer set up. */
  connected: Event;
  /** The remote side went away; dispatched once. */
  disconnected: TransportCloseEvent;
  /** `sessionTimeoutMs` passed since the transport started; dispatched once, closes nothing. */
  sessiontimeout: Event;
  /** A {@linkcode TransportError}; the session goes on unless it is fatal. */
  error: TransportErrorEvent;
  /** Nothing from the peer for `inactivityTimeoutMs`; cancelable: `preventDefault()` keeps it. */
  inactive: Event;
  /** A response's first audio began playing at the far end. */
  speakingstart: SpeakingEvent;
  /** A response's last audio has played, or it was interrupted, or the session ended. */
  speakingstop: SpeakingEvent;
  /** Audio of an interrupted response arrived and was dropped (once per response). */
  staleaudio: StaleAudioEvent;
}
