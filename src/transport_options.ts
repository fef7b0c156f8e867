/**
 * The options of {@linkcode WebSocketTransport}, their defaults, and their validation.
 *
 * @module
 */

import { MAX_CHANNELS, MAX_SAMPLE_RATE } from "./audio/_frame_limits.ts";
import type { Clock } from "./clock.ts";
import type { FrameSerializer } from "./serializer.ts";
import type { OutboundMixer } from "./session_observer.ts";
import type { LastPacketPolicy } from "./streams/packetizer.ts";
import { kindOf as kindOfValue, shownValue } from "./_kind_of.ts";
import { serializerName } from "./_serializer_answer.ts";

/** The inbound audio format: what audio frames on `readable` carry. */
export interface AudioInOptions {
  /**
   * Samples per second (1 to 384,000).
   *
   * @default {16000}
   */
  sampleRate?: number;
  /**
   * Channels (1 to 32).
   *
   * @default {1}
   */
  channels?: number;
}

/** The outbound audio format and how it is cut up. */
export interface AudioOutOptions {
  /**
   * Samples per second the serializer is told to send (1 to 384,000).
   *
   * @default {24000}
   */
  sampleRate?: number;
  /**
   * Channels (1 to 32).
   *
   * @default {1}
   */
  channels?: number;
  /**
   * Outbound audio is re-chunked to this many milliseconds, and paced chunk by chunk. Less than a
   * chunk at the end of a reply waits for more to complete it, up to the quiet time (`sendAheadMs`
   * or two chunks, the longer) after the last whole chunk before it left: after a reply of one to
   * two chunks written at once (with `sendAheadMs` of one chunk), a pause of one chunk before it.
   * See the README's "Writing audio".
   *
   * @default {40}
   */
  chunkMs?: number;
}

