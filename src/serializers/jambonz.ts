/**
 * jambonz's `listen` verb with bidirectional streaming (subprotocol `audio.jambonz.org`):
 * {@linkcode JambonzSerializer}.
 *
 * @module
 */

import type { Frame, StartFrame } from "../frames.ts";
import type {
  FrameSerializer,
  SerializedMessage,
  SerializerAudioSetup,
  SerializerContext,
  SerializeResult,
} from "../serializer.ts";
import { TransportError } from "../errors.ts";
import { RESAMPLER_RATES } from "../audio/resampler.ts";
import {
  ahead,
  checkForkCommand,
  DISCONNECT,
  flushThenEnd,
  type ForkCommands,
  markWithTail,
  rateWarning,
  refusePackets,
  withoutMarkSentinel,
} from "./_audio_fork.ts";
import { minLeadMs } from "./_fork_buffers.ts";
import { ForkMarks } from "./_fork_marks.ts";
import {
  HangUp,
  type HangUpRequest,
  type HangUpSerializerOptions,
  pathSegment,
} from "./telephony/hang_up.ts";
import { JsonReader } from "./telephony/json_reader.ts";
import { describe } from "./telephony/_json_value.ts";
import { TelephonyAudio } from "./telephony/telephony_audio.ts";
import { thrownText } from "../_thrown_text.ts";
import { utf8Length } from "../_utf8_length.ts";
import { setOwnField } from "./_own_field.ts";

/** The subprotocol jambonz asks for: pass it to the adapter's `protocol` option. */
export const JAMBONZ_SUBPROTOCOL = "audio.jambonz.org";

const PROVIDER = "jambonz";
/** The `listen` verb's `sampleRate` values (docs.jambonz.org, Verbs → listen). */
const LISTEN_RATES = [8000, 16000, 24000, 48000, 64000];

/**
 * The commands something on jambonz acts on. The socket's far end is `mod_audio_fork`, started by
 * the `listen` verb with bidirectional streaming (jambonz/freeswitch-modules
 * `mod_audio_fork/lws_glue.cpp` at 30f21899, `processIncomingMessage`, :205-391): it acts itself
 * on `killAudio` and `mark` (which go as frames: `ForkMarks` refuses them as messages) and
 * `clearMarks`; it skips `playAudio` on a streaming fork (:212-214, then "unsupported msg type",
 * :384, as for any type it does not know); for the rest it raises an event. The `listen` task
 * hears `disconnect` (it ends the verb and the fork) and `error` (it ends the verb) of those, not
 * `transcription`, `transfer` or `json` (JSON without a "type" string): jambonz/jambonz-feature-server
 * `lib/tasks/listen.js` `_initListeners` at 389c65e, no other code there subscribing to them.
 */
const LISTEN_COMMANDS: ForkCommands = {
  acted: new Set(["killAudio", "mark", "clearMarks", "disconnect", "error"]),
  untyped: "mod_audio_fork raises mod_audio_fork::json for it, which jambonz's listen verb does " +
    'not listen for: dropped unseen; send an object with its "type" (clearMarks, disconnect)',
  unknown: (type) => {
    let fate = "is not a command jambonz's listen verb acts on: mod_audio_fork drops it with " +
      "only a log line";
    if (type === "playAudio") {
      fate = "is the listen verb's way to play audio without bidirectional streaming: with " +
        "streaming, which this serializer needs, mod_audio_fork skips it; send audio frames";
    } else if (type === "transcription" || type === "transfer" || type === "json") {
      fate = `raises mod_audio_fork::${type}, which jambonz's listen verb does not listen for: ` +
        "dropped unseen";
    }
    return `${fate}; jambonz acts on clearMarks, disconnect and error (which ends the verb)`;
  },
};

/** Options for {@linkcode JambonzSerializer}. */
export interface JambonzSerializerOptions extends HangUpSerializerOptions {
  /**
   * The rate of the audio sent back: it must equal the verb's `bidirectionalAudio.sampleRate`
   * (jambonz requires it when streaming, and plays what it gets at that rate, so a mismatch
   * plays too fast or too slow). One of 8000, 16000, 24000, 48000.
   *
   * @default {the `sampleRate` the first message announces: nothing is sent before it}
   */
  streamSampleRate?: number;
  /**
   * An API key of the jambonz account: with it, `end` and `cancel` also hang the call up through
   * the REST API (`PUT /v1/Accounts/{accountSid}/Calls/{callSid}` with
   * `{"call_status":"completed"}`); without it they end the `listen` only.
   *
   * @default {undefined}
   */
  apiKey?: string;
  /**
   * The REST API's base URL: `https://jambonz.cloud/api` on jambonz.cloud, your API server's
   * when self-hosting (the first message's `apiBaseUrl` is not trusted with the key).
   *
   * @default {"https://jambonz.cloud/api"}
   */
  apiBaseUrl?: string;
}

