/**
 * One simulated call, start to end: connects, lets the far end speak its protocol, sends the
 * caller's audio on schedule, plays the bot's audio into the far end's buffer, and keeps the
 * timelines the report is computed from (`_call_report.ts`).
 *
 * @module
 */

import { terminate } from "../_terminate.ts";
import type { Clock } from "../clock.ts";
import type { WebSocketLike } from "../socket.ts";
import { utf8Length } from "../_utf8_length.ts";
import { addVoice } from "./_voice.ts";
import { counted } from "./_counted.ts";
import { buildReport, type CallFacts, type CallTimeline } from "./_call_report.ts";
import { CallAudioTimeline } from "./_call_audio.ts";
import { botWords, closedDetail, withInfo } from "./_ending_words.ts";
import { leftUnsaidWhy } from "./_left_unsaid.ts";
import { endedByBotSide } from "./_not_reached.ts";
import { type UnsaidAudio, unsaidUtterances, utteranceCutShort } from "./_unsaid_utterances.ts";
import { ruleEntry } from "./_rule_cap.ts";
import type { CallerAudio } from "./caller_audio.ts";
import type { FarEnd, FarEndContext, MarkOnClear, MarkOutcome } from "./far_end.ts";
import type {
  CallEndedBy,
  CallEnding,
  CallReport,
  LeftUnsaid,
  NotReached,
  ProtocolViolation,
} from "./report.ts";
import type { CallProgress, ResolvedCallOptions } from "./_call_options.ts";

/**
 * What an ending may carry beyond who ended the call and why: the socket's close, a failure, the
 * bot's own words on why, the rule of the platform's the bot broke for the platform to hang up.
 */
type EndingExtras = Pick<CallEnding, "code" | "reason" | "failed" | "info" | "brokenRule">;

interface PendingMark {
  name: string;
  position: number;
  onClear: MarkOnClear;
  ack: () => void;
  requestedAt: number;
  /** A mark the bot asked for (counted), not a far end's own watch on its buffer. */
  counted: boolean;
}

/** How long the caller waits for the platform's closing handshake, and then for the socket. */
const HANG_UP_TIMEOUT_MS = 11_000;
const CLOSE_TIMEOUT_MS = 2_000;
/**
 * How long an aborted call (Ctrl-C) waits for the platform's closing handshake: whoever aborts
 * wants out now, not after the platform's own timeout (Genesys waits 10 s for `closed`).
 */
