/**
 * Telnyx media streaming (bidirectional RTP mode): {@linkcode TelnyxSerializer} and
 * {@linkcode verifyTelnyxSignature} for Telnyx's signed webhooks.
 *
 * @module
 */

import { CallIds } from "./call_ids.ts";
import type { Frame } from "../frames.ts";
import type { FrameSerializer, SerializerAudioSetup } from "../serializer.ts";
import { TransportError } from "../errors.ts";
import { type FetchLike, HangUp } from "./hangup.ts";
import {
  isTelephonyRate,
  TelephonyAudio,
  type TelephonyEncoding,
  telephonyEncodingOf,
} from "./telephony_audio.ts";
import {
  decodeError,
  dtmfDigitAt,
  isObject,
  type JsonObject,
  objectAt,
  optionalNumberAt,
  optionalObjectAt,
  optionalStringAt,
  optionalStringRecordAt,
  parseEventMessage,
  stringAt,
} from "./telephony_json.ts";

export { verifyTelnyxSignature, type VerifyTelnyxSignatureOptions } from "./telnyx_signature.ts";

const PROVIDER = "Telnyx";

/** Options for {@linkcode TelnyxSerializer}. */
export interface TelnyxSerializerOptions {
  /**
   * The stream id; learned from Telnyx's `start` message.
   *
   * @default {undefined}
   */
  streamId?: string;
  /**
   * The call control id, needed to hang up; learned from the `start` message.
   *
   * @default {undefined}
   */
  callControlId?: string;
  /**
   * A Telnyx API key. Without it `end`/`cancel` do not hang up.
   *
   * @default {undefined}
   */
  apiKey?: string;
  /**
   * The encoding of inbound audio; `start.media_format.encoding` overrides it (`PCMU`, `PCMA`,
   * `L16` are understood; L16 is big-endian as RTP sends it).
   *
   * @default {"mulaw"}
   */
  inboundEncoding?: TelephonyEncoding;
  /**
   * The encoding of the audio we send (it must match the stream's bidirectional codec).
   *
   * @default {the inbound encoding}
   */
  outboundEncoding?: TelephonyEncoding;
  /**
   * The wire sample rate; `start.media_format.sample_rate` overrides it.
   *
   * @default {8000}
   */
  sampleRate?: number;
  /**
   * Whether `end` and `cancel` frames hang the call up through the REST API.
   *
   * @default {true}
   */
  autoHangUp?: boolean;
  /**
   * The `fetch` the hang-up uses.
   *
   * @default {globalThis.fetch}
   */
  fetch?: FetchLike;
  /**
   * How long the hang-up request may take.
   *
   * @default {5000}
   */
  hangUpTimeoutMs?: number;
}

/**
 * Speaks Telnyx's media streaming protocol in bidirectional RTP mode: base64 RTP payloads
 * (PCMU, PCMA or L16) in JSON text messages.
 *
 * Inbound: `start` → a `start` frame (`stream_id`, `call_control_id`, `custom_parameters` as
 * `params`, plus `client_state` when set); `media` on the inbound track → `audio`; `dtmf` →
 * `dtmf`; `mark` → `mark`; `stop` → `end`. `connected`, `error` and other events arrive as
 * `message` frames carrying Telnyx's JSON as is.
 *
 * Ordering: Telnyx does not guarantee the order of media messages. This serializer does not
 * reorder (that would add a jitter buffer's latency to every packet); it drops a media message
 * whose `sequence_number` is not above the last one delivered, so the resampler sees a monotonic
 * stream and a late packet costs one 20 ms gap instead of a click. {@linkcode lateMediaDropped}
 * counts them.
 *
 * Outbound: `audio` → one `media` message per frame; `mark` → `mark`; `interruption` → `clear`;
 * `message` → its JSON as is; `end`/`cancel` → POST `/v2/calls/{call_control_id}/actions/hangup`
 * once when `apiKey` is set, a 422 with error code 90018 counting as already ended. Failures
 * throw a `TransportError` (`"protocol"`, or `"timeout"` after `hangUpTimeoutMs`).
 *
 * @example Learning the codec from the start message
 * ```ts
 * import { TelnyxSerializer } from "@x/ws-transport/telnyx";
 * import assert from "node:assert/strict";
 *
 * const telnyx = new TelnyxSerializer();
 * const start = telnyx.deserialize(JSON.stringify({
 *   event: "start",
 *   sequence_number: "1",
 *   stream_id: "s1",
 *   start: { call_control_id: "v3:abc", media_format: { encoding: "PCMA", sample_rate: 8000, channels: 1 } },
 * }));
 * assert.deepEqual(start, { type: "start", streamId: "s1", callId: "v3:abc", params: {} });
 * assert.equal(telnyx.serialize({ type: "interruption" }), '{"event":"clear"}');
 * ```
 */