/**
 * Frames ⇄ the jambonz `listen` WebSocket, as docs.jambonz.org documents the verb (Verbs →
 * listen; "Bidirectional (streaming) audio", release 0.9.0 and later), with
 * `bidirectionalAudio: {"enabled": true, "streaming": true, "sampleRate": …}` and `mixType`
 * `mono`. Accept the socket with the subprotocol {@linkcode JAMBONZ_SUBPROTOCOL}.
 *
 * Inbound: the first text frame (call attributes, `sampleRate`, `mixType`, the verb's
 * `metadata`) → a `start` frame (`callId` the `callSid`; `params` every attribute, nested ones
 * as JSON) and sets the inbound rate; binary frames are L16 mono at that rate, resampled to the
 * transport's input rate; `{"event":"dtmf","dtmf":"2",…}` (with `passDtmf`) → `dtmf`;
 * `{"type":"mark","data":{"name","event"}}` → that `mark` (played, or `cleared` by
 * `killAudio`); any other JSON → a `message` frame. The pitfalls the jambonz and pipecat pages
 * call out are errors, reported once: a `mixType` other than `mono` (the audio is then dropped,
 * counted in `stats.decodeErrors`), a `sampleRate` this package cannot resample (64000), a
 * {@linkcode JambonzSerializerOptions.streamSampleRate} other than the `sampleRate` (the module's
 * resampling then erases its marks: they are not acknowledged, and playback goes by the estimate).
 * What jambonz never sends is a decode error (counted in `stats.decodeErrors`; the session goes
 * on): any message or audio before that first text frame, and a `sampleRate` in it that is not a
 * JSON number (`"16000"`); reported once, the rest until a first message starts the call counted
 * only. A first message cut short (`mod_audio_fork` keeps 8192 bytes of the verb's metadata: a
 * large `metadata` or `customerData` arrives cut, no JSON) is a decode error reported once, and
 * the call starts with the attributes before the cut (jambonz puts `sampleRate`, `mixType` and
 * the call's own, `callSid`, `accountSid`, first): its audio flows, only the cut `params` are lost.
 *
 * Outbound: `audio` → binary L16 at {@linkcode JambonzSerializerOptions.streamSampleRate}
 * (sample value -1 nudged to -2: the module reads 0xFFFF as a mark's place); `interruption` →
 * `killAudio`, then a mark of the serializer's own, sending paused until the module answers it
 * (it clears only at its next 20 ms tick: audio sent before that would be cleared too; 1 s at
 * most, then reported); `mark` → `mark`, sent right before the next audio or at the reply's end
 * (at most 30 waiting, as the module keeps, the transport's own at most 24 of them; see
 * `_fork_marks.ts` for why, and for the silence and sentinel samples sent for the module's
 * pre-buffer and mark lists);
 * `end` / `cancel` → `disconnect` (jambonz closes the socket and the `listen` ends), after a REST
 * hang-up when `apiKey` is set;
 * `end`'s, hang-up and all, once the reply's last batch has played, or as soon as the session ends
 * (the socket gone, nothing more plays: the hang-up still goes); `message` → its JSON, a command
 * jambonz acts on (`clearMarks`; `disconnect`; `error`, which ends the verb); anything else is an
 * encode error, dropped unseen on jambonz: JSON with no `type` string or of type `transcription`,
 * `transfer` or `json` (`mod_audio_fork` raises an event the `listen` verb does not listen for),
 * `playAudio` (skipped with streaming), a type the module does not know, another spelling of the
 * key ahead of `type` (the module's keys ignore case); so is a `killAudio` or `mark`, which go as
 * `interruption` and `mark` frames.
 * Without `streamSampleRate`, nothing is sent before the first text frame names the rate.
 * Remote stop: jambonz just closes the socket (the caller's last samples the resampler held back
 * are handed on then).
 *
 * @example A call at 16 kHz
 * ```ts
 * import { JambonzSerializer } from "@x/ws-transport/jambonz";
 * import assert from "node:assert/strict";
 *
 * const jambonz = new JambonzSerializer();
 * jambonz.setup({ inputSampleRate: 16000, inputChannels: 1, outputSampleRate: 16000, outputChannels: 1 });
 * const start = jambonz.deserialize(JSON.stringify({
 *   sampleRate: 16000, mixType: "mono", callSid: "c1", from: "+15083728299", customerData: { tier: "gold" },
 * }));
 * assert.deepEqual(start, {
 *   type: "start",
 *   callId: "c1",
 *   params: { sampleRate: "16000", mixType: "mono", callSid: "c1", from: "+15083728299", customerData: '{"tier":"gold"}' },
 * });
 * assert.deepEqual(jambonz.deserialize('{"event":"dtmf","dtmf":"2","duration":"1600"}'), { type: "dtmf", digit: "2" });
 * assert.equal(jambonz.serialize({ type: "interruption" }), '{"type":"killAudio"}');
 * ```
 */
