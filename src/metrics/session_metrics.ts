/**
 * {@linkcode SessionMetrics}: what a voice session's quality was — the network, the pacing, how
 * fast the bot answered and how fast it stopped when talked over.
 *
 * @module
 */

import {
  type AddOptions,
  type AnyListener,
  ListenerGuards,
  reportError,
} from "../_guarded_listeners.ts";
import { durationMs } from "../audio/pcm.ts";
import type { Clock } from "../clock.ts";
import type { TransportError } from "../errors.ts";
import type { AudioFrame } from "../frames.ts";
import type { PlaybackState, SpeakingEvent } from "../playback.ts";
import type {
  InboundPacketInfo,
  InterruptionInfo,
  OutboundAudioInfo,
  PlayoutHoldInfo,
  SessionObserver,
} from "../session_observer.ts";
import type {
  SpeechDetector,
  SpeechDetectorOptions,
  SpeechEvent,
} from "../streams/speech_detector.ts";
import type { TransportStats } from "../transport_stats.ts";
import { BargeInMeter } from "./_barge_ins.ts";
import { DurationHistogram } from "./_histogram.ts";
import { INSTRUMENTS, summaryLine } from "./_instruments.ts";
import { InterarrivalJitter } from "./_interarrival_jitter.ts";
import { TurnMeter } from "./_turns.ts";
import { UnderrunMeter } from "./_underruns.ts";
import { MetricEvent } from "./metric_event.ts";
import type { MetricInstrument, SessionMetricsSnapshot } from "./session_metrics_snapshot.ts";
import { SessionSummaryEvent } from "./session_summary_event.ts";
import { heldWeakly } from "../_session_link.ts";
import { shownValue } from "../_kind_of.ts";
import { resolveMetricsOptions } from "./_metrics_options.ts";

/** What {@linkcode SessionMetrics} needs of a transport (a `WebSocketTransport` fits). */
export interface MeteredTransport extends EventTarget {
  /**
   * Tells `observer` what happens on the session; returns a function that stops it. A barge-in
   * is measured once its interruption is told (`interrupted`, after its "speakingstop"); one
   * that never is, at its "speakingstop", as more come or measuring stops.
   */
  observe(observer: SessionObserver): () => void;
  /** The session's counters. */
  readonly stats: TransportStats;
  /** The session's time source (a `WebSocketTransport` has one). */
  readonly clock?: Clock;
  /**
   * Ends the session with `code`: a "metric" or "summary" listener that throws ends it with 1011
   * (a `WebSocketTransport` has it).
   */
  close?(code?: number, reason?: string): Promise<void>;
}

/** Options for {@linkcode SessionMetrics.attach}. */
export interface SessionMetricsOptions {
  /**
   * Find the caller's turns with a speech detector on the inbound audio (`true`, or its
   * options), or leave it to the bot ({@linkcode SessionMetrics.callerSpeechStarted},
   * {@linkcode SessionMetrics.callerTurnEnded}; `false`, which costs nothing per frame).
   *
   * @default {true}
   */
  speech?: boolean | SpeechDetectorOptions;
  /**
   * A chunk counts as late when it left more than this many ms after it was due: its pacing
   * deadline, or when it was written if that is later (a source that speaks in real time writes
   * each chunk after its slot began: its own pace is not the transport's delay).
   *
   * @default {5}
   */
  lateAfterMs?: number;
  /**
   * The time source.
   *
   * @default {transport.clock} the transport's own (`systemClock` for a transport without one).
   */
  clock?: Clock;
}

/** The events of {@linkcode SessionMetrics}, by name. */
export interface SessionMetricsEventMap {
  /** A duration measured: a turn's latency, a barge-in's stop latency, a late chunk. */
  metric: MetricEvent;
  /** The session ended: the final figures, and a line for the log. */
  summary: SessionSummaryEvent;
}

/** What measuring needs and the final figures do not (see `SessionMetrics.#meters`). */
interface Meters {
  readonly lateness: DurationHistogram;
  readonly underruns: UnderrunMeter;
  readonly turns: DurationHistogram;
  /** The turns' latencies, as `turnMeter` measures them. */
  readonly turnMeter: TurnMeter;
  /** The barge-ins' stop latencies, as `bargeInMeter` measures them. */
  readonly bargeIns: DurationHistogram;
  readonly bargeInMeter: BargeInMeter;
}

/** What the meters tell as they measure. */
interface MeterListeners {
  /** A turn's latency measured. */
  answered(latencyMs: number): void;
  /** A turn found whose answer was let go: too late to measure. */
  turnLost(): void;
  /** A barge-in's stop latency measured. */
  bargedIn(latencyMs: number): void;
  /** A barge-in found too late to measure. */
  bargeInLost(): void;
}

