// Seeded random operations on the transport's public surface, with invariants checked after every
// operation and at the end. The same seed replays the same session, so a failure found in a long run
// is reproduced with `--seed N` alone.
//
// Long runs: `deno run -A tests/fuzz/surface_operations.ts --seeds 20000 --ops 120 [--kind marking]`;
// replay one: `deno run -A tests/fuzz/surface_operations.ts --seed 771 --kind marking --verbose`;
// `--help` lists the flags, and a flag it does not know is refused (exit 2).
//
// Operations (one per step, chosen by the seed; see `runSession`):
// - send audio / write audio: audio of random size (0, odd, 20 ms, 10 s, …) and responseId, through
//   `send()` or a `writable` writer (taken lazily, released now and then);
// - mark, interruption frame, urgent or plain message, startResponse, end, cancel;
// - interrupt(), also twice at once, and from speakingstart/speakingstop listeners and the receive
//   handler; close from a speakingstop listener and the receive handler;
// - tick the fake clock; settle microtasks; read playback;
// - writer.abort / writer.close / writer.releaseLock; transport.close;
// - the client: send audio (Twilio: a late `start`), stall, resume, close, terminate; late open;
//   Twilio: numbered media with a hole, the socket closed behind it now and then; in half the
//   sessions the caller streams (20 ms a packet for each tick), and the bot reads slowly from a
//   short queue now and then; in a third, the serializer answers some messages later (by the fake
//   clock, decode_ledger.ts), and the caller speaks just before each ending operation and the
//   final close, which the far end answers at once, late, or crosses with its own;
// - every other serializer's far end (surface_far_ends.ts): its opening messages at the open (and
//   AudioHook's open transaction waited for), its platform's media, mark acknowledgements as its
//   documentation describes them; one whose stop ends its stream speaks on after it now and then;
// - in some sessions binary messages reach the transport as Blob, and the serializer (through
//   decode_ledger.ts) answers a value that is no frame now and then, or throws from `finish`;
// - listeners (surface_listeners.ts) added to and removed from every event type, some failing;
//   the "error" listener itself sometimes only added late; malformed frames of every type.
// Inbound is consumed by a receive handler (echoing, interrupting, closing or throwing), a
// for-await loop, a tee, or readers locked and released again per frame.
//
// Checked: counters never step back and account every audio byte and mark; playback stays sane;
// speaking events alternate; the session ends with nothing pending (promises, timers, readers);
// nothing escapes to the runtime (`fuzzSurface`, and the suite, watch for uncaught exceptions and
// unhandled rejections); a listener that throws or rejects ends its session with 1011 and an
// "application" error, unless the session had begun to end; every malformed frame is refused as an
// encode error that a listener heard or `errorsUnheard` counts, and nothing stays held once a
// listener is added; every frame sent is counted in `framesOut`; media held behind a hole
// reaches the bot when the far end closes; and every media message the transport read reached the
// bot or is counted (`checkInboundMedia`), a tee's two branches alike, the close counters
// (`inbound{Frames,Messages}DroppedOnClose`), `inboundAfterEnd` and `decodeErrors` and their media
// share weighed exactly against the serializer's answers and what the far end sent; and every
// decode error is a clear, non-fatal one, heard or counted unheard (`checkDecodeErrorsHeard`).
import {
  type Frame,
  type TransportClosed,
  type TransportError,
  type TransportErrorEvent,
  type TransportStats,
  WebSocketTransport,
} from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { RawPcmSerializer } from "../../src/serializers/raw_pcm.ts";
import { DecodeLedger, type DecodeTally, type SentMessage, type Split } from "./decode_ledger.ts";
import { Prng } from "./prng.ts";
import { escaping } from "../_escaping.ts";
import { FUZZ_FAILURE, FuzzListeners } from "./surface_listeners.ts";
import { malformedFrame } from "./malformed_frames.ts";
import { type FuzzCommand, readFlags } from "./_fuzz_flags.ts";
import {
  PLATFORM_KINDS,
  PlatformFarEnd,
  type PlatformKind,
  platformProtocol,
} from "./surface_far_ends.ts";

/**
 * The serializers a session runs over: none (raw PCM), marks with or without acks, Twilio, Vonage,
 * and every other serializer the package ships, each with a minimal far end of its platform
 * (surface_far_ends.ts).
 */
export const KINDS = ["raw", "marking", "twilio", "vonage", ...PLATFORM_KINDS] as const;
export type Kind = typeof KINDS[number];

/**
 * PCM bytes of 20 ms at 16 kHz mono, the sessions' highest rate: the partial frame Vonage's and
 * Asterisk's serializers hold is shorter (under 20 ms, `TransportStats.audioBytesSent`).
 */
const HELD_FRAME_LIMIT = 640;

/**
 * How far `audioBytesSent` may step back between two snapshots. The documented exception
 * (`TransportStats.audioBytesSent`): the partial frame Vonage's and Asterisk's serializers hold
 * counts as sent when handed over and comes off again if an interruption or the close drops it.
 * Every other serializer hands on whole packets, so for them the counter never steps back.
 */
export function heldLimitFor(kind: Kind): number {
  return kind === "vonage" || kind === "asterisk" ? HELD_FRAME_LIMIT : 0;
}

const isPlatform = (kind: Kind): kind is PlatformKind =>
  (PLATFORM_KINDS as readonly string[]).includes(kind);

/** The five counters every written audio byte ends in; their sum only grows. */
function audioAccounted(s: TransportStats): number {
  return s.audioBytesSent + s.audioBytesInterrupted + s.audioBytesDroppedOnClose +
    s.audioBytesStale + s.audioBytesRefused;
}

/**
 * Counters only count up: a step back would mean something counted twice or uncounted. The one
 * exception is `audioBytesSent`, which may step back by less than `heldLimit` (see `heldLimitFor`);
 * the bytes it gives back must reappear elsewhere, so the sum of the audio counters stays monotone.
 */
export function checkStatsStep(
  prev: TransportStats,
  next: TransportStats,
  heldLimit: number,
): string[] {
  const problems: string[] = [];
  const a = prev as unknown as Record<string, number>;
  const b = next as unknown as Record<string, number>;
  for (const key in b) {
    const drop = a[key]! - b[key]!;
    if (!(drop > 0)) continue;
    if (key === "audioBytesSent" && drop < heldLimit) continue;
    problems.push(`stat ${key} decreased ${a[key]} -> ${b[key]}`);
  }
  if (audioAccounted(next) < audioAccounted(prev)) {
    problems.push(
      `audio counters' sum decreased ${audioAccounted(prev)} -> ${audioAccounted(next)}`,
    );
  }
  return problems;
}

/** Playback is sane at any moment: nothing heard that was not sent, nothing queued below zero. */
export function checkPlayback(p: { heardMs: number; sentMs: number; queuedMs: number }): string[] {
  const ok = p.heardMs >= 0 && p.heardMs <= p.sentMs + 1e-6 && p.queuedMs >= -1e-9 &&
    Number.isFinite(p.sentMs);
  return ok ? [] : [`playback ${JSON.stringify(p)}`];
}

