/**
 * Twilio Media Streams (`<Connect><Stream>`, bidirectional): {@linkcode TwilioSerializer} and
 * {@linkcode verifyTwilioSignature} for the upgrade request.
 *
 * @module
 */

import { CallIds } from "./call_ids.ts";
import type { Frame } from "../frames.ts";
import type { FrameSerializer, SerializerAudioSetup } from "../serializer.ts";
import { TransportError } from "../errors.ts";
import { basicAuth, type FetchLike, HangUp } from "./hangup.ts";
import { TelephonyAudio } from "./telephony_audio.ts";
import {
  decodeError,
  dtmfDigitAt,
  type JsonObject,
  objectAt,
  optionalObjectAt,
  optionalStringAt,
  optionalStringRecordAt,
  parseEventMessage,
  stringAt,
} from "./telephony_json.ts";

export { verifyTwilioSignature, type VerifyTwilioSignatureOptions } from "./twilio_signature.ts";
// The building blocks of every telephony serializer, for users who write their own; they live on
// this subpath so that the core and the other subpaths do not load them.
export {
  isTelephonyRate,
  TELEPHONY_ENCODINGS,
  TelephonyAudio,
  type TelephonyAudioOptions,
  type TelephonyEncoding,
  telephonyEncodingOf,
} from "./telephony_audio.ts";
export { type FetchLike, HangUp, type HangUpOptions, type HangUpRequest } from "./hangup.ts";
export { decodeBase64, encodeBase64 } from "./base64.ts";

const PROVIDER = "Twilio";

/** Options for {@linkcode TwilioSerializer}. */
export interface TwilioSerializerOptions {
  /**
   * The stream SID. Learned from Twilio's `start` message; set it only when that message is
   * consumed elsewhere (e.g. read before the serializer was made).
   *
   * @default {undefined}
   */
  streamSid?: string;
  /**
   * The call SID, needed to hang up. Learned from the `start` message.
   *
   * @default {undefined}
   */
  callSid?: string;
  /**
   * The account SID for the hang-up URL and Basic auth. Learned from the `start` message.
   *
   * @default {undefined}
   */
  accountSid?: string;
  /**
   * The account's auth token. Without it `end`/`cancel` do not hang up (the socket just closes).
   *
   * @default {undefined}
   */
  authToken?: string;
  /**
   * Twilio region of the REST API (`"us1"`, `"ie1"`, `"au1"`); the host becomes
   * `api.{edge}.{region}.twilio.com`.
   *
   * @default {undefined}
   */
  region?: string;
  /**
   * Twilio edge location (`"dublin"`, `"sydney"`, `"ashburn"`, …); without a region, `us1`.
   *
   * @default {undefined}
   */
  edge?: string;
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
 * Speaks Twilio's Media Streams protocol (bidirectional, `<Connect><Stream>`): μ-law 8 kHz
 * base64 audio in JSON text messages.
 *
 * Inbound: `start` → a `start` frame (stream SID, call SID, `<Parameter>`s as `params`);
 * `media` → `audio` frames at the transport's input rate; `dtmf` → `dtmf`; `mark` (a mark we
 * sent has played, or was cleared) → `mark`; `stop` → `end`. Other events (`connected`, future
 * ones) arrive as `message` frames carrying Twilio's JSON as is.
 *
 * Outbound: `audio` → one `media` message per frame (resampled to 8 kHz, μ-law); `mark` →
 * `mark`; `interruption` → `clear` (and the outbound resampler is reset); `message` → its JSON
 * sent as is; `end`/`cancel` → the call is hung up once through the REST API (POST
 * `Status=completed`) when `authToken` is set, a 404 with code 20404 counting as already ended.
 * A failed hang-up throws a `TransportError` (code `"protocol"`, or `"timeout"` after
 * `hangUpTimeoutMs`). Other frames produce nothing.
 *
 * @example A short call
 * ```ts
 * import { TwilioSerializer } from "@x/ws-transport/twilio";
 * import assert from "node:assert/strict";
 *
 * const twilio = new TwilioSerializer();
 * twilio.setup({ inputSampleRate: 8000, inputChannels: 1, outputSampleRate: 8000, outputChannels: 1 });
 * const start = twilio.deserialize(JSON.stringify({
 *   event: "start",
 *   streamSid: "MZ1",
 *   start: { streamSid: "MZ1", callSid: "CA1", accountSid: "AC1", customParameters: { lang: "en" } },
 * }));
 * assert.deepEqual(start, { type: "start", streamId: "MZ1", callId: "CA1", params: { lang: "en" } });
 * assert.equal(twilio.serialize({ type: "interruption" }), '{"event":"clear","streamSid":"MZ1"}');
 * ```
 */
