/**
 * {@linkcode CallRecorder}: a recording of a call as it was heard, caller and bot on one
 * timeline, streamed as WAV.
 *
 * @module
 */

import { BYTES_PER_SAMPLE, durationMs } from "../audio/pcm.ts";
import { RESAMPLER_RATES } from "../audio/resampler.ts";
import { type Clock, systemClock } from "../clock.ts";
import type { TransportClosed } from "../events.ts";
import type { AudioFrame } from "../frames.ts";
import type {
  InboundPacketInfo,
  InterruptionInfo,
  ObservedSession,
  OutboundAudioInfo,
  OutboundDroppedInfo,
  PlayoutHoldInfo,
  PlayoutLagInfo,
  PlayoutMoveInfo,
  SessionObserver,
} from "../session_observer.ts";
import { BotTrack } from "./_bot_track.ts";
import { CallerTrack, type RecordingTimeline } from "./_caller_track.ts";
import { SampleRing } from "./_sample_ring.ts";
import { WavOutput } from "./_wav_output.ts";
import { thrownText } from "../_thrown_text.ts";
import { kindOf, shownValue } from "../_kind_of.ts";
import { expectMethods } from "../transport_options.ts";

/**
 * How a {@linkcode CallRecorder} lays out the two parties: `"stereo"` (caller left, bot right),
 * `"mono"` (both mixed, with saturation), or `"separate"` (a mono stream each).
 */
export type RecordingLayout = "stereo" | "mono" | "separate";

/** Options for {@linkcode CallRecorder}. */
export interface CallRecorderOptions {
  /**
   * The recording's sample rate; audio of other rates is resampled to it. One of 8000, 12000,
   * 16000, 22050, 24000, 32000, 44100, 48000, 96000 or 192000 (`RESAMPLER_RATES`).
   *
   * @default {16000}
   */
  sampleRate?: number;
  /**
   * Stereo (caller left, bot right), mono (mixed), or two separate mono streams.
   *
   * @default {"stereo"}
   */
  layout?: RecordingLayout;
  /**
   * How long audio is held before it is written out, in ms: long enough for late inbound audio
   * to land in its place, for an interruption to cut what the caller never heard and for an
   * acknowledgement to move the bot's audio where the far end played it (the far end's buffer
   * and one acknowledgement interval). Memory is about this much audio, plus what the far end
   * buffers ahead. At most 60,000 (more is a `RangeError`): the recorder makes room for it when
   * it is made, and a slip of units (seconds given as ms) would claim gigabytes there.
   *
   * @default {1000}
   */
  holdMs?: number;
  /**
   * How far the reader may fall behind, in ms of audio, before blocks are dropped (counted in
   * {@linkcode CallRecorder.stats}, silence in their place); a sink that stalls cannot make the
   * recorder hold the call. What it holds when the recording ends (`holdMs`) is written out
   * whole, at once: no reader can have kept up with that. So is a write-out that finds nothing
   * waiting (after a pause in the call's events, all that was held, many blocks at once). Any
   * finite value: nothing is set aside for it, the backlog takes memory only as the reader lags.
   *
   * @default {30000}
   */
  maxBufferedMs?: number;
  /**
   * For inbound audio without media timestamps: an arrival this much later than the end of the
   * audio so far (the caller's client stopped sending) starts a new stretch after silence; less
   * is arrival jitter, and the audio is laid end to end. At most 60,000: caller audio may run this
   * far ahead of its arrival, and the recording holds a minute ahead (more is a `RangeError`).
   *
   * @default {1000}
   */
  callerGapMs?: number;
  /**
   * The transport's clock. The recording's timeline starts when the recorder is made (without
   * this option, when it is observed), or with the first audio it is given if that was spoken
   * earlier, and ends when the session closes or {@linkcode CallRecorder.stop} is called.
   *
   * @default {transport.clock} the observed transport's, from `transport.observe(recorder)` on,
   * which starts the timeline afresh (`systemClock` until then).
   */
  clock?: Clock;
}

