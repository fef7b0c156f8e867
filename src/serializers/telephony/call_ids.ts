/**
 * {@linkcode CallIds}: the stream and call identifiers a telephony serializer learns from the
 * provider's start message (or is given up front), and the `start` frame that reports them.
 *
 * @module
 */

import { TransportError } from "../../errors.ts";
import type { StartFrame } from "../../frames.ts";
import type { JsonReader } from "./json_reader.ts";

/** Options for {@linkcode CallIds}. */
export interface CallIdsOptions {
  /** The provider's name, for error messages. */
  provider: string;
  /**
   * The protocol's own name for the stream id (`"streamSid"`): named in error messages, and the
   * field {@linkcode CallIds.streamEvent} addresses the stream by.
   */
  streamField: string;
  /**
   * The stream id, when the application knows it before the start message.
   *
   * @default {undefined}
   */
  streamId?: string | undefined;
  /**
   * The call id, when the application knows it before the start message.
   *
   * @default {undefined}
   */
  callId?: string | undefined;
}

/** What a provider's start message said about the call (an absent id keeps what was known). */
export interface CallStart {
  /** The media stream id, if the message carried one. */
  streamId?: string | undefined;
  /** The call id, if the message carried one. */
  callId?: string | undefined;
  /** The call's custom parameters. */
  params: Record<string, string>;
}

/** What {@linkcode CallIds.readStart} needs beside the message. */
export interface StartFields {
  /** The field of `start` that holds the call id (`"callSid"`, `"callId"`, `"call_sid"`). */
  callField: string;
  /** The call's custom parameters, read by the caller (each provider puts them elsewhere). */
  params: Record<string, string>;
}

/**
 * A call's stream id (needed on every outbound message) and call id (needed to hang up), for
 * protocols that name the stream in each message (Twilio, Telnyx, Plivo, Exotel).
 *
 * @example Learning the ids from a start message
 * ```ts
 * import { CallIds } from "@x/ws-transport/telephony";
 * import { TransportError } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * const ids = new CallIds({ provider: "Example", streamField: "streamSid" });
 * assert.throws(() => ids.requireStreamId(), TransportError); // nothing to address yet
 * const start = ids.start({ streamId: "MZ1", callId: "CA1", params: { lang: "en" } });
 * assert.deepEqual(start, { type: "start", params: { lang: "en" }, streamId: "MZ1", callId: "CA1" });
 * assert.equal(ids.streamIdJson(), '"MZ1"');
 * assert.equal(ids.streamEvent("clear"), '{"event":"clear","streamSid":"MZ1"}');
 * ```
 */
export class CallIds {
  /** The provider's media stream id, once known. */
  streamId: string | undefined;
  /** The provider's call id, once known. */
  callId: string | undefined;
  readonly #provider: string;
  readonly #streamField: string;

  /** Starts with the ids the application passed, if any; see {@linkcode CallIdsOptions}. */
  constructor(options: CallIdsOptions) {
    this.#provider = options.provider;
    this.#streamField = options.streamField;
    this.streamId = options.streamId;
    this.callId = options.callId;
  }

  /**
   * Records the ids a start message carried and returns the `start` frame that reports every id
   * known so far with the call's custom parameters.
   */
  start(call: CallStart): StartFrame {
    if (call.streamId !== undefined) this.streamId = call.streamId;
    // A call id given in the options (from a signed stream URL) or by the first start stays: a
    // later start naming another call must not turn the hang-up on that call.
    this.callId ??= call.callId;
    const frame: StartFrame = { type: "start", params: call.params };
    if (this.streamId !== undefined) frame.streamId = this.streamId;
    if (this.callId !== undefined) frame.callId = this.callId;
    return frame;
  }

  /**
   * Reads a start message that puts the stream id in `start.<streamField>` or beside `event`
   * (required: a decode error without it) and the call id in `start.<callField>`, as Twilio,
   * Plivo and Exotel do, and returns {@linkcode CallIds.start}'s frame.
   */
  readStart(message: JsonReader, fields: StartFields): StartFrame {
    const start = message.object("start");
    const field = this.#streamField;
    const streamId = start.optionalString(field) ?? message.optionalString(field);
    if (streamId === undefined) throw message.error(`start message has no ${field}`);
    const callId = start.optionalString(fields.callField);
    return this.start({ streamId, callId, params: fields.params });
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

  /**
   * An outbound control message addressed to the stream, as JSON text: `{"event":<event>,
   * <streamField>:<stream id>, ...fields}` in that order (`{"event":"clear","streamSid":"MZ1"}`,
   * Plivo's `{"event":"checkpoint","streamId":"s1","name":"m1"}`). An "encode" error before the
   * start message brought the stream id. Media, sent many times a second, is better built as text
   * around {@linkcode CallIds.streamIdJson}: that spares an object and a scan of the payload.
   */
  streamEvent(event: string, fields?: Record<string, unknown>): string {
    return JSON.stringify({ event, [this.#streamField]: this.requireStreamId(), ...fields });
  }
}
