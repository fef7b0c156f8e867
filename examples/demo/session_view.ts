/**
 * The server's view of one parrot session, as the page shows it: the transport's playback
 * events and state, the parrot's turns, the metrics — as {@linkcode ViewEvent} messages.
 *
 * @module
 */

import type {
  ClockTimer,
  SessionMetrics,
  SpeakingEvent,
  StaleAudioEvent,
  TransportErrorEvent,
  WebSocketTransport,
} from "@x/ws-transport";
import type { ParrotEvent } from "./parrot_bot.ts";
import { positiveMs } from "./_positive_ms.ts";
import type { SentViewEvent, ViewEvent } from "./view_events.ts";

/** Where a view's messages go: the page's event stream. */
export interface ViewSink {
  /**
   * One message (a JSON text); `false` when it was dropped (a viewer that fell behind). The
   * `last` one, "ended", is never dropped: it alone tells the viewer what it missed, and no more
   * come after it.
   */
  send(message: string, last?: boolean): boolean;
  /** The session is over: no more messages. */
  close(): void;
}

/** The transport settings a view reports in "hello". */
export interface ViewSettings {
  /** `audioOut.chunkMs`. */
  chunkMs: number;
  /** `sendAheadMs`. */
  sendAheadMs: number;
  /** `playoutDelayMs`. */
  playoutDelayMs: number;
  /** `markIntervalMs` on a line that acknowledges playout; 0 on one that does not. */
  markIntervalMs: number;
}

/** Options for {@linkcode SessionView}. */
export interface SessionViewOptions {
  /** Which line the session is on. */
  line: "wideband" | "phone";
  /** The transport's settings that "hello" reports (the handler that made it knows them). */
  settings: ViewSettings;
  /** The session's metrics (`SessionMetrics.attach(transport)`). */
  metrics: SessionMetrics;
  /**
   * How often playback state and counters are sent while they change, in ms: a positive, finite
   * number (anything else is a `RangeError`).
   *
   * @default {100}
   */
  progressIntervalMs?: number;
  /**
   * How often the metrics snapshot is sent while it changes, in ms: a positive, finite number
   * (anything else is a `RangeError`).
   *
   * @default {500}
   */
  metricsIntervalMs?: number;
  /**
   * How many messages are kept for a viewer that has not attached yet; past it the oldest go
   * (counted in "progress" and "ended" as `dropped`), never "hello" nor "ended": a whole number,
   * at least 2 (anything else is a `RangeError`).
   *
   * @default {500}
   */
  maxPendingMessages?: number;
}

/** A view message before its time is stamped on it. */
type Untimed<E> = E extends ViewEvent ? Omit<E, "t"> : never;

/** Outbound PCM bytes per ms: the parrot lines send 16 kHz mono PCM16. */
const BYTES_PER_MS = 32;

/**
 * Turns one session's events into {@linkcode ViewEvent} messages for the page: "hello" at once,
 * then the transport's "connected", "speakingstart", "speakingstop", "staleaudio" and "error"
 * events, the parrot's turns ({@linkcode parrot}), the outbound audio as runs of chunks
 * ("sent"), playback state and counters ("progress") and the metrics ("metric", "metrics") as
 * they change, and "ended" last. Messages wait (bounded) until a viewer {@linkcode attach}es.
 * Every message dropped on the way — the oldest kept past `maxPendingMessages`, or one the viewer
 * could not take — is counted, and "progress" and "ended" carry the count (`dropped`). Its one
 * timer stops when the session ends.
 *
 * @example A view of a session that ends at once
 * ```ts
 * import { SessionView } from "./session_view.ts";
 * import { SessionMetrics, WebSocketTransport } from "@x/ws-transport";
 * import { MemorySocketPair } from "@x/ws-transport/testing";
 * import assert from "node:assert/strict";
 *
 * const { server, client } = new MemorySocketPair();
 * const transport = new WebSocketTransport(server, { audioOut: { sampleRate: 16000 } });
 * const metrics = SessionMetrics.attach(transport);
 * const settings = { chunkMs: 40, sendAheadMs: 40, playoutDelayMs: 0, markIntervalMs: 0 };
 * const view = new SessionView(transport, { line: "wideband", metrics, settings });
 * const types: string[] = [];
 * view.attach({ send: (message) => types.push(JSON.parse(message).type) > 0, close() {} });
 * client.close(1000);
 * await view.done;
 * assert.equal(types[0], "hello");
 * assert.equal(types.at(-1), "ended");
 * ```
 */
export class SessionView {
  /** Settles once "ended" has been sent (or kept for a viewer). */
  readonly done: Promise<void>;