/** What a {@linkcode CallRecorder} has done so far. */
export interface RecordingStats {
  /** Milliseconds of recording written out (silence in place of dropped blocks included). */
  durationMs: number;
  /**
   * Milliseconds of audio that arrived after its place had been written out (not recorded), and
   * of the bot's audio the far end played later than placed, moved only once its place had been
   * written out (recorded where first placed, not where heard), or cut by an interruption told
   * only once it was written out (recorded, though the caller never heard it); and of the bot's
   * audio sent while the far end held its playout (`playoutHeld`) with 30 s of it held already (a
   * reply sent on into a PAUSE_MEDIA that outlasted the transport's `sendTimeoutMs`: not
   * recorded).
   */
  lateMs: number;
  /**
   * Milliseconds of recording dropped because the reader fell too far behind, each written as
   * silence so the rest keeps its place (layout "separate": both streams' added).
   */
  droppedMs: number;
  /**
   * Milliseconds of caller audio that came faster than real time and found no place in the call's
   * time (not recorded): written over by newer audio placed where it arrived, or still ahead of
   * the call when it ended.
   */
  overrunMs: number;
  /**
   * Milliseconds of the call after the recording reached the most a WAV header can count (4 GiB
   * of PCM: 6.2 hours of 48 kHz stereo, 18.6 of the default 16 kHz stereo): the recording ended
   * there, its stream closed with a true header, and the call went on unrecorded this long (until
   * it ended, or so far). 0 for a recording that never reached it.
   */
  pastLimitMs: number;
}

/** Commits wait for at least this much audio, and write at most this much in one block. */
const MIN_COMMIT_MS = 100;
const MAX_BLOCK_MS = 1000;
/** How far ahead of the hold bound outbound audio may be placed (the far end's buffer). */
const MAX_AHEAD_MS = 60_000;
/**
 * The longest `holdMs`: far more than any far end buffers, and the rings are made for it at once
 * (with a minute, 16 MB at 48 kHz; with an hour, gigabytes).
 */
const MAX_HOLD_MS = 60_000;
/**
 * The most bot audio held back while the far end holds its playout (`playoutHeld`: Asterisk's
 * `PAUSE_MEDIA`), in ms: kept ahead of the write-out, it must fit in the rings' room ahead
 * (`MAX_AHEAD_MS`) with the audio placed after it. The transport sends `sendAheadMs` past the
 * hold and no more, until its hold's bound (`sendTimeoutMs`) sends on into it: a reply that goes
 * on into an hour's pause would hold it all. Past this much held, the chunks that come are not
 * recorded, counted late (see `BotTrack.hold`).
 */
const MAX_HELD_MS = 30_000;

/**
 * Records a call as it was heard: a {@linkcode SessionObserver} (`transport.observe(recorder)`)
 * that writes WAV to a `ReadableStream<Uint8Array>`, the caller and the bot on the call's real
 * timeline.
 *
 * - **Caller** audio goes where it was spoken: by the provider's media timestamps where the
 *   protocol has them (late audio lands in its place, lost audio is silence — the transport fills
 *   the gaps), laid end to end from its arrival otherwise.
 * - **Bot** audio goes where the far end played it (`playsAt`, the pacing estimate corrected by
 *   acknowledgements): an interruption cuts it where the caller stopped hearing it, pauses are
 *   silence, and audio dropped as stale never appears (it was never sent). Background audio
 *   mixed in by the transport is in it too, as the caller heard it.
 *
 * **Memory** stays bounded however long the call: audio is held `holdMs` (and what the far end
 * buffers ahead) until nothing can change it, then written out; a reader that falls
 * `maxBufferedMs` behind loses blocks (counted, silence in their place) rather than growing the
 * queue.
 *
 * **One per call**: observed by a second session, during the first or after it, it throws a
 * `TypeError` from that `transport.observe(recorder)`, and the first call's recording goes on.
 * Observed twice by its own session, it records each event once. Detached (the function
 * `observe` returned) it is told nothing, and the call goes on silent in the recording until it
 * is observed again, {@linkcode stop} is called, or the session ends (`transport.closed`), which
 * ends the recording all the same.
 *
 * **The WAV header.** The stream starts with a header whose sizes are 0xFFFFFFFF ("until the end
 * of the data"), which FFmpeg, browsers and sox read to the end: safe for a `Response` body or an
 * upload that cannot seek back. {@linkcode wavHeader} gives the true header at any time: write it
 * over the first 44 bytes when the sink can seek (a file), once the stream has ended. A header
 * counts at most 4 GiB of PCM (6.2 hours of 48 kHz stereo): a recording that reaches that ends
 * there, the rest of the call counted in `stats.pastLimitMs`.
 *
 * @example Record a call, and check the WAV
 * ```ts
 * import { CallRecorder, RawPcmSerializer, WebSocketTransport } from "@x/ws-transport";
 * import { FakeClock, MemorySocketPair } from "@x/ws-transport/testing";
 * import assert from "node:assert/strict";
 *
 * const clock = new FakeClock();
 * const { server, client } = new MemorySocketPair();
 * const transport = new WebSocketTransport(server, {
 *   serializer: new RawPcmSerializer(),
 *   audioIn: { sampleRate: 16000 },
 *   audioOut: { sampleRate: 16000, chunkMs: 20 },
 *   clock,
 * });
 * const recorder = new CallRecorder({ clock, sampleRate: 16000 });
 * transport.observe(recorder);
 * const wav = new Response(recorder.readable).arrayBuffer();
 *
 * for (let i = 0; i < 50; i++) { // one second of the caller, 20 ms at a time
 *   await clock.tick(20);
 *   client.send(new Uint8Array(640).fill(1));
 * }
 * client.close(1000);
 * await transport.closed;
 * const bytes = new Uint8Array(await wav);
 * assert.equal(bytes.length, 44 + 16000 * 4); // stereo, 16-bit: one second
 * const samples = new Int16Array(bytes.buffer, 44);
 * assert.deepEqual([samples[0], samples[1]], [257, 0]); // the caller left, the (silent) bot right
 * // For a sink that can seek: the header with the true sizes, to write over the first 44 bytes.
 * assert.equal(new DataView(recorder.wavHeader().buffer).getUint32(40, true), 16000 * 4);
 * ```
 */