/** Options for {@linkcode WebSocketTransport}. */
export interface TransportOptions {
  /**
   * Turns frames into wire messages and back. One per session, ever: serializers keep one call's
   * state (call and stream ids, sequence numbers, resampler filters) and cannot be reset. An
   * instance that serves, or has served, a session is refused with a `TypeError`. Options shared
   * by many sessions (a Hono route, Node's `upgradeHandler`) take only a function that makes one
   * (`() => new TwilioSerializer()`): an instance there, even an unused one, is a `TypeError`
   * where the route or handler is made.
   *
   * @default {new RawPcmSerializer()}
   */
  serializer?: FrameSerializer | (() => FrameSerializer);
  /** The inbound audio format. */
  audioIn?: AudioInOptions;
  /** The outbound audio format and chunk size. */
  audioOut?: AudioOutOptions;
  /**
   * Put a 44-byte WAV header on every outbound audio chunk, as pipecat's `add_wav_header` does,
   * for a client that decodes each message as a WAV file of its own. Refused (`RangeError`) with
   * a serializer whose far end acknowledges playout (`FrameSerializer.playoutMarks` or
   * `playbackReports`: the telephony ones): such a far end plays one stream and would play every
   * header as a click. The official pipecat JS client plays raw PCM too: leave it off there.
   *
   * @default {false}
   */
  addWavHeader?: boolean;
  /**
   * Cut the binary messages that carry audio into packets of exactly this many bytes, keeping the
   * remainder for the next chunk. Text messages and messages of other frames are never cut.
   */
  fixedAudioPacketSize?: number;
  /**
   * With `fixedAudioPacketSize`: what happens to the partial packet where a stretch of speech ends
   * (each reply's end, an `end`, `writable` closed; `close()` drops it with the queued audio,
   * counted in `audioBytesDroppedOnClose`, whatever the policy): `"pad"` fills it with `padByte`,
   * `"short"` sends it as it is, `"drop"` discards it (up to a packet less a byte a reply, counted
   * in `audioBytesDroppedOnClose`). On Vonage and Asterisk a bot's `mark` ends the packet too,
   * mid-speech (their serializers pad the partial frame they hold there, and the packet before it
   * must go first): padded where the policy is `"drop"`. With background audio playing, the stream
   * goes on past a reply's end: that packet is padded, not dropped; when the background stops
   * (nothing more from it by the time what was sent has played), what it left held goes by the
   * policy.
   *
   * @default {"pad"}
   */
  lastPacket?: LastPacketPolicy;
  /**
   * With `lastPacket: "pad"`: the filler byte (0 is PCM silence, 0xFF μ-law, 0xD5 A-law).
   *
   * @default {0}
   */
  padByte?: number;
  /**
   * How far ahead of its playback time an audio chunk may leave, in milliseconds: the far end's
   * jitter buffer. With two chunks, the longer, it is also the quiet time: how long a reply's last
   * part-chunk waits for more audio after the last whole chunk before it left (from a bot that
   * wrote ahead of real time, no later than what was sent runs out), and how long nothing more of
   * a response may be queued before its audio counts as over.
   *
   * @default {audioOut.chunkMs, or the serializer's `minSendAheadMs` where that is longer}
   */
  sendAheadMs?: number;
  /**
   * How much audio, in milliseconds, may wait in the outbound queue before writes to `writable`
   * wait for room. Small keeps the producer close to real time like a sound card; large lets a
   * fast producer (TTS) run ahead. `interrupt()` drops it all at once either way.
   *
   * @default {200}
   */
  maxQueuedMs?: number;
  /**
   * How many inbound frames `readable` holds for a slow reader. Past it the oldest audio frame is
   * dropped (audio is real time; late audio is worthless), counted in `stats`. Other frames are
   * never dropped: a reader that leaves four times as many of them unread, or more, is taken to
   * be stuck, and the session ends ("backpressure", 1008). The frames of the message arriving are
   * not counted against it (one message may make many at once: an RTVI `dtmf` of up to 100 keys),
   * so a stuck reader is caught at the next message's first frame. Likewise more than four times
   * as many messages waiting for an asynchronous `deserialize`, a `Blob` read or the serializer's
   * set-up end the session.
   *
   * @default {500}
   */
  maxInboundFrames?: number;
  /**
   * With a protocol that acknowledges playout (see `FrameSerializer.playoutMarks`): insert a mark
   * of the transport's own after this many milliseconds of audio, and at the end of each
   * response, so what the caller heard is known to within this much. 0 inserts none.
   *
   * @default {250}
   */
  markIntervalMs?: number;
  /**
   * How far apart the transport's marks may spread while the far end plays where the estimate
   * says: after each acknowledgement that agrees with the one before (their measured delays
   * within 20 ms), the interval doubles, from `markIntervalMs` up to this; one that disagrees
   * brings it back to `markIntervalMs`. Equal to `markIntervalMs`: a fixed cadence.
   *
   * @default {1000} (or `markIntervalMs`, if that is larger)
   */
  maxMarkIntervalMs?: number;
  /**
   * How far behind the pacing estimate the far end plays audio: network latency plus whatever it
   * buffers beyond `sendAheadMs`. Used until acknowledgements measure it; with a protocol that
   * does not acknowledge (raw PCM, JSON, a browser), set it to the far end's real delay.
   *
   * @default {0}
   */
  playoutDelayMs?: number;
  /**
   * How long past the estimated end of playout the transport waits for the far end to
   * acknowledge it (before an `end` hangs up, before "speakingstop"), when acknowledgements are
   * late; then it goes by the estimate.
   *
   * @default {2000}
   */
  playoutTimeoutMs?: number;
  /**
   * Milliseconds of silence sent after the last audio when an `end` frame is written, before
   * hanging up (pipecat's `audio_out_end_silence_secs`); at most 60,000.
   *
   * @default {0}
   */
  endSilenceMs?: number;
  /**
   * Background audio (office ambience, hold music) mixed under the bot's speech and sent on its
   * own while no speech is queued, through silences and interruptions alike. A `BackgroundAudio`
   * plays in one session: options shared by many sessions (a Hono route, Node's `upgradeHandler`)
   * give a function that makes one (`() => new BackgroundAudio(track)`), called as each session
   * begins (returning `undefined`: none for that session); `transport.background` is the one a
   * session plays (its `stop()`, `volume`). A mixer of your own may serve many sessions: one that
   * keeps anything per session returns it from `attach` as a `MixerSession`, which the session
   * alone is served and detached through.
   */
  background?: OutboundMixer | (() => OutboundMixer | undefined);
  /** Dispatch "sessiontimeout" once, this many milliseconds after the transport starts. */
  sessionTimeoutMs?: number;
  /**
   * Notice a silent peer: when no message has come from it for this many milliseconds (a dead
   * call leg, a frozen client), dispatch a cancelable "inactive" event and, unless a listener
   * calls `preventDefault()`, close the session with 1001. Telephony providers stream audio
   * without pause, so a few seconds is a safe bound there; browsers may stay quiet for long.
   */
  inactivityTimeoutMs?: number;
  /**
   * How long a socket that is still connecting (a runtime that upgrades after an awaited
   * `authorize`, as Deno does) may take to open. A caller that hung up meanwhile can leave it
   * connecting for ever, with no event to end it: past this bound the session ends (code 1006, a
   * "timeout" error). A socket that is open already arms nothing.
   *
   * @default {10000}
   */
  openTimeoutMs?: number;
  /**
   * How long `close()` waits for the closing handshake before it gives up on the peer; after the
   * peer's close, how long the messages it sent before, still waiting behind an asynchronous
   * `deserialize` or a `Blob` read, are read on (`readable` ends and `closed` settles after them).
   *
   * @default {500}
   */
  closeTimeoutMs?: number;
  /**
   * Inbound messages larger than this close the session with code 1009.
   *
   * @default {1048576}
   */
  maxMessageBytes?: number;
  /**
   * When the socket reports more than this many bytes not yet sent (`bufferedAmount`), sending
   * waits for it to drain.
   *
   * @default {524288}
   */
  maxBufferedBytes?: number;
  /**
   * How long a send may wait for `bufferedAmount` to drain before the session ends with a
   * "backpressure" error (1008): a peer that stops reading cannot hold a session open. It bounds
   * a serializer's asynchronous `setup` and each asynchronous `serialize` too (a "protocol"
   * error, 1011, when one has not finished), and each asynchronous `deserialize` or `Blob`
   * message's read (given up: a "decode" error, the session going on).
   *
   * @default {5000}
   */
  sendTimeoutMs?: number;
  /**
   * The time source for pacing and timeouts.
   *
   * @default {systemClock}
   */
  clock?: Clock;
  /** Aborting it closes the session (code 1000). */
  signal?: AbortSignal;
  /**
   * Keeps the runtime at work the session leaves running: it is handed the promise of a REST
   * hang-up (Twilio, Telnyx, Plivo, jambonz) as that is sent, which may run on after the socket
   * has closed, for the call can outlive it. Cloudflare Workers cancel what is still pending once
   * a request's handling is over, unless it was given to `ctx.waitUntil`: pass
   * `(promise) => ctx.waitUntil(promise)` there (`CallDurableObject` passes its own). The promise
   * never rejects (a failure is the hang-up's error), and settles within the hang-up's bound.
   * Runtimes whose process lives on (Deno, Node, Bun) need none.
   */
  waitUntil?: (promise: Promise<unknown>) => void;
  /**
   * Messages already read from the socket before the transport existed (for example the ones
   * `detectProvider` looked at): deserialized first, after the serializer's `bind` and `setup`,
   * in order, before anything the socket delivers later.
   */
  initialMessages?: readonly (string | Uint8Array)[];
}