export class TwilioSerializer implements FrameSerializer {
  #audio = new TelephonyAudio({ encoding: "mulaw", sampleRate: 8000, provider: PROVIDER });
  #hangUp: HangUp;
  #ids: CallIds;
  #accountSid: string | undefined;
  #authToken: string | undefined;
  #host: string;
  #autoHangUp: boolean;

  /** Makes a serializer for one call; see {@linkcode TwilioSerializerOptions}. */
  constructor(options: TwilioSerializerOptions = {}) {
    this.#ids = new CallIds(PROVIDER, "streamSid", {
      streamId: options.streamSid,
      callId: options.callSid,
    });
    this.#accountSid = options.accountSid;
    this.#authToken = options.authToken;
    this.#autoHangUp = options.autoHangUp ?? true;
    this.#host = twilioApiHost(options.region, options.edge);
    this.#hangUp = new HangUp({ fetch: options.fetch, timeoutMs: options.hangUpTimeoutMs });
  }

  /** The stream SID, once known. */
  get streamSid(): string | undefined {
    return this.#ids.streamId;
  }

  /** The call SID, once known. */
  get callSid(): string | undefined {
    return this.#ids.callId;
  }

  /** Takes the transport's audio settings. */
  setup(audio: SerializerAudioSetup): void {
    this.#audio.setup(audio);
  }

  /** One outbound frame to a Twilio message (or a hang-up); see the class description. */
  serialize(frame: Frame): string | null | Promise<null> {
    switch (frame.type) {
      case "audio": {
        const payload = this.#audio.encodeBase64(frame);
        if (payload === null) return null;
        return `{"event":"media","streamSid":${this.#ids.streamIdJson()},"media":{"payload":"${payload}"}}`;
      }
      case "mark":
        return JSON.stringify({
          event: "mark",
          streamSid: this.#ids.requireStreamId(),
          mark: { name: frame.name },
        });
      case "interruption":
        this.#audio.reset();
        return `{"event":"clear","streamSid":${this.#ids.streamIdJson()}}`;
      case "message":
        return JSON.stringify(frame.message);
      case "end":
      case "cancel":
        return this.#autoHangUp && this.#authToken !== undefined ? this.#hangUpCall() : null;
      default:
        return null;
    }
  }

  /** One Twilio message to frames; malformed input throws `TransportError("decode")`. */
  deserialize(data: string | Uint8Array): Frame | null {
    const { event, message } = parseEventMessage(data, PROVIDER);
    switch (event) {
      case "media": {
        const media = objectAt(message, "media", "media", PROVIDER);
        const track = optionalStringAt(media, "track", "media.track", PROVIDER);
        const payload = stringAt(media, "payload", "media.payload", PROVIDER);
        if (track !== undefined && track !== "inbound" && track !== "inbound_track") return null;
        return this.#audio.decodeBase64(payload);
      }
      case "start":
        return this.#start(message);
      case "dtmf": {
        const dtmf = objectAt(message, "dtmf", "dtmf", PROVIDER);
        return { type: "dtmf", digit: dtmfDigitAt(dtmf, "digit", "dtmf.digit", PROVIDER) };
      }
      case "mark": {
        const mark = objectAt(message, "mark", "mark", PROVIDER);
        return { type: "mark", name: stringAt(mark, "name", "mark.name", PROVIDER) };
      }
      case "stop": {
        const stop = optionalObjectAt(message, "stop", "stop", PROVIDER);
        if (stop !== undefined) optionalStringAt(stop, "callSid", "stop.callSid", PROVIDER);
        return { type: "end", reason: "stop" };
      }
      default:
        return { type: "message", message };
    }
  }

  #start(message: JsonObject): Frame {
    const start = objectAt(message, "start", "start", PROVIDER);
    const streamSid = optionalStringAt(start, "streamSid", "start.streamSid", PROVIDER) ??
      optionalStringAt(message, "streamSid", "streamSid", PROVIDER);
    if (streamSid === undefined) throw decodeError(PROVIDER, "start message has no streamSid");
    const callSid = optionalStringAt(start, "callSid", "start.callSid", PROVIDER);
    const accountSid = optionalStringAt(start, "accountSid", "start.accountSid", PROVIDER);
    const params = optionalStringRecordAt(
      start,
      "customParameters",
      "start.customParameters",
      PROVIDER,
    );
    const format = optionalObjectAt(start, "mediaFormat", "start.mediaFormat", PROVIDER);
    if (format !== undefined) {
      const encoding = optionalStringAt(format, "encoding", "start.mediaFormat.encoding", PROVIDER);
      if (encoding !== undefined && encoding !== "audio/x-mulaw") {
        throw decodeError(
          PROVIDER,
          `unsupported start.mediaFormat.encoding ${JSON.stringify(encoding)}`,
        );
      }
    }
    if (accountSid !== undefined) this.#accountSid ??= accountSid;
    return this.#ids.start(streamSid, callSid, params ?? {});
  }

  async #hangUpCall(): Promise<null> {
    if (this.#hangUp.attempted) return null;
    const callSid = this.#ids.callId;
    const accountSid = this.#accountSid;
    if (callSid === undefined || accountSid === undefined) {
      throw new TransportError(
        "protocol",
        `Twilio: cannot hang up without ${callSid === undefined ? "a call SID" : "an account SID"}`,
      );
    }
    await this.#hangUp.run({
      provider: PROVIDER,
      callId: callSid,
      url: `https://${this.#host}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Calls/${
        encodeURIComponent(callSid)
      }.json`,
      init: {
        method: "POST",
        headers: {
          authorization: basicAuth(accountSid, this.#authToken!),
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "Status=completed",
      },
      alreadyEnded: (status, body) =>
        status === 404 &&
        typeof body === "object" && body !== null && (body as { code?: unknown }).code === 20404,
    });
    return null;
  }
}