/**
 * speakingstart and speakingstop alternate one for one, starting with a start, and every start is
 * stopped by the close: the events bracket utterances, so a double stop or a lost one misleads
 * anything timing turns on them. Events are `start:<id>` and `stop:<id>:<reason>`.
 */
export function checkSpeakingEvents(events: readonly string[]): string[] {
  const problems: string[] = [];
  let open: string | undefined;
  for (const e of events) {
    if (e.startsWith("start:")) {
      if (open !== undefined) problems.push(`start while ${open} open: ${events.join(",")}`);
      open = e;
    } else {
      if (open === undefined) problems.push(`stop without start: ${events.join(",")}`);
      open = undefined;
    }
  }
  if (open !== undefined) problems.push(`start never stopped: ${events.join(",")}`);
  return problems;
}

/** What the bot handed in, to weigh the final stats against. */
export interface Written {
  /** Even-length audio bytes handed in. */
  even: number;
  /** Bytes of malformed (odd-length) audio frames: these may or may not be counted. */
  odd: number;
  /** Bytes of end silence a `{type: "end"}` may add, if one was sent. */
  endSilence: number;
}

/**
 * After the close, every audio byte handed in is accounted once: sent, interrupted, dropped on close,
 * stale or refused (odd frames and one end silence allowed for). And every mark sent was answered or
 * counted unanswered by the close.
 */
export function checkFinalStats(s: TransportStats, written: Written): string[] {
  const problems: string[] = [];
  const diff = audioAccounted(s) - written.even;
  const within = (d: number) => d >= 0 && d <= written.odd;
  if (!within(diff) && !(written.endSilence > 0 && within(diff - written.endSilence))) {
    problems.push(
      `accounting: written ${written.even} (+odd ${written.odd}) vs accounted ${
        audioAccounted(s)
      } ` +
        `(sent ${s.audioBytesSent} int ${s.audioBytesInterrupted} close ${s.audioBytesDroppedOnClose} ` +
        `stale ${s.audioBytesStale} refused ${s.audioBytesRefused}) diff ${diff}`,
    );
  }
  if (s.marksSent !== s.marksAcknowledged + s.marksUnanswered) {
    problems.push(
      `marks: sent ${s.marksSent} ack ${s.marksAcknowledged} unanswered ${s.marksUnanswered}`,
    );
  }
  return problems;
}

/** The far end's media, to weigh what reached the bot against. */
export interface InboundMedia {
  /**
   * Media messages the transport's socket dispatched (one the socket dropped unread, as a closing
   * WebSocket does, never reached the transport: not its to account).
   */
  arrived: number;
  /** Media frames the bot took (`isMediaFrame`): its receive handler, or one tee branch. */
  delivered: number;
  /** Frames of every type the bot took, media among them, counted alike. */
  framesDelivered: number;
}

/**
 * After the close, every media message that reached the transport is the bot's or counted. The
 * unit is the message: each of the far ends' media messages is one frame (one audio frame, or
 * ConversationRelay's prompt one transcription), and a frame lost in the transport is counted
 * frame by frame or message by message, never in bytes or ms. So:
 *
 *   arrived + gapsFilled + tails = delivered + inboundAudioFramesDropped + inboundMediaDuplicates
 *                                  + inboundMediaLate + lostAtTheEnd
 *
 * - `tails`: where a stream ends (its end of stream, a start that changes the rate, the close),
 *   the caller's last samples an inbound resampler held back come as a frame of their own, part
 *   of the message before them (decode_ledger.ts, `isResamplerTail`): the serializer's answers
 *   tell how many it made.
 * - `inboundMediaGapsFilled`: a filled gap adds frames of silence, one per missing packet up to
 *   one per 100 ms (ordered_media.ts); the fuzz's Twilio far end leaves out one 20 ms packet at a
 *   time, so each gap is one frame. The reorder window holds no packet past the close (it hands
 *   on what it held), and a resync flushes it: neither loses any.
 * - `inboundAudioFramesDropped`: frames, gap silence included, dropped for a reader behind.
 * - duplicates and late packets: messages, each one media message that made no frame.
 * - a tee's second branch sees what the first sees; only the first is counted (`delivered`).
 * - `lostAtTheEnd` (≥ 0: the transport never makes media of nothing, nor hands one on twice)
 *   lies in counters that count every kind of message or frame alike, non-media too:
 *   `inboundFramesDroppedOnClose` and `inboundMessagesDroppedOnClose` (the session closing),
 *   `inboundAfterEnd` (after the platform's end of stream) and `decodeErrors` (a serializer's
 *   failure).
 *
 * With the serializer's answers tallied (`decoded`, decode_ledger.ts), every one of them is
 * weighed exactly, and its media share with it:
 *
 * - `inboundMessagesDroppedOnClose` = the messages received whose `deserialize` never began, plus
 *   one where the session ended with a decode under way (the last begun, its answer not taken):
 *   0 or 1 over the first, so it tells whether the last answer was taken. The unread media
 *   messages are known by their place in what the far end sent; the one under way by its own.
 * - `inboundFramesDroppedOnClose` = the bot's frames the serializer answered and the transport
 *   took, less those the bot got and those dropped for a reader behind. Its media share is the
 *   same sum over media frames.
 * - `inboundAfterEnd` = the messages the far end sent after its end of stream that the serializer
 *   read (the far end knows which it sent so: `SentMessage.afterEnd`); the media among those whose
 *   answer was taken are lost to the bot there (one under way is counted unread already).
 * - `decodeErrors` = the answers taken with a value that is no frame (one error a message), plus
 *   one for a `finish` that threw, whose held media is lost with it: the faults the ledger
 *   planted, as the far ends send nothing a serializer may refuse.
 *
 * So `lostAtTheEnd` is exactly those media shares, none left over.
 */