  readonly #transport: WebSocketTransport;
  readonly #metrics: SessionMetrics;
  readonly #startedAt: number;
  readonly #progressEvery: number;
  readonly #metricsEvery: number;
  readonly #maxPending: number;
  readonly #timer: ClockTimer;
  readonly #unobserve: () => void;
  #pending: string[] = [];
  /** Messages that never reached a viewer. */
  #dropped = 0;
  #sink: ViewSink | undefined;
  #ended = false;
  #run: (SentViewEvent & { dirty: boolean }) | undefined;
  #lastProgress = "";
  #lastMetrics = "";
  #nextMetricsAt = 0;

  /** Starts viewing `transport`'s session: "hello" is the first message. */
  constructor(transport: WebSocketTransport, options: SessionViewOptions) {
    this.#transport = transport;
    this.#metrics = options.metrics;
    this.#progressEvery = positiveMs("progressIntervalMs", options.progressIntervalMs ?? 100);
    this.#metricsEvery = positiveMs("metricsIntervalMs", options.metricsIntervalMs ?? 500);
    const maxPending = options.maxPendingMessages ?? 500;
    // Fewer than "hello" and "ended" would drop one of them; NaN or Infinity would bound nothing.
    if (!(Number.isInteger(maxPending) && maxPending >= 2)) {
      throw new RangeError(
        `maxPendingMessages must be a whole number, at least 2, got ${maxPending}`,
      );
    }
    this.#maxPending = maxPending;
    this.#startedAt = transport.clock.now();
    this.#emit({
      type: "hello",
      line: options.line,
      ...options.settings,
      acknowledged: options.settings.markIntervalMs > 0,
    });
    transport.addEventListener("connected", this.#onConnected);
    transport.addEventListener("speakingstart", this.#onSpeaking);
    transport.addEventListener("speakingstop", this.#onSpeaking);
    transport.addEventListener("staleaudio", this.#onStale);
    transport.addEventListener("error", this.#onError);
    options.metrics.addEventListener("metric", this.#onMetric);
    this.#unobserve = transport.observe({
      outboundAudio: (chunk, info) => this.#sent(chunk.responseId ?? null, info),
    });
    this.#timer = transport.clock.timer(() => this.#tick());
    this.#timer.arm(this.#progressEvery);
    this.done = transport.closed.then((closed) => {
      this.#tick();
      this.#flushRun();
      this.#stop();
      // Room for "ended" first: the message it displaces is one of those it counts.
      this.#keepRoom();
      this.#emit({
        type: "ended",
        code: closed.code,
        reason: closed.reason,
        initiator: closed.initiator,
        summary: this.#metrics.summary(),
        snapshot: this.#metrics.snapshot(),
        dropped: this.#dropped,
      }, true);
      this.#ended = true;
      this.#sink?.close();
    });
  }

  /** Whether the session is over ("ended" is the last message). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Sends the messages so far, then each as it comes, to `sink`; after "ended", closes it. */
  attach(sink: ViewSink): void {
    this.#sink = sink;
    const pending = this.#pending;
    this.#pending = [];
    // Once the session is over the last message kept is its "ended".
    const last = this.#ended ? pending.pop() : undefined;
    // A viewer that cannot take them all (its stream's bound) drops the rest, counted as any.
    let dropped = 0;
    for (const message of pending) if (!sink.send(message)) dropped++;
    this.#dropped += dropped;
    if (last === undefined) return;
    // "ended" was written as the session ended: it tells of those this viewer missed too.
    const ended = dropped === 0 ? last : JSON.stringify({
      ...JSON.parse(last),
      dropped: this.#dropped,
    });
    sink.send(ended, true);
    sink.close();
  }

  /** The viewer went away: messages are kept (bounded) again. */
  detach(): void {
    this.#sink = undefined;
  }

  /**
   * One thing the parrot did. Once the session is over it is dropped, and not counted: nothing
   * comes after "ended", which told the final count.
   */
  parrot(event: ParrotEvent): void {
    switch (event.type) {
      case "caller":
        return this.#emit({
          type: "caller",
          speaking: event.speaking,
          at: event.at - this.#startedAt,
          durationMs: event.durationMs ?? null,
        });
      case "reply":
        return this.#emit({
          type: "response",
          responseId: event.responseId,
          durationMs: event.durationMs,
        });
      case "bargein":
        return this.#emit({
          type: "interrupted",
          responseId: event.result.responseId ?? null,
          heardMs: event.result.heardMs,
          droppedMs: event.result.droppedMs,
          acknowledged: event.result.acknowledged,
          responseMs: event.responseMs ?? null,
        });
      case "start":
        return this.#emit({
          type: "start",
          streamSid: event.frame.streamId ?? null,
          callSid: event.frame.callId ?? null,
        });
    }
  }

  /**
   * Sends `event` to the viewer, or keeps it for one; `last` is the session's "ended". Nothing
   * goes after "ended": a late event (a parrot's, once the session is over) is dropped, and not
   * counted, "ended" having told the final count.
   */
  #emit(event: Untimed<ViewEvent>, last = false): void {
    if (this.#ended) return;
    const message = JSON.stringify({ ...event, t: this.#now() });
    if (this.#sink) {
      if (!this.#sink.send(message, last)) this.#dropped++;
      return;
    }
    this.#keepRoom();
    this.#pending.push(message);
  }

  /** Makes room for one more message kept for a viewer: the oldest goes, counted. */
  #keepRoom(): void {
    if (this.#sink !== undefined || this.#pending.length < this.#maxPending) return;
    // "hello" stays first: a late viewer must still learn which line it watches.
    this.#pending.splice(1, 1);
    this.#dropped++;
  }

  #now(): number {
    return this.#transport.clock.now() - this.#startedAt;
  }

  #onConnected = (): void => this.#emit({ type: "connected" });

  // Typed as the runtime's own listeners (Deno's and the DOM's `Event` types differ).
  #onSpeaking: EventListener = (e) => {
    const event = e as unknown as SpeakingEvent;
    const fields = {
      responseId: event.responseId ?? null,
      heardMs: event.heardMs,
      sentMs: event.sentMs,
      acknowledged: event.acknowledged,
    };
    if (event.type === "speakingstart") this.#emit({ type: "speakingstart", ...fields });
    else this.#emit({ type: "speakingstop", ...fields, reason: event.reason ?? null });
  };

  #onStale: EventListener = (e) => {
    this.#emit({ type: "staleaudio", responseId: (e as StaleAudioEvent).responseId ?? null });
  };

  #onError: EventListener = (e) => {
    const { error } = e as TransportErrorEvent;
    this.#emit({ type: "error", code: error.code, message: error.message });
  };

  #onMetric: EventListener = (e) => {
    const { name, value, unit } = e as unknown as { name: string; value: number; unit: string };
    this.#emit({ type: "metric", name, value, unit });
  };

  /** An outbound chunk left: it grows the current run, or starts the next one. */
  #sent(responseId: string | null, info: { position: number; durationMs: number; sentAt: number }) {
    const run = this.#run;
    const sentAt = info.sentAt - this.#startedAt;
    if (run && run.responseId === responseId && Math.abs(run.toMs - info.position) < 1e-6) {
      run.toMs = info.position + info.durationMs;
      run.lastSentAt = sentAt;
      run.dirty = true;
      return;
    }
    this.#flushRun();
    this.#run = {
      type: "sent",
      t: 0,
      responseId,
      fromMs: info.position,
      toMs: info.position + info.durationMs,
      firstSentAt: sentAt,
      lastSentAt: sentAt,
      dirty: true,
    };
    // A new run is told at once: the page needs to know where each response begins.
    this.#flushRun();
  }

  #flushRun(): void {
    const run = this.#run;
    if (!run?.dirty) return;
    run.dirty = false;
    const { dirty: _, t: __, ...event } = run;
    this.#emit(event);
  }

  #tick(): void {
    if (this.#ended) return;
    this.#flushRun();
    const transport = this.#transport;
    const playback = transport.playback;
    const stats = transport.stats;
    const progress = JSON.stringify({
      playback: {
        speaking: playback.speaking,
        responseId: playback.responseId ?? null,
        heardMs: playback.heardMs,
        sentMs: playback.sentMs,
        queuedMs: playback.queuedMs,
        acknowledged: playback.acknowledged,
      },
      stats: {
        audioMsSent: stats.audioBytesSent / BYTES_PER_MS,
        audioMsInterrupted: stats.audioBytesInterrupted / BYTES_PER_MS,
        audioMsStale: stats.audioBytesStale / BYTES_PER_MS,
        interruptions: stats.interruptions,
        marksSent: stats.marksSent,
        marksAcknowledged: stats.marksAcknowledged,
        decodeErrors: stats.decodeErrors,
      },
      dropped: this.#dropped,
    });
    if (progress !== this.#lastProgress) {
      this.#lastProgress = progress;
      this.#emit({ type: "progress", ...JSON.parse(progress) });
    }
    const now = this.#now();
    if (now >= this.#nextMetricsAt) {
      this.#nextMetricsAt = now + this.#metricsEvery;
      const snapshot = this.#metrics.snapshot();
      // The duration always moves: it alone is no change worth a message.
      const key = JSON.stringify({ ...snapshot, durationMs: 0 });
      if (key !== this.#lastMetrics) {
        this.#lastMetrics = key;
        this.#emit({ type: "metrics", snapshot });
      }
    }
    this.#timer.arm(this.#progressEvery);
  }

  #stop(): void {
    this.#timer.cancel();
    this.#unobserve();
    const transport = this.#transport;
    transport.removeEventListener("connected", this.#onConnected);
    transport.removeEventListener("speakingstart", this.#onSpeaking);
    transport.removeEventListener("speakingstop", this.#onSpeaking);
    transport.removeEventListener("staleaudio", this.#onStale);
    transport.removeEventListener("error", this.#onError);
    this.#metrics.removeEventListener("metric", this.#onMetric);
  }
}