/** Every option resolved to a value. */
export interface ResolvedTransportOptions {
  inputSampleRate: number;
  inputChannels: number;
  outputSampleRate: number;
  outputChannels: number;
  chunkMs: number;
  addWavHeader: boolean;
  fixedAudioPacketSize: number | undefined;
  lastPacket: LastPacketPolicy;
  padByte: number;
  sendAheadMs: number;
  maxQueuedMs: number;
  maxInboundFrames: number;
  markIntervalMs: number;
  maxMarkIntervalMs: number;
  playoutDelayMs: number;
  playoutTimeoutMs: number;
  endSilenceMs: number;
  sessionTimeoutMs: number | undefined;
  inactivityTimeoutMs: number | undefined;
  openTimeoutMs: number;
  closeTimeoutMs: number;
  maxMessageBytes: number;
  maxBufferedBytes: number;
  sendTimeoutMs: number;
  waitUntil: ((promise: Promise<unknown>) => void) | undefined;
}

function positiveInteger(value: number, name: string): number {
  // Shown for what it is: a number read from configuration as the string "16000" was refused as
  // "got 16000", the very number that would have been right.
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${shownValue(value)}`);
  }
  return value;
}

/**
 * A rate or channel count a frame may carry (`audioFrameProblem`'s bounds): one beyond them is
 * refused here, at the constructor, rather than as a decode error at every message of the call.
 */
function sampleRate(value: number, name: string): number {
  return upTo(positiveInteger(value, name), MAX_SAMPLE_RATE, name);
}

function channels(value: number, name: string): number {
  return upTo(positiveInteger(value, name), MAX_CHANNELS, name);
}

/**
 * The longest `endSilenceMs`: a minute of silence before a hang-up is already no goodbye, and a
 * slip of units (seconds for milliseconds) would make one buffer of hours at the `end`.
 */
const MAX_END_SILENCE_MS = 60_000;

function upTo(value: number, max: number, name: string): number {
  if (value > max) throw new RangeError(`${name} must be at most ${max}, got ${value}`);
  return value;
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number > 0, got ${value}`);
  }
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
  }
  return value;
}