export class CallRecorder implements SessionObserver {
  #clock: Clock;
  /** A `clock` was given, or taken from the first session observed: it is kept. */
  #clockFixed: boolean;
  readonly #rate: number;
  readonly #layout: RecordingLayout;
  readonly #holdMs: number;
  /** When the recorder was made; the timeline starts then, or with the first audio if earlier. */
  #madeAt: number;
  #origin: number;
  #started = false;
  readonly #callerRing: SampleRing;
  readonly #botRing: SampleRing;
  readonly #caller: CallerTrack;
  readonly #bot: BotTrack;
  readonly #outputs: WavOutput[];
  readonly #timeline: RecordingTimeline;
  readonly #minCommit: number;
  readonly #maxBlock: number;
  #stopped = false;
  /**
   * The last write-out (`stop`): what was held is kept whole, whatever the reader's backlog
   * (`WavOutput.startWriteOut`). It is written at once, so no reader can have kept up with it.
   */
  #final = false;
  /** Clock time where the recording reached the WAV size limit and ended (NaN: it did not). */
  #limitAt = NaN;
  /** Clock time the call ended, or `stop()` was called, after that (NaN: not yet). */
  #limitEndedAt = NaN;
  /**
   * The session it records (the first observed): another is refused. Held weakly, so that a
   * recorder kept after its call (for its header, its stats) does not keep the session too.
   */
  readonly #recorded = new WeakSet<ObservedSession>();
  #observed = false;