export class JambonzSerializer implements FrameSerializer {
  /** jambonz answers a mark once the audio before it has played. */
  readonly playoutMarks = true;
  /** `disconnect` makes jambonz close the socket: the transport waits for it. */
  readonly peerCloses = true;
  /**
   * A batch of `mod_audio_fork`'s and a tick at the rate the audio goes back at (see `minLeadMs`
   * in `_fork_buffers.ts`): the default `sendAheadMs`. Read when the transport is built, before the
   * first message names the rate: without `streamSampleRate`, 8 kHz's (100 ms), the longest.
   */
  get minSendAheadMs(): number {
    return minLeadMs(this.#options.streamSampleRate ?? 8000);
  }
  /**
   * Without {@linkcode JambonzSerializerOptions.streamSampleRate}, nothing leaves before the first
   * text frame: its `sampleRate` is the rate the audio goes back at. The module sends it only once
   * the socket is up (`lws_glue.cpp:405-411`, the metadata `listen.js:168-185` built), one trip
   * after the bot's side is open: a greeting written on connect would otherwise be encoded at a
   * guess, and the guess would hold for the whole call.
   */
  get awaitsStart(): boolean {
    return this.#options.streamSampleRate === undefined;
  }
  readonly #options: JambonzSerializerOptions;
  readonly #inbound = new TelephonyAudio({
    encoding: "pcm16le",
    sampleRate: 8000,
    provider: PROVIDER,
  });
  #outbound: TelephonyAudio | undefined;
  /** The transport's audio settings, for an outbound converter made after the set-up. */
  #audioSetup: SerializerAudioSetup | undefined;
  readonly #marks = new ForkMarks(PROVIDER);
  readonly #hangUp: HangUp;
  #context: SerializerContext | undefined;
  #started = false;
  /** Why inbound audio is refused (a stereo stream, an unsupported rate), once reported. */
  #refusal: string | undefined;
  /**
   * Input before the call's first message was reported: the rest until it comes is counted in
   * `decodeErrors` without another event (a call whose first message never parses would raise
   * one per 20 ms of audio).
   */
  #reportedBeforeStart = false;
  #callSid: string | undefined;
  #accountSid: string | undefined;

  /** Makes a serializer for one call; see {@linkcode JambonzSerializerOptions}. */
  constructor(options: JambonzSerializerOptions = {}) {
    const stream = options.streamSampleRate;
    if (stream !== undefined && !isPlayableRate(stream)) {
      throw new RangeError(
        `streamSampleRate must be one of ${playableRates().join(", ")} (and equal the verb's ` +
          `bidirectionalAudio.sampleRate), got ${stream}`,
      );
    }
    this.#options = options;
    if (stream !== undefined) this.#outbound = this.#outboundAt(stream);
    this.#hangUp = HangUp.forSerializer(options, options.apiKey !== undefined);
    // Its pre-buffer holds audio that has left (see `ForkMarks.holdsFor`).
    this.#marks.holdsFor(this, () => this.#outbound?.sampleRate ?? 8000);
  }

  /** The rate of the audio sent back, once known (the option, or the first message's rate). */
  get streamSampleRate(): number | undefined {
    return this.#outbound?.sampleRate;
  }

  /** Takes the transport's context, to report the verb's pitfalls and count refused audio. */
  bind(context: SerializerContext): void {
    this.#context = context;
    // The session's clock and bound, not its end (`signal`), which would refuse the one hang-up
    // asked for once the session is over: an `end`'s that was waiting for its last batch to play
    // when the socket went (nothing more plays then, and the call may outlive the socket: a 1006
    // drop). It goes then (see `flushThenEnd`); `#end` reports its failure, the session over or not.
    const { signal: _sessionEnd, ...session } = context;
    this.#hangUp.useSession(session);
    this.#marks.bind(context);
  }

  /** Takes the transport's audio settings. */
  setup(audio: SerializerAudioSetup): void {
    this.#inbound.setup(audio);
    refusePackets(PROVIDER, audio.outputPacketBytes);
    this.#marks.setup(audio.outputChunkMs);
    this.#audioSetup = audio;
    this.#outbound?.setup(audio);
  }

  /**
   * The converter of the audio sent back at `rate`. Set up with the transport's audio settings
   * (the inbound's, which it never decodes) only so that it lets go of its resampler and slab once
   * the session is over: a transport kept after the call holds neither.
   */
  #outboundAt(rate: number): TelephonyAudio {
    const audio = new TelephonyAudio({ encoding: "pcm16le", sampleRate: rate, provider: PROVIDER });
    if (this.#audioSetup !== undefined) audio.setup(this.#audioSetup);
    return audio;
  }

  /** One frame to a jambonz message; see the class description. */
  serialize(frame: Frame): SerializeResult {
    switch (frame.type) {
      case "audio": {
        const audio = this.#outbound ??= this.#outboundAt(8000);
        const bytes = audio.encode(frame);
        return bytes === null ? null : this.#marks.audio(withoutMarkSentinel(bytes));
      }
      case "interruption":
        this.#outbound?.reset();
        return this.#marks.interrupt();
      case "mark":
        return markWithTail(this.#marks, frame.name);
      case "end": {
        // What the pre-buffer holds would never play (the module waits for more audio): flushed,
        // and played before the REST hang-up, which ends the call as soon as jambonz takes it, or
        // the disconnect (see flushThenEnd).
        const rate = this.#outbound?.sampleRate ?? 8000;
        return flushThenEnd(this.#marks, rate, this.#context, (waitedMs) => this.#end(waitedMs));
      }
      case "cancel":
        // Marks held for audio that will not come go ahead of the goodbye, not after it; nothing
        // armed (a stretch's flush) goes after it, nor an `end`'s goodbye still on its way.
        return ahead(this.#marks.cancel(), this.#context, this.#end());
      case "message":
        checkForkCommand(PROVIDER, frame.message, LISTEN_COMMANDS);
        return this.#marks.message(frame.message);
      default:
        return null;
    }
  }

  /**
   * The session ends: marks held for audio that will not come go now, or are counted lost; the
   * caller's last samples the inbound resampler held back are handed on (jambonz just closes the
   * socket: the close ends the stream).
   */
  finish(): Frame[] | null {
    this.#marks.stop();
    const tail = this.#inbound.flushInbound();
    return tail === null ? null : [tail];
  }

  /**
   * A stretch of the bot's audio ended: what the resampler still holds of it goes as its last
   * audio, a fraction of a millisecond, where it plays on; else it is dropped, not left to go in
   * front of the next reply (see `FrameSerializer.audioEnds`).
   */
  audioEnds(playing: boolean): SerializedMessage | SerializedMessage[] | null {
    const tail = this.#outbound?.endOutbound(playing) ?? null;
    // Marks held for the next audio go now, or with the pre-buffer's flush (`ForkMarks.ended`).
    return this.#marks.ended(tail === null ? null : withoutMarkSentinel(tail));
  }

  /** One jambonz message to frames; malformed input throws `TransportError("decode")`. */
  deserialize(data: string | Uint8Array): Frame | Frame[] | null {
    if (typeof data !== "string") {
      if (data.length === 0) return null;
      if (!this.#started) return this.#beforeStart(beforeStart(`${data.length} bytes of audio`));
      if (this.#refusal !== undefined) {
        this.#context?.count("decodeErrors");
        return null;
      }
      return this.#inbound.decode(data);
    }
    if (!this.#started) return this.#first(data);
    const reader = JsonReader.parse(data, PROVIDER);
    const event = this.#marks.read(reader);
    return event === undefined ? { type: "message", message: reader.value } : event;
  }

  /** A text message while no first message has started the call: the call's start, if it is. */
  #first(data: string): StartFrame | null {
    let reader: JsonReader;
    let cutError: unknown;
    try {
      reader = JsonReader.parse(data, PROVIDER);
    } catch (error) {
      const cut = cutMetadata(data);
      if (cut === undefined) return this.#beforeStart(error);
      cutError = error;
      reader = new JsonReader(cut, { provider: PROVIDER });
    }
    if (reader.value.sampleRate === undefined) {
      return this.#beforeStart(beforeStart(describe(reader.value)));
    }
    let start: StartFrame | null;
    try {
      start = this.#start(reader);
    } catch (error) {
      return this.#beforeStart(error);
    }
    // Told once the call has started on what the cut left (else the start's own error is told).
    if (cutError !== undefined) {
      this.#context?.report(
        new TransportError(
          "decode",
          `${PROVIDER}: the call's first message is cut after ${data.length} characters ` +
            "(mod_audio_fork keeps 8192 bytes of the listen verb's metadata): the call goes on " +
            `with the attributes before the cut (${Object.keys(reader.value).join(", ")}); ` +
            "keep the verb's metadata small",
          { cause: cutError },
        ),
      );
      this.#context?.count("decodeErrors");
    }
    return start;
  }

  /**
   * `error`, the first input before the call's first message, thrown (a decode error, reported and
   * counted by the transport); the rest until that message comes are counted in `decodeErrors`
   * without another event, as the other refusals are (without a context, thrown each time:
   * nothing else counts them).
   */
  #beforeStart(error: unknown): null {
    if (!this.#reportedBeforeStart || this.#context === undefined) {
      this.#reportedBeforeStart = true;
      throw error;
    }
    this.#context.count("decodeErrors");
    return null;
  }

  #start(reader: JsonReader): StartFrame {
    // A JSON number: the verb's own (listen.js copies it into the metadata); a string, which
    // this reader would otherwise take, is no message jambonz sends.
    if (typeof reader.value.sampleRate !== "number") {
      throw reader.error(
        `sampleRate is not a number: ${describe(reader.value.sampleRate)} (jambonz sends the ` +
          "listen verb's sampleRate as a JSON number)",
      );
    }
    const rate = reader.optionalNumber("sampleRate")!;
    const mixType = reader.optionalString("mixType") ?? "mono";
    const callSid = reader.optionalString("callSid");
    const accountSid = reader.optionalString("accountSid");
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(reader.value)) {
      if (value === undefined || value === null) continue;
      setOwnField(params, key, typeof value === "string" ? value : JSON.stringify(value));
    }
    this.#started = true;
    this.#callSid = callSid;
    this.#accountSid = accountSid;
    const playable = isPlayableRate(rate);
    if (mixType !== "mono") {
      this.#refuse(
        `the listen verb's mixType is ${JSON.stringify(mixType)}: set "mixType": "mono" ` +
          `(a ${mixType} stream carries the other party too); its audio is dropped`,
      );
    } else if (!playable) {
      this.#refuse(
        `the listen verb's sampleRate ${rate} is not one of ${playableRates().join(", ")}: ` +
          `set "sampleRate" in the verb; its audio is dropped`,
      );
    } else {
      this.#inbound.configure({ sampleRate: rate });
    }
    if (playable) {
      // The way back whatever the caller's audio is: a refused mixType drops that audio only.
      this.#outbound ??= this.#outboundAt(rate);
      const warning = rateWarning(
        PROVIDER,
        this.#outbound.sampleRate,
        "bidirectionalAudio.sampleRate",
        rate,
        "the listen verb's sampleRate",
      );
      if (warning !== undefined) this.#context?.report(warning);
    }
    const start: StartFrame = { type: "start", params };
    if (callSid !== undefined) start.callId = callSid;
    return start;
  }

  #refuse(reason: string): void {
    this.#refusal = reason;
    this.#context?.report(new TransportError("protocol", `${PROVIDER}: ${reason}`));
  }

  /** The goodbye: the REST hang-up, if any, then `disconnect`; `waitedMs` already spent on it. */
  #end(waitedMs = 0): SerializedMessage | Promise<SerializedMessage> {
    // The wait for the last batch and the hang-up run in one `serialize`, bounded by
    // sendTimeoutMs: the hang-up gets what the wait left of it.
    const hangingUp = this.#hangUp.endCall(() => this.#hangUpRequest(), waitedMs);
    if (hangingUp === null) return DISCONNECT;
    // The REST hang-up first; the disconnect goes whatever its outcome (reported; with the
    // session over, it cannot leave, and the transport counts it dropped).
    return hangingUp.then(
      () => DISCONNECT,
      (error) => {
        this.#context?.report(
          error instanceof TransportError
            ? error
            : new TransportError("protocol", `${PROVIDER}: hang-up failed: ${thrownText(error)}`),
        );
        return DISCONNECT;
      },
    );
  }

  #hangUpRequest(): HangUpRequest {
    const callSid = this.#callSid;
    const accountSid = this.#accountSid;
    if (callSid === undefined || accountSid === undefined) {
      const missing = callSid === undefined ? "a callSid" : "an accountSid";
      throw new TransportError("protocol", `${PROVIDER}: cannot hang up without ${missing}`);
    }
    const base = (this.#options.apiBaseUrl ?? "https://jambonz.cloud/api").replace(/\/+$/, "");
    return {
      provider: PROVIDER,
      callId: callSid,
      url: `${base}/v1/Accounts/${pathSegment(accountSid, "accountSid", PROVIDER)}/Calls/${
        pathSegment(callSid, "callSid", PROVIDER)
      }`,
      init: {
        method: "PUT",
        headers: {
          authorization: `Bearer ${this.#options.apiKey!}`,
          "content-type": "application/json",
        },
        body: '{"call_status":"completed"}',
      },
      alreadyEnded: (status) => status === 404,
    };
  }
}