/**
 * `lastPacket` and `padByte`, checked whether or not `fixedAudioPacketSize` is set: one given
 * alone is most likely a mistake for the option that uses it, and must not pass silently.
 */
function lastPacketPolicy(value: unknown): LastPacketPolicy {
  if (value === "pad" || value === "short" || value === "drop") return value;
  throw new RangeError(`lastPacket must be "pad", "short" or "drop", got ${kindOf(value)}`);
}

function byte(value: unknown, name: string): number {
  if (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 255) {
    return value as number;
  }
  throw new RangeError(`${name} must be an integer from 0 to 255, got ${kindOf(value)}`);
}

function boolean(value: unknown, name: string): boolean {
  if (typeof value === "boolean") return value;
  throw new TypeError(`${name} must be true or false, got ${kindOf(value)}`);
}

/**
 * Names a bad option's value for an error message: `5`, `"x"`, `a Uint8Array`, `a Function` (not
 * its source text, which a user's arrow function would put whole into the message).
 */
function kindOf(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value).slice(0, 40);
  if (typeof value !== "object" && typeof value !== "function" || value === null) {
    return String(value);
  }
  const kind = kindOfValue(value);
  return kind === "a plain object" ? "an object" : kind;
}

/**
 * Throws a `TypeError` naming `name` unless `value` is absent or has every method in `methods`
 * (internal to the package: the options' check, and the serializer a serializer function made).
 */
export function expectMethods(value: unknown, name: string, methods: string[], what: string): void {
  if (value === undefined) return;
  const object = value as Record<string, unknown> | null;
  if (typeof object === "object" && object !== null) {
    if (methods.every((method) => typeof object[method] === "function")) return;
  }
  throw new TypeError(`${name} must be ${what}, got ${kindOf(value)}`);
}

const MIXER_METHODS = ["attach", "mix", "fill", "detach"];
const MIXER = "a BackgroundAudio (new BackgroundAudio(wav)) or another OutboundMixer";

/**
 * The session's background: the mixer given, or the one the function given makes for it, checked
 * as the option itself is (a `TypeError` for what is no mixer).
 */
export function sessionBackground(
  option: TransportOptions["background"],
): OutboundMixer | undefined {
  if (typeof option !== "function") return option;
  const mixer = option();
  expectMethods(mixer, "what the background function returned", MIXER_METHODS, MIXER);
  return mixer;
}

/**
 * Throws a `TypeError` naming an option that is not the kind of object it must be. Without a
 * type checker (plain JavaScript, `any`) such a slip was found late: `background: wavBytes` failed
 * inside a timer once the socket opened, where nothing could catch it, and ended the process.
 */
function checkObjectOptions(options: TransportOptions): void {
  if (typeof options.serializer !== "function") {
    const what = "a FrameSerializer or a function that makes one";
    expectMethods(options.serializer, "serializer", ["serialize", "deserialize"], what);
  }
  if (typeof options.background !== "function") {
    expectMethods(options.background, "background", MIXER_METHODS, MIXER);
  }
  expectMethods(options.clock, "clock", ["now", "sleep", "timer"], "a Clock");
  expectMethods(options.signal, "signal", ["addEventListener"], "an AbortSignal");
  if (options.waitUntil !== undefined && typeof options.waitUntil !== "function") {
    const got = kindOf(options.waitUntil);
    const like = "(promise) => ctx.waitUntil(promise)";
    throw new TypeError(`waitUntil must be a function, such as ${like}, got ${got}`);
  }
  checkInitialMessages(options.initialMessages as unknown);
}