/**
 * The host of Twilio's REST API for a region and edge: `api.twilio.com` with neither,
 * `api.{edge}.{region}.twilio.com` otherwise (region `us1` when only an edge is given, as
 * Twilio's SDKs do).
 *
 * @example
 * ```ts
 * import { twilioApiHost } from "@x/ws-transport/twilio";
 * import assert from "node:assert/strict";
 *
 * assert.equal(twilioApiHost(), "api.twilio.com");
 * assert.equal(twilioApiHost("ie1", "dublin"), "api.dublin.ie1.twilio.com");
 * assert.equal(twilioApiHost("au1"), "api.au1.twilio.com");
 * assert.equal(twilioApiHost(undefined, "sydney"), "api.sydney.us1.twilio.com");
 * ```
 */
export function twilioApiHost(region?: string, edge?: string): string {
  for (const [name, value] of [["region", region], ["edge", edge]] as const) {
    if (value !== undefined && !/^[a-z0-9-]+$/.test(value)) {
      throw new RangeError(
        `${name} must be a Twilio ${name} name like "ie1", got ${JSON.stringify(value)}`,
      );
    }
  }
  if (region === undefined && edge === undefined) return "api.twilio.com";
  const parts = ["api"];
  if (edge !== undefined) parts.push(edge);
  parts.push(region ?? "us1", "twilio.com");
  return parts.join(".");
}