/**
 * The decode error for `what` before the call's first message: jambonz sends that message (the
 * call's attributes, `sampleRate`, `mixType`) as soon as the socket is up, before any audio
 * (docs.jambonz.org, Verbs → listen: "one text frame is sent immediately after the websocket
 * connection is established"), and answers marks only once they are sent, which is after it.
 */
function beforeStart(what: string): TransportError {
  return new TransportError(
    "decode",
    `${PROVIDER}: ${what} before the call's first message (its attributes with sampleRate and ` +
      "mixType, which jambonz sends first): dropped",
  );
}

/**
 * The attributes a first message cut short still holds, or `undefined` when `text` is not such a
 * message. `mod_audio_fork` copies the metadata into a buffer of 8192 bytes (`MAX_METADATA_LEN`,
 * `mod_audio_fork.h`; `strncpy` in `lws_glue.cpp`), so a listen verb with a large `metadata` (or
 * `customerData`) arrives cut, and no JSON. jambonz builds the message with `sampleRate` and
 * `mixType` first, then the call's attributes (`callSid` … `accountSid`, small), then the verb's
 * metadata (`listen.js`, `_startListening`; `CallInfo.toJSON`): the cut falls in that metadata,
 * and the members before it are whole. The longest prefix that ends at a member and parses as an
 * object is taken, if it starts as jambonz's does.
 */