  /**
   * Makes a recorder; its timeline starts now. Throws a `RangeError` naming a bad option (a
   * `TypeError` for options, or a `clock`, that are not the kind of object they must be).
   */
  constructor(options: CallRecorderOptions = {}) {
    // By kind, as the transport's and simulateCall's options are: without a type checker (plain
    // JavaScript, `any`) `clock: {}` failed as "clock.now is not a function" and `clock: null` as
    // a read of null, naming no option, and a string given for the options was taken as none.
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`CallRecorder options must be an object, got ${kindOf(options)}`);
    }
    // `now` is all the recorder reads of it (a clock of the transport's kind has more).
    expectMethods(options.clock, "clock", ["now"], "a Clock");
    const {
      sampleRate = 16000,
      layout = "stereo",
      holdMs = 1000,
      maxBufferedMs = 30_000,
      callerGapMs = 1000,
      clock = systemClock,
    } = options;
    this.#clockFixed = options.clock !== undefined;
    if (!RESAMPLER_RATES.includes(sampleRate)) {
      throw new RangeError(
        `sampleRate must be one of ${RESAMPLER_RATES.join(", ")}, got ${shownValue(sampleRate)}`,
      );
    }
    if (layout !== "stereo" && layout !== "mono" && layout !== "separate") {
      throw new RangeError(`layout must be "stereo", "mono" or "separate", got ${kindOf(layout)}`);
    }
    atMost(holdMs, MAX_HOLD_MS, "holdMs");
    nonNegative(maxBufferedMs, "maxBufferedMs");
    // Placed further ahead than the rings hold, audio would push the recording out early.
    atMost(callerGapMs, MAX_AHEAD_MS, "callerGapMs");
    this.#clock = clock;
    this.#rate = sampleRate;
    this.#layout = layout;
    this.#holdMs = holdMs;
    this.#madeAt = this.#origin = clock.now();
    const perMs = sampleRate / 1000;
    this.#timeline = {
      sampleAt: (ms) => Math.round((ms - this.#origin) * perMs),
      timeAt: (sample) => this.#origin + sample / perMs,
    };
    this.#minCommit = Math.round(MIN_COMMIT_MS * perMs);
    // A block no larger than the reader may fall behind, so one never exceeds the bound alone.
    this.#maxBlock = Math.round(
      Math.min(MAX_BLOCK_MS, Math.max(MIN_COMMIT_MS, maxBufferedMs)) * perMs,
    );
    const capacity = Math.ceil((holdMs + MIN_COMMIT_MS + 2000) * perMs);
    const maxCapacity = Math.ceil((holdMs + MIN_COMMIT_MS + MAX_AHEAD_MS) * perMs);
    // Room must be made up to that point exactly: nothing is held back for a resampler there.
    const makeRoom = (to: number) => this.#commit(to - this.#callerRing.maxCapacity, true);
    this.#callerRing = new SampleRing(capacity, maxCapacity, makeRoom);
    this.#botRing = new SampleRing(capacity, maxCapacity, makeRoom);
    this.#caller = new CallerTrack(this.#callerRing, sampleRate, this.#timeline, callerGapMs);
    this.#bot = new BotTrack(this.#botRing, sampleRate, this.#timeline, holdMs, MAX_HELD_MS);
    const channels = layout === "stereo" ? 2 : 1;
    const maxBytes = Math.ceil(maxBufferedMs * perMs) * channels * BYTES_PER_SAMPLE;
    const onCancel = () => {
      if (this.#outputs.every((output) => output.done)) this.#end();
    };
    this.#outputs = Array.from(
      { length: layout === "separate" ? 2 : 1 },
      () => new WavOutput({ sampleRate, channels }, maxBytes, onCancel),
    );
  }

  /**
   * The recording (layouts "stereo" and "mono"). Throws a `TypeError` with layout "separate":
   * read {@linkcode caller} and {@linkcode bot} instead.
   */
  get readable(): ReadableStream<Uint8Array> {
    if (this.#layout === "separate") {
      throw new TypeError('layout "separate" records two streams: read `caller` and `bot`');
    }
    return this.#outputs[0]!.readable;
  }

  /** The caller's mono recording (layout "separate"; a `TypeError` otherwise). */
  get caller(): ReadableStream<Uint8Array> {
    return this.#separate("caller").readable;
  }

  /** The bot's mono recording (layout "separate"; a `TypeError` otherwise). */
  get bot(): ReadableStream<Uint8Array> {
    return this.#separate("bot").readable;
  }

  /**
   * The 44-byte WAV header for what has been written so far: once the recording has ended, the
   * true header to write over the first 44 bytes of a file. After the stream errored or was
   * cancelled, it counts what its reader was given. With layout "separate", name the
   * stream (`"caller"` or `"bot"`; another name, or none, is a `TypeError`).
   */
  wavHeader(stream?: "caller" | "bot"): Uint8Array {
    if (this.#layout !== "separate") {
      if (stream !== undefined) {
        throw new TypeError(`layout "${this.#layout}" records one stream, not "${stream}"`);
      }
      return this.#outputs[0]!.header();
    }
    if (stream === undefined) {
      throw new TypeError('layout "separate" records two streams: name "caller" or "bot"');
    }
    return this.#separate(stream).header();
  }

  /** What has been recorded, and what could not be. */
  get stats(): RecordingStats {
    // With layout "separate" both streams are one length (a dropped block is silence in its
    // place), and each loses blocks on its own: the losses are added. One cancelled stops there
    // while the other is read on: the longer is what was written out.
    const late = this.#caller.late + this.#bot.late;
    let writtenMs = 0;
    let droppedMs = 0;
    for (const { dataBytes, droppedBytes, byteRate } of this.#outputs) {
      writtenMs = Math.max(writtenMs, dataBytes * 1000 / byteRate);
      droppedMs += droppedBytes * 1000 / byteRate;
    }
    const limitEnd = Number.isNaN(this.#limitEndedAt) ? this.#clock.now() : this.#limitEndedAt;
    return {
      durationMs: writtenMs,
      lateMs: (late * 1000) / this.#rate,
      droppedMs,
      overrunMs: (this.#caller.overrun * 1000) / this.#rate,
      pastLimitMs: Number.isNaN(this.#limitAt) ? 0 : limitEnd - this.#limitAt,
    };
  }

  /**
   * Whether the recording has ended (the session closed, {@linkcode stop}, its reader cancelled,
   * or the WAV size limit: see {@linkcode RecordingStats.pastLimitMs}).
   */
  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * Ends the recording now: what is held is written out (bot audio the far end has not played
   * by now is left out) and the streams end. Later events are ignored.
   */
  stop(): void {
    if (this.#stopped) return this.#pastLimitEnds();
    this.#final = true;
    this.#run(() => {
      const now = this.#clock.now();
      this.#caller.close(this.#timeline.sampleAt(now));
      this.#bot.close(now);
      this.#commit(this.#timeline.sampleAt(now));
    });
    this.#end();
    for (const output of this.#outputs) output.close();
    this.#pastLimitEnds(); // its own last write-out may have reached the limit
  }

  /** Ended at the WAV size limit (see `#commit`): the call going on unrecorded ends now. */
  #pastLimitEnds(): void {
    if (!Number.isNaN(this.#limitAt) && Number.isNaN(this.#limitEndedAt)) {
      this.#limitEndedAt = this.#clock.now();
    }
  }

  /**
   * Takes the observed session's clock when no `clock` was given (a {@linkcode SessionObserver}
   * method): every time the transport tells is on it, and the recorder's own `now` must be too.
   * The timeline starts afresh, now on that clock. A recorder that has placed audio, or has
   * taken a session's clock already, keeps the one it has.
   *
   * @throws {TypeError} when another session is, or was, observed: a recorder records one call
   * (that one's recording goes on undisturbed), even once it has ended. Its own session again is
   * not refused: after a detach it goes on (and observed twice, a transport tells it once).
   */
  observing(session: ObservedSession): void {
    if (this.#observed && !this.#recorded.has(session)) {
      // Two calls' audio would be laid into one track, and the first to end would end the
      // recording for the other: refused where the mistake is made, the first call untouched.
      throw new TypeError(
        "CallRecorder: observed by a second session (one recorder per call: make one for each)",
      );
    }
    if (!this.#observed) {
      // An observer hears the session's end only while it observes: detached (the function
      // `observe` returned), the recorder would wait for stop() past its call, and its reader
      // with it. The transport's `closed` ends it then, if it is not over by then.
      const { closed } = session;
      if (closed instanceof Promise) void closed.then((end) => this.closed(end));
    }
    this.#observed = true;
    this.#recorded.add(session);
    if (this.#clockFixed || this.#started || this.#stopped) return;
    this.#clockFixed = true;
    this.#clock = session.clock;
    this.#madeAt = this.#origin = session.clock.now();
  }

  /** Places an inbound frame (a {@linkcode SessionObserver} method). */
  inboundAudio(frame: AudioFrame, receivedAt: number): void {
    if (this.#stopped || frame.audio.length === 0) return;
    this.#run(() => {
      // The first frame covers the time just before it arrived: the timeline starts with it.
      this.#start(receivedAt - durationMs(frame.audio.length, frame));
      this.#caller.push(frame, receivedAt);
      this.#advance(receivedAt);
    });
  }

  /**
   * Takes note of a new inbound stream (a {@linkcode SessionObserver} method: a provider's `start`
   * again on the same socket), whose media time counts from 0 anew: its first frame is placed at
   * its arrival, not by the old stream's media time.
   */
  inboundPacket(packet: Readonly<InboundPacketInfo>): void {
    if (this.#stopped || !packet.streamStart) return;
    this.#caller.newStream();
  }

  /** Places an outbound chunk where the far end plays it (a {@linkcode SessionObserver} method). */
  outboundAudio(chunk: AudioFrame, info: OutboundAudioInfo): void {
    if (this.#stopped || chunk.audio.length === 0) return;
    this.#run(() => {
      this.#start(info.playsAt);
      this.#bot.push(chunk, info);
      this.#advance(info.sentAt);
    });
  }

  /**
   * Moves the bot's audio not yet written out to where the far end plays it, by the corrected
   * lag (a {@linkcode SessionObserver} method); a stretch partly written out stays whole where it
   * is (the far end played it back to back), unless the lag grew by more than a chunk (a stall).
   */
  playoutLag(info: PlayoutLagInfo): void {
    if (this.#stopped) return;
    this.#run(() => this.#bot.relag(info.changeMs, info.at));
  }

  /**
   * Moves the bot's audio from a position on to where the far end plays it, later than it was
   * told: the turn that sent it ran long (a {@linkcode SessionObserver} method).
   */
  playoutMoved(info: PlayoutMoveInfo): void {
    if (this.#stopped) return;
    this.#run(() => this.#bot.moved(info.position, info.playsAt));
  }

  /**
   * Holds the bot's audio back while the far end holds its playout, and lets it go as it plays on
   * (a {@linkcode SessionObserver} method): none of it is written out inside the pause, and the
   * move as it plays on places it where it played (see `BotTrack.hold` for the bound).
   */
  playoutHeld(info: PlayoutHoldInfo): void {
    if (this.#stopped) return;
    this.#run(() => info.held ? this.#bot.hold(info.position) : this.#bot.playsOn());
  }

  /** Cuts the bot's audio where the caller stopped hearing it (a {@linkcode SessionObserver} method). */
  interrupted(info: InterruptionInfo): void {
    if (this.#stopped) return;
    this.#run(() => this.#bot.cut(info.heardPosition));
  }

  /**
   * Erases the bot's audio that was dropped before it left, never heard (a
   * {@linkcode SessionObserver} method).
   */
  outboundDropped(info: OutboundDroppedInfo): void {
    if (this.#stopped) return;
    this.#run(() => this.#bot.cut(info.position));
  }

  /** Ends the recording (a {@linkcode SessionObserver} method). */
  closed(_closed: TransportClosed): void {
    this.stop();
  }

  /**
   * The recording is over: later events are ignored, and the audio buffers and resamplers are let
   * go (a recorder kept for its header or stats holds none of the call's audio, nor its filters).
   */
  #end(): void {
    this.#stopped = true;
    this.#callerRing.release();
    this.#botRing.release();
    this.#caller.release();
    this.#bot.release();
  }

  /** Fixes the timeline's start before the first audio is placed: now, or `at` if earlier. */
  #start(at: number): void {
    if (this.#started) return;
    this.#started = true;
    if (at < this.#madeAt) this.#origin = at;
  }

  #separate(stream: "caller" | "bot"): WavOutput {
    if (this.#layout !== "separate") {
      throw new TypeError(`layout "${this.#layout}" records one stream: read \`readable\``);
    }
    // Named by a caller without a type checker (`wavHeader("left")`), any other name was taken
    // for "bot": the bot's header, written over the caller's file, said nothing was wrong.
    if (stream !== "caller" && stream !== "bot") {
      throw new TypeError(`the stream must be "caller" or "bot", got ${kindOf(stream)}`);
    }
    return this.#outputs[stream === "caller" ? 0 : 1]!;
  }

  /** Writes out what is older than `holdMs`, once there is enough of it. */
  #advance(now: number): void {
    const target = this.#timeline.sampleAt(now - this.#holdMs);
    if (target - this.#callerRing.base >= this.#minCommit) this.#commit(target);
  }

  /**
   * Writes out every sample before `to`; short of it, by a resampler's delay at most, where a
   * stretch's held-back samples go there (unless `exactly`: room must be made).
   */
  #commit(to: number, exactly = false): void {
    const ready = Math.min(this.#caller.settle(to), this.#bot.settle(to));
    if (!exactly) to = ready;
    while (this.#callerRing.base < to) {
      const count = Math.min(to - this.#callerRing.base, this.#maxBlock, this.#roomFrames());
      if (count > 0) {
        this.#write(count);
        continue;
      }
      // The WAV is as long as its header can count: the recording ends here (the step over, see
      // `#run`), a stream of exactly that with a true header, and the rest of the call is counted
      // (`pastLimitMs`). Written on past it, the file's true header disowned all that followed,
      // uncounted. The rings still move on: room was asked for (`exactly`), and is made.
      if (Number.isNaN(this.#limitAt)) this.#limitAt = this.#timeline.timeAt(this.#callerRing.base);
      const rest = to - this.#callerRing.base;
      this.#callerRing.advance(rest);
      this.#botRing.advance(rest);
    }
  }

  /** The sample frames every stream still being read can take (see `WavOutput.roomFrames`). */
  #roomFrames(): number {
    let room = Infinity; // a loop, not a mapped array: asked at every block written out
    for (const output of this.#outputs) room = Math.min(room, output.roomFrames);
    return room;
  }

  /** Writes out the next `count` samples of both parties. */
  #write(count: number): void {
    const caller = this.#callerRing;
    const bot = this.#botRing;
    // Silence goes as a count, never as bytes: it takes none of the reader's backlog, and is
    // never dropped for it (counted in `droppedMs`, it said audio was lost where none was).
    const callerSilent = caller.silent(count);
    const botSilent = bot.silent(count);
    const outputs = this.#outputs;
    if (this.#layout === "separate") {
      emit(outputs[0]!, caller, count, callerSilent);
      emit(outputs[1]!, bot, count, botSilent);
      return;
    }
    const output = outputs[0]!;
    const stereo = this.#layout === "stereo";
    const bytes = count * (stereo ? 2 : 1) * BYTES_PER_SAMPLE;
    if ((callerSilent && botSilent) || !output.fits(bytes)) {
      if (callerSilent && botSilent) output.pushSilence(bytes);
      else output.drop(bytes);
      caller.advance(count);
      bot.advance(count);
      return;
    }
    const samples = new Int16Array(stereo ? 2 * count : count);
    caller.take(count, samples, 0, stereo ? 2 : 1, false);
    if (stereo) bot.take(count, samples, 1, 2, false);
    else bot.take(count, samples, 0, 1, true);
    output.push(new Uint8Array(samples.buffer));
  }

  /**
   * Runs a step; an error (audio that cannot be recorded) ends the recording with it. What a step
   * writes out is one write-out (`WavOutput.startWriteOut`), however many commits it takes: the
   * reader has no turn between them. Judged per commit, a frame after a pause of over a minute,
   * which makes room (a commit) and then writes out (another), found the first's blocks waiting,
   * and a reader that kept up lost the end of the held audio with `maxBufferedMs` 0.
   */
  #run(step: () => void): void {
    for (const output of this.#outputs) output.startWriteOut(this.#final);
    try {
      step();
    } catch (error) {
      // Called on the transport's own path: never throw there. The reader gets the error.
      this.#end();
      const failure = error instanceof Error ? error : new Error(thrownText(error));
      for (const output of this.#outputs) output.error(failure);
    }
    if (!Number.isNaN(this.#limitAt) && !this.#stopped) {
      // At the WAV size limit (see `#commit`): ended once the step is done with the rings.
      this.#end();
      for (const output of this.#outputs) output.close();
    }
  }
}

/**
 * Writes `count` samples of `ring` to `output` (mono), or silence, or drops them (counted) where
 * they do not fit the reader's backlog.
 */
function emit(output: WavOutput, ring: SampleRing, count: number, silent: boolean): void {
  const bytes = count * BYTES_PER_SAMPLE;
  if (silent || !output.fits(bytes)) {
    if (silent) output.pushSilence(bytes);
    else output.drop(bytes);
    ring.advance(count);
    return;
  }
  const samples = new Int16Array(count);
  ring.take(count, samples, 0, 1, false);
  output.push(new Uint8Array(samples.buffer));
}

function nonNegative(value: number, name: string): void {
  // `Number.isFinite` takes no string ("500" >= 0 is true): a number of the wrong kind is refused.
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${shownValue(value)}`);
  }
}

function atMost(value: number, max: number, name: string): void {
  nonNegative(value, name);
  if (value > max) throw new RangeError(`${name} must be at most ${max}, got ${value}`);
}