/**
 * `initialMessages`: a list of messages (strings or `Uint8Array`s). One message in its place (a
 * string, a byte array) is iterable too, and would be read character by character.
 */
function checkInitialMessages(initial: unknown): void {
  if (initial === undefined) return;
  const iterable = typeof (initial as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator];
  if (iterable !== "function" || typeof initial === "string" || ArrayBuffer.isView(initial)) {
    throw new TypeError(`initialMessages must be an array of messages, got ${kindOf(initial)}`);
  }
  // An array can be looked at without using it up (a generator cannot).
  if (!Array.isArray(initial)) return;
  const bad = initial.findIndex((m) => typeof m !== "string" && !(m instanceof Uint8Array));
  if (bad >= 0) {
    const got = kindOf(initial[bad]);
    throw new TypeError(`initialMessages[${bad}] must be a string or a Uint8Array, got ${got}`);
  }
}

/**
 * Applies the defaults and throws a `RangeError` naming the first bad value (a `TypeError` for an
 * option that is not the kind of object it must be). `serializer`, the session's instance once
 * known (made from `options.serializer` where that is a function), gives the defaults its far end
 * needs: its `minSendAheadMs` (see `FrameSerializer.minSendAheadMs`).
 */
export function resolveTransportOptions(
  options: TransportOptions,
  serializer?: Pick<FrameSerializer, "minSendAheadMs" | "playoutMarks" | "playbackReports">,
): ResolvedTransportOptions {
  checkObjectOptions(options);
  const chunkMs = options.audioOut?.chunkMs ?? 40;
  if (!(chunkMs > 0) || !Number.isFinite(chunkMs)) {
    throw new RangeError(`audioOut.chunkMs must be a positive number, got ${chunkMs}`);
  }
  const packet = options.fixedAudioPacketSize;
  const markIntervalMs = nonNegative(options.markIntervalMs ?? 250, "markIntervalMs");
  const maxMarkIntervalMs = options.maxMarkIntervalMs === undefined
    ? Math.max(markIntervalMs, 1000)
    : nonNegative(options.maxMarkIntervalMs, "maxMarkIntervalMs");
  if (maxMarkIntervalMs < markIntervalMs) {
    throw new RangeError(
      `maxMarkIntervalMs must be >= markIntervalMs (${markIntervalMs}), got ${maxMarkIntervalMs}`,
    );
  }
  return {
    inputSampleRate: sampleRate(options.audioIn?.sampleRate ?? 16000, "audioIn.sampleRate"),
    inputChannels: channels(options.audioIn?.channels ?? 1, "audioIn.channels"),
    outputSampleRate: sampleRate(options.audioOut?.sampleRate ?? 24000, "audioOut.sampleRate"),
    outputChannels: channels(options.audioOut?.channels ?? 1, "audioOut.channels"),
    chunkMs,
    addWavHeader: wavHeaderFor(options, serializer),
    fixedAudioPacketSize: packet === undefined
      ? undefined
      : positiveInteger(packet, "fixedAudioPacketSize"),
    lastPacket: lastPacketPolicy(options.lastPacket ?? "pad"),
    padByte: byte(options.padByte ?? 0, "padByte"),
    sendAheadMs: nonNegative(
      options.sendAheadMs ?? Math.max(chunkMs, serializerLeadMs(serializer)),
      "sendAheadMs",
    ),
    maxQueuedMs: nonNegative(options.maxQueuedMs ?? 200, "maxQueuedMs"),
    maxInboundFrames: positiveInteger(options.maxInboundFrames ?? 500, "maxInboundFrames"),
    markIntervalMs,
    maxMarkIntervalMs,
    playoutDelayMs: nonNegative(options.playoutDelayMs ?? 0, "playoutDelayMs"),
    playoutTimeoutMs: nonNegative(options.playoutTimeoutMs ?? 2000, "playoutTimeoutMs"),
    endSilenceMs: upTo(
      nonNegative(options.endSilenceMs ?? 0, "endSilenceMs"),
      MAX_END_SILENCE_MS,
      "endSilenceMs",
    ),
    sessionTimeoutMs: options.sessionTimeoutMs === undefined
      ? undefined
      : nonNegative(options.sessionTimeoutMs, "sessionTimeoutMs"),
    inactivityTimeoutMs: options.inactivityTimeoutMs === undefined
      ? undefined
      : positive(options.inactivityTimeoutMs, "inactivityTimeoutMs"),
    openTimeoutMs: positive(options.openTimeoutMs ?? 10_000, "openTimeoutMs"),
    closeTimeoutMs: nonNegative(options.closeTimeoutMs ?? 500, "closeTimeoutMs"),
    maxMessageBytes: positiveInteger(options.maxMessageBytes ?? 1 << 20, "maxMessageBytes"),
    maxBufferedBytes: positiveInteger(options.maxBufferedBytes ?? 512 * 1024, "maxBufferedBytes"),
    sendTimeoutMs: nonNegative(options.sendTimeoutMs ?? 5000, "sendTimeoutMs"),
    waitUntil: options.waitUntil,
  };
}