export function checkInboundMedia(
  s: TransportStats,
  media: InboundMedia,
  decoded?: DecodeTally,
): string[] {
  const lost = media.arrived + s.inboundMediaGapsFilled - media.delivered -
    s.inboundAudioFramesDropped - s.inboundMediaDuplicates - s.inboundMediaLate;
  const counts = `arrived ${media.arrived} + gaps ${s.inboundMediaGapsFilled} vs delivered ` +
    `${media.delivered} + dropped ${s.inboundAudioFramesDropped} dup ${s.inboundMediaDuplicates} ` +
    `late ${s.inboundMediaLate}: ${lost} lost`;
  const atTheEnd = `(frames on close ${s.inboundFramesDroppedOnClose} messages on close ` +
    `${s.inboundMessagesDroppedOnClose} after end ${s.inboundAfterEnd} decode errors ` +
    `${s.decodeErrors})`;
  if (decoded === undefined) {
    // No serializer to watch (raw PCM's default): nothing follows an end nor is refused, and
    // the close counters bound what was lost.
    const counted = s.inboundFramesDroppedOnClose + s.inboundMessagesDroppedOnClose +
      s.inboundAfterEnd + s.decodeErrors;
    if (lost >= 0 && lost <= counted) return [];
    return [`inbound media: ${counts}, counted at the end ${counted} ${atTheEnd}`];
  }
  const underWay = s.inboundMessagesDroppedOnClose - decoded.unread;
  if (underWay !== 0 && underWay !== 1) {
    return [
      `inbound messages dropped on close ${s.inboundMessagesDroppedOnClose}: ${decoded.unread} ` +
      `never read, so 0 or 1 under way, not ${underWay}`,
    ];
  }
  const taken = (f: Split) => f.before + (underWay ? 0 : f.last);
  const problems: string[] = [];
  const framesDropped = taken(decoded.botFrames) - media.framesDelivered -
    s.inboundAudioFramesDropped;
  if (framesDropped !== s.inboundFramesDroppedOnClose) {
    problems.push(
      `inbound frames dropped on close ${s.inboundFramesDroppedOnClose}, not ${framesDropped}: ` +
        `the serializer answered ${taken(decoded.botFrames)} for the bot, it got ` +
        `${media.framesDelivered}, ${s.inboundAudioFramesDropped} dropped for a reader behind`,
    );
  }
  const afterEndRead = taken(decoded.afterEnd);
  if (s.inboundAfterEnd !== afterEndRead) {
    problems.push(
      `inbound after end ${s.inboundAfterEnd}, not ${afterEndRead}: the serializer read ` +
        `${afterEndRead} sent after the far end's end of stream before the session ended`,
    );
  }
  const decodeErrors = taken(decoded.malformed) + (decoded.finishThrew ? 1 : 0);
  if (s.decodeErrors !== decodeErrors) {
    problems.push(
      `decode errors ${s.decodeErrors}, not ${decodeErrors}: ${taken(decoded.malformed)} ` +
        `answers taken with a value that is no frame, finish threw ${decoded.finishThrew}`,
    );
  }
  const mediaFramesDropped = taken(decoded.mediaFrames) - media.delivered -
    s.inboundAudioFramesDropped;
  const mediaUnread = decoded.unreadMedia + (underWay && decoded.lastBegunMedia ? 1 : 0);
  const afterEnd = taken(decoded.afterEndMedia);
  // A resampler's tail is a frame of no message's own (decode_ledger.ts, isResamplerTail).
  const tails = taken(decoded.tailFrames) + decoded.tailsLostInFinish;
  const rest = lost + tails - mediaFramesDropped - mediaUnread - afterEnd -
    decoded.mediaLostInFinish;
  if (mediaFramesDropped < 0 || rest !== 0) {
    problems.push(
      `inbound media: ${counts}, ${tails} resampler tails made, of them ` +
        `${mediaFramesDropped} frames dropped on close, ` +
        `${mediaUnread} messages unread (${underWay} under way), ${afterEnd} after the end, ` +
        `${decoded.mediaLostInFinish} held by a finish that threw: ${rest} left ${atTheEnd}`,
    );
  }
  return problems;
}

/**
 * The decode errors a session's listeners heard: the far ends send nothing a serializer may
 * refuse, so each is a fault the ledger planted (decode_ledger.ts), named clearly (the value that
 * is no frame by its type, `finish`'s own error), not fatal (the session reads on), and heard or
 * counted unheard, every one (`errorsUnheard` counts errors of every kind: an upper bound).
 */
export function checkDecodeErrorsHeard(
  heard: readonly TransportError[],
  s: TransportStats,
): string[] {
  const problems: string[] = [];
  const decode = heard.filter((e) => e.code === "decode");
  for (const error of decode) {
    if (error.fatal) problems.push(`a decode error ended the session: ${error.message}`);
    if (!PLANTED_FAULT.test(error.message)) problems.push(`decode error: ${error.message}`);
  }
  if (decode.length > s.decodeErrors || decode.length + s.errorsUnheard < s.decodeErrors) {
    problems.push(
      `decode errors ${s.decodeErrors}: heard ${decode.length}, unheard ${s.errorsUnheard}`,
    );
  }
  return problems;
}

/** How the transport names the faults the ledger plants. */
const PLANTED_FAULT =
  /^serializer read a message as a frame of type "fuzz-not-a-frame"$|a fault the fuzz planted: finish threw$/;

/**
 * A frame made of the far end's media: audio, or the caller's prompt on ConversationRelay
 * (generators_binary.ts's "utterance N", told from the session's other transcriptions).
 */
export const isMediaFrame = (f: Frame): boolean =>
  f.type === "audio" || (f.type === "transcription" && f.text.startsWith("utterance "));

/** What the bot sent, to weigh `framesOut` and `encodeErrors` against. */
export interface SentFrames {
  /** Frames of a known type passed to `send()` (by the fuzzer or its receive handler), malformed too. */
  direct: number;
  /** Frames written to `writable`: each reaches `send()` unless the writer was aborted first. */
  written: number;
  /**
   * Malformed frames sent (odd-length audio too), and values that are no frame at all (not in
   * `direct`): each is refused with an encode error of its own.
   */
  malformed: number;
}

/**
 * Every frame the bot handed in is counted in `framesOut` (a writer's queue aborted before it
 * reached `send` excepted), and every malformed one is an encode error, heard by an "error"
 * listener or counted in `errorsUnheard` (after the last listener took what was held).
 * `refusalsHeard`: the encode errors heard that name a frame's problem (a frame type the protocol
 * has no message for is reported once per session, so those are left out).
 */
export function checkFramesAndErrors(
  s: TransportStats,
  sent: SentFrames,
  refusalsHeard: number,
): string[] {
  const problems: string[] = [];
  if (s.framesOut < sent.direct || s.framesOut > sent.direct + sent.written) {
    problems.push(
      `framesOut ${s.framesOut}: sent ${sent.direct} (malformed ${sent.malformed}) written ${sent.written}`,
    );
  }
  if (s.encodeErrors < sent.malformed) {
    problems.push(`encodeErrors ${s.encodeErrors} < malformed frames sent ${sent.malformed}`);
  }
  if (refusalsHeard + s.errorsUnheard < sent.malformed) {
    problems.push(
      `errors lost: ${sent.malformed} malformed frames, refusals heard ${refusalsHeard}, unheard ${s.errorsUnheard}`,
    );
  }
  return problems;
}