/** The meters, each figure handed to `listeners` as it is measured. */
function newMeters(
  { answered, turnLost, bargedIn, bargeInLost }: MeterListeners,
): Meters {
  const underruns = new UnderrunMeter();
  return {
    lateness: new DurationHistogram(),
    underruns,
    turns: new DurationHistogram(),
    turnMeter: new TurnMeter(answered, turnLost),
    bargeIns: new DurationHistogram(),
    bargeInMeter: new BargeInMeter(underruns, bargedIn, bargeInLost),
  };
}

/**
 * Per-session metrics, attached to a transport with {@linkcode SessionMetrics.attach} (a session
 * without them pays nothing). They measure:
 *
 * - **inbound jitter** as RFC 3550 §6.4.1 defines it, from each packet's arrival and media
 *   times, where the serializer gives both: J += (|D| − J) / 16 for each packet in the order
 *   packets arrived, D the change in transit time (arrival − media time) from the packet that
 *   arrived before it. The telephony serializers tell every packet as it arrives
 *   (`SessionObserver.inboundPacket`), those their reorder stage then drops (duplicates, too
 *   late for its window) too, as RFC 3550 takes every packet received; a serializer that tells
 *   none is measured from its frames' `timestampMs` as they come, which hold only what it handed
 *   on. A lost packet adds nothing; a reordered one adds its own transit difference. The
 *   reorder stage's wait for a missing packet and the silence it fills are not the network's,
 *   and count for nothing; a new stream (a provider's `start` again) has no difference from the
 *   old one's packets;
 * - **outbound lateness**: chunks sent more than `lateAfterMs` after they were due (their pacing
 *   deadline, or when written if later), and how late (count, p50, p95, max);
 * - **underruns**: times the bot's speech ran dry at the far end in the middle of a response, by
 *   the playout estimate (`OutboundAudioInfo.playsAt`), and for how long in all: a chunk of the
 *   response that plays more than 0.5 ms after the audio before it ends (its source slower than
 *   real time, the sender stalled longer than its lead). The silence between responses, or after
 *   an interruption, is none, nor a hold of the far end's playout the bot asked for (Asterisk's
 *   `PAUSE_MEDIA` … `CONTINUE_MEDIA`: `SessionObserver.playoutHeld`); background audio filling
 *   the far end's time leaves none. A tagged response is one across its spells; untagged audio,
 *   until the bot falls silent;
 * - **turn latency**: from the end of the caller's turn — found by a speech detector on the
 *   inbound audio, or marked by the bot ({@linkcode callerTurnEnded}) — to the bot's first
 *   audible audio after it ("speakingstart"); speech that ends while the bot is audible, the bot
 *   playing on (a backchannel: "uh-huh"), is no turn, neither measured nor counted;
 * - **barge-in stop latency**: from the caller starting to talk while the bot was speaking to
 *   its "speakingstop" with reason "interrupted" — where the interruption's clear waited (behind
 *   an urgent message answered later, or answered later itself), to when it left, or the far end
 *   ran out of what it was sent before (the position `SessionObserver.interrupted` says was
 *   heard, as `interrupt()`'s `heardMs` does), measured then; a response stopped as it resumes
 *   after a pause the caller began talking in is a barge-in too, of 0 ms (the bot stopped before
 *   the caller heard it over their own voice); a response the far end held at the bot's request
 *   (Asterisk's `PAUSE_MEDIA`) and the bot then interrupted stopped for the caller as the hold
 *   began;
 * - the transport's **reorder, gap, drop, interruption and send-pause counters**
 *   (`transport.stats`), and the audio sent that a hold of the far end's playout the bot asked for
 *   left unplayed at the session's end.
 *
 * Read them any time with {@linkcode snapshot} (plain data: JSON as it is), listen for "metric"
 * events (each duration as it is measured) and "summary" (once, at the end, with a logfmt line).
 * {@linkcode SessionMetrics.instruments} maps every figure onto an OpenTelemetry-style instrument:
 * name, kind, unit. A listener here is session code as the transport's own are: one that throws
 * (or an async one that rejects) ends the session with 1011, an "application" error on the
 * transport's "error" event — after the session's end (a "summary" listener), the error event
 * alone — and never reaches the runtime as an uncaught exception.
 *
 * @example A bot that answers 400 ms after the caller's turn
 * ```ts
 * import { SessionMetrics, WebSocketTransport } from "@x/ws-transport";
 * import { FakeClock, MemorySocketPair } from "@x/ws-transport/testing";
 * import assert from "node:assert/strict";
 *
 * const clock = new FakeClock();
 * const { server, client } = new MemorySocketPair();
 * const transport = new WebSocketTransport(server, { audioOut: { sampleRate: 16000 }, clock });
 * const metrics = SessionMetrics.attach(transport, { speech: false, clock });
 * let line = "";
 * metrics.addEventListener("summary", (event) => (line = event.line));
 *
 * await clock.tick(1000);
 * metrics.callerTurnEnded(); // the bot's speech recognizer says the caller is done
 * await clock.tick(400);
 * transport.send({
 *   type: "audio",
 *   audio: new Uint8Array(3200),
 *   sampleRate: 16000,
 *   channels: 1,
 *   responseId: "r1",
 * });
 * await clock.tick(500);
 * assert.equal(metrics.snapshot().turnLatency.last, 400);
 * client.close(1000);
 * await transport.closed;
 * assert.match(line, /turns=1 turn_p50_ms=400 /);
 * ```
 */
