/**
 * The stream and call identifiers a telephony serializer learns from the provider's start message
 * (or is given up front), and the `start` frame that reports them.
 *
 * @module
 */

import { TransportError } from "../errors.ts";
import type { StartFrame } from "../frames.ts";

/**
 * A call's stream id (needed on every outbound message) and call id (needed to hang up). Shared
 * by the serializers whose protocols name the stream in each message: Twilio, Telnyx, Plivo and
 * Exotel.
 */
export class CallIds {
  /** The provider's media stream id, once known. */
  streamId: string | undefined;
  /** The provider's call id, once known. */
  callId: string | undefined;
  readonly #provider: string;
  readonly #streamField: string;

  /**
   * Starts with the ids the application passed, if any. `provider` and `streamField` (the
   * protocol's own name for the stream id) make the error message.
   */
  constructor(
    provider: string,
    streamField: string,
    initial: { streamId?: string | undefined; callId?: string | undefined } = {},
  ) {
    this.#provider = provider;
    this.#streamField = streamField;
    this.streamId = initial.streamId;
    this.callId = initial.callId;
  }

  /**
   * Records the ids a start message carried (an absent one keeps what was known) and returns the
   * `start` frame that reports every id known so far with the call's custom parameters.
   */
  start(
    streamId: string | undefined,
    callId: string | undefined,
    params: Record<string, string>,
  ): StartFrame {
    if (streamId !== undefined) this.streamId = streamId;
    if (callId !== undefined) this.callId = callId;
    const frame: StartFrame = { type: "start", params };
    if (this.streamId !== undefined) frame.streamId = this.streamId;
    if (this.callId !== undefined) frame.callId = this.callId;
    return frame;
  }

  /** The stream id; an "encode" error before the start message brought one. */
  requireStreamId(): string {
    if (this.streamId === undefined) {
      throw new TransportError(
        "encode",
        `${this.#provider}: no ${this.#streamField} yet (no start message received)`,
      );
    }
    return this.streamId;
  }

  /** The stream id as a JSON string literal, for messages built as text. */
  streamIdJson(): string {
    return JSON.stringify(this.requireStreamId());
  }
}