/** One session's outcome: the operation log (to replay by eye) and what went wrong. */
export interface SessionResult {
  seed: number;
  kind: Kind;
  config: string;
  log: string[];
  events: string[];
  problems: string[];
  stats: TransportStats;
  /** What the session exercised, so that a suite can tell a run that tested nothing. */
  covered: {
    listenerFailed: boolean;
    closedBehindHole: boolean;
    malformed: number;
    /** The far end's media that reached the transport, and what of it reached the bot. */
    media: InboundMedia;
    /** Binary messages the server's socket handed on as Blob. */
    blobsRead: number;
  };
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

/** 20 ms of μ-law silence, base64: one numbered Twilio media message's payload. */
const MULAW_20MS = btoa(String.fromCharCode(...new Uint8Array(160).fill(0xff)));

const VONAGE_CONNECTED = JSON.stringify({
  event: "websocket:connected",
  "content-type": "audio/l16;rate=16000",
});

/** Runs one seeded session of `ops` operations; `kind` defaults to one picked by the seed. */
export async function runSession(seed: number, ops: number, only?: Kind): Promise<SessionResult> {
  const r = new Prng(seed);
  const log: string[] = [];
  const problems: string[] = [];
  const clock = new FakeClock();
  const connecting = r.chance(0.25);
  const pair = new MemorySocketPair({ connecting });
  const bigQueue = r.chance(0.3);
  // Drawn even when fixed, so a seed's other choices do not depend on `only`.
  const picked = r.pick<Kind>(["marking", "marking", "twilio", "vonage", "raw", ...PLATFORM_KINDS]);
  const kind = only ?? picked;
  const acks = r.chance(0.8);
  const endSilenceMs = r.pick([0, 0, 100]);
  const chunkMs = r.pick([20, 40]);
  // mod_audio_fork (jambonz, FreeSWITCH) gathers what it is sent into batches of its own, and
  // their serializers refuse a fixed packet size at set-up (src/serializers/_audio_fork.ts): a
  // session that only ends at set-up tests nothing, so those kinds draw it but never use it.
  const fixedPacket = r.chance(0.2) && kind !== "jambonz" && kind !== "freeswitch";
  const lastPacket = r.pick(["pad", "short", "drop"] as const);
  // Timeouts now and then, so that "sessiontimeout" and "inactive" listeners are called too.
  const sessionTimeoutMs = r.pick([undefined, undefined, 500, 3000]);
  const inactivityTimeoutMs = r.pick([undefined, undefined, undefined, 2000]);
  const errorListenerEarly = r.chance(0.7);
  // A platform's own rate now and then (8 kHz for the telephony ones), so that its serializer
  // runs without resampling too; drawn for the platform kinds alone, so that the other kinds'
  // seeds replay as before. The held limit (20 ms at 16 kHz) still bounds a held partial frame.
  const rate = isPlatform(kind) && r.chance(0.5)
    ? platformProtocol(kind).options.audioOut?.sampleRate ?? 16000
    : 16000;
  // The inbound side's choices, drawn from a stream of their own so that the others replay as
  // before: the caller streams as a platform does, 20 ms a packet for as long as the clock runs;
  // the bot reads slowly (a frame each 20 ms of the clock, which runs only on the ticks), against
  // a short queue, so that the oldest audio is dropped for it.
  const inboundChoices = new Prng(seed * 7919 + 1);
  const callerStreams = inboundChoices.chance(0.5);
  const slowReader = inboundChoices.chance(0.3);
  const shortQueue = inboundChoices.chance(0.3);
  // The serializer answers some messages later (decode_ledger.ts), so that a session closes with
  // messages still being decoded: some then decoded after the bot's frames ended, some unread.
  const decodesLate = inboundChoices.chance(0.3);
  // Faults beside the far end's messages, from a stream of their own again: the server's socket
  // hands binary messages on as Blob (a runtime that keeps `binaryType` "blob": the transport's
  // setting is refused), the serializer now and then answers a value that is no frame or
  // throws from `finish` (decode_ledger.ts), and a far end whose stop ends its stream speaks on
  // after it at the end.
  const faultChoices = new Prng(seed * 15_485_863 + 5);
  const blobs = faultChoices.chance(0.3);
  const plantsFaults = faultChoices.chance(0.3);
  const speaksAfterStop = faultChoices.chance(0.3);
  // Raw PCM: no serializer option at all, unless its decodes are to answer late or fail.
  const serializer = kind === "raw"
    ? decodesLate || plantsFaults ? new RawPcmSerializer() : undefined
    : kind === "twilio"
    ? new TwilioSerializer()
    : kind === "vonage"
    ? new VonageSerializer({ sampleRate: 16000 })
    : isPlatform(kind)
    ? platformProtocol(kind).serializer()
    : new MarkingSerializer();
  // What each of the client's messages is, in the order sent: the server's socket reads them
  // in that order, and what it drops unread (it closed) is all that came after, so the n-th it
  // dispatches is the n-th sent.
  const clientSent: SentMessage[] = [];
  const ledger = serializer === undefined ? undefined : new DecodeLedger(
    serializer,
    clientSent,
    isMediaFrame,
    decodesLate ? { clock, delays: new Prng(seed * 104_729 + 3) } : undefined,
    plantsFaults ? { rng: faultChoices, malformed: 0.05, finishThrows: 0.3 } : undefined,
  );
  if (blobs) {
    Object.defineProperty(pair.server, "binaryType", { get: () => "blob", set: () => {} });
  }
  const transport = new WebSocketTransport(pair.server, {
    ...(serializer === undefined ? {} : { serializer }),
    maxBufferedBytes: 20_000,
    ...(shortQueue ? { maxInboundFrames: 8 } : {}),
    audioIn: { sampleRate: rate },
    audioOut: { sampleRate: rate, chunkMs },
    playoutDelayMs: 40,
    maxQueuedMs: bigQueue ? 60_000 : 200,
    endSilenceMs,
    ...(fixedPacket ? { fixedAudioPacketSize: 500 } : {}),
    openTimeoutMs: 3000,
    lastPacket,
    ...(sessionTimeoutMs !== undefined ? { sessionTimeoutMs } : {}),
    ...(inactivityTimeoutMs !== undefined ? { inactivityTimeoutMs } : {}),
    clock,
  });
  if (r.chance(0.2)) pair.client.answersClose = false;
  // The code the transport first closed its socket with: what the far end is told, even where
  // the far end's own close crossed it and `closed` reports the far end's code.
  let closedWith: number | undefined;
  const closeSocket = pair.server.close.bind(pair.server);
  pair.server.close = (code?: number, reason?: string) => {
    closedWith ??= code;
    closeSocket(code, reason);
  };
  const control: SentMessage = { media: false, afterEnd: false };
  let sending = control;
  const clientSend = pair.client.send.bind(pair.client);
  pair.client.send = (data) => {
    clientSend(data);
    clientSent.push(sending);
  };
  const sendMedia = (send: () => void, afterEnd = false) => {
    sending = { media: true, afterEnd };
    try {
      send();
    } finally {
      sending = control;
    }
  };
  const media: InboundMedia = { arrived: 0, delivered: 0, framesDelivered: 0 };
  let serverRead = 0;
  /** Binary messages the server's socket handed on as Blob. */
  let blobsRead = 0;
  pair.server.addEventListener("message", (event) => {
    if (clientSent[serverRead++]?.media) media.arrived++;
    if ((event as MessageEvent).data instanceof Blob) blobsRead++;
  });
  const platform = isPlatform(kind)
    ? new PlatformFarEnd(kind, clock, pair.client, acks)
    : undefined;
  // Twilio's session sends its own start and media (below); its far end answers marks alone.
  if (kind === "twilio") new PlatformFarEnd("twilio", clock, pair.client, acks);
  else if (platform === undefined) {
    new FakeFarEnd(clock, pair.client, { jitterMs: 40, bytesPerMs: 32, acks });
  }
  let opened = !connecting;
  /** The socket opened while the session lasted (one opened after its open timeout did not). */
  let openedInSession = !connecting;
  const openNow = () => {
    if (opened) return;
    opened = true;
    pair.open();
    // Not if the client dropped the connection before (terminate): then it never opens.
    openedInSession = closedValue === undefined && pair.server.readyState === 1;
    if (kind === "vonage" && pair.client.readyState === 1) pair.client.send(VONAGE_CONNECTED);
    platform?.open();
  };
  if (kind === "vonage" && !connecting) pair.client.send(VONAGE_CONNECTED);
  if (!connecting) {
    platform?.open();
    await platform?.handshake();
  }

  const events: string[] = [];
  let closedValue: unknown;
  transport.closed.then((v) => (closedValue = v ?? "settled"));
  const interruptFromListener = r.chance(0.3);
  const closeFromListener = r.chance(0.1);
  const listeners = new FuzzListeners(r, seed, transport);
  // Whether anything has begun to end the session: after it, a failing listener need not make 1011.
  let ending = false;
  /** Closes by the bot's own callbacks (a receive handler, a listener): they may come any time. */
  let botCloses = 0;
  const endBegun = () =>
    ending || closedValue !== undefined || (connecting && !opened && clock.now() >= 3000);
  listeners.endBegun = endBegun;
  listeners.onFatal = () => (ending = true);
  listeners.where = () => `after op ${log.length - 1} at ${clock.now()} ms`;
  // First, so that they note the end before any fuzzed listener of the same event runs.
  transport.addEventListener("disconnected", () => (ending = true));
  transport.addEventListener("inactive", () => (ending = true)); // it closes unless prevented
  const onError = (e: TransportErrorEvent) => {
    listeners.heardError(e.error);
  };
  let errorListener = false;
  const addErrorListener = () => {
    if (errorListener) return;
    errorListener = true;
    transport.addEventListener("error", onError);
  };
  if (errorListenerEarly) addErrorListener();
  // Listeners also read playback: it must already agree with the event being dispatched.
  transport.addEventListener("speakingstart", (e) => {
    events.push(`start:${e.responseId}`);
    if (closedValue !== undefined) problems.push("speakingstart after closed settled");
    const pb = transport.playback;
    if (!pb.speaking || pb.responseId !== e.responseId) {
      problems.push(`in speakingstart(${e.responseId}) playback ${JSON.stringify(pb)}`);
    }
    if (interruptFromListener && r.chance(0.3)) void transport.interrupt();
  });
  transport.addEventListener("speakingstop", (e) => {
    events.push(`stop:${e.responseId}:${e.reason}`);
    if (closedValue !== undefined) problems.push("speakingstop after closed settled");
    const pb = transport.playback;
    if (pb.speaking && pb.responseId === e.responseId) {
      problems.push(`in speakingstop(${e.responseId} ${e.reason}) playback ${JSON.stringify(pb)}`);
    }
    if (closeFromListener && r.chance(0.3)) {
      ending = true;
      botCloses++;
      void transport.close(1000, "from listener");
    }
    if (interruptFromListener && r.chance(0.3)) void transport.interrupt();
  });

  const written: Written = { even: 0, odd: 0, endSilence: 0 };
  const sent: SentFrames = { direct: 0, written: 0, malformed: 0 };
  const account = (f: Frame) => {
    if (f.type !== "audio") return;
    if (f.audio.length % 2 === 0) written.even += f.audio.length;
    else written.odd += f.audio.length;
  };
  const promises: { what: string; settled: boolean }[] = [];
  const track = (what: string, p: Promise<unknown> | undefined) => {
    if (p === undefined) return;
    const entry = { what, settled: false };
    promises.push(entry);
    p.then(() => (entry.settled = true), () => (entry.settled = true));
  };

  const inbound = r.pick(["receive", "loop", "tee", "relock"]);
  /** Media frames a tee's second branch took: all the first did, neither more nor less. */
  let teeSecondBranch = 0;
  let inboundDone = false;
  if (inbound === "receive") {
    transport.receive((frame) => {
      media.framesDelivered++;
      if (isMediaFrame(frame)) media.delivered++;
      const x = r.next();
      if (x < 0.2) track("handler interrupt", transport.interrupt());
      else if (x < 0.5 && frame.type === "audio") {
        const f = { ...frame, responseId: r.pick(["a", "b", undefined]) } as Frame;
        account(f);
        sent.direct++;
        track("handler echo", transport.send(f));
      } else if (x < 0.52) {
        ending = true;
        botCloses++;
        track("handler close", transport.close());
      } else if (x < 0.53) {
        // Ends the session (1011): the frames decoded after it are the bot's no more, counted.
        // A close of the bot's own, as the handler's close above is: the far end's messages
        // behind it may never be read (`closedBehindHole`).
        ending = true;
        botCloses++;
        throw new Error(`${FUZZ_FAILURE}: receive handler`);
      }
    });
    inboundDone = true;
  } else if (inbound === "tee") {
    // The second branch reads at once: the tee queues for the slow one what the other took.
    const drain = async (s: ReadableStream<Frame>, first: boolean) => {
      try {
        for await (const f of s) {
          if (first) {
            media.framesDelivered++;
            if (isMediaFrame(f)) media.delivered++;
            if (slowReader) await clock.sleep(20);
          } else if (isMediaFrame(f)) teeSecondBranch++;
        }
      } catch { /* cancelled */ }
    };
    const [a, b] = transport.readable.tee();
    Promise.all([drain(a, true), drain(b, false)]).then(() => {
      inboundDone = true;
      if (teeSecondBranch !== media.delivered) {
        problems.push(
          `tee: first branch ${media.delivered} media frames, second ${teeSecondBranch}`,
        );
      }
    });
  } else if (inbound === "relock") {
    (async () => {
      try {
        for (;;) {
          const reader = transport.readable.getReader();
          const { done, value } = await reader.read();
          reader.releaseLock();
          if (value !== undefined) media.framesDelivered++;
          if (value !== undefined && isMediaFrame(value)) media.delivered++;
          if (done) break;
          if (slowReader) await clock.sleep(20);
          try {
            transport.receive(() => {});
            problems.push("receive after readable did not throw");
          } catch (e) {
            if (!(e instanceof TypeError)) problems.push(`receive after readable threw ${e}`);
          }
        }
        inboundDone = true;
      } catch (e) {
        problems.push(`relock loop threw ${e}`);
      }
    })();
  } else {
    (async () => {
      try {
        for await (const f of transport.readable) {
          media.framesDelivered++;
          if (isMediaFrame(f)) media.delivered++;
          if (slowReader) await clock.sleep(20);
        }
      } catch { /* cancelled */ }
      inboundDone = true;
    })();
  }

  let writer: WritableStreamDefaultWriter<Frame> | undefined;
  let writerStopped = false; // abort/close called on the writable, by us
  let writerErrored = false;
  const audio = (): Frame & { type: "audio" } => {
    const bytes = r.pick([0, 1, 3, 2, 320, 640, 641, 1000, 6400, 320_000, r.int(4000) * 2]);
    const responseId = r.pick([undefined, "a", "b", "c"]);
    const audio = new Uint8Array(bytes).fill(1 + (bytes % 7));
    // Sometimes an explicit `responseId: undefined`, as a JavaScript caller may write it.
    return { type: "audio", audio, sampleRate: rate, channels: 1, responseId } as Frame & {
      type: "audio";
    };
  };
  const lateEnd = r.chance(0.8);
  let twilioStarted = false;
  let marks = 0;
  let prevStats = transport.stats;
  const heldLimit = heldLimitFor(kind);
  // Numbered Twilio media count up from here.
  let chunk = 0;
  /** The client closed right behind a hole, while nothing else was ending the session. */
  let closedBehindHole = false;
  const twilioMedia = (n: number) =>
    JSON.stringify({
      event: "media",
      streamSid: "MZ1",
      media: {
        track: "inbound",
        chunk: String(n),
        timestamp: String((n - 1) * 20),
        payload: MULAW_20MS,
      },
    });

  /** Twilio's start: the stream MZ1 begins (the platform far end's marks name it). */
  const sendTwilioStart = () => {
    twilioStarted = true;
    pair.client.send(
      JSON.stringify({
        event: "start",
        streamSid: "MZ1",
        start: { streamSid: "MZ1", callSid: "CA1", accountSid: "AC1" },
      }),
    );
  };
  /**
   * A Twilio media message, after the stream's start: Twilio sends its `start` before any media
   * ("Media Streams - WebSocket Messages"), and the serializer drops media before it.
   */
  const sendTwilioMedia = (message: string) => {
    if (!twilioStarted) sendTwilioStart();
    sendMedia(() => pair.client.send(message));
  };

  /** Up to `packets` media messages at once (`sendMedia` may send none); the number tried. */
  const callerSpeaks = (packets: number): number => {
    let spoken = 0;
    for (; spoken < Math.min(packets, 50) && pair.client.readyState === 1; spoken++) {
      if (kind === "twilio") sendTwilioMedia(twilioMedia(++chunk));
      // A far end that stopped its stream and streams on (see "client audio after its stop").
      else if (platform?.stopped && platform.endsStream) {
        sendMedia(() => platform.sendMediaAfterStop(), true);
      } else if (platform !== undefined) sendMedia(() => platform.sendMedia());
      else sendMedia(() => pair.client.send(new Uint8Array(640)));
    }
    return spoken;
  };

  /** The far end ends its stream and speaks on, once, where its stop ends the stream. */
  const stopThenSpeak = async () => {
    if (platform === undefined || !platform.endsStream || platform.stopped) return undefined;
    platform.sendStop();
    const spoken = callerSpeaks(1 + faultChoices.int(3));
    await settle();
    return `client stop, then the caller speaks ${spoken}`;
  };

  for (let i = 0; i < ops; i++) {
    let op = r.int(112);
    // The ending operations (82..90) only late in the run, in most seeds.
    if (op >= 82 && op < 90 && lateEnd && i < ops * 0.8) op = 60 + (op % 15);
    let desc: string;
    if (speaksAfterStop && op >= 82 && op < 90) {
      const done = await stopThenSpeak();
      if (done !== undefined) log.push(`${i}@${clock.now()}: ${done}`);
    }
    if (decodesLate && op >= 82 && op < 90) {
      // Words still being decoded as the session begins to end (see "The end" below).
      log.push(`${i}@${clock.now()}: the caller speaks ${callerSpeaks(1 + inboundChoices.int(4))}`);
      await settle();
    }
    if (op < 25) {
      const f = audio();
      desc = `send audio ${f.audio.length} ${f.responseId}`;
      account(f);
      sent.direct++;
      if (f.audio.length % 2 !== 0) sent.malformed++;
      track(desc, transport.send(f));
    } else if (op < 38) {
      const f = audio();
      desc = `write audio ${f.audio.length} ${f.responseId}`;
      if (writer === undefined && !writerStopped) {
        try {
          writer = transport.writable.getWriter();
          writer.closed.catch(() => (writerErrored = true));
        } catch (e) {
          problems.push(`getWriter threw ${e}`);
        }
      }
      if (writer !== undefined && !writerStopped && !writerErrored) {
        account(f);
        sent.written++;
        track(desc, writer.write(f).catch(() => {}));
      } else desc += " (skipped)";
    } else if (op < 45) {
      desc = "mark";
      sent.direct++;
      track(desc, transport.send({ type: "mark", name: `m${marks++}` }));
    } else if (op < 55) {
      desc = "interrupt";
      const ip = transport.interrupt();
      track(desc, ip);
      ip.then((res) => {
        if (
          !(res.heardMs >= 0) || !(res.droppedMs >= 0) ||
          !Number.isFinite(res.heardMs + res.droppedMs)
        ) {
          problems.push(`interrupt result ${JSON.stringify(res)}`);
        }
      });
    } else if (op < 58) {
      desc = "interrupt x2";
      track(desc, transport.interrupt());
      track(desc, transport.interrupt());
    } else if (op < 60) {
      desc = "send interruption frame";
      sent.direct++;
      track(desc, transport.send({ type: "interruption" }));
    } else if (op < 75) {
      const ms = r.pick([0, 1, 10, 20, 50, 100, 300, 1000]);
      desc = `tick ${ms}`;
      if (callerStreams && ms >= 20) desc += ` (caller speaks ${callerSpeaks(ms / 20)})`;
      await clock.tick(ms);
    } else if (op < 78) {
      desc = `startResponse ${transport.startResponse(r.pick([undefined, "a", "b", "x"]))}`;
    } else if (op < 80) {
      desc = "message";
      sent.direct++;
      track(desc, transport.send({ type: "message", message: { i }, urgent: r.chance(0.5) }));
    } else if (op < 82) {
      desc = "client audio";
      if (pair.client.readyState === 1) {
        if (kind === "twilio" && !twilioStarted && r.chance(0.5)) {
          desc = "twilio start";
          sendTwilioStart();
        } else if (kind === "twilio") {
          sendTwilioMedia(
            JSON.stringify({ event: "media", streamSid: "MZ1", media: { payload: "/////w==" } }),
          );
        } else if (platform !== undefined) {
          // Drawn for the platform kinds alone, so that the other kinds' seeds replay as before.
          const x = r.next();
          if (x < 0.2) {
            desc = "client control";
            platform.sendControl(r.int(8));
          } else if (x < 0.25) {
            desc = "client stop";
            platform.sendStop();
          } else if (platform.stopped && platform.endsStream) {
            // A far end that breaks its own end of stream: its audio goes on after its stop.
            desc = "client audio after its stop";
            sendMedia(() => platform.sendMediaAfterStop(), true);
          } else {
            sendMedia(() => platform.sendMedia());
          }
        } else sendMedia(() => pair.client.send(new Uint8Array(640)));
      }
      if (r.chance(0.2)) {
        desc += " stall";
        pair.client.stall();
      } else if (r.chance(0.4)) {
        desc += " resume";
        pair.client.resume();
      }
    } else if (op < 84) {
      desc = "writer.abort";
      if (writer !== undefined && !writerStopped) {
        writerStopped = true;
        ending = true;
        track(desc, writer.abort("fuzz").catch(() => {}));
      }
    } else if (op < 86) {
      desc = "writer.close";
      if (writer !== undefined && !writerStopped) {
        writerStopped = true;
        ending = true;
        track(desc, writer.close().catch(() => {}));
      }
    } else if (op < 87) {
      desc = "transport.close";
      ending = true;
      track(desc, transport.close());
    } else if (op < 88) {
      desc = "client close";
      if (pair.client.readyState === 1) pair.client.close(1000, "bye");
      ending = true;
    } else if (op < 89) {
      desc = "send end";
      written.endSilence = endSilenceMs * rate / 500;
      ending = true;
      sent.direct++;
      track(desc, transport.send({ type: "end" }));
    } else if (op < 90) {
      desc = "send cancel";
      ending = true;
      sent.direct++;
      track(desc, transport.send({ type: "cancel" }));
    } else if (op < 93) {
      desc = "writer.releaseLock";
      if (writer !== undefined && !writerStopped) {
        writer.releaseLock();
        writer = undefined;
      }
    } else if (op < 96) {
      desc = "read playback";
    } else if (op < 97 && connecting && !opened) {
      desc = "open";
      openNow();
      await platform?.handshake();
    } else if (op < 98) {
      desc = "client terminate";
      if (r.chance(0.3)) {
        pair.client.terminate();
        ending = true;
        desc += " (done)";
      }
    } else if (op < 100) {
      desc = "settle";
      await settle();
    } else if (op < 104) {
      desc = listeners.add();
    } else if (op < 105) {
      desc = listeners.remove();
    } else if (op < 106) {
      desc = listeners.abort();
    } else if (op < 109) {
      const m = malformedFrame(r);
      desc = `malformed ${m.what}`;
      if (m.typed) sent.direct++;
      sent.malformed++;
      try {
        const result = transport.send(m.frame);
        if (result !== undefined) problems.push(`op ${i}: send(${desc}) returned a promise`);
      } catch (e) {
        problems.push(`op ${i}: send(${desc}) threw ${e}`);
      }
    } else if (op < 110) {
      desc = "media hole";
      if (kind === "twilio" && pair.client.readyState === 1) {
        // Chunk n + 2 missing: the reorder window holds n + 3 and n + 4 behind the hole.
        for (const n of [chunk + 1, chunk + 3, chunk + 4]) {
          sendTwilioMedia(twilioMedia(n));
        }
        chunk += 4;
        if (r.chance(0.5)) {
          desc += " then client close";
          const before = endBegun() ? -1 : botCloses;
          ending = true;
          pair.client.close(1000, "bye");
          // The messages and the close arrive before the fuzzer's next operation can end it; a
          // receive handler closing on one of them leaves the rest unread, as it may.
          await settle();
          // A failing listener ends the session too (1011), whenever its report lands.
          if (before === botCloses && listeners.firstFailure === undefined) closedBehindHole = true;
        }
      } else desc += " (skipped)";
    } else {
      desc = errorListener ? "add error listener" : "add the first error listener, late";
      if (errorListener) listeners.addErrorListener(r.chance(0.5));
      else addErrorListener();
    }
    log.push(`${i}@${clock.now()}: ${desc}`);
    const stats = transport.stats;
    for (
      const p of [
        ...checkPlayback(transport.playback),
        ...checkStatsStep(prevStats, stats, heldLimit),
      ]
    ) {
      problems.push(`op ${i}: ${p}`);
    }
    prevStats = stats;
  }

  // The end: close from here, and give it a bounded (fake) time to settle.
  if (r.chance(0.5)) pair.client.resume();
  ending = true;
  const stoppedAtTheEnd = speaksAfterStop ? await stopThenSpeak() : undefined;
  if (stoppedAtTheEnd !== undefined) log.push(`end: ${stoppedAtTheEnd}`);
  // Where decodes answer late, the caller's last words are still being decoded as the session
  // closes: never read (the far end answers the close at once), read after the bot's frames
  // ended (it answers late: the close reads on meanwhile), or read on after its own close.
  if (decodesLate) {
    const lastWords = 1 + inboundChoices.int(6);
    const closer = inboundChoices.pick(["answers", "answers late", "far end closes"] as const);
    let desc = `end: the caller speaks ${callerSpeaks(lastWords)}, ${closer}`;
    await settle(); // they reach the transport: a closing socket dispatches nothing more
    if (closer === "answers late") pair.client.answersClose = false;
    else if (closer === "far end closes" && pair.client.readyState === 1) {
      pair.client.close(1000, "bye");
      await settle();
    } else desc += " (skipped)";
    log.push(desc);
  }
  const closeP = transport.close();
  for (let t = 0; t < 100 && closedValue === undefined; t++) await clock.tick(100);
  if (closedValue === undefined) problems.push("closed did not settle within 10 s fake");
  await clock.tick(5000);
  await clock.tick(60_000);
  await settle();
  let closeDone = false;
  closeP.then(() => (closeDone = true));
  await settle();
  if (!closeDone) problems.push("close() promise did not settle");
  // The errors held for want of a listener go to the next one; after it, nothing is held.
  addErrorListener();
  listeners.addErrorListener();
  await settle();
  let heardLate = 0;
  transport.addEventListener("error", () => heardLate++);
  await settle();
  if (heardLate > 0) problems.push(`${heardLate} errors still held after a listener was added`);
  problems.push(...listeners.problems);
  const heard = [...listeners.heard];
  problems.push(...checkDecodeErrorsHeard(heard, transport.stats));
  const failure = listeners.firstFailure;
  if (failure !== undefined && !failure.endBegun) {
    const closed = closedValue as TransportClosed | undefined;
    const otherFatal = heard.some((e) => e.fatal && !e.message.includes(FUZZ_FAILURE));
    const code = closedWith ?? closed?.code;
    // A socket that never opened carries no close code: the session ends as it did not open.
    const neverOpened = !openedInSession;
    if (code !== 1011 && !neverOpened && !otherFatal && transport.stats.errorsUnheard === 0) {
      problems.push(
        `listener ${failure.at} failed before the end, socket closed with ${closedWith}, ` +
          `closed ${JSON.stringify(closed)}`,
      );
    }
    const reported = heard.some((e) =>
      e.code === "application" && e.message.includes(FUZZ_FAILURE)
    );
    if (!reported && transport.stats.errorsUnheard === 0 && !otherFatal) {
      problems.push(`listener ${failure.at} failed, no "application" error reported`);
    }
  }
  if (!inboundDone) problems.push(`inbound consumer (${inbound}) not done after close`);
  if (writer !== undefined && !writerStopped) {
    let ready = false;
    writer.ready.then(() => (ready = true), () => (ready = true));
    await settle();
    if (!ready) problems.push("writer.ready pending after close");
  }
  for (const p of promises) if (!p.settled) problems.push(`unsettled promise: ${p.what}`);
  const stats = transport.stats;
  problems.push(...checkStatsStep(prevStats, stats, heldLimit));
  problems.push(...checkFinalStats(stats, written));
  problems.push(...checkSpeakingEvents(events));
  problems.push(...checkInboundMedia(stats, media, ledger?.tally(stats.messagesIn)));
  const refusalsHeard =
    heard.filter((e) => e.code === "encode" && !e.message.includes("no message for a")).length;
  problems.push(...checkFramesAndErrors(stats, sent, refusalsHeard));
  if (closedBehindHole) {
    // Late decodes may outlast the read-on after the far end's close, cut short by its bound
    // (`closeTimeoutMs`) or by a later end (the socket dropped, the bot's close): what is read
    // after it or never is dropped, counted, and weighed exactly by `checkInboundMedia`.
    const cut = decodesLate
      ? stats.inboundMessagesDroppedOnClose + stats.inboundFramesDroppedOnClose
      : 0;
    // A `finish` that threw (a planted fault) lost the media held behind the hole with it.
    const lostInFinish = ledger?.tally(stats.messagesIn).mediaLostInFinish ?? 0;
    const accounted = media.delivered + stats.inboundAudioFramesDropped + stats.inboundMediaLate +
      stats.inboundMediaDuplicates + stats.inboundAfterEnd + stats.decodeErrors + cut +
      lostInFinish;
    // Media the client sent that the server's socket dropped unread (it had begun closing: the
    // session timed out meanwhile, say) never reached the transport: what arrived is weighed.
    if (accounted < media.arrived) {
      problems.push(
        `media held behind a hole lost at the close: arrived ${media.arrived}, frames in ${media.delivered} ` +
          `(dropped ${stats.inboundAudioFramesDropped} late ${stats.inboundMediaLate} dup ${stats.inboundMediaDuplicates} ` +
          `after end ${stats.inboundAfterEnd} decode errors ${stats.decodeErrors})`,
      );
    }
  }
  if (clock.pendingTimers !== 0) {
    problems.push(`pending timers after close: ${clock.pendingTimers}`);
  }
  const pb = transport.playback;
  if (pb.speaking || pb.queuedMs !== 0) problems.push(`playback after close ${JSON.stringify(pb)}`);
  const fatal = heard.map((e) => `${e.code}:${e.message}`).filter((e) =>
    (e.startsWith("application") || e.includes("TypeError")) && !e.includes(FUZZ_FAILURE)
  );
  if (fatal.length > 0) problems.push(`errors: ${fatal.join(" | ")}`);
  const config = `kind ${kind} acks ${acks} connecting ${connecting} bigQueue ${bigQueue} ` +
    `endSilenceMs ${endSilenceMs} chunkMs ${chunkMs} fixedPacket ${fixedPacket} lastPacket ${lastPacket} ` +
    `sessionTimeoutMs ${sessionTimeoutMs} inactivityTimeoutMs ${inactivityTimeoutMs} errorListenerEarly ${errorListenerEarly} ` +
    `inbound ${inbound} decodesLate ${decodesLate} interruptFromListener ${interruptFromListener} closeFromListener ${closeFromListener} ` +
    `closed ${JSON.stringify(closedValue)}`;
  const covered = {
    listenerFailed: failure !== undefined,
    closedBehindHole,
    malformed: sent.malformed,
    media,
    blobsRead,
  };
  return { seed, kind, config, log, events, problems, stats, covered };
}

/** A failing session as text: seed, config, problems, then the operation log and events. */
export function formatFailure(result: SessionResult, ops: number): string {
  return [
    `seed ${result.seed} (replay: deno run -A tests/fuzz/surface_operations.ts --seed ${result.seed} --ops ${ops} --kind ${result.kind})`,
    `  ${result.config}`,
    ...result.problems.map((p) => `  problem: ${p}`),
    ...result.log.map((l) => `    ${l}`),
    `  events: ${result.events.join(",")}`,
    `  stats: ${JSON.stringify(result.stats)}`,
  ].join("\n");
}

/**
 * Runs seeds `first`..`first + seeds - 1`; returns the failing sessions, and what escaped to the
 * runtime meanwhile (an uncaught exception, an unhandled rejection: tests/_escaping.ts), which
 * names its seed where it comes from a fuzzed listener. Checked a batch of seeds at a time, as it
 * takes a macrotask (real time) to see.
 */
export async function fuzzSurface(
  options: { seeds: number; ops: number; first?: number; kind?: Kind | undefined },
): Promise<{ failed: SessionResult[]; escaped: string[] }> {
  const failed: SessionResult[] = [];
  const escaped: string[] = [];
  const first = options.first ?? 1;
  const end = first + options.seeds;
  for (let batch = first; batch < end; batch += ESCAPE_BATCH) {
    escaped.push(
      ...(await escaping(async () => {
        for (let seed = batch; seed < Math.min(end, batch + ESCAPE_BATCH); seed++) {
          const result = await runSession(seed, options.ops, options.kind);
          if (result.problems.length > 0) failed.push(result);
        }
      })).map((e) => `seen by seed ${Math.min(end, batch + ESCAPE_BATCH) - 1}: ${e}`),
    );
  }
  return { failed, escaped };
}

/** Seeds run between two looks at what escaped. */
const ESCAPE_BATCH = 100;

/** The command line: `--help` lists it. */
const COMMAND: FuzzCommand = {
  name: "surface_operations",
  usage: "deno run -A tests/fuzz/surface_operations.ts [flags]",
  about: "Plays seeded random operations on the transport's public surface and checks the " +
    "invariants at the top of surface_operations.ts; exits 1 on any failure or escape.",
  flags: {
    kind: {
      value: "K",
      says: `every session over one serializer: ${KINDS.join(", ")} (default: mixed by the seed)`,
    },
    seeds: { value: "N", says: "how many seeds (default 300)" },
    ops: { value: "N", says: "operations a session (default 50)" },
    first: { value: "N", says: "the first seed, to go on from another run (default 1)" },
    seed: { value: "N", says: "this one seed alone (a replay)" },
    verbose: { says: "with --seed: print the session (operations, events), failed or not" },
  },
};

async function main(args: string[]): Promise<number> {
  const flags = readFlags(args, COMMAND);
  if ("exit" in flags) return flags.exit as number;
  const value = (name: string) => flags[name] as string | undefined;
  const kind = value("kind") as Kind | undefined;
  if (kind !== undefined && !KINDS.includes(kind)) {
    console.error(`--kind must be one of ${KINDS.join(", ")}`);
    return 2;
  }
  const ops = Number(value("ops") ?? 50);
  const seed = value("seed");
  const first = seed !== undefined ? Number(seed) : Number(value("first") ?? 1);
  const seeds = seed !== undefined ? 1 : Number(value("seeds") ?? 300);
  if (flags.verbose && seed === undefined) {
    // As the simulate CLI refuses a flag that would change nothing: it prints one session only.
    console.error("surface_operations: --verbose needs --seed (it prints one session)");
    return 2;
  }
  const started = performance.now();
  if (seed !== undefined && flags.verbose) {
    let result: SessionResult | undefined;
    const escaped = await escaping(async () => void (result = await runSession(first, ops, kind)));
    console.log(formatFailure(result!, ops));
    for (const e of escaped) console.log(`escaped: ${e}`);
    return result!.problems.length > 0 || escaped.length > 0 ? 1 : 0;
  }
  const { failed, escaped } = await fuzzSurface({ seeds, ops, first, kind });
  for (const result of failed) console.log(formatFailure(result, ops) + "\n");
  for (const e of escaped) console.log(`escaped: ${e}`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `${failed.length} of ${seeds} seeds failed (${ops} ops, kind ${
      kind ?? "mixed"
    }, ${seconds} s)` +
      (failed.length > 0 ? `: ${failed.map((f) => f.seed).join(", ")}` : "") +
      (escaped.length > 0 ? `; ${escaped.length} escaped` : ""),
  );
  return failed.length > 0 || escaped.length > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