export class SessionMetrics extends EventTarget {
  /**
   * Every figure as an OpenTelemetry-style instrument: counters take the session's totals from
   * the "summary" event, gauges the last value, histograms each "metric" event of their name.
   */
  static readonly instruments: readonly MetricInstrument[] = INSTRUMENTS;

  /**
   * Starts measuring `transport`'s session now; returns the metrics.
   *
   * @throws {TypeError} when `transport`, the options, `clock` or `speech` (or its `onLevel`) is
   * not the kind of thing it must be (naming it: `speech.onLevel`), before anything is observed.
   * @throws {RangeError} naming a bad number: `lateAfterMs`, or an option of `speech` by its path,
   * `speech.minSpeechMs` (see {@linkcode SpeechDetectorOptions}).
   */
  static attach(transport: MeteredTransport, options: SessionMetricsOptions = {}): SessionMetrics {
    return new SessionMetrics(transport, options);
  }

  /** The transport measured, until measuring stops ({@linkcode detach}, the session's end). */
  #transport: MeteredTransport | undefined;
  /**
   * The transport once measuring has stopped, held weakly: metrics kept for their final figures
   * (a dashboard of recent calls) must not keep the ended session, its socket and queues, with
   * them. A listener failing after (an async "summary" listener) still reaches it while anyone
   * holds it, and no one else could hear of it once it is gone.
   */
  #stoppedTransport: { deref(): MeteredTransport | undefined } | undefined;
  /** Each listener of ours behind a guard: one that throws is reported on the transport. */
  readonly #guards = new ListenerGuards((error) => this.#listenerFailed(error), "SessionMetrics");
  readonly #clock: Clock;
  readonly #lateAfterMs: number;
  /** Let go when measuring stops, as the meters are. */
  #detector: SpeechDetector | undefined;
  readonly #startedAt: number;
  #endedAt: number | undefined;
  #final: SessionMetricsSnapshot | undefined;
  #unobserve: (() => void) | undefined;
  // Inbound.
  #frames = 0;
  #inboundMs = 0;
  readonly #jitter = new InterarrivalJitter();
  /**
   * Whether the serializer tells packets as they arrive (`inboundPacket`): jitter is then measured
   * from them alone, not from the frames, which leave out what its reorder stage dropped.
   */
  #packetsTold = false;
  /** The media time of the last frame measured (see `#inbound`). */
  #frameMs = 0;
  readonly #speech: SpeechEvent[] = [];
  // Outbound.
  #chunks = 0;
  #outboundMs = 0;
  /** Where the outbound audio told of ends on the timeline (see `#dropped`). */
  #outboundEnd = 0;
  /**
   * Where the first outbound audio told of since the attach begins on the timeline (Infinity:
   * none yet): what was told before it was never counted here (see `#dropped`).
   */
  #outboundStart = Infinity;
  /**
   * The histograms and the underrun ring, until measuring stops: then let go, so that metrics
   * kept after their session (a dashboard of recent calls) hold their final figures alone, a few
   * KB, not the meters that made them (the ring is 21 KB, a histogram's buckets 4 KB).
   */
  #meters: Meters | undefined = newMeters({
    answered: (latencyMs) => this.#answered(latencyMs),
    turnLost: () => void this.#turnsUnmeasured++,
    bargedIn: (latencyMs) => this.#bargedIn(latencyMs),
    bargeInLost: () => void this.#bargeInsUnmeasured++,
  });
  /**
   * Barge-ins found whose stop latency could not be measured: the caller's speech told after 16
   * newer interruptions no speech had claimed, its own let go (`BargeInMeter`).
   */
  #bargeInsUnmeasured = 0;
  // Turns.
  /** Turns answered whose latency could not be measured (see `TurnMeter`). */
  #turnsUnmeasured = 0;
  /**
   * The spell that went before, if it played out (reason "played"): its response and `sentMs`. A
   * tagged response that goes on after it counts that in its `heardMs` (README, "Playback and
   * barge-in": its `heardMs` and `sentMs` count all of its spells). Not the event: it holds the
   * transport (its `target`), which metrics kept after their session must not.
   */
  #playedOut: { responseId: string | undefined; sentMs: number } | undefined;
  /**
   * Whether `#playedOut` is known: from the transport's `playback` at the attach (a
   * `WebSocketTransport`'s), or the first "speakingstop" since. Until then a tagged spell may go on
   * from spells played before the attach, which its `heardMs` counts, by how much not known here.
   */
  #playedOutKnown = false;
  /**
   * The clock's time last told to the turn meter, and the latest told to the barge-in meter (a
   * hold's time and a speech's start among them): a spell's start placed before it would read there as a step back of
   * the clock (`TurnMeter`, `BargeInMeter`), and is placed there instead (see `#spellStart`).
   */
  #turnToldAt = -Infinity;
  #bargeToldAt = -Infinity;
  /** When the caller's latest speech told began (-Infinity: none yet; see `#onSpeakingStop`). */
  #speechAt = -Infinity;

  private constructor(transport: MeteredTransport, options: SessionMetricsOptions) {
    super();
    const { detector, lateAfterMs, clock } = resolveMetricsOptions(transport, options);
    this.#transport = transport;
    this.#clock = clock;
    this.#lateAfterMs = lateAfterMs;
    this.#startedAt = clock.now();
    this.#detector = detector;
    this.#unobserve = transport.observe({
      inboundAudio: (frame, at) => this.#inbound(frame, at),
      inboundPacket: (packet) => this.#arrived(packet),
      outboundAudio: (chunk, info) => this.#outbound(chunk, info),
      playoutLag: (info) => this.#meters?.underruns.lagChanged(info.changeMs),
      playoutMoved: (info) => {
        this.#meters?.bargeInMeter.audible(info.playsAt);
        this.#meters?.underruns.moved(info);
      },
      playoutHeld: (info) => this.#held(info),
      interrupted: (info) => this.#cutTold(info),
      outboundDropped: (info) => this.#dropped(info.position),
      closed: () => this.#end(),
    });
    transport.addEventListener("speakingstart", this.#onSpeakingStart);
    transport.addEventListener("speakingstop", this.#onSpeakingStop);
    // Attached in a pause of a tagged response, its next spell counts those before in its
    // `heardMs` (see `#heardInSpell`): the response that last played, as the transport says.
    const playback = (transport as { readonly playback?: PlaybackState }).playback;
    if (playback !== undefined && !this.#playedOutKnown) {
      this.#playedOutKnown = true;
      if (!playback.speaking) {
        this.#playedOut = { responseId: playback.responseId, sentMs: playback.sentMs };
      } else {
        // Attached while a reply plays: speech ending over it is judged by it, a backchannel if
        // it plays on (tests/metrics/turn_backchannel_attached_mid_spell_test.ts).
        this.#meters!.turnMeter.playingAtAttach(playback.responseId);
      }
    }
  }

  /**
   * The caller began to speak (at clock time `at`, by default now): for a bot that finds turns
   * itself. A turn that had ended before it is taken back (the caller goes on), one told late
   * too. Speech that began while the bot was audible, before an interruption, measures that
   * barge-in, even told after it. After {@linkcode detach} (or the session's end) it does
   * nothing. A time still to come from before a step back of the clock is before everything told
   * since, and takes back no turn; any other is taken as now (see {@linkcode callerTurnEnded}); a
   * barge-in takes it as now.
   *
   * @throws {RangeError} when `at` is not a finite number.
   */
  callerSpeechStarted(at?: number): void {
    const told = this.#checkedTime("callerSpeechStarted", at);
    if (this.#final === undefined) this.#callerSpeechStarted(told.at, told.now);
  }

  /** The caller began to speak at `at`, told at `now` (`at` after it: before a step back). */
  #callerSpeechStarted(at: number, now: number): void {
    const meters = this.#meters;
    if (meters === undefined) return; // measuring stopped
    this.#turnToldAt = now;
    // The barge-in meter keeps the speech's start, not when it was told: a spell's start or stop
    // placed between the two is no step back of the clock there (a detector tells speech
    // `minSpeechMs` late; kept at `now`, a reply that ran out meanwhile was cut at the stop:
    // tests/metrics/turn_heard_review_speech_told_late_test.ts).
    this.#speechAt = Math.min(at, now);
    this.#toldBargeIns(this.#speechAt);
    meters.turnMeter.callerSpeechStarted(at, now);
    meters.bargeInMeter.callerSpeechStarted(this.#speechAt, now);
  }

  /**
   * The caller's turn ended (at clock time `at`, by default now): the bot's next audible audio
   * measures the turn's latency — or the audio it began since, when the end is told late (a
   * speech detector knows only after its `minSilenceMs`): the first it began since `at`, unless
   * the caller's speech told began again before it (the turn taken back: its later end is
   * measured). An end while the bot was audible is a turn only if the bot's spell was cut
   * ("speakingstop" reason "interrupted"): one it played on through (a backchannel: "uh-huh")
   * answered nothing, and is neither measured nor counted. After {@linkcode detach} (or the
   * session's end) it does nothing.
   *
   * A time still to come that the clock had reached before the metrics saw it step back is from
   * before the step, and before everything told since: answered by the bot's first spell since
   * the step, or else its next, measured as if the turn ended when told; any other time still to
   * come (a clock a few ms ahead of ours) is taken as now; and a latency below zero is measured as 0 ms: the `Clock` contract says time
   * never goes backwards, but a custom clock (or `performance.now` read in another worker) may
   * step back between the bot's reading and ours, and a metrics helper must not end a session
   * over it. Nothing is reported or counted: a figure off by a clock's step is no reason to
   * disturb the session (and a time read on another clock altogether, which this cannot always
   * tell from a step, measures as if told then).
   *
   * @throws {RangeError} when `at` is not a finite number (a bug in the caller: a figure made of
   * it would be nonsense).
   */
  callerTurnEnded(at?: number): void {
    const told = this.#checkedTime("callerTurnEnded", at);
    if (this.#final === undefined) this.#callerTurnEnded(told.at, told.now);
  }

  /** The caller's turn ended at `at`, told at `now` (`at` after it: before a step back). */
  #callerTurnEnded(at: number, now: number): void {
    const meters = this.#meters;
    if (meters === undefined) return; // measuring stopped
    this.#turnToldAt = now;
    // The caller's speech is over, by its end (taken as now where it reads as later).
    meters.bargeInMeter.callerTurnEnded(Math.min(at, now), now);
    meters.turnMeter.callerTurnEnded(at, now);
  }

  /**
   * `at` (now when it is left out), and now: the clock is read once, so one that steps back
   * between two reads cannot make the default `at` a time after now. Refuses what would measure
   * nonsense (NaN, an infinity, not a number).
   */
  #checkedTime(method: string, at: number | undefined): { at: number; now: number } {
    const now = this.#clock.now();
    if (at === undefined) return { at: now, now };
    if (typeof at !== "number" || !Number.isFinite(at)) {
      throw new RangeError(`${method}: at must be a finite clock time, got ${shownValue(at)}`);
    }
    return { at, now };
  }

  /** Whether the session is over (the figures are final). */
  get ended(): boolean {
    return this.#endedAt !== undefined;
  }

  /** The figures now (final once the session has ended): plain data. */
  snapshot(): SessionMetricsSnapshot {
    if (this.#final !== undefined) return structuredClone(this.#final);
    const stats = this.#transport!.stats; // measuring: the figures are not final yet
    const { lateness, underruns, turns, bargeIns } = this.#meters!;
    const now = this.#endedAt ?? this.#clock.now();
    return {
      // A clock that stepped back past the attach (see `callerTurnEnded`): 0 ms, not below (a
      // histogram's value, `voice.session.duration`, which OpenTelemetry SDKs drop below zero).
      durationMs: Math.max(0, now - this.#startedAt),
      ended: this.#endedAt !== undefined,
      inbound: {
        frames: this.#frames,
        audioMs: this.#inboundMs,
        jitterMs: this.#jitter.jitterMs,
        maxJitterMs: this.#jitter.maxJitterMs,
        reordered: stats.inboundMediaReordered,
        duplicates: stats.inboundMediaDuplicates,
        late: stats.inboundMediaLate,
        gapsFilled: stats.inboundMediaGapsFilled,
        gapMs: stats.inboundMediaGapMs,
        resyncs: stats.inboundMediaResyncs,
        framesDropped: stats.inboundAudioFramesDropped,
      },
      outbound: {
        chunks: this.#chunks,
        audioMs: this.#outboundMs,
        lateChunks: lateness.count,
        lateness: lateness.summary(),
        underruns: underruns.count,
        underrunMs: underruns.totalMs,
        sendPauses: stats.sendPauses,
        sendPausedMs: stats.sendPausedMs,
        bytesInterrupted: stats.audioBytesInterrupted,
        bytesStale: stats.audioBytesStale,
        textFramesStale: stats.textFramesStale,
        staleResponsesForgotten: stats.staleResponsesForgotten,
        bytesDroppedOnClose: stats.audioBytesDroppedOnClose,
        audioMsUnplayedAtEnd: stats.audioMsUnplayedAtEnd,
      },
      interruptions: stats.interruptions,
      turnLatency: { ...turns.summary(), unmeasured: this.#turnsUnmeasured },
      bargeInStopLatency: { ...bargeIns.summary(), unmeasured: this.#bargeInsUnmeasured },
    };
  }

  /** The figures on one line of `key=value` pairs (logfmt), for a log. */
  summary(): string {
    return summaryLine(this.snapshot());
  }

  /**
   * Stops measuring; the session goes on. The figures so far stay readable, as they were at
   * detach: {@linkcode snapshot} no longer changes.
   */
  detach(): void {
    const transport = this.#transport;
    if (this.#unobserve === undefined || transport === undefined) return;
    this.#unobserve();
    this.#unobserve = undefined;
    transport.removeEventListener("speakingstart", this.#onSpeakingStart);
    transport.removeEventListener("speakingstop", this.#onSpeakingStop);
    // Barge-ins whose cut was never told, before the figures freeze (a listener's detach returns
    // above).
    this.#meters?.bargeInMeter.stopped();
    this.#final = this.snapshot();
    // The figures are final: what made them may go (see `#meters`).
    this.#meters = undefined;
    this.#detector = undefined;
    this.#transport = undefined;
    this.#stoppedTransport = heldWeakly(transport);
  }

  /**
   * Listens for "metric" or "summary" events (see {@linkcode SessionMetricsEventMap}); one that
   * throws ends the session with 1011.
   */
  override addEventListener<K extends keyof SessionMetricsEventMap>(
    type: K,
    listener: (event: SessionMetricsEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Listens for any event. */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(type: string, listener: AnyListener, options?: AddOptions): void {
    super.addEventListener(type, this.#guards.guard(listener), options);
  }

  /** Stops listening: `listener` as it was added (behind its guard, _guarded_listeners.ts). */
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null | ((event: never) => void),
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, this.#guards.guarded(listener), options);
  }

  /**
   * A listener of ours threw: reported on the transport as one of its own listeners would be (a
   * fatal "application" error, 1011, as an "error" event), and the session ended. Fatal as theirs
   * is, and as an observer's: our events come from the transport's observer callbacks and
   * listeners, and a "metric" listener that failed half-way (a lost turn in the bot's telemetry)
   * is a bug that going on would only hide. After the end (a "summary" listener), the "error"
   * event alone, as for a transport's "disconnected" listener. On a `WebSocketTransport` it goes
   * the transport's own error path: held while no "error" listener hears it, as the transport's
   * own errors are (_unheard_errors.ts); another transport is handed it as an "error" event at
   * once. The transport's "error" listeners are guarded by the transport: one that throws on this
   * is the transport's to report, once; nothing comes back here.
   */
  #listenerFailed(error: TransportError): void {
    const transport = this.#transport ?? this.#stoppedTransport?.deref();
    if (transport === undefined) return; // collected: nothing is left to hear of it
    reportError(transport, error);
    if (this.#endedAt === undefined) void transport.close?.(error.closeCode, error.message);
  }

  #inbound(frame: AudioFrame, receivedAt: number): void {
    const ms = durationMs(frame.audio.length, frame);
    this.#frames++;
    this.#inboundMs += ms;
    // From a serializer that tells no packets, the frames as they come: a stream's media time
    // counts from 0, so 0 again after a later one is a new stream. Not where packets are told.
    const { timestampMs } = frame;
    if (timestampMs !== undefined && !this.#packetsTold) {
      this.#jitter.arrived(receivedAt, timestampMs, timestampMs === 0 && this.#frameMs > 0);
      this.#frameMs = timestampMs;
    }
    const detector = this.#detector;
    if (detector === undefined) return;
    const events = this.#speech;
    events.length = 0;
    detector.push(frame, this.#collect);
    if (events.length === 0) return;
    // The frame's audio ends as it arrives: the detector's audio time maps onto the clock so.
    const end = detector.timeMs;
    const now = this.#clock.now();
    for (const event of events) {
      // Heard on the transport's clock: a time after ours is taken as now.
      const at = Math.min(now, receivedAt - (end - event.atMs));
      if (event.type === "speechstart") this.#callerSpeechStarted(at, now);
      else this.#callerTurnEnded(at, now);
    }
  }

  #collect = (event: SpeechEvent): void => void this.#speech.push(event);

  /** A packet as it arrived: read at once (the object is the serializer's, reused). */
  #arrived(packet: Readonly<InboundPacketInfo>): void {
    this.#packetsTold = true;
    this.#jitter.arrived(packet.arrivedAt, packet.mediaMs, packet.streamStart);
  }

  #outbound(chunk: AudioFrame, info: OutboundAudioInfo): void {
    const meters = this.#meters;
    if (meters === undefined) return; // measuring stopped
    meters.bargeInMeter.audible(info.playsAt);
    meters.underruns.chunk(info, chunk.responseId);
    this.#chunks++;
    this.#outboundMs += info.durationMs;
    if (info.position < this.#outboundStart) this.#outboundStart = info.position;
    this.#outboundEnd = info.position + info.durationMs;
    const late = info.sentAt - info.deadline;
    if (late > this.#lateAfterMs) {
      meters.lateness.record(late);
      this.#measured("voice.outbound.lateness", late);
    }
  }

  /**
   * Audio told of from `position` on never left (a partial packet dropped, a chunk refused late,
   * the close): it was not sent, so it comes off the chunks and ms sent, as it comes off
   * `stats.audioBytesSent` (else it counted both as sent and as dropped). A chunk part of which
   * left stays counted, less the part that did not. Lateness stays: the chunk was late all the
   * same. The next audio is told from `position` on. Not what was told before the attach (a
   * packet held across it): it was never counted (it took `voice.outbound.audio` below 0).
   */
  #dropped(position: number): void {
    const meters = this.#meters;
    if (meters === undefined) return; // measuring stopped
    this.#chunks -= meters.underruns.dropped(position);
    const from = Math.max(position, this.#outboundStart);
    this.#outboundMs -= Math.max(0, this.#outboundEnd - from);
    this.#outboundEnd = Math.min(this.#outboundEnd, position);
  }

  // Typed as the runtime's own listener: workerd's and Deno's `Event` types differ.
  #onSpeakingStart: EventListener = (event) => {
    const now = this.#clock.now();
    const start = event as unknown as SpeakingEvent;
    // Audible since `heardMs` of this spell ago: the event may come late (a swept timer, up to
    // 20 ms; a reply whose turn waited for the one before it to stop, that one's end mark
    // unanswered, up to `playoutTimeoutMs`), and the caller heard the reply from its start, not
    // from the event (tests/metrics/turn_heard_late_start_test.ts).
    const heardMs = this.#heardInSpell(start);
    const meters = this.#meters;
    if (meters === undefined) return; // measuring stopped
    const bargeAt = this.#spellStart(now, heardMs, this.#bargeToldAt);
    this.#toldBargeIns(bargeAt);
    meters.bargeInMeter.botStarted(bargeAt, start.responseId);
    const turnAt = this.#spellStart(now, heardMs, this.#turnToldAt);
    this.#turnToldAt = turnAt;
    meters.turnMeter.botStarted(turnAt, start.responseId);
  };

  /**
   * Where a spell heard for `heardMs` as its start is told `now` began, for a meter last told
   * `toldAt`: `heardMs` ago, but not before `toldAt`, which the meter would take for a step back
   * of the clock (a turn's end told meanwhile is answered by the spell as told, as before); now
   * where the clock did step back before it.
   */
  #spellStart(now: number, heardMs: number, toldAt: number): number {
    if (now < toldAt) return now;
    const at = now - heardMs;
    return at > toldAt ? at : toldAt;
  }

  /** The barge-in meter is told of time `at` (see `#bargeToldAt`). */
  #toldBargeIns(at: number): void {
    if (at > this.#bargeToldAt) this.#bargeToldAt = at;
  }

  #onSpeakingStop: EventListener = (event) => {
    const stop = event as unknown as SpeakingEvent;
    this.#playedOutKnown = true;
    // A spell that played out: the response's next spell, if it goes on, counts it in its heardMs.
    this.#playedOut = stop.reason === "played"
      ? { responseId: stop.responseId, sentMs: stop.sentMs }
      : undefined;
    const meters = this.#meters;
    if (meters === undefined) return; // measuring stopped
    const now = this.#clock.now();
    let at = now;
    // Where the caller stopped hearing the bot, for the turn meter: where its speech ran out, if
    // before the stop (one told late, its end mark's answer awaited), else the stop. A turn that
    // ended before it, the bot playing on, was a backchannel, no turn (`TurnMeter.botStopped`);
    // one that ended after is a turn (tests/metrics/turn_backchannel_far_end_test.ts).
    const ranOutAt = meters.underruns.speechStopsAt(this.#outboundEnd);
    const heardTo = ranOutAt < now ? ranOutAt : now; // NaN: not known, the stop
    let told: Pick<SpeakingEvent, "reason" | "responseId"> = stop;
    // An interruption that cut nothing the caller had not heard (`heardMs` all that was sent): the
    // far end may have played all the bot sent before it, the stop late (it waited for an answer
    // to the reply's end mark, `playoutTimeoutMs`, or the quiet time). The caller stopped hearing
    // the bot where its speech ran out: speech begun after that talked over nothing (the reply
    // played out, for the caller), and speech before it was a barge-in measured to there
    // (tests/metrics/turn_heard_late_stop_test.ts). Where the far end plays on (raw PCM), the
    // speech sent runs out later than now: the stop is the cut, as before.
    if (stop.reason === "interrupted" && stop.heardMs >= stop.sentMs) {
      if (ranOutAt < at) { // NaN: not known, the stop as it comes
        // Speech still to come is from before a step back of the clock, before all of this
        // (tests/metrics/turn_heard_review_speech_before_step_test.ts).
        const speechAfter = this.#speechAt > ranOutAt && this.#speechAt <= at;
        if (speechAfter) told = { reason: "played", responseId: stop.responseId };
        else if (ranOutAt >= this.#bargeToldAt) at = ranOutAt; // else: a step back, as told
      }
    }
    this.#toldBargeIns(at);
    meters.bargeInMeter.botStopped(at, told);
    meters.turnMeter.botStopped(heardTo, now, told.reason === "interrupted");
    meters.underruns.fellSilent();
  };

  /**
   * How much of the spell `start` begins the caller had heard as its event came: its `heardMs`,
   * less the spells before it of the same response, where it goes on after one that played out
   * (not below 0: a response begun anew under the same id, after a reply dropped unseen). 0 where
   * the event says nothing usable (a transport of another's making), or the spells before it are
   * not known (see `#playedOutKnown`).
   */
  #heardInSpell(start: SpeakingEvent): number {
    const heardMs = start.heardMs;
    if (!(heardMs > 0) || !Number.isFinite(heardMs)) return 0;
    // Attached in a pause of a tagged response: its spells before, counted in `heardMs`, are not
    // known; taken as begun now, as a spell told on time is (else measured back across the spells
    // before: tests/metrics/turn_heard_review_attached_mid_response_test.ts).
    if (!this.#playedOutKnown && start.responseId !== undefined) return 0;
    const before = this.#playedOut;
    const priorMs = start.responseId !== undefined && before?.responseId === start.responseId
      ? before.sentMs
      : 0;
    return heardMs >= priorMs ? heardMs - priorMs : heardMs;
  }

  /**
   * The far end holds its playout, or plays on (`playoutHeld`): silence the bot asked for, which
   * is no underrun, and where the caller stops hearing a reply interrupted during it.
   */
  #held(info: PlayoutHoldInfo): void {
    this.#toldBargeIns(info.at);
    this.#meters?.bargeInMeter.held(info);
    this.#meters?.underruns.held(info);
  }

  /** A turn's latency measured (see `TurnMeter`). */
  #answered(latencyMs: number): void {
    const meters = this.#meters;
    if (meters === undefined) return; // measuring stopped (a "metric" listener detached)
    meters.turns.record(latencyMs);
    this.#measured("voice.turn.latency", latencyMs);
  }

  /**
   * The transport tells of an interruption's cut (`SessionObserver.interrupted`): what comes next
   * is a new response, and a barge-in that waited for it is measured (see `BargeInMeter.cutTold`).
   */
  #cutTold(info: InterruptionInfo): void {
    const meters = this.#meters;
    if (meters === undefined) return; // measuring stopped
    meters.underruns.interrupted();
    meters.bargeInMeter.cutTold(info);
  }

  #bargedIn(latencyMs: number): void {
    const meters = this.#meters;
    if (meters === undefined) return; // measuring stopped (a "metric" listener detached)
    meters.bargeIns.record(latencyMs);
    this.#measured("voice.barge_in.stop_latency", latencyMs);
  }

  #measured(name: string, value: number): void {
    this.dispatchEvent(new MetricEvent({ name, value, unit: "ms" }));
  }

  #end(): void {
    if (this.#endedAt !== undefined) return;
    this.#endedAt = this.#clock.now();
    this.detach(); // freezes the figures, ended
    const snapshot = this.#final ??= this.snapshot();
    this.dispatchEvent(new SessionSummaryEvent(structuredClone(snapshot), summaryLine(snapshot)));
  }
}