/**
 * `addWavHeader`, refused with a serializer (the session's, or an instance given in `options`)
 * whose far end acknowledges playout: the telephony media streams, which play what they are sent
 * as one stream of samples, not a file per message. There each header's 44 bytes are 22 loud
 * samples (`"RIFF"` alone is two at −5 dBFS) at the start of every chunk, a click that also makes
 * the chunk play longer than the transport's estimate of it (pipecat's own runner turns
 * `add_wav_header` off for every telephony serializer, for this).
 */
function wavHeaderFor(
  options: TransportOptions,
  serializer: Pick<FrameSerializer, "playoutMarks" | "playbackReports"> | undefined,
): boolean {
  const addWavHeader = boolean(options.addWavHeader ?? false, "addWavHeader");
  const given = typeof options.serializer === "object" ? options.serializer : undefined;
  const far = serializer ?? given;
  if (addWavHeader && (far?.playoutMarks === true || far?.playbackReports === true)) {
    throw new RangeError(
      `addWavHeader must be false with ${serializerName(far)}: its far end plays one stream ` +
        "of audio, not a WAV file per message, and would play each chunk's header as a click",
    );
  }
  return addWavHeader;
}

/**
 * The serializer's `minSendAheadMs`, or 0 where it has none, or none that is a lead: read from a
 * serializer's own code, it is no option the user could correct, and a bad one must not make the
 * session's set-up throw.
 */
function serializerLeadMs(serializer: Pick<FrameSerializer, "minSendAheadMs"> | undefined): number {
  let lead: unknown;
  try {
    lead = serializer?.minSendAheadMs;
  } catch {
    return 0; // a getter that throws (a lead not known yet) asks for none
  }
  return typeof lead === "number" && Number.isFinite(lead) && lead >= 0 ? lead : 0;
}

/**
 * Throws a `RangeError` naming `code` unless it may be sent in a close frame (RFC 6455 §7.4):
 * 1000–1003 and 1007–1014 (the IANA registry's codes for endpoints to send), or 3000–4999
 * (libraries, frameworks and applications). 1004, 1005, 1006 and 1015 are reserved and never go
 * on the wire; anything else is not a close code.
 *
 * @example
 * ```ts
 * import { assertCloseCode } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * assertCloseCode(1000);
 * assertCloseCode(4001);
 * assert.throws(() => assertCloseCode(1005), RangeError);
 * assert.throws(() => assertCloseCode(5000), RangeError);
 * ```
 */
export function assertCloseCode(code: number): void {
  const problem = closeCodeProblem(code);
  if (problem !== undefined) throw new RangeError(problem);
}

/**
 * What makes `code` no close code that may be sent (see {@linkcode assertCloseCode}), or
 * `undefined` (internal to the package: a cancel frame's `closeCode` is checked by it too).
 */
export function closeCodeProblem(code: unknown): string | undefined {
  const sendable = typeof code === "number" && Number.isInteger(code) &&
    ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
      (code >= 3000 && code <= 4999));
  if (sendable) return undefined;
  const shown = typeof code === "number" ? code : kindOf(code);
  return `close code ${shown} may not be sent: use 1000–1003, 1007–1014 or 3000–4999`;
}