export class TelnyxSerializer implements FrameSerializer {
  #in: TelephonyAudio;
  #out: TelephonyAudio;
  #fixedOutbound: boolean;
  #hangUp: HangUp;
  #ids: CallIds;
  #apiKey: string | undefined;
  #autoHangUp: boolean;
  #lastSequence = -Infinity;
  #lateDropped = 0;

  /** Makes a serializer for one call; see {@linkcode TelnyxSerializerOptions}. */
  constructor(options: TelnyxSerializerOptions = {}) {
    const inbound = options.inboundEncoding ?? "mulaw";
    const sampleRate = options.sampleRate ?? 8000;
    this.#in = new TelephonyAudio({ encoding: inbound, sampleRate, provider: PROVIDER });
    this.#out = new TelephonyAudio({
      encoding: options.outboundEncoding ?? inbound,
      sampleRate,
      provider: PROVIDER,
    });
    this.#fixedOutbound = options.outboundEncoding !== undefined;
    this.#ids = new CallIds(PROVIDER, "stream_id", {
      streamId: options.streamId,
      callId: options.callControlId,
    });
    this.#apiKey = options.apiKey;
    this.#autoHangUp = options.autoHangUp ?? true;
    this.#hangUp = new HangUp({ fetch: options.fetch, timeoutMs: options.hangUpTimeoutMs });
  }

  /** The stream id, once known. */
  get streamId(): string | undefined {
    return this.#ids.streamId;
  }

  /** The call control id, once known. */
  get callControlId(): string | undefined {
    return this.#ids.callId;
  }

  /** Media messages dropped because they arrived after a later one. */
  get lateMediaDropped(): number {
    return this.#lateDropped;
  }

  /** Takes the transport's audio settings. */
  setup(audio: SerializerAudioSetup): void {
    this.#in.setup(audio);
    this.#out.setup(audio);
  }

  /** One outbound frame to a Telnyx message (or a hang-up); see the class description. */
  serialize(frame: Frame): string | null | Promise<null> {
    switch (frame.type) {
      case "audio": {
        const payload = this.#out.encodeBase64(frame);
        return payload === null ? null : `{"event":"media","media":{"payload":"${payload}"}}`;
      }
      case "mark":
        return JSON.stringify({ event: "mark", mark: { name: frame.name } });
      case "interruption":
        this.#out.reset();
        return `{"event":"clear"}`;
      case "message":
        return JSON.stringify(frame.message);
      case "end":
      case "cancel":
        return this.#autoHangUp && this.#apiKey !== undefined ? this.#hangUpCall() : null;
      default:
        return null;
    }
  }

  /** One Telnyx message to frames; malformed input throws `TransportError("decode")`. */
  deserialize(data: string | Uint8Array): Frame | null {
    const { event, message } = parseEventMessage(data, PROVIDER);
    switch (event) {
      case "media": {
        const media = objectAt(message, "media", "media", PROVIDER);
        const payload = stringAt(media, "payload", "media.payload", PROVIDER);
        const track = optionalStringAt(media, "track", "media.track", PROVIDER);
        const sequence = optionalNumberAt(message, "sequence_number", "sequence_number", PROVIDER);
        if (track !== undefined && track !== "inbound" && track !== "inbound_track") return null;
        if (sequence !== undefined) {
          if (sequence <= this.#lastSequence) {
            this.#lateDropped++;
            return null;
          }
          this.#lastSequence = sequence;
        }
        return this.#in.decodeBase64(payload);
      }
      case "start":
        return this.#start(message);
      case "dtmf": {
        const dtmf = optionalObjectAt(message, "dtmf", "dtmf", PROVIDER) ??
          objectAt(message, "payload", "payload", PROVIDER);
        return { type: "dtmf", digit: dtmfDigitAt(dtmf, "digit", `${event}.digit`, PROVIDER) };
      }
      case "mark": {
        const mark = objectAt(message, "mark", "mark", PROVIDER);
        return { type: "mark", name: stringAt(mark, "name", "mark.name", PROVIDER) };
      }
      case "stop":
        return { type: "end", reason: "stop" };
      default:
        return { type: "message", message };
    }
  }

  #start(message: JsonObject): Frame {
    const start = objectAt(message, "start", "start", PROVIDER);
    const streamId = optionalStringAt(message, "stream_id", "stream_id", PROVIDER);
    const callControlId = optionalStringAt(
      start,
      "call_control_id",
      "start.call_control_id",
      PROVIDER,
    );
    const params = optionalStringRecordAt(
      start,
      "custom_parameters",
      "start.custom_parameters",
      PROVIDER,
    ) ?? {};
    const clientState = optionalStringAt(start, "client_state", "start.client_state", PROVIDER);
    if (clientState !== undefined && !("client_state" in params)) params.client_state = clientState;
    const format = optionalObjectAt(start, "media_format", "start.media_format", PROVIDER);
    if (format !== undefined) {
      const name = optionalStringAt(format, "encoding", "start.media_format.encoding", PROVIDER);
      const rate = optionalNumberAt(
        format,
        "sample_rate",
        "start.media_format.sample_rate",
        PROVIDER,
      );
      const encoding = name === undefined ? undefined : telephonyEncodingOf(name);
      if (name !== undefined && encoding === undefined) {
        throw decodeError(
          PROVIDER,
          `unsupported start.media_format.encoding ${JSON.stringify(name)}`,
        );
      }
      if (rate !== undefined && !isTelephonyRate(rate)) {
        throw decodeError(PROVIDER, `start.media_format.sample_rate is ${rate}`);
      }
      this.#in.configure({
        ...(encoding ? { encoding } : {}),
        ...(rate ? { sampleRate: rate } : {}),
      });
      this.#out.configure({
        ...(encoding && !this.#fixedOutbound ? { encoding } : {}),
        ...(rate ? { sampleRate: rate } : {}),
      });
    }
    return this.#ids.start(streamId, callControlId, params);
  }

  async #hangUpCall(): Promise<null> {
    if (this.#hangUp.attempted) return null;
    const id = this.#ids.callId;
    if (id === undefined) {
      throw new TransportError("protocol", "Telnyx: cannot hang up without a call_control_id");
    }
    await this.#hangUp.run({
      provider: PROVIDER,
      callId: id,
      // Call control ids look like "v3:abc…"; ":" is legal in a path segment, so it stays.
      url: `https://api.telnyx.com/v2/calls/${
        encodeURIComponent(id).replaceAll("%3A", ":")
      }/actions/hangup`,
      init: {
        method: "POST",
        headers: {
          authorization: `Bearer ${this.#apiKey!}`,
          "content-type": "application/json",
        },
        body: "{}",
      },
      alreadyEnded: (status, body) =>
        status === 422 && isObject(body) && Array.isArray(body.errors) &&
        body.errors.some((error) => isObject(error) && String(error.code) === "90018"),
    });
    return null;
  }
}