function cutMetadata(text: string): Record<string, unknown> | undefined {
  // Only what the module's buffer can have cut (any longer message was sent whole, and bad), in
  // one pass and one parse: a peer's text must not cost time by the square of its length.
  if (text.length > MAX_METADATA_BYTES || utf8Length(text) > MAX_METADATA_BYTES) return undefined;
  if (!/^\{"sampleRate":\d+,"mixType":"/.test(text)) return undefined;
  const end = lastTopLevelComma(text);
  if (end < 0) return undefined;
  try {
    const value: unknown = JSON.parse(`${text.slice(0, end)}}`);
    if (typeof value === "object" && value !== null) return value as Record<string, unknown>;
  } catch {
    // Not whole up to there either: no cut of jambonz's message.
  }
  return undefined;
}

/** `mod_audio_fork`'s metadata buffer (`MAX_METADATA_LEN`, `mod_audio_fork.h`). */
const MAX_METADATA_BYTES = 8192;

/**
 * Where the last member of the object `text` opens ends (the comma before the member the cut
 * falls in), outside strings and nested values; -1 when there is none.
 */
function lastTopLevelComma(text: string): number {
  let depth = 0;
  let inString = false;
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2c && depth === 1) last = i;
  }
  return last;
}

function playableRates(): number[] {
  return LISTEN_RATES.filter((rate) => RESAMPLER_RATES.includes(rate));
}

function isPlayableRate(rate: number): boolean {
  return playableRates().includes(rate);
}