const ABORTED_HANG_UP_MS = 1_000;
/** How long the platform's opening handshake may take before the caller gives up. */
const READY_TIMEOUT_MS = 15_000;
/** Runs one call; {@linkcode SimulatedCall.run} resolves with its report. */
export class SimulatedCall {
  readonly #url: string;
  readonly #options: ResolvedCallOptions;
  readonly #farEnd: FarEnd;
  readonly #caller: CallerAudio;
  readonly #clock: Clock;
  /** Aborted when the call starts ending: stops the caller's schedule. */
  readonly #ending = new AbortController();
  /** Aborted when the call is over: stops every timer, far ends' included. */
  readonly #over = new AbortController();
  #socket: WebSocketLike | undefined;
  #t0 = 0;
  /**
   * When the caller began to connect (`null`: not yet), and whether the socket opened: the call's
   * times count from its opening (`#t0`), but a call whose socket never opened ends when the
   * caller gave up, timed from the attempt (at "0.00 s", however long it waited, it read as a
   * refusal even when it waited out a 10 s connect timeout).
   */
  #connectingSince: number | null = null;
  #opened = false;
  /** The bot's messages that came before the far end was opened; `undefined` once it was. */
  #early: (string | Uint8Array)[] | undefined = [];
  #audio!: CallAudioTimeline;
  #ended: CallEnding | null = null;
  #socketClosed: { code: number; reason: string } | null = null;
  #onSocketClosed: (() => void) | undefined;
  /** The caller closed the socket (it was open when #hangUp closed it): not the bot's close. */
  #callerClosed = false;
  #onReady: (() => void) | undefined;
  #ready = false;
  /** When the far end's handshake completed (report.ts `handshakeMs`); `null` until it did. */
  #readyAtMs: number | null = null;
  /**
   * Which of the caller's own settings ended the call, when one did (report.ts `leftUnsaid`):
   * not the bot's doing, whatever the audio still held.
   */
  #endedBySchedule: LeftUnsaid["by"] | null = null;
  #marks: PendingMark[] = [];
  #markTimer: AbortController | undefined;
  readonly #markStats = {
    requested: 0,
    acked: 0,
    ackedOnClear: 0,
    dropped: 0,
    delays: [] as number[],
  };
  /**
   * When each mark told of by `markRequested` was asked for, by name, oldest first (a far end
   * that answers marks itself may be asked for one name twice).
   */
  readonly #askedAt = new Map<string, number[]>();
  readonly #violations = new Map<string, ProtocolViolation>();
  readonly #notes: Record<string, number> = {};
  readonly #messages = { sent: 0, received: 0, bytesSent: 0, bytesReceived: 0 };
  readonly #dtmf = { sent: 0, unsupported: 0, undetected: 0, afterEnd: 0 };
  readonly #clears: number[] = [];
  #firstAudioMs: number | null = null;
  #callerStartMs = 0;
  /** The caller's side has begun (its first frame is being made): the call has progress to tell. */
  #callerStarted = false;
  #callerSentMs = 0;
  /** Every sample of the caller's audio has been sent (what goes now is the silence after it). */
  #callerAudioSaid = false;
  /**
   * The caller's audio stream falling behind: frames of silence sent in its place; whether it was
   * behind when the call ended; since when the caller has been waiting on it (`null`: not waiting).
   */
  readonly #stall = { frames: 0, atEnd: false, waitingSince: null as number | null };

  constructor(url: string, options: ResolvedCallOptions, farEnd: FarEnd, caller: CallerAudio) {
    this.#url = url;
    this.#options = options;
    this.#farEnd = farEnd;
    this.#caller = caller;
    this.#clock = options.clock;
  }

  /** Runs the call to its end and returns the report. Never rejects for the bot's faults. */
  async run(): Promise<CallReport> {
    const startedAt = new Date().toISOString();
    const connectStart = this.#clock.now();
    const signal = this.#options.signal;
    const onAbort = () => this.#end("aborted", "aborted by the caller's signal");
    signal?.addEventListener("abort", onAbort, { once: true });
    let connectMs: number | null = null;
    try {
      if (signal?.aborted) {
        // Cut short before it started (Ctrl-C during a --ramp): aborted like the calls that had
        // started, not a failure of the bot's.
        this.#endAt(0, "aborted", "aborted before the call started");
        return this.#failedReport(startedAt, null);
      }
      // A socket that never opened has no connect time (report.ts: null), however the attempt
      // ended: refused, timed out or aborted.
      if (!(await this.#connect())) return this.#failedReport(startedAt, null);
      connectMs = this.#clock.now() - connectStart;
      this.#audio = this.#newTimeline();
      this.#farEnd.open(this.#context());
      // What the bot sent the moment the socket opened, before the far end could read it.
      const early = this.#early ?? [];
      this.#early = undefined;
      for (const message of early) this.#deliver(message);
      await this.#whenReady();
      if (!this.#ended) await this.#speak();
      await this.#hangUp();
    } catch (error) {
      if (!this.#audio) return this.#failedReport(startedAt, connectMs, error);
      this.#end("error", String((error as Error)?.message ?? error));
      await this.#hangUp();
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.#over.abort();
      // Not awaited: a stream whose cancel never settles must not hold the report.
      this.#caller.cancel();
    }
    return this.#report(startedAt, connectMs);
  }

  /** Milliseconds since the socket opened. */
  #now(): number {
    return this.#clock.now() - this.#t0;
  }

  /**
   * The time an ending is dated at: of the call once its socket opened; before, since the caller
   * began to connect (0 when it never began: aborted during a `--ramp`'s wait).
   */
  #endingTime(): number {
    if (this.#opened) return this.#now();
    return this.#connectingSince === null ? 0 : this.#clock.now() - this.#connectingSince;
  }

  /** Opens the socket; false when it failed or timed out (the reason is in `#ended`). */
  async #connect(): Promise<boolean> {
    this.#connectingSince = this.#clock.now();
    let socket: WebSocketLike;
    try {
      const offered = this.#farEnd.subprotocols;
      socket = offered === undefined
        ? this.#options.connect(this.#url)
        : this.#options.connect(this.#url, [...offered]);
    } catch (error) {
      this.#endAt(
        this.#endingTime(),
        "error",
        `could not connect: ${(error as Error)?.message ?? error}`,
      );
      return false;
    }
    this.#socket = socket;
    socket.binaryType = "arraybuffer";
    // Listening from the start: a bot may send in the same task as the socket opens, before the
    // code after `open` runs. Such messages wait in #early for the far end.
    socket.addEventListener("message", this.#onMessage);
    /** Why the handshake failed, as the runtime says it (Deno: "Invalid status code: 404"). */
    let failure = "";
    // The call's bound covers its WebSocket handshake too: a bot that never answers it must not
    // hold a call given maxDurationMs 1000 for the whole connect timeout.
    const { connectTimeoutMs, maxDurationMs } = this.#options;
    const waitMs = Math.min(connectTimeoutMs, maxDurationMs);
    const outcome = await new Promise<"open" | "failed" | "timeout" | "aborted">((resolve) => {
      const timer = new AbortController();
      const done = (value: "open" | "failed" | "timeout" | "aborted") => {
        timer.abort();
        socket.removeEventListener("open", onOpen);
        socket.removeEventListener("error", onError);
        socket.removeEventListener("close", onClose);
        this.#ending.signal.removeEventListener("abort", onEnd);
        resolve(value);
      };
      const onOpen = () => done("open");
      const onError = (event: Event) => {
        failure = (event as Event & { message?: string }).message ?? "";
      };
      const onClose = () => done("failed");
      const onEnd = () => done("aborted");
      socket.addEventListener("open", onOpen);
      socket.addEventListener("error", onError);
      socket.addEventListener("close", onClose);
      this.#ending.signal.addEventListener("abort", onEnd, { once: true });
      if (socket.readyState === 1) return done("open");
      this.#clock.sleep(waitMs, timer.signal).then(
        () => done("timeout"),
        () => {/* settled otherwise */},
      );
    });
    if (outcome === "open") {
      this.#t0 = this.#clock.now();
      this.#opened = true;
      socket.addEventListener("close", this.#onClose);
      return true;
    }
    if (outcome === "timeout") {
      // Still an error, whichever bound it was: the call never connected, which must not pass.
      const { names } = this.#options;
      const bound = waitMs < connectTimeoutMs ? names.maxDuration : names.connectTimeout;
      const detail = `the WebSocket did not open within ${waitMs} ms (${bound})`;
      this.#endAt(this.#endingTime(), "error", detail);
    } else if (outcome === "failed") {
      const detail = `could not connect to ${this.#url}${failure ? `: ${failure}` : ""}`;
      this.#endAt(this.#endingTime(), "error", detail);
    }
    socket.removeEventListener("message", this.#onMessage);
    try {
      socket.close();
    } catch {
      // Closing a socket that never opened may throw on some runtimes; it is gone either way.
    }
    return false;
  }

  /** Waits for the far end's handshake (bounded), or the end of the call. */
  async #whenReady(): Promise<void> {
    // Ended already (the far end hung up in `open`): a listener added now would never fire.
    if (this.#ready || this.#ended) return;
    const timer = new AbortController();
    const { maxDurationMs } = this.#options;
    const capped = maxDurationMs - this.#now() < READY_TIMEOUT_MS;
    await new Promise<void>((resolve) => {
      this.#onReady = resolve;
      this.#ending.signal.addEventListener("abort", () => resolve(), { once: true });
      const waitMs = capped ? Math.max(0, maxDurationMs - this.#now()) : READY_TIMEOUT_MS;
      this.#clock.sleep(waitMs, timer.signal).then(() => {
        // The call never got going, whichever wait ran out: it must not pass for a call that did.
        const protocol = this.#farEnd.protocol;
        if (capped) {
          // The bound cut the wait short of the platform's own.
          this.#violation(
            `${protocol}.no-handshake`,
            `the ${protocol} handshake did not complete within ${this.#maxDuration()}`,
          );
          this.#reachedMaxDuration();
        } else {
          // The platform gives up on the bot and hangs up, as a phone would.
          const detail = `the ${protocol} handshake did not complete in ${READY_TIMEOUT_MS} ms`;
          this.#violation(`${protocol}.no-handshake`, detail);
          // On the bot's rule, as Genesys's own hang-up on a missing `opened` (report.ts
          // `brokenRule`); the caller never began, so nothing is `notReached` (#notReached).
          this.#end("caller", detail, { brokenRule: `${protocol}.no-handshake` });
        }
        resolve();
      }, () => {/* ready first */});
    });
    timer.abort();
  }

  /**
   * The call's bound on its length as its user set it: `maxDurationMs (3000 ms)` for a library
   * user, `--max-duration (3000 ms)` for the command line's (`names`).
   */
  #maxDuration(): string {
    const { names, maxDurationMs } = this.#options;
    return `${names.maxDuration} (${maxDurationMs} ms)`;
  }

  /** Ends the call at its bound on its length (`maxDurationMs`): the caller hangs up. */
  #reachedMaxDuration(): void {
    if (!this.#ended) this.#endedBySchedule = "max-duration";
    this.#end("timeout", `the call reached ${this.#maxDuration()}`);
  }

  /**
   * Ends the call at `hangUpAtMs`: the caller hangs up, as asked. Its detail says when on the
   * call's clock, in seconds, as the report says every moment (the header's end beside it,
   * the utterances, the left-unsaid note, in that note's own words): `hangUpAtMs` is a time of
   * the caller's audio, which starts after the handshake and runs `speed` times faster, so
   * "5000 ms as asked" sat beside "ended at 5.01 s", two clocks and two units.
   */
  #hangUpAsAsked(): void {
    if (this.#ended) return;
    this.#endedBySchedule = "hang-up";
    const atMs = this.#now();
    this.#endAt(atMs, "caller", leftUnsaidWhy({ by: "hang-up" }, { atMs }));
  }

  /** The caller's side of the call: audio frames on schedule, DTMF, barge-ins, hanging up. */
  async #speak(): Promise<void> {
    const options = this.#options;
    const { frameMs, sampleRate } = this.#farEnd.caller;
    const samplesPerFrame = Math.round((sampleRate * frameMs) / 1000);
    const speed = options.speed;
    const dtmf = [...options.dtmf].sort((a, b) => a.atMs - b.atMs);
    this.#callerStartMs = this.#now();
    this.#callerStarted = true;
    this.#audio.callerStarts(this.#callerStartMs);
    // Since when the bot has been quiet, as the caller counts it for hanging up: from its last
    // sound, or from the end of the caller's own audio if that is later (a caller does not count
    // the time it was talking itself as the bot's silence).
    let quietSince = this.#now();
    /** The first frame after the caller's audio, and when it was due (set once it has ended). */
    let silenceFrom: { frame: number; at: number } | undefined;
    let nextProgress = 0;
    /** The caller's utterances (and barge-ins) begun so far. */
    let spoken = 0;
    for (let frame = 0; !this.#ended; frame++) {
      // After the caller's audio its silence goes in real time whatever the speed: that is the
      // bot's time to answer, not audio to get through (at "max" it would flood the bot).
      const due = silenceFrom === undefined
        ? this.#callerStartMs + ((frame + 1) * frameMs) / speed
        : silenceFrom.at + (frame - silenceFrom.frame + 1) * frameMs;
      const position = frame * frameMs;
      if (options.hangUpAtMs !== undefined && position + frameMs > options.hangUpAtMs) {
        // The hang-up falls within this frame: the caller hangs up at the asked time, not at the
        // frame's end (up to 199 ms later for Genesys's 200 ms frames), and the frame it cut
        // short is never sent, as a platform sends whole frames.
        const msPerMs = silenceFrom === undefined ? 1 / speed : 1;
        const at = due - (position + frameMs - options.hangUpAtMs) * msPerMs;
        if (at <= options.maxDurationMs) {
          await this.#hangUpAt(at, dtmf, frame);
          break;
        }
        // Past the bound (`due` is later still): the call ends at the bound below, its presses
        // due before it made, as a call bounded alone.
      }
      if (due > options.maxDurationMs) {
        // The call's bound falls within this frame: it ends at the bound, not at the frame's end
        // (up to 199 ms past it for Genesys's 200 ms frames), and the frame is not sent, as above.
        if (await this.#sleepUntil(options.maxDurationMs, frame)) {
          const msPerMs = silenceFrom === undefined ? 1 / speed : 1;
          this.#press(dtmf, position + frameMs - (due - options.maxDurationMs) / msPerMs);
          this.#reachedMaxDuration();
        }
        break;
      }
      // The frame is read while it is due, as a phone captures it: a stream source has until then
      // (behind schedule, a frame's time at the call's speed) to bring it, or silence goes in its
      // place, as a phone sends while its caller says nothing, and the frames keep their schedule
      // (the bot's timing, hangUpAtMs and maxDurationMs all run on it). At speed Infinity no frame
      // is ever due: the caller waits for the stream, within the call's bound. Nor past the
      // bound at any speed: behind schedule, a frame's time from now may end after it, and the
      // silence sent then would go out past the bound and end the call up to a frame late.
      const by = Number.isFinite(speed)
        ? Math.min(Math.max(due, this.#now() + frameMs / speed), options.maxDurationMs)
        : options.maxDurationMs;
      const read = this.#callerFrame(samplesPerFrame, by);
      // Awaited once the frame is due: a stream that errors meanwhile must not reject with nothing
      // handling it (an uncaught error, which ends the process). The await below still throws it.
      read.catch(() => {});
      if (!(await this.#sleepUntil(due, frame))) {
        this.#noteStallAtEnd(frameMs);
        break;
      }
      let samples = await read;
      if (this.#ended) {
        this.#noteStallAtEnd(frameMs);
        break;
      }
      const now = this.#now();
      if (samples === null && !Number.isFinite(speed)) {
        this.#stall.atEnd = true;
        this.#reachedMaxDuration();
        break;
      }
      this.#stall.atEnd = samples === null;
      if (samples === null) {
        this.#stall.frames++;
        samples = new Int16Array(samplesPerFrame);
      }
      this.#audio.advance(now);
      this.#audio.callerSaid(samples);
      this.#addBargeIn(samples, position, sampleRate);
      // The caller began to speak: the bot's reply is over where its audio runs dry, and what the
      // bot says after answers them, however soon (no underrun of the reply before).
      const utterances = this.#audio.callerUtterances(position + frameMs);
      if (utterances > spoken) this.#audio.buffer.callerSpoke(now);
      spoken = utterances;
      this.#audio.recordSaid(samples, this.#callerTime(position));
      this.#farEnd.sendAudio(samples);
      this.#callerSentMs = position + frameMs;
      this.#press(dtmf, this.#callerSentMs);
      // The bot's detector stays active a hangover past its last sound: that is silence already.
      if (this.#audio.botSounding) quietSince = now - this.#audio.botHangoverMs;
      // A barge-in is the caller talking: the bot's time to answer starts when it ends.
      if (this.#audio.bargingIn) quietSince = now;
      if (silenceFrom === undefined && this.#caller.ended) {
        this.#callerAudioSaid = true;
        quietSince = Math.max(quietSince, now);
        silenceFrom = { frame: frame + 1, at: now };
        this.#audio.callerAudioEnded(this.#callerSentMs, now);
      }
      if (options.hangUpAtMs !== undefined && this.#callerSentMs >= options.hangUpAtMs) {
        this.#hangUpAsAsked();
      } else if (now >= options.maxDurationMs) {
        this.#reachedMaxDuration();
      } else if (
        !options.waitForBotHangUp && options.hangUpAtMs === undefined && this.#caller.ended &&
        !this.#audio.bargingIn && !this.#audio.botSounding && now - quietSince >= options.lingerMs
      ) {
        this.#end(
          "caller",
          `the caller hung up after ${options.lingerMs} ms without the bot speaking`,
        );
      }
      if (now >= nextProgress) {
        nextProgress = now + options.progressIntervalMs;
        options.onProgress?.(this.#progress(now));
      }
    }
    // Presses due after the call ended were never made: the report says so.
    this.#dtmf.afterEnd += dtmf.length;
  }

  /**
   * Hangs up at call time `at` (within maxDurationMs), within the frame `frame` (not sent): the
   * presses due before the hang-up are made first.
   */
  async #hangUpAt(
    at: number,
    dtmf: { atMs: number; digit: string }[],
    frame: number,
  ): Promise<void> {
    const { hangUpAtMs } = this.#options;
    if (!(await this.#sleepUntil(at, frame))) return;
    this.#press(dtmf, hangUpAtMs!);
    this.#hangUpAsAsked();
  }

  /** Makes the presses due before caller-audio time `beforeMs`, taking them off `dtmf` (sorted). */
  #press(dtmf: { atMs: number; digit: string }[], beforeMs: number): void {
    while (dtmf.length > 0 && dtmf[0]!.atMs < beforeMs) {
      const { digit } = dtmf.shift()!;
      const sent = this.#farEnd.sendDtmf(digit);
      // A key the platform's settings keep it from detecting is counted apart from one its
      // protocol cannot carry: the fix is the setting, not the platform.
      if (sent === "undetected") this.#dtmf.undetected++;
      else if (sent) this.#dtmf.sent++;
      else this.#dtmf.unsupported++;
    }
  }

  /**
   * The caller's next `count` samples, or `null` when its source has not brought them by call time
   * `by` (a stream with nothing ready yet) or the call ended first. What the stream brings later
   * is kept for the next frames: late, never lost.
   */
  async #callerFrame(count: number, by: number): Promise<Int16Array | null> {
    if (this.#caller.ready(count)) return this.#caller.read(count);
    this.#stall.waitingSince ??= this.#now();
    const stop = new AbortController();
    const onEnd = () => stop.abort();
    this.#ending.signal.addEventListener("abort", onEnd, { once: true, signal: stop.signal });
    this.#clock.sleep(Math.max(0, by - this.#now()), stop.signal).then(onEnd, () => {});
    try {
      const samples = await this.#caller.read(count, stop.signal);
      if (samples !== null) this.#stall.waitingSince = null;
      return samples;
    } finally {
      stop.abort();
    }
  }

  /**
   * The call ended while the caller waited on its stream: the stream was behind at the end when
   * a frame had already gone out as silence for it, or the wait had lasted a frame's time.
   */
  #noteStallAtEnd(frameMs: number): void {
    const since = this.#stall.waitingSince;
    if (since !== null && this.#now() - since >= frameMs) this.#stall.atEnd = true;
  }

  /**
   * What the report's ending adds when the caller's stream fell behind: the caller's side, not a
   * rule the bot broke (no violation), but a call whose audio the bot never got is no test of it.
   */
  #stallNote(): string {
    const { frames, atEnd } = this.#stall;
    const frameMs = this.#farEnd.caller.frameMs;
    if (frames > 0) {
      const silence = `${counted(frames, "frame")} (${frames * frameMs} ms of ` +
        `silence sent in its place)`;
      return `; the caller's audio stream had nothing ready for ${silence}` +
        (atEnd ? ", still at the end" : "");
    }
    return atEnd ? "; the caller's audio stream had nothing ready when the call ended" : "";
  }

  /** Sleeps until call time `due`; false when the call ended meanwhile. */
  async #sleepUntil(due: number, frame: number): Promise<boolean> {
    const wait = due - this.#now();
    try {
      if (wait > 0) await this.#clock.sleep(wait, this.#ending.signal);
      // Behind schedule (or sending faster than real time): still let I/O in now and then.
      else if (frame % 50 === 49) await this.#clock.sleep(0, this.#ending.signal);
    } catch {
      return false;
    }
    return !this.#ended;
  }

  /** Call time of caller audio position `position`. */
  #callerTime(position: number): number {
    return this.#audio.callTime(position);
  }

  /** Mixes barge-in speech into the frame that starts at `position`, when one is due. */
  #addBargeIn(samples: Int16Array, position: number, rate: number): void {
    const bargeIn = this.#options.bargeIn;
    if (!bargeIn) return;
    const frameEnd = this.#callerTime(position + (samples.length * 1000) / rate);
    const plan = this.#audio.bargeInPlan(this.#callerTime(position), frameEnd, bargeIn);
    if (!plan) return;
    // Caller positions of the barge-in, sample-accurate within the frame.
    const startSample = Math.round(
      ((this.#audio.callerPosition(plan.startMs) - position) * rate) / 1000,
    );
    const total = Math.round((bargeIn.durationMs * rate) / 1000);
    const from = Math.max(0, startSample);
    const phase = from - startSample;
    const count = Math.min(samples.length - from, total - phase);
    if (count <= 0) return;
    addVoice(samples, from, count, rate, { phase, total, peak: 0.35 });
    if (phase + count >= total) this.#audio.bargeInDone();
  }

  /** The far end's view of the simulator. */
  #context(): FarEndContext {
    return {
      now: () => this.#now(),
      sleep: (ms) => this.#clock.sleep(ms, this.#over.signal),
      send: (message) => this.#send(message),
      violation: (rule, detail) => this.#violation(rule, detail),
      play: (samples, times = 1) => {
        const now = this.#now();
        // First, as it refuses a `times` that is not a whole number >= 1 before anything changes.
        this.#audio.play(samples, now, times);
        if (this.#firstAudioMs === null && samples.length > 0) this.#firstAudioMs = now;
      },
      queuedMs: () => {
        this.#audio.advance(this.#now());
        return this.#audio.buffer.queuedMs;
      },
      mark: (name, onClear, ack) => this.#mark(name, onClear, ack, true),
      whenPlayed: (onClear, played) => this.#mark("", onClear, played, false),
      markRequested: (name) => this.#markRequested(name),
      markSettled: (name, outcome) => this.#markSettled(name, outcome),
      clear: () => this.#clear(),
      dropQueued: (fromMs, toMs) => this.#dropQueued(fromMs, toMs),
      ready: () => {
        this.#ready = true;
        this.#readyAtMs ??= this.#now();
        this.#onReady?.();
      },
      // Only `true` fails the call (far_end.ts): a far end's own options of any other value don't.
      endCall: (by, reason, options) => {
        // The bot's words go in the detail (why the call failed, often) and apart, by which an
        // aggregate groups calls without them.
        const info = typeof options?.info === "string" && options.info !== ""
          ? botWords(options.info)
          : undefined;
        // The platform hanging up on a rule the bot broke (far_end.ts `brokenRule`): the caller's
        // side ended it, but not by the caller's choice (report.ts `notReached`).
        const brokenRule = by === "caller" && typeof options?.brokenRule === "string" &&
            options.brokenRule !== ""
          ? options.brokenRule
          : undefined;
        this.#end(by, info === undefined ? reason : withInfo(reason, info), {
          ...(options?.failed === true ? { failed: true } : {}),
          ...(info === undefined ? {} : { info }),
          ...(brokenRule === undefined ? {} : { brokenRule }),
        });
      },
      note: (what) => {
        this.#notes[what] = (this.#notes[what] ?? 0) + 1;
      },
      speechThresholdDbfs: this.#options.speechThresholdDbfs,
    };
  }

  #send(message: string | Uint8Array): void {
    const socket = this.#socket;
    if (!socket || socket.readyState !== 1) return;
    socket.send(message);
    this.#messages.sent++;
    this.#messages.bytesSent += typeof message === "string" ? utf8Length(message) : message.length;
  }

  readonly #onMessage = (event: MessageEvent) => {
    const data: unknown = event.data;
    const message = typeof data === "string"
      ? data
      : data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : null;
    if (message === null) {
      this.#violation("simulator.unreadable", "a message that is neither text nor bytes");
      return;
    }
    this.#messages.received++;
    this.#messages.bytesReceived += typeof message === "string"
      ? utf8Length(message)
      : message.length;
    if (this.#early !== undefined) this.#early.push(message);
    else this.#deliver(message);
  };

  /** Hands one of the bot's messages to the far end, which judges it by the platform's rules. */
  #deliver(message: string | Uint8Array): void {
    if (this.#socketClosed) return;
    try {
      this.#farEnd.receive(message);
    } catch (error) {
      this.#violation(
        `${this.#farEnd.protocol}.unreadable`,
        String((error as Error)?.message ?? error),
      );
    }
  }

  readonly #onClose = (event: CloseEvent) => {
    // A connection that dropped (a bot that crashed) is 1006, which Deno reports as code 0 with
    // no clean close (RFC 6455 §7.1.5): not a bot that hung up, and the call must not pass.
    const code = !event.code ? (event.wasClean ? 1005 : 1006) : event.code;
    const reason = event.reason ?? "";
    this.#socketClosed = { code, reason };
    const detail = code === 1006 ? "the connection dropped (1006)" : closedDetail(code, reason);
    this.#end(code === 1006 ? "network" : "bot", detail, { code, reason });
    // Closed under the far end, not by the caller: a far end waiting on the bot (Genesys's
    // `closed`) must end its wait now, not at its timeout.
    // Run from the socket's close listener: a throw would be uncaught, not the report's.
    if (!this.#callerClosed) {
      try {
        this.#farEnd.socketClosed?.(detail);
      } catch (error) {
        this.#farEndThrew("socket-closed", error);
      }
    }
    this.#onSocketClosed?.();
  };

  /** A far end's own callback threw: reported as `<protocol>.<where>`, the call goes on. */
  #farEndThrew(where: string, error: unknown): void {
    this.#violation(
      `${this.#farEnd.protocol}.${where}`,
      String((error as Error)?.message ?? error),
    );
  }

  #violation(rule: string, detail: string): void {
    // Counted, never lost: past the rules kept apart, under one rule more (_rule_cap.ts).
    const first = { rule, count: 0, firstAtMs: this.#now(), detail };
    ruleEntry(this.#violations, first, (v) => ({ ...v })).count++;
  }

  #mark(name: string, onClear: MarkOnClear, ack: () => void, counted: boolean): void {
    const now = this.#now();
    if (counted) this.#markStats.requested++;
    this.#audio.advance(now);
    const buffer = this.#audio.buffer;
    const mark = { name, position: buffer.position, onClear, ack, requestedAt: now, counted };
    if (this.#marks.length === 0 && buffer.consumed >= mark.position) {
      // Nothing queued before it: it has played already.
      this.#ackMark(mark, now);
      return;
    }
    this.#marks.push(mark);
    if (this.#marks.length === 1) this.#armMarkTimer();
  }

  #ackMark(mark: PendingMark, now: number): void {
    if (mark.counted) {
      this.#markStats.acked++;
      this.#markStats.delays.push(now - mark.requestedAt);
    }
    this.#answer(mark);
  }

  /** Runs a mark's answer, mostly from the playout timer, where a throw would be unhandled. */
  #answer(mark: PendingMark): void {
    try {
      mark.ack();
    } catch (error) {
      this.#farEndThrew("mark", error);
    }
  }

  /** The bot asked for a mark the far end answers itself: counted where the far end got it. */
  #markRequested(name: string): void {
    this.#markStats.requested++;
    const times = this.#askedAt.get(name);
    if (times) times.push(this.#now());
    else this.#askedAt.set(name, [this.#now()]);
  }

  /** The far end answered (or dropped) a mark it was asked for: counted where it answered. */
  #markSettled(name: string, outcome: MarkOutcome): void {
    const times = this.#askedAt.get(name);
    const askedAt = times?.shift();
    if (times?.length === 0) this.#askedAt.delete(name);
    const stats = this.#markStats;
    if (outcome === "played") {
      stats.acked++;
      if (askedAt !== undefined) stats.delays.push(this.#now() - askedAt);
    } else if (outcome === "cleared") stats.ackedOnClear++;
    else stats.dropped++;
  }

  #armMarkTimer(): void {
    this.#markTimer?.abort();
    const first = this.#marks[0];
    if (!first || this.#ended) return;
    const timer = new AbortController();
    this.#markTimer = timer;
    const due = this.#audio.buffer.timeOfPosition(first.position) - this.#now();
    this.#clock.sleep(Math.max(0, due), AbortSignal.any([timer.signal, this.#over.signal])).then(
      () => {
        const now = this.#now();
        this.#audio.advance(now);
        while (this.#marks.length > 0 && this.#audio.buffer.consumed >= this.#marks[0]!.position) {
          this.#ackMark(this.#marks.shift()!, now);
        }
        this.#armMarkTimer();
      },
      () => {/* re-armed, cleared or over */},
    );
  }

  #clear(): void {
    const now = this.#now();
    this.#clears.push(now);
    this.#audio.clear(now);
    const pending = this.#marks;
    this.#marks = [];
    this.#markTimer?.abort();
    for (const mark of pending) {
      if (mark.onClear === "ack") {
        if (mark.counted) this.#markStats.ackedOnClear++;
        this.#answer(mark);
      } else if (mark.counted) {
        this.#markStats.dropped++;
      }
    }
  }

  /**
   * The far end dropped part of its queue (far_end.ts `dropQueued`): not the bot's clear, so not
   * among `#clears` (no barge-in's clear is dated by it), and no mark is answered for it. The
   * marks waiting keep their place in what is left. The buffer counts the dropped audio as gone
   * from the queue at once (`consumed`): a mark after the span needs no change, one before it
   * (or within it, which waits for the audio before the span) is moved on by as much.
   */
  #dropQueued(fromMs: number, toMs: number): void {
    const { from, to } = this.#audio.buffer.dropQueued(fromMs, toMs, this.#now());
    if (to === from) return;
    for (const mark of this.#marks) {
      if (mark.position < to) mark.position = Math.min(mark.position, from) + (to - from);
    }
    // Their times moved: the first may be due sooner.
    this.#armMarkTimer();
  }

  #end(by: CallEndedBy, detail: string, extras: EndingExtras = {}): void {
    if (this.#ended) return;
    this.#endAt(this.#endingTime(), by, detail, extras);
  }

  #endAt(atMs: number, by: CallEndedBy, detail: string, extras: EndingExtras = {}): void {
    if (this.#ended) return;
    const { code, reason, failed, info, brokenRule } = extras;
    this.#ended = {
      by,
      atMs,
      detail,
      ...(code === undefined ? {} : { code }),
      ...(reason === undefined || reason === "" ? {} : { reason }),
      ...(failed ? { failed } : {}),
      ...(info === undefined ? {} : { info }),
      ...(brokenRule === undefined ? {} : { brokenRule }),
    };
    if (this.#audio) this.#audio.advance(atMs);
    this.#ending.abort();
  }

  /** The caller's side of hanging up: the platform's closing messages, then the socket. */
  async #hangUp(): Promise<void> {
    this.#markTimer?.abort();
    const socket = this.#socket;
    if (!socket || this.#socketClosed) return;
    if (socket.readyState === 1) {
      const timer = new AbortController();
      // The platform's closing handshake (Genesys waits 10 s for `closed`), but not far past the
      // call's own bound: a call ended at maxDurationMs leaves CLOSE_TIMEOUT_MS for it.
      const left = this.#options.maxDurationMs + CLOSE_TIMEOUT_MS - this.#now();
      // Nor past ABORTED_HANG_UP_MS from an abort, before or during the wait. The far end's own
      // wait then ends with the call (its sleep rejects once #over aborts): no timeout of the
      // platform's is reported for a wait the caller cut short.
      const signal = this.#options.signal;
      const aborted = new Promise<void>((resolve) => {
        const cutShort = () =>
          this.#clock.sleep(ABORTED_HANG_UP_MS, timer.signal).then(resolve, () => {});
        if (signal?.aborted) cutShort();
        else signal?.addEventListener("abort", cutShort, { once: true, signal: timer.signal });
      });
      const cutByAbort = await Promise.race([
        // A far end whose hangUp throws rather than rejects is reported the same way, and the
        // socket still closed below (the throw escaped simulateCall, the socket left open).
        new Promise<void>((resolve) => resolve(this.#farEnd.hangUp())).catch((error) =>
          this.#farEndThrew("hang-up", error)
        ).then(() => false),
        this.#clock.sleep(Math.max(0, Math.min(HANG_UP_TIMEOUT_MS, left)), timer.signal)
          .then(() => false, () => false),
        aborted.then(() => true),
      ]);
      timer.abort();
      // An abort after the call ended (Ctrl-C while Genesys waits for `closed`) cut the
      // platform's closing handshake short: what its end would have told (`genesys.close-timeout`)
      // was never checked, so the report says so and the verdict is no pass (`interrupted`).
      // A call the abort ended is interrupted already.
      if (cutByAbort && this.#ended && this.#ended.by !== "aborted") {
        this.#ended = { ...this.#ended, closingCutShort: true };
      }
    }
    if (this.#socketClosed) return;
    const timer = new AbortController();
    const closed = new Promise<void>((resolve) => (this.#onSocketClosed = resolve));
    // A socket already closing or closed here was closed by the bot (its event not yet delivered).
    this.#callerClosed = socket.readyState === 1;
    try {
      socket.close(1000, "caller hung up");
    } catch {
      // Already closing.
    }
    await Promise.race([closed, this.#clock.sleep(CLOSE_TIMEOUT_MS, timer.signal).catch(() => {})]);
    timer.abort();
    socket.removeEventListener("message", this.#onMessage);
    socket.removeEventListener("close", this.#onClose);
    // A bot (or proxy) that never answered the close holds the connection for good: Deno's
    // client WebSocket stays CLOSING, and a script awaiting the report never exits. Dropped
    // here, as the transport drops a server socket: `terminate()` where the socket has one, else
    // Deno's resource close (a socket of the caller's own `connect` without either is left).
    if (socket.readyState !== 3) terminate(socket);
  }

  /**
   * How the call is going now, for a reader at its own pace (the CLI's progress line, at each of
   * its updates); `undefined` until the caller has begun (connecting, the platform's handshake).
   * Read on demand, not pushed: a snapshot pushed once per `progressIntervalMs` (1 s) and read by
   * a line updated every 250 ms was up to a second old ("heard 0.0 s" with the bot's answer
   * already playing). Nothing is computed per frame for it; the figures are as of the caller's
   * last frame (20 ms for Twilio), which every one of them moves with.
   */
  progress(): CallProgress | undefined {
    return this.#callerStarted ? this.#progress(this.#now()) : undefined;
  }

  #progress(now: number): CallProgress {
    return {
      atMs: now,
      callerAudioMs: this.#callerSentMs,
      // The getter, not `stats()`: that summarises a histogram, per call, at every update.
      heardMs: this.#audio.buffer.playedMs,
      utterances: this.#audio.callerUtterances(this.#callerSentMs),
      botSpeaking: this.#audio.botSounding,
      violations: [...this.#violations.values()].reduce((n, v) => n + v.count, 0),
      marksAcked: this.#markStats.acked + this.#markStats.ackedOnClear,
    };
  }

  #newTimeline(): CallAudioTimeline {
    const segments = this.#options.speechSegments ?? this.#caller.speechSegments;
    return new CallAudioTimeline(this.#farEnd, this.#options, segments);
  }

  #timeline(): CallTimeline {
    return {
      audio: this.#audio,
      clears: this.#clears,
      callerStartMs: this.#callerStartMs,
      callerAudioMs: this.#callerSentMs,
      firstAudioMs: this.#firstAudioMs,
      speed: this.#options.speed,
    };
  }

  #report(startedAt: string, connectMs: number | null, record = this.#options.record): CallReport {
    const ending = this.#ended ?? { by: "caller", atMs: this.#now(), detail: "the call ended" };
    const ended = { ...ending, detail: ending.detail + this.#stallNote() };
    const notReached = this.#notReached(ended);
    const leftUnsaid = this.#leftUnsaid();
    // Before `finish`, which ends the caller's spurt under way.
    const cutShort = this.#cutShort();
    this.#audio.finish(ended.atMs);
    const marks = this.#markStats;
    return buildReport(this.#timeline(), {
      protocol: this.#farEnd.protocol,
      url: this.#url,
      startedAt,
      connectMs,
      handshakeMs: connectMs === null ? null : this.#readyAtMs,
      ended,
      notReached,
      leftUnsaid,
      cutShort,
      marks: {
        requested: marks.requested,
        acked: marks.acked,
        ackedOnClear: marks.ackedOnClear,
        dropped: marks.dropped,
        // Every mark asked for was answered, dropped, or still waits: in the simulator's list or
        // in a far end's own (mod_audio_fork's), which the simulator does not see.
        pending: marks.requested - marks.acked - marks.ackedOnClear - marks.dropped,
        delays: marks.delays,
      },
      dtmf: { ...this.#dtmf },
      violations: [...this.#violations.values()],
      notes: { ...this.#notes },
      messages: { ...this.#messages },
      record,
    });
  }

  /**
   * What the caller never got to say, the bot having ended the call before all of its audio was
   * said, itself or by a rule it broke that made the platform hang up (report.ts `notReached`);
   * `null` when the call ended otherwise, after the audio, or before the platform's handshake
   * let the caller begin (`handshakeMs` `null`: "the caller never began" is the truer reason,
   * and `requireAnswer` gives it), as `leftUnsaid` is.
   */
  #notReached(ended: CallEnding): NotReached | null {
    if (!this.#ready || !endedByBotSide(ended) || this.#callerAudioSaid) return null;
    return this.#unsaid();
  }

  /**
   * What the caller never said because its own schedule (`hangUpAtMs`, `maxDurationMs`) ended
   * the call before all of its audio was said (report.ts `leftUnsaid`); `null` when the call
   * ended otherwise, after the audio, or before the handshake let the caller speak (the bot's
   * doing: `handshakeMs` is `null`).
   */
  #leftUnsaid(): LeftUnsaid | null {
    const by = this.#endedBySchedule;
    if (by === null || !this.#ready || this.#callerAudioSaid) return null;
    return { by, ...this.#unsaid() };
  }

  /**
   * The caller's utterance that its own schedule (`hangUpAtMs`, `maxDurationMs`) cut
   * mid-sentence, by its start in the caller's audio, as `leftUnsaid` is found (report.ts
   * `CallUtterance.cutShortBy`): no answer is owed for it; `startMs` `null` when the schedule
   * ended the call between utterances (a barge-in under way is cut all the same), `null` when
   * the call ended otherwise. For a stream without segments, whose rest is not known, the
   * caller's detector says whether an utterance was under way.
   */
  #cutShort(): CallFacts["cutShort"] {
    const by = this.#endedBySchedule;
    if (by === null || !this.#ready) return null;
    // After the audio, only a barge-in can be under way (`buildReport` finds it by its end), or
    // an utterance that ended with the audio at this very instant (cut too: `utteranceCutShort`).
    // Not the stream detector's guess: it reads the audio's last block, long past, as the cut's.
    if (this.#callerAudioSaid) {
      return { by, startMs: utteranceCutShort(this.#unsaidAudio())?.startMs ?? null };
    }
    const cut = utteranceCutShort(this.#unsaidAudio());
    const startMs = cut === undefined ? this.#soundingAtCut() : cut?.startMs ?? null;
    return { by, startMs };
  }

  /**
   * For a stream without segments: the start of the caller's utterance still sounding in the
   * last block before the cut, or `null`. Not one merely within its detector's hangover: an
   * utterance that ended 300 ms before the hang-up was said in full (as the whole audio's
   * detector finds it, its end before the cut), and is owed its answer; where the rest is not
   * known, a pause is taken as the end, so that the guess never excuses the bot.
   */
  #soundingAtCut(): number | null {
    const detector = this.#audio.caller;
    if (detector === null || !detector.audibleAt(this.#callerSentMs)) return null;
    return detector.currentStartMs;
  }

  /** The utterances of the caller's audio after what it said. */
  #unsaid(): NotReached {
    return { audioMs: this.#callerSentMs, utterances: unsaidUtterances(this.#unsaidAudio()) };
  }

  /** Where the caller's utterances past what it said are found. */
  #unsaidAudio(): UnsaidAudio {
    const segments = this.#audio.knownSegments;
    return {
      saidMs: this.#callerSentMs,
      segments,
      // The whole audio (a copy) only where its speech is to be found by the detector.
      samples: segments === undefined ? this.#caller.whole() : undefined,
      sampleRate: this.#caller.sampleRate,
      thresholdDbfs: this.#options.speechThresholdDbfs,
    };
  }

  #failedReport(startedAt: string, connectMs: number | null, error?: unknown): CallReport {
    if (error !== undefined) {
      this.#endAt(this.#endingTime(), "error", String((error as Error)?.message ?? error));
    }
    this.#audio = this.#newTimeline();
    // A call whose socket never opened has nothing to record: no empty WAV to write over a file.
    return this.#report(startedAt, connectMs, this.#options.record && connectMs !== null);
  }
}
