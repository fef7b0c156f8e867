/**
 * The paced half of a transport's outbound path: audio is cut into chunks and queued with the
 * frames written between them; the pump sends each chunk at its pacing deadline (one re-armable
 * timer per session, nothing allocated per chunk) and every other frame in its place.
 *
 * What a chunk's path touches stays here, in one class, so that a chunk costs no call into
 * another object it need not make (calls per chunk are what the path costs: BENCHMARKS.md, "Code,
 * not data"). Cold parts with state or code of their own live beside it: when a background that
 * stopped filling has stopped (`_pump_background_stop.ts`), where a written-ahead stretch runs
 * out (`_pump_stretch_run_out.ts`), and the mixer's own code run guarded
 * (`_pump_mixer_calls.ts`).
 *
 * @module
 */

import type { OutboundSender } from "./_outbound_sender.ts";
import { type OutboundItem, OutboundQueue } from "./_outbound_queue.ts";
import type { PlaybackTracker } from "./_playback_tracker.ts";
import type { PlayoutTimeline } from "./_playout_timeline.ts";
import { BackgroundStop } from "./_pump_background_stop.ts";
import { attachMixer, detachMixer, EMPTY_FILL, MixerThrew } from "./_pump_mixer_calls.ts";
import { StretchRunOut } from "./_pump_stretch_run_out.ts";
import type { FarEndHold } from "./serializers/_far_end_holds.ts";
import { durationMs } from "./audio/pcm.ts";
import type { Clock, ClockTimer } from "./clock.ts";
import { TransportError } from "./errors.ts";
import type { AudioFrame, EndFrame, Frame } from "./frames.ts";
import type { MixerFormat, OutboundMixer } from "./session_observer.ts";
import { AudioChunker } from "./streams/audio_chunker.ts";
import { thrownText } from "./_thrown_text.ts";

/**
 * How far apart two clock readings may be and still belong to one turn of the event loop (one
 * synchronous run of code, whose sends all leave once it ends): a turn that sends audio, then an
 * `end` (its silence a run of its own), reads the clock twice, microseconds apart. Less than
 * this apart, never as much: readings a whole millisecond apart are two turns (a real-time bot's
 * frames written at 41 and 42 ms, as a clock in whole milliseconds reads them: the first left at
 * 41, not moved to 42 as though the second's reading were work that held it). A turn that came
 * within this of another is taken for the same one: what the first sent is placed, at worst,
 * as late as what the second did (an estimate behind the far end, never ahead of it). On Deno
 * that is where it plays: the runtime runs every timer due before it writes to any socket, so
 * what a timer's callback sent leaves only after the next due callback's work (measured: a send
 * beside a 50 ms callback due in the same millisecond reached its peer 52 ms late, whether the
 * two shared a runtime timer or not). Node's `ws` writes at once (measured: 0.3 ms, that 50 ms
 * callback after it), and so does the memory socket as its sender yields: where the socket
 * holds nothing unsent by the second reading (`OutboundSender.sentHasLeft`), what the first
 * sent has left, and the second begins a turn of its own, the first's audio left where it was
 * placed (a real-time bot's frames written by two timers due in the same millisecond, the
 * second's work 30 ms: the first's 20 ms chunk was told and recorded 30 ms late, the second's
 * 20 ms late, behind it). Asked only then, or after work that took the slack: readings a
 * millisecond apart, and an observer's or a listener's work too short to move anything, need no
 * call into the runtime. The rule is as honest as the socket's count: Bun writes at once from a
 * timer, but holds what a task begun by its `message` handler sends (its microtasks too) until
 * that task ends, counting none of it (measured on Bun 1.4.5: 0, the peer receiving it 50 ms
 * later, after the task's work), so that there such work is taken to hold nothing.
 */
const TURN_SLACK_MS = 1;

/**
 * How many times the observers are told of the moves of one turn's audio as it goes on: their
 * own work on a move holds the turn on, and the audio moves again, told again. One that works on
 * every move would be told forever: past this, the timeline and the tracker follow the turn
 * alone (an observer's estimate behind theirs, by its own work on the last move told).
 */
const MOVES_TOLD = 3;

/** What the pacing timer waits for when it waits for a slot of background audio. */
const FILL = Symbol("fill");

/**
 * What the pacing timer waits for while the far end holds its playout and the next chunk would
 * leave more than `sendAheadMs` past it (see `PlayoutTimeline.holdAt`): the far end to play on
 * (`farEndPlays`, which wakes the pump first), or else the hold's bound.
 */
const PLAYS_ON = Symbol("plays on");

/**
 * What the pacing timer waits for once the far end played on: the run, asked again from a turn
 * of its own (see {@linkcode OutboundPump.farEndPlays}).
 */
const ASK_AGAIN = Symbol("ask again");

/** Options for {@linkcode OutboundPump}. */
export interface OutboundPumpOptions {
  /** The outbound format and the length of the chunks audio is cut into. */
  format: MixerFormat;
  /** How much audio may wait before a writer is asked to wait. */
  maxQueuedMs: number;
  /** The session's pacing schedule and playout. */
  timeline: PlayoutTimeline;
  /** Sends what the pump lets through. */
  sender: OutboundSender;
  /** Told of every chunk sent and of the queue running dry. */
  tracker: PlaybackTracker;
  /** For the pacing timer. */
  clock: Clock;
  /**
   * How long after a source writing in real time ran the queue dry the audio held back (less than
   * a chunk, or a packet) is taken to be the end of its utterance and sent: longer than its jitter.
   */
  tailMs: number;
  /** Background audio under the speech and through its silences, if any. */
  mixer: OutboundMixer | undefined;
  /** Told of every chunk sent (after the tracker); `speech` is false for background alone. */
  onChunk: ((chunk: AudioFrame, speech: boolean) => void) | undefined;
  /** Sends an `end` frame once the audio before it has played, then ends the session. */
  sendEnd: (frame: EndFrame) => Promise<void>;
  /** Takes errors: a fatal one (a bug the pump cannot recover from) ends the session. */
  onError: (error: TransportError) => void;
  /**
   * How long the far end's hold of its playout may keep audio back (`sendTimeoutMs`), from when
   * it began: past it, sending goes on, with a "timeout" error (see `PlayoutTimeline.holdAt`).
   */
  holdBoundMs: number;
  /** Whether a `message` frame waits in the queue (asked only while a hold keeps audio back). */
  messageWaits: () => boolean;
}

/**
 * Queues outbound frames and sends them paced. One pump at a time: it runs synchronously while
 * nothing has to wait — real-time audio, and a session catching up with its schedule, cost no
 * promise and no timer — arms the pacing timer for a deadline, and awaits a send only when the
 * send itself must wait (an asynchronous serializer, a full socket).
 */
export class OutboundPump {
  readonly #queue: OutboundQueue;
  readonly #chunker: AudioChunker;
  readonly #timeline: PlayoutTimeline;
  readonly #sender: OutboundSender;
  /**
   * Binary audio is cut into packets: what a chunk leaves held for a packet not yet whole leaves
   * with a later one (see {@linkcode #heldAudioLeft}). Read once, so a chunk sent without a
   * packetizer costs one field read.
   */
  readonly #packetizes: boolean;
  readonly #tracker: PlaybackTracker;
  readonly #sendEnd: (frame: EndFrame) => Promise<void>;
  readonly #onError: (error: TransportError) => void;
  readonly #pacing: ClockTimer;
  readonly #clock: Clock;
  /**
   * What the pacing timer waits for: the chunk at the head of the queue, or (`FILL`) the next
   * slot of background audio, which goes to speech instead if some is queued by then, or
   * (`PLAYS_ON`, `ASK_AGAIN`) the far end's hold: no slot reserved for either symbol.
   */
  #paced:
    | (OutboundItem & { kind: "audio" })
    | typeof FILL
    | typeof PLAYS_ON
    | typeof ASK_AGAIN
    | undefined;
  readonly #holdBoundMs: number;
  readonly #messageWaits: () => boolean;
  readonly #format: MixerFormat;
  #mixer: OutboundMixer | undefined;
  /** The mixer's `attach` was called (and did not decline): its `detach` says so. */
  #mixerAttached = false;
  /**
   * The mixer's last `fill` gave a chunk: its audio carries the stream on after speech. An idle
   * mixer (stopped, its clip over, not started) fills nothing, and a stretch ends as without one.
   */
  #backgroundFills = false;
  /** Told whether background fills the slots (see `FarEndHold.backgroundFills`). */
  readonly #farEndHold: FarEndHold | undefined;
  /**
   * Judges whether a background whose `fill` gave nothing has stopped (see `BackgroundStop`);
   * made where there is a mixer, its timer armed once a stop, never per chunk.
   */
  readonly #backgroundStop: BackgroundStop | undefined;
  /** Speech off the queue that a throwing `mix` kept from leaving: counted dropped at the stop. */
  #unmixedBytes = 0;
  readonly #onChunk: ((chunk: AudioFrame, speech: boolean) => void) | undefined;
  /** Sends the held-back end of an utterance (see {@linkcode #tailWait}). */
  readonly #tail: ClockTimer;
  readonly #tailMs: number;
  /**
   * Whether this spell's source wrote ahead of real time: a chunk waited for its slot with more
   * than the quiet time of audio queued behind it, which a source keeping time never has.
   */
  #wroteAhead = false;
  /**
   * Ends the stretch of a source that wrote ahead where what has left runs out (see `#ranDry`,
   * `StretchRunOut`): made where the serializer takes stretch ends, armed once a burst, never
   * per chunk.
   */
  readonly #runOut: StretchRunOut | undefined;
  /** The timeline's end when the serializer was last told a stretch ended (told once a stretch). */
  #endedAt = NaN;
  /** When the tail timer let the held-back end go: the deadline its chunk is counted late from. */
  #tailDueAt: number | undefined;
  /**
   * Audio was queued with the queue empty and nothing sending: the run that follows, in the same
   * turn, finds it just written (not due before then, however long ago its slot began).
   */
  #queuedIdle = false;
  /**
   * When audio last found the queue idle, as that run read it: kept for the chunks of that write
   * that wait past the run (behind a send that had to wait), reserved only then. No chunk in the
   * queue was written before it, so it is never later than when one was written.
   */
  #idleQueuedAt = NaN;
  /**
   * When the audio being pushed was written, where it queues behind a send under way or a hold
   * (see {@linkcode pushAudio}); NaN otherwise, and outside a push.
   */
  #writtenAt = NaN;
  /** The tail was cut into a chunk: its packet goes too once the chunk has left. */
  #tailFlushed = false;
  /** Speech was sent, or written, since the queue last ran dry. */
  #speaking = false;
  #running = false;
  /**
   * Something was written while the pump ran: a listener it dispatched to synchronously (a
   * speaking event, an `error`, an observer's chunk) may send, and its frame only queues. A run
   * that would stop looks at the queue again first, or the frame would wait for the next write.
   */
  #runAgain = false;
  #started = false;
  #stopped = false;
  /**
   * The current turn (see `TURN_SLACK_MS`): the position where what it sent began, and the
   * earliest and latest clock readings taken in it. What it sent leaves once it ends, after the
   * user code it ran (see {@linkcode userCodeRan}).
   */
  #turnFrom = 0;
  #turnAt = -Infinity;
  #turnUntil = -Infinity;
  /**
   * Where the audio that left with the chunk last sent begins: that chunk's position, or earlier
   * where it carried a packet's held audio (see {@linkcode turnGoesOnAt}).
   */
  #chunkFrom = 0;
  /**
   * Where audio the far end held after it left begins, let go by the chunk being sent (see
   * {@linkcode #farEndReleased}); NaN: none.
   */
  #releasedFrom = NaN;
  /** The far end asked us to stop sending for now (see {@linkcode hold}). */
  #held = false;
  /** The pacing deadline came while held: the reserved chunk goes when the hold ends. */
  #dueWhileHeld = false;
  /**
   * How many times the far end was told to drop what it holds (`clear`): a bot's mark answered
   * later, with one such clear between, had its padding dropped by it (see `#markPaddingAfter`).
   */
  #cuts = 0;

  /** Makes an idle pump: it sends nothing before {@linkcode start}. */
  constructor(options: OutboundPumpOptions) {
    this.#queue = new OutboundQueue(options.maxQueuedMs);
    this.#chunker = new AudioChunker({ chunkMs: options.format.chunkMs });
    this.#timeline = options.timeline;
    this.#sender = options.sender;
    this.#packetizes = options.sender.packetizes;
    this.#tracker = options.tracker;
    this.#sendEnd = options.sendEnd;
    this.#onError = options.onError;
    this.#holdBoundMs = options.holdBoundMs;
    this.#messageWaits = options.messageWaits;
    this.#clock = options.clock;
    this.#pacing = options.clock.timer(this.#onDeadline);
    this.#tail = options.clock.timer(this.#onTail);
    this.#tailMs = options.tailMs;
    this.#format = options.format;
    this.#mixer = options.mixer;
    if (options.mixer !== undefined) {
      this.#backgroundStop = new BackgroundStop(
        { timeline: options.timeline, clock: options.clock, chunkMs: options.format.chunkMs },
        {
          goesOn: () => this.#stopped || this.#backgroundFills || this.#queue.size > 0,
          heldOff: () => this.#held,
          tailWaits: () => this.#chunker.pendingBytes > 0 || this.#tail.armed,
          endStretch: (now) => {
            this.#audioEnded(now);
            if (this.#sender.pendingPacketBytes > 0) this.#flushHeld(now);
          },
        },
      );
    }
    this.#onChunk = options.onChunk;
    options.tracker.afterDispatch = (before) => this.userCodeRan(before);
    // What the far end held back after it left (mod_audio_fork's pre-buffer) plays once let go.
    // Where marks are answered only: the end-of-speech mark's silence lets it go; without them
    // nothing may until the next reply (see `FarEndHold`), and the estimate stands as it was.
    const hold = options.sender.farEndHold;
    this.#farEndHold = hold;
    if (hold !== undefined && options.tracker.acks) {
      hold.onRelease = (ms) => this.#farEndReleased(ms);
    }
    options.sender.heldAudioDropped = (ms) => {
      this.#unplace(ms);
      this.#tracker.heldAudioGone(ms);
    };
    // A stretch of speech ends at the tracker's quiet time after the queue ran dry (see
    // `#ranDry` for the tail that ends one sooner).
    if (options.sender.takesAudioEnds) {
      // Where the far end answers marks, the tracker tells it right before its end-of-speech
      // mark. A serializer that holds back a partial frame (Vonage, Asterisk) pads and sends it
      // at that mark, with background audio filling the slots too: it goes here instead, as the
      // stretch's end, its padding placed before the mark reads where it stands (its answer
      // follows that padding), not left for a later bot's mark to place.
      options.tracker.stretchEnded = options.sender.holdsPartialFrames && options.tracker.acks
        ? this.#endsBeforeMark
        : () => this.#audioEnded(undefined);
      this.#runOut = new StretchRunOut({ timeline: options.timeline, clock: options.clock }, {
        goesOn: () => this.#stopped || this.#queue.size > 0 || this.#chunker.pendingBytes > 0,
        ended: (now, atRunOut) => this.#audioEnded(now, atRunOut),
      });
    }
  }

  /**
   * User code ran synchronously in a turn whose clock reading before it was `before` (a speaking
   * event's listeners, the observers told of a chunk), and may have worked for a while. If the turn
   * is the one that sent the audio last, all it sent leaves only now: read the clock after it, and
   * if the far end, by the estimate, was to play that audio before now, it ran dry first and plays
   * it from now (see `PlayoutTimeline.replaceFrom`). A clock read where user code runs; nothing
   * where none does.
   */
  userCodeRan(before: number): void {
    // Another turn's reading: what this one sent, if anything, is not known here.
    if (before <= this.#turnAt - TURN_SLACK_MS || before >= this.#turnUntil + TURN_SLACK_MS) return;
    this.#workedUntil(this.#clock.now());
  }

  /**
   * The turn under way read `now` after code that may have worked a while (user code, or the
   * path's own between two chunks of a run). Where that work took the slack and all the turn sent
   * had left before it (a socket that writes at once: see `TURN_SLACK_MS`), the work held none
   * of it: what comes next is a turn of its own, and a later reading of this run moves nothing
   * that left. Else all the turn sent leaves only now. The socket is asked only after such work,
   * never per chunk: an observer told of every chunk costs the one clock read it always did.
   */
  #workedUntil(now: number): void {
    if (now >= this.#turnUntil + TURN_SLACK_MS && this.#turnHasLeft()) this.#beginTurn(now);
    else this.#turnLeftAt(now);
  }

  /**
   * The turn under way read the clock at `now` right after sending a chunk, before the observers
   * are told of it (called from `onChunk` only, which the pump calls in that turn). Work since the
   * turn's last reading, on that chunk (a serializer's `serialize`, a stall inside it), holds all
   * the turn sent, that chunk too: it leaves only once the turn ends. Placed from `now` where it
   * was placed to play before, and the move told to the observers first, so that they hear of
   * the chunk where it plays, not at a gap after audio placed where it never played (the far end,
   * receiving it all at once, plays it back to back). Taken for the turn's own reading, not
   * judged by `userCodeRan`'s window, which that work has left behind. Every chunk, speech or
   * background, is sent from a turn's reading (see `#sendChunk`), so the turn is this one.
   */
  turnGoesOnAt(now: number): void {
    // Within the slack: the same moment (no move of a fraction of a millisecond to tell).
    if (!(now >= this.#turnUntil + TURN_SLACK_MS)) return;
    // A socket that writes at once (see `TURN_SLACK_MS`) had sent what the turn sent before this
    // chunk as it was sent, before the work on this one: only this chunk, and what a packet held
    // that left with it, left after that work (a reply's first chunks, due at once, the second's
    // `serialize` stalled 30 ms: the first was told 30 ms late, every chunk after it 20 ms late).
    if (this.#turnHasLeft()) {
      this.#beginTurn(now);
      this.#turnFrom = this.#chunkFrom;
    }
    this.#turnLeftAt(now);
  }

  /**
   * The current turn goes on at `now` (read after code that may have worked a while): what it
   * sent leaves only when it ends, and plays from `now` if it was placed to play before. The
   * observers told of the move may work on it too (a `playoutMoved` observer's own work): the
   * clock is read again after them, and the turn goes on to then.
   */
  #turnLeftAt(now: number, told = 0): void {
    for (;; told++) {
      this.#turnUntil = now; // the turn goes on: what it sends next leaves with the rest
      if (!(this.#turnFrom < this.#timeline.sentMs)) return; // nothing sent in it
      const from = this.#timeline.replaceFrom(this.#turnFrom, now);
      if (Number.isNaN(from)) return;
      now = this.#moveTold(from, now, told);
      if (Number.isNaN(now)) return;
    }
  }

  /**
   * What the current turn sent from position `from` on was placed anew, from `now`: the tracker
   * hears of it, and the observers too unless `told` moves of the turn were told already (see
   * `MOVES_TOLD`). Their own work on it holds the turn on: returns the clock read after them
   * where it moved on by the slack or more (the turn goes on to then: see {@linkcode #turnLeftAt}),
   * NaN where it did not.
   */
  #moveTold(from: number, now: number, told: number): number {
    this.#tracker.replaced(from, told < MOVES_TOLD);
    // Only where audio moved (rare): a reading after the observers told of it.
    const after = this.#clock.now();
    return after >= now + TURN_SLACK_MS ? after : NaN;
  }

  /**
   * Reads the clock at the start of a run: a reading that does not follow the current turn's
   * closely begins a new turn, which sends from the current position.
   */
  #readTurn(): number {
    const now = this.#clock.now();
    if (now >= this.#turnUntil + TURN_SLACK_MS || this.#turnHasLeft()) this.#beginTurn(now);
    else this.#turnUntil = now;
    return now;
  }

  /** A turn begins at `now`: it sends from the current position. */
  #beginTurn(now: number): void {
    this.#turnAt = now;
    this.#turnUntil = now;
    this.#turnFrom = this.#timeline.sentMs;
  }

  /**
   * Whether the current turn sent audio that has left the process already, so that a reading
   * within the slack of it is another turn's (see `TURN_SLACK_MS`). Asks the socket only where
   * the turn sent audio: a run that finds nothing due costs no call into the runtime.
   */
  #turnHasLeft(): boolean {
    return this.#turnFrom < this.#timeline.sentMs && this.#sender.sentHasLeft;
  }

  /**
   * Queues audio (cut into chunks) and sends what may leave now. Chunks still queued when it
   * returns get bytes of their own: the caller may reuse its buffer. Returns a promise when the
   * writer should wait for room.
   */
  pushAudio(frame: AudioFrame): Promise<void> | undefined {
    // An empty write (a TTS stream's empty piece) is no speech: it neither carries the stream on
    // nor begins a spell whose tail would send the background's partial packet, padded, mid-music.
    // One of a new response still ends the one before: the chunker lets go of its held end (as a
    // new response's audio would make it), which leaves now, not at the quiet time.
    if (frame.audio.length === 0) {
      const queued = this.#queue.size;
      this.#chunker.push(frame, this.#enqueueChunk);
      if (this.#queue.size > queued) this.#run();
      return this.#queue.room();
    }
    this.#tail.cancel();
    // A held-back end the tail timer let go is no longer the stretch's end: this follows it
    // (written while its send waited: a serializer that answers later, a full socket). Still
    // taken for the end, the queue running dry after this audio's first chunk ended the stretch
    // there, mid-speech: the serializer told so, an end-of-speech mark sent (see `#ranDry`).
    this.#tailFlushed = false;
    this.#backgroundStop?.goesOn(); // speech carries the stream on
    this.#tracker.queued();
    // Even if none of it leaves now (less than a chunk): the queue running dry must
    // arm the tail for what the chunker holds, and tell the tracker nothing more is queued.
    this.#speaking = true;
    if (this.#chunker.takeWhole(frame) && this.#sentAtOnce(frame)) return;
    // Queued while the pump waits for a send (an asynchronous serializer, a full socket), or
    // while the far end holds the session off, a chunk is reserved only once that is over, its
    // slot perhaps begun before it was written: it is not due before it was written, so that
    // its lateness is the sender's own delay, not its source's. A clock read a write, only
    // there: queued with the pump idle, the run reads the time (`#queuedIdle`); queued behind a
    // chunk that waits for its slot, it is due at a later slot still.
    this.#writtenAt = this.#held || (this.#running && this.#paced === undefined)
      ? this.#clock.now()
      : NaN;
    this.#chunker.push(frame, this.#enqueueChunk);
    this.#writtenAt = NaN;
    this.#run();
    this.#queue.ownAudio(frame.audio.buffer);
    return this.#queue.room();
  }

  /** Queues a frame after the audio before it (a partial chunk is cut short to keep order). */
  pushFrame(frame: Frame): Promise<void> | undefined {
    this.#tail.cancel();
    this.#chunker.flush(this.#enqueueChunk);
    this.#queue.pushFrame(frame);
    // Behind audio the far end's hold keeps back: the run decides anew (see `#waitsForPlayOn`).
    if (this.#paced === PLAYS_ON && frame.type === "message") this.#askAgain();
    else this.#run();
    return this.#queue.room();
  }

  /**
   * Milliseconds of audio not yet sent: queued, held by the chunker, and held by the packetizer
   * for a packet not yet whole (written, but not on the wire: the far end cannot play it yet).
   */
  get queuedMs(): number {
    return this.#queue.queuedMs + this.#chunker.pendingMs + this.#sender.pendingPacketMs;
  }

  /** Takes `frame` out of the queue, if it waits there: it is handed on another way. */
  withdraw(frame: Frame): void {
    this.#queue.withdraw(frame);
  }

  /** The first chunk queued to be sent (not the chunker's partial one), or `undefined`. */
  get firstQueuedChunk(): AudioFrame | undefined {
    return this.#queue.firstAudio;
  }

  /** The socket is open: begin sending (the background too, if there is one). */
  start(): void {
    this.#started = true;
    const mixer = this.#mixer;
    if (mixer !== undefined) this.#attachMixer(mixer);
    this.#run();
  }

  /**
   * The mixer's own code (see `attachMixer`): where its `attach` threw, nothing is sent and the
   * session ends; a mixer that declined the session is left alone here, and the session goes on
   * without it. Either is reported once the pump's state says so: a listener of the error may
   * write.
   */
  #attachMixer(mixer: OutboundMixer): void {
    this.#mixerAttached = true; // what a throwing attach began is released at the end all the same
    const refused = attachMixer(mixer, { format: this.#format, wake: () => this.#run() });
    if (refused === undefined) return;
    if (refused.fatal) this.#started = false;
    else {
      this.#mixerAttached = false;
      this.#mixer = undefined; // never mixed, filled nor detached here
    }
    this.#onError(refused);
  }

  /**
   * Sends nothing more; wakes every waiter. Returns what was still queued (and now never leaves):
   * audio bytes, the chunker's and packetizer's remainders included, and other frames.
   */
  stop(): { audioBytes: number; frames: number } {
    const mixer = this.#mixer;
    // Never started, it is still released (a stream source made for this session).
    if (!this.#stopped && mixer !== undefined) {
      // Inside the session's end: what its detach throws is reported, and the end goes on.
      const threw = detachMixer(mixer, this.#mixerAttached);
      if (threw !== undefined) this.#onError(threw);
    }
    this.#stopped = true;
    this.#pacing.cancel();
    this.#tail.cancel();
    this.#runOut?.cancel();
    this.#backgroundStop?.cancel();
    this.#paced = undefined;
    // A partial frame a serializer held of the last stretch never leaves now: counted dropped.
    this.#sender.dropHeldFrames();
    const left = this.#queue.discard();
    left.audioBytes += this.#chunker.clear() + this.#sender.clearPackets() + this.#unmixedBytes;
    this.#unmixedBytes = 0;
    this.#queue.wakeWriter();
    this.#queue.wakeDrained();
    return left;
  }

  /**
   * Drops every queued chunk and the chunker's and packetizer's remainders (interruption, close);
   * frames queued between the chunks keep their places. `farEndCleared`: the far end drops what
   * it buffered too, so the schedule starts over; otherwise what was sent still plays, and the
   * next audio is paced to follow it. Returns the audio bytes dropped.
   */
  clear(farEndCleared = true): number {
    const heldMs = this.#sender.pendingPacketMs;
    const dropped = this.#queue.clear() + this.#chunker.clear() + this.#sender.clearPackets();
    if (farEndCleared) {
      this.#timeline.cut();
      this.#cuts++;
      this.#sender.farEndCleared(); // a chunk its serializer still works on is dropped too
      this.#releasedFrom = NaN; // what the far end held, dropped with the rest
    } else {
      // The packet not yet whole never left: the next audio follows what did, with no hole for it.
      this.#timeline.retract(heldMs);
    }
    this.#tail.cancel();
    this.#runOut?.cancel(); // the serializer drops what it held at the interruption
    this.#backgroundStop?.goesOn();
    this.#tailFlushed = false;
    this.#wroteAhead = false; // what comes next is judged on its own
    this.#tailDueAt = undefined;
    this.#dueWhileHeld = false;
    if (this.#paced !== undefined) {
      // The pump was waiting for a deadline that no longer exists. Where the schedule is kept,
      // the slot reserved for the dropped chunk goes back (else a chunk-long hole follows).
      if (!farEndCleared && typeof this.#paced !== "symbol") this.#timeline.release();
      this.#paced = undefined;
      this.#pacing.cancel();
      this.#running = false;
    }
    // The responses an interruption stopped are told now, with the queue and schedule settled:
    // what a listener of their stop sends is a new response, not cleared with the old.
    this.#tracker.cleared();
    return dropped;
  }

  /** Sends on after a {@linkcode clear} (an interruption): the background, if any, goes on. */
  resume(): void {
    this.#run();
  }

  /**
   * Holds everything queued where it is (`true`: the far end can take no more for now) or lets
   * it go again (`false`). Nothing is dropped: writers wait for room as usual. A chunk whose
   * slot was already reserved when the hold came leaves as soon as the hold ends.
   */
  hold(held: boolean): void {
    if (held === this.#held) return;
    this.#held = held;
    if (held) return;
    if (this.#dueWhileHeld) {
      this.#dueWhileHeld = false;
      this.#onDeadline();
    } else this.#run();
    // The background's run-out came during the hold: judged now, after what the run sent.
    this.#backgroundStop?.holdEnded();
  }

  /**
   * The far end plays on after holding its playout (`SerializerContext.farEndHeld(false)`, told
   * to the tracker first, which placed what it held, and the pacing, from now): a chunk waiting
   * for that, or for a slot placed before the schedule moved, is paced anew. From the pacing
   * timer, at once: the serializer tells of it inside its `serialize` of the command, where a
   * run would have it serialize audio before that returned.
   */
  farEndPlays(): void {
    const paced = this.#paced;
    if (paced === undefined || paced === ASK_AGAIN || this.#stopped) return; // a run asks anew
    if (typeof paced !== "symbol") this.#timeline.release();
    this.#paced = ASK_AGAIN;
    this.#pacing.arm(0);
  }

  /**
   * A `message` now waits behind the audio queued here without being queued itself (written to a
   * writer behind a write waiting for room, which waits on that audio: see `messageWaits`): a run
   * waiting on the far end's hold asks anew, as for one queued ({@linkcode pushFrame}), and gives
   * the hold up for it. From the pacing timer, at once: told inside the writer's `write`, where a
   * run's listeners could write again before that frame had its place.
   */
  messageWaiting(): void {
    if (this.#paced !== PLAYS_ON || this.#stopped) return;
    this.#paced = ASK_AGAIN;
    this.#pacing.arm(0);
  }

  /**
   * A `message` was queued while the run waited on the far end's hold (`PLAYS_ON`, no slot
   * reserved): the run asks anew now (see {@linkcode #waitsForPlayOn}).
   */
  #askAgain(): void {
    this.#pacing.cancel();
    this.#paced = undefined;
    this.#dueWhileHeld = false;
    this.#running = false;
    this.#run();
  }

  /**
   * The next chunk would begin more than `sendAheadMs` past where the far end holds its playout
   * (`PlayoutTimeline.holdAt`): it waits for the far end to play on ({@linkcode farEndPlays}),
   * the pacing timer armed for the hold's bound (`holdBoundMs` from its start) and no sooner.
   * Returns false where it does not wait, the hold given up on: the bound has passed (a
   * "timeout" error says so, and sending goes on, paced as though the far end played), or a
   * `message` waits behind that audio, which it keeps its place after, as it would without the
   * hold (a bot's `CONTINUE_MEDIA` would otherwise wait for the bound). The bound is looked at
   * first: a hold whose bound passed while a pause of sending kept the run away (the deadline
   * kept for the pause's end) and a message queued meanwhile ran long all the same, and is said
   * to have (it was given up unsaid). Once a hold, not per chunk.
   */
  #waitsForPlayOn(now: number): boolean {
    const left = this.#timeline.heldSince + this.#holdBoundMs - now;
    if (!(left > 0)) {
      this.#holdRanLong();
      return false;
    }
    if (this.#messageWaits()) {
      this.#timeline.endHold();
      return false;
    }
    this.#paced = PLAYS_ON;
    this.#pacing.arm(left, now);
    return true;
  }

  /**
   * The far end's pause of sending (`hold`) ran past its bound, and is about to end with an error
   * of its own (`OutboundPath`'s): a hold of the far end's playout whose bound has passed too, by
   * `now`, ends with it, unsaid. One cause, one report: on Asterisk both are the bot's
   * `PAUSE_MEDIA` with no `CONTINUE_MEDIA` (under it `MEDIA_XOFF` gets no `MEDIA_XON`), and the
   * pause's error, which tells that Asterisk drops what overflows its queue, is the one kept (the
   * hold's came in the same turn, as sending went on: two errors for one wait). A hold whose
   * bound is still to come holds on (its own error then, for the time the pause did not cover).
   */
  pauseRanLong(now: number): void {
    if (this.#timeline.heldSince + this.#holdBoundMs <= now) this.#timeline.endHold();
  }

  /** The far end's hold kept audio back past its bound: sending goes on, said with why. */
  #holdRanLong(): void {
    this.#timeline.endHold();
    this.#onError(
      new TransportError(
        "timeout",
        `the far end held its playout (SerializerContext.farEndHeld; on Asterisk, the bot's ` +
          `PAUSE_MEDIA with no CONTINUE_MEDIA since) and did not play on within ` +
          `${this.#holdBoundMs} ms: sending on, into the queue it holds`,
      ),
    );
  }

  /**
   * Sends the chunker's remainder and everything queued, paced; settles once all has left, or
   * once the session has ended (`signal`, the pump's stop), the rest dropped.
   */
  async finish(signal: AbortSignal): Promise<void> {
    this.#chunker.flush(this.#enqueueChunk);
    this.#run();
    await this.#queue.drained(signal);
    // Settled by the session's end, not by the queue running dry: the stretch was cut, not
    // ended, and the serializer and the tracker are done with (the stop dropped what they held).
    if (this.#stopped || signal.aborted) return;
    this.#audioEnded(undefined, false, true);
    this.#flushHeld(undefined);
  }

  /**
   * A real-time bot's case: a frame that is one whole chunk, nothing queued before it, its slot
   * due now. It leaves at once, the frame itself as the chunk (no chunk object, no queue entry,
   * no run of the queue): what `#run` would do with it, minus the queue. Returns false, having
   * done nothing, when the frame must be queued instead.
   */
  #sentAtOnce(frame: AudioFrame): boolean {
    if (
      this.#running || !this.#started || this.#stopped || this.#held ||
      this.#mixer !== undefined || this.#queue.size > 0
    ) return false;
    const ms = durationMs(frame.audio.length, frame);
    const now = this.#readTurn();
    if (this.#timeline.waitFor(ms, now) > 0) return false; // not due yet: it waits in the queue
    this.#timeline.reserve(ms, now, undefined, now); // written now: not due before
    this.#running = true;
    this.#runAgain = false;
    try {
      const sending = this.#sendChunk(frame, ms, true, now);
      if (sending) {
        void this.#runAfter(sending);
        return true;
      }
      // Written meanwhile: the run below sends it, and runs the queue dry after it instead.
      if (!this.#runAgain) this.#ranDry(now);
    } catch (cause) {
      this.#failed(cause);
    }
    this.#running = false;
    if (this.#runAgain) this.#run(now, true);
    return true;
  }

  #enqueueChunk = (chunk: AudioFrame): void => {
    if (this.#queue.size === 0 && !this.#running) this.#queuedIdle = true;
    this.#queue.pushAudio(chunk, durationMs(chunk.audio.length, chunk), this.#writtenAt);
  };

  /**
   * Sends what may leave now, and arms the pacing timer for the rest. `now`: the clock as read in
   * this turn, if it was; `stale`: a chunk was sent since (see below).
   */
  #run(now?: number, stale = false): void {
    if (!this.#started || this.#stopped) return;
    if (this.#running) {
      this.#runAgain = true; // the run under way, or the one after its wait, sends it
      return;
    }
    this.#running = true;
    if (this.#queuedIdle) {
      this.#queuedIdle = false;
      this.#idleQueuedAt = now ??= this.#readTurn();
    }
    // One clock read for the whole run: what it does is synchronous, and a real clock read is a
    // call into the runtime that the pacer and the tracker would otherwise each make per chunk.
    // Once a chunk is sent, the listeners and observers told of it have run, and may have worked
    // for a while (`stale`): a slot reserved by that reading still fixes when a chunk that waits
    // is due, but a chunk that would leave at once is placed by the time it does (#reread).
    try {
      for (;;) {
        if (this.#stopped || this.#held) break;
        const item = this.#queue.peek();
        if (item === undefined) {
          this.#runAgain = false;
          this.#ranDry(now);
          if (this.#runAgain) continue; // a listener of the tracker's events wrote
          if (this.#mixer === undefined) break;
          // Background fills the slot, unless speech is queued by the time it is due. Read as
          // speech is: a filler is sent in the turn, and the far end, if the turn ran long
          // (inside `serialize`, an observer's work on the chunk before), plays it as it arrives.
          now ??= this.#readTurn();
          let wait = this.#timeline.waitFor(this.#format.chunkMs, now);
          if (stale && (wait === 0 || this.#turnUntil > now)) {
            now = this.#reread();
            wait = this.#timeline.waitFor(this.#format.chunkMs, now);
          }
          if (wait > 0) {
            if (wait === Infinity) {
              if (this.#waitsForPlayOn(now)) return;
              wait = this.#timeline.waitFor(this.#format.chunkMs, now); // the hold given up
            }
            if (wait > 0) {
              this.#paced = FILL;
              return this.#pacing.arm(wait, now);
            }
          }
          const filler = this.#fill(this.#mixer);
          const filled = this.#backgroundFills;
          this.#backgroundFills = filler !== undefined;
          // Told as it changes, not per chunk.
          if (filled !== this.#backgroundFills && this.#farEndHold !== undefined) {
            this.#farEndHold.backgroundFills = this.#backgroundFills;
          }
          if (filler === undefined) {
            if (filled) this.#backgroundStop!.paused(now);
            break; // no background now: idle until woken
          }
          if (!filled) this.#backgroundStop!.goesOn(); // it stalled, and goes on
          const ms = durationMs(filler.audio.length, filler);
          const sending = this.#sendChunk(filler, ms, false, now);
          stale = true;
          if (sending) return void this.#runAfter(sending);
        } else if (item.kind === "audio") {
          now ??= this.#readTurn();
          // Not due before it was written: its own reading where one was taken (queued while
          // busy), else (NaN) no earlier than the write that found the queue idle.
          const idleAt = this.#idleQueuedAt;
          const queuedAt = Number.isNaN(item.queuedAt) || item.queuedAt < idleAt
            ? idleAt
            : item.queuedAt;
          let wait = this.#timeline.reserve(item.durationMs, now, this.#tailDueAt, queuedAt);
          // Not due by this run's reading, it may be by a later one: a listener told of the last
          // chunk worked a while (`userCodeRan` moved the turn on), and the chunk leaves now.
          if (stale && (wait === 0 || this.#turnUntil > now)) {
            now = this.#reread();
            wait = this.#timeline.reserve(item.durationMs, now, this.#tailDueAt, queuedAt);
          }
          if (wait > 0) {
            // The far end holds its playout: it waits for that, else the run asks anew.
            if (wait === Infinity) {
              if (this.#waitsForPlayOn(now)) return;
              continue;
            }
            this.#tailDueAt = undefined;
            this.#paced = item;
            if (this.#queue.queuedMs > this.#tailMs) this.#wroteAhead = true;
            return this.#pacing.arm(wait, now);
          }
          this.#tailDueAt = undefined;
          this.#queue.shift();
          const sending = this.#sendChunk(item.chunk, item.durationMs, true, now);
          stale = true;
          if (sending) return void this.#runAfter(sending);
        } else {
          this.#queue.shift();
          const frame = item.frame;
          // What an `end` follows has all left by then, the partial packet too: flushed here
          // (not by the end's sender) so that, dropped, it comes off the timeline first.
          let padsHeldFrame = false;
          if (frame.type === "end") {
            this.#audioEnded(now, false, true);
            this.#flushHeld(now);
          } else if (this.#sender.padsHeldFrameAt(frame)) {
            // The serializer sends its padded partial frame with the mark: the packet that holds
            // the audio before it goes first (padded where the `lastPacket` policy drops: it is
            // no reply's end), or the mark's frame overtakes it, and the mark is answered before
            // that audio has played. Only a bot's mark comes here: the transport's own go
            // straight to the sender, mid-speech, and leave the partial packet waiting.
            padsHeldFrame = true;
            if (this.#sender.pendingPacketBytes > 0) this.#flushHeld(now, true);
          }
          const sending = frame.type === "end"
            ? this.#sendEnd(frame)
            : this.#sender.sendFrame(frame);
          // Its padded frame (in packets padded whole, with `fixedAudioPacketSize`, after the
          // partial packet before it, whose padding `#flushHeld` placed) plays after the speech
          // before the mark and delays all after it: placed there, once the answer has left.
          if (padsHeldFrame) {
            this.#placePadding(this.#sender.takeMarkPaddedMs(), now);
            if (sending) return void this.#runAfter(this.#markPaddingAfter(sending));
          }
          if (sending) return void this.#runAfter(sending);
        }
      }
    } catch (cause) {
      this.#failed(cause);
    }
    this.#running = false;
  }

  /**
   * Gives back the slot just reserved by a reading taken before a chunk was sent in this turn, and
   * reads the clock again: the code that ran since (the serializer, the socket, an error
   * listener; the observers and speaking-event listeners are seen to at once, `userCodeRan`) may
   * have worked so long that the far end has run dry, and what this turn sent leaves only once it
   * ends, unless the socket wrote it at once (see `#workedUntil`). The next is then placed after
   * it as it plays from now, not in a spell that is over (and leaves in its place, not with more
   * than the lead at once). Returns the time read.
   */
  #reread(): number {
    this.#timeline.release();
    const now = this.#clock.now();
    this.#workedUntil(now);
    return now;
  }

  /** The queue is empty: speech, if any was going, has run out for now. */
  #ranDry(now: number | undefined): void {
    this.#queue.wakeDrained();
    // A real-time source's held-back end left at the tail timer, the quiet time after the queue
    // ran dry: for the tracker, that quiet time has passed already (see `drained`).
    const quietPassed = this.#tailFlushed && !this.#wroteAhead;
    if (this.#tailFlushed) {
      // The tail chunk has left: the packet it began goes too, by the lastPacket policy. From a
      // source writing in real time it is the end of the stretch (its tail waited the quiet
      // time). One that wrote ahead had its tail sent as what had left ran out, the same reply
      // perhaps going on (its next burst due about now, as the far end plays the tail): its
      // stretch ends once the tail too runs out (see `StretchRunOut`), unless a partial packet goes
      // now, which the packetizer pads (or drops) whatever follows: the filter's end joins it.
      // With background filling the slots the stream goes on past the reply's end: its packet is
      // padded where the policy drops, as before an end-of-speech mark (`#endsBeforeMark`), not
      // cut out of the middle of what the far end plays.
      this.#tailFlushed = false;
      const runOut = this.#runOut;
      if (runOut !== undefined && this.#wroteAhead && this.#sender.pendingPacketBytes === 0) {
        runOut.arm(now);
      } else this.#audioEnded(now);
      this.#flushHeld(now, this.#backgroundFills);
    }
    if (!this.#speaking) return;
    const chunkHeld = this.#chunker.pendingBytes > 0;
    if (chunkHeld || this.#sender.pendingPacketBytes > 0) {
      // The end of the utterance may be held back. Armed once a dry spell: background audio runs
      // the queue dry at every slot, and re-armed each time, the tail would never come (a write
      // cancels it, so a new spell arms it anew).
      if (!this.#tail.armed) this.#tail.arm(this.#tailWait(now), now);
      // The tracker hears that the audio ran out once that end has left, or it would end the
      // spell before it (and begin another for it); a partial packet the policy drops never plays.
      if (chunkHeld || this.#sender.partialPacketPlays) return;
    }
    this.#speaking = false;
    this.#wroteAhead = false; // the spell is over: the next is judged on its own
    this.#tracker.drained(now, quietPassed);
  }

  /**
   * A stretch of speech has ended (the quiet time passed with nothing queued, its held-back end
   * has left, or an `end` or the close of the writable follows it): the serializer hands over
   * what it still holds of it (a resampler's filter delay), to go after its last chunk and before
   * the packetizer's partial packet goes, or drops it where nothing of the stretch plays on (see
   * `FrameSerializer.audioEnds`). Where a stretch ends, never per chunk; not while a background
   * mixer fills the slots, whose chunks carry the stream on and push those samples out within a
   * chunk, unless the session's audio ends (`last`: an `end` or the writable's close follows), where
   * nothing carries them on (and the mixer may have had no slot to say it stopped), or an
   * end-of-speech mark follows that would pad a held partial frame anyway (`last` too: see the
   * constructor).
   */
  #audioEnded(now: number | undefined, atRunOut = false, last = false): void {
    const sender = this.#sender;
    if ((this.#backgroundFills && !last) || !sender.takesAudioEnds) return;
    const sentMs = this.#timeline.sentMs;
    if (sentMs === this.#endedAt) return; // told already, and nothing has left since
    this.#endedAt = sentMs;
    // A partial packet plays by its policy, and they join it. With no partial packet where a
    // packetizer is set (the last one left whole), they would go in a packet of their own, a
    // fraction of a millisecond padded to a whole packet of silence: dropped. Else what has left
    // plays on while the far end, as far behind the estimate as last measured, has not run out
    // (`atRunOut`: the estimate's run-out is now, and the far end plays behind it).
    const playing = sender.pendingPacketBytes > 0
      ? sender.partialPacketPlays
      : !sender.packetizes && (atRunOut || this.#tracker.playsOn(now ?? this.#clock.now()));
    const packetBegins = sender.packetizes && sender.pendingPacketBytes === 0;
    const heldMs = sender.packetizes ? sender.heldAudioMs : 0;
    sender.audioEnds(playing);
    // A packet its messages completed carried the audio held for it, which left only now.
    if (heldMs > 0) this.#heldAudioLeft(this.#timeline.sentMs - heldMs, now);
    // The silence padding a whole-frame serializer's last frame plays after the stretch, before
    // anything sent next: placed there, so that the answer to the end-of-speech mark, which
    // covers it, is read where it comes (the mark stands after it), and the next audio follows it.
    this.#placePadding(sender.endExtraMs, now);
    // Its padded frame may begin a packet (the last one left whole): nothing of the stretch comes
    // to fill it, so it goes now by the `lastPacket` policy, before the end-of-speech mark, not
    // with the next reply (where it ends at the quiet time, or as what has left runs out).
    if (packetBegins && sender.pendingPacketBytes > 0) this.#flushHeld(now);
  }

  /**
   * A stretch of a serializer that holds back a partial frame ends right before the
   * end-of-speech mark (see the constructor), background audio filling the slots or not. With
   * background, the packetizer's partial packet its padded frame went into would wait for the
   * next chunk, and the mark overtake it: the far end would answer before that packet (the end of
   * the speech, the padding) plays, and its padding would never be placed. It goes now, padded
   * where the `lastPacket` policy drops (the stream goes on: no reply's end is dropped).
   */
  #endsBeforeMark = (markFollows: boolean): void => {
    // No mark follows (the end-of-speech one went already, before the background's first chunk
    // or with it; too many wait): the background carries the stream on, and pushes what the
    // serializer holds (a resampler's filter delay, a partial frame: the background's by now)
    // out with its next chunk. Ended here, that went padded to a whole frame and the resampler
    // began again from silence: a hole of up to 20 ms in the background at every reply's quiet
    // time (Vonage and Asterisk, audio resampled), and a click where it resumed.
    if (this.#backgroundFills && !markFollows) return;
    this.#audioEnded(undefined, false, true);
    if (this.#backgroundFills && this.#sender.pendingPacketBytes > 0) {
      this.#flushHeld(undefined, true);
    }
  };

  /**
   * Places `ms` of silence a whole-frame serializer padded its frame with (a stretch's end, a
   * bot's mark), sent after the audio before it, on the timeline where it plays: what follows
   * plays after it. A stretch told ended there stays told: the padding carries none on.
   */
  #placePadding(ms: number, now: number | undefined): void {
    if (!(ms > 0)) return;
    const told = this.#endedAt === this.#timeline.sentMs;
    this.#timeline.append(ms, now ?? this.#clock.now());
    if (told) this.#endedAt = this.#timeline.sentMs;
  }

  /**
   * The packetizer's partial packet goes by the `lastPacket` policy. Dropped (`"drop"`, or a far
   * end closing the session), it never leaves: its audio, placed on the timeline with its chunk,
   * comes off it again, so that `sentMs` and `heardMs` count only what left, and the next audio
   * is paced to follow what did rather than a hole (as an interruption's `clear(false)` does).
   */
  #flushHeld(now: number | undefined, midSpeech = false): void {
    const heldMs = this.#sender.heldAudioMs;
    const droppedMs = this.#sender.flushPackets(midSpeech);
    if (droppedMs > 0) this.#unplace(droppedMs);
    // It left now, its audio placed with its chunks: placed where it plays, before its padding.
    else if (heldMs > 0) this.#heldLeftInTurn(this.#timeline.sentMs - heldMs, now);
    // A whole-frame serializer's stretch-end padding that went in it, and the packet's own, play
    // after the audio it held (a refused packet played none).
    this.#placePadding(this.#sender.flushedPaddingMs, now);
    this.#tracker.heldAudioGone(droppedMs, now);
  }

  /**
   * Takes `ms` of audio held back, placed on the timeline with its chunks, off it again: it
   * never leaves (see `#flushHeld`).
   */
  #unplace(ms: number): void {
    const told = this.#endedAt === this.#timeline.sentMs;
    this.#timeline.retract(ms);
    if (told) this.#endedAt = this.#timeline.sentMs; // the stretch it ended ends here now
  }

  /**
   * How long the audio held back waits for more before it leaves as the end of an utterance: the
   * quiet time (`tailMs`), longer than a real-time source's jitter, so that its next write
   * completes the chunk. From a source that wrote ahead, no later than when what has left runs out
   * at the far end (the packetizer's partial packet has not), at once if it has: the end then
   * follows without a gap, and more of the same reply written before then still joins it.
   * Otherwise the quiet time, even where what has left runs out sooner (a reply of one to two
   * chunks written at once pauses a chunk before its end): such a reply is, until the quiet time
   * has passed, a real-time source's first frame, whose remainder the next frame completes.
   */
  #tailWait(now: number | undefined): number {
    if (!this.#wroteAhead) return this.#tailMs;
    const ahead = this.#leftRunsOutAt() - (now ?? this.#clock.now());
    if (!(ahead > 0)) return Number.isNaN(ahead) ? this.#tailMs : 0; // NaN: nothing playing
    return ahead < this.#tailMs ? ahead : this.#tailMs;
  }

  /**
   * When what has left runs out at the far end, by the estimate: not what the packetizer, or a
   * serializer's partial frame behind it, still holds (NaN: nothing playing).
   */
  #leftRunsOutAt(): number {
    const timeline = this.#timeline;
    return timeline.playsAt(timeline.sentMs - this.#sender.heldAudioMs);
  }

  /**
   * No audio came in time after the last chunk left: what is held back (less than a chunk, or a
   * packet) is the end of an utterance, not the start of a chunk. Send it rather than keep it
   * until whatever is written next; once it has left, the queue runs dry for good.
   */
  #onTail = (): void => {
    if (this.#stopped || this.#queue.size > 0) return;
    this.#tailFlushed = true;
    // Its chunk (if the chunker holds one: else only a packet goes) was due now, not at its slot.
    if (this.#chunker.pendingBytes > 0) this.#tailDueAt = this.#clock.now();
    this.#chunker.flush(this.#enqueueChunk);
    this.#run();
  };

  /** The pacing deadline the pump waited for has come. */
  #onDeadline = (): void => {
    if (this.#held && this.#paced !== undefined) {
      // Keep the slot (and `#running`, so writes queue behind it): it goes when the hold ends.
      this.#dueWhileHeld = true;
      return;
    }
    const paced = this.#paced;
    this.#paced = undefined;
    if (paced === undefined) return;
    // No chunk's slot (one check, as the one for FILL was): the run asks anew.
    if (typeof paced === "symbol") {
      this.#running = false;
      // The hold's bound came first, unless the hold was given up meanwhile (the pause of
      // sending that kept this deadline waiting gave it up with its own error: `pauseRanLong`).
      if (paced === PLAYS_ON && !Number.isNaN(this.#timeline.heldSince)) this.#holdRanLong();
      return this.#run();
    }
    this.#queue.shift();
    // Read here (the run after it reads no more): a timer that fired late — the event loop
    // stalled — sends the chunk after its slot began, and the timeline places it where it plays.
    const now = this.#readTurn();
    let sending: Promise<void> | void;
    try {
      sending = this.#sendChunk(paced.chunk, paced.durationMs, true, now);
    } catch (cause) {
      return this.#failed(cause);
    }
    if (sending) return void this.#runAfter(sending);
    this.#running = false;
    this.#run(now, true);
  };

  /**
   * Sends a chunk in the slot reserved for it (a filler reserves its slot here); `now`, the clock
   * as the caller read it in this turn (a filler's too: it leaves with all the turn sent, and
   * plays as it arrives where the turn ran long, as speech does).
   */
  #sendChunk(
    chunk: AudioFrame,
    ms: number,
    speech: boolean,
    now: number,
  ): Promise<void> | void {
    if (speech) {
      this.#speaking = true;
      this.#tracker.beforeChunk(chunk.responseId);
    } else {
      // A reply's end is marked before the background after it leaves, not a chunk late.
      this.#tracker.beforeBackground(now);
      this.#timeline.reserve(ms, now);
    }
    const out = speech && this.#mixer !== undefined ? this.#mix(this.#mixer, chunk) : chunk;
    const heldMs = this.#packetizes ? this.#sender.heldAudioMs : 0;
    const sending = this.#sender.sendAudio(out, speech);
    if (sending === false && speech) {
      // It never left (the serializer refused it, counted and reported, or the socket is gone):
      // not sent, so not heard, and its slot goes to the next chunk rather than a hole. A filler
      // keeps its slot: given back, the next filler would be due at once, refused the same way.
      this.#timeline.release();
      return;
    }
    this.#timeline.commit(now);
    if (sending === false) return;
    if (speech && sending !== undefined) this.#sendUnderWay(sending);
    this.#chunkFrom = this.#timeline.lastPosition;
    // Sent now (an answer that comes later packetizes then: what is held stays placed as it was).
    if (heldMs > 0 && sending === undefined) {
      const from = this.#timeline.lastPosition - heldMs;
      // What it held left with this chunk (and joined the turn: see `#heldLeftInTurn`).
      if (this.#heldAudioLeft(from, now)) this.#chunkFrom = from;
    }
    const released = this.#releasedFrom;
    if (!Number.isNaN(released)) {
      // The far end let go what it held with this chunk: placed as a packet's held audio is.
      this.#releasedFrom = NaN;
      this.#heldLeftInTurn(released, now);
      this.#chunkFrom = released;
    }
    this.#tracker.chunkSent(chunk, ms, speech, now, sending !== undefined);
    this.#onChunk?.(out, speech);
    // From where what left with it begins: the far end's held audio it let go leaves with it too,
    // placed above to play from now though it arrives only with the answer (a chunk off, at worst).
    return sending && this.#leftOnAnswer(sending, this.#chunkFrom, ms, speech);
  }

  /**
   * A chunk whose send had to wait (a serializer that answers later, a full socket) leaves only
   * once it is over, the run held meanwhile: the far end, if it ran dry first by the estimate,
   * plays it as it arrives, and all after it follows (as a turn that ran long: see
   * `PlayoutTimeline.replaceFrom`; nothing is reserved while the run waits). Placed at its slot,
   * it read as played before it left: `heardMs` a chunk ahead for the rest of the reply, and the
   * underrun told short by as much. Not after a cut: what the far end dropped plays nowhere.
   * `ms`: the chunk's length; `speech`: whether it was speech.
   */
  async #leftOnAnswer(
    sending: Promise<void>,
    from: number,
    ms: number,
    speech: boolean,
  ): Promise<void> {
    const cuts = this.#cuts;
    await sending;
    if (this.#stopped || this.#cuts !== cuts) return;
    const now = this.#clock.now();
    if (this.#sender.refusedLate) return this.#neverLeft(ms, now);
    const moved = this.#timeline.replaceFrom(from, now);
    if (!Number.isNaN(moved)) this.#tracker.replaced(moved);
    // The marks after it go now, behind it on the wire (see `PlaybackTracker.chunkLeft`).
    this.#tracker.chunkLeft(now, speech);
  }

  /**
   * The chunk whose send waited was refused by the serializer's late answer (see
   * `OutboundSender.refusedLate`): placed on the timeline as its send began, and told to the
   * observers then, it never left. Nothing was placed after it (the run waits for the answer), so
   * its `ms` are the timeline's last: the observers hear it was dropped (a recording "as heard"
   * erases it), it comes off the timeline as a dropped partial packet does (`#unplace`: a stretch
   * told ended before it stays told, nothing having left since), so that the next chunk takes its
   * place rather than follow a hole the far end never plays, and the tracker takes it off the
   * response it belonged to. Not placed anew first: no move of audio that never left is told.
   */
  #neverLeft(ms: number, now: number): void {
    this.#sender.placedAudioDropped(ms);
    this.#unplace(ms);
    this.#tracker.chunkNeverLeft(now);
  }

  /**
   * The chunk just committed, or a stretch's end messages (`audioEnds`), went to the packetizer,
   * which held the audio from position `from` on for a packet not yet whole (with the
   * serializer's partial frame behind it: `heldAudioMs`), placed with its chunks to play from
   * their slots. If a packet left now, that audio reached the far end only now: one playing what
   * it receives as it arrives plays it from now if it was placed to play before (a reply's first
   * chunk, less than a packet, waits for the next, a chunk later from a source writing in real
   * time; a reply's end, for the padded frame its stretch end sends), and all sent after it
   * follows. Placed anew so (see `PlayoutTimeline.heldLeft`), the responses and the observers
   * are told, as of a turn that ran long. A packetizer's case only, a compare where no packet left.
   * Returns whether a packet left.
   */
  #heldAudioLeft(from: number, now: number | undefined): boolean {
    const timeline = this.#timeline;
    if (!(timeline.sentMs - this.#sender.heldAudioMs > from + 1e-6)) return false; // still held
    this.#heldLeftInTurn(from, now);
    return true;
  }

  /**
   * The far end was just sent what lets go the last `ms` of what left, which it held back (see
   * `FarEndHold`): unplayed so far, it plays from now, all after it following, as a packet's
   * held audio that leaves (see {@linkcode #heldLeftInTurn}). With a chunk reserved (the one
   * being sent completes the batch, mid-reply), once that chunk is on the timeline, its slot
   * following what was held (see `#sendChunk`).
   */
  #farEndReleased(ms: number): void {
    const from = this.#timeline.sentMs - this.#sender.heldAudioMs - ms;
    if (this.#timeline.reserving) this.#releasedFrom = from;
    else this.#heldLeftInTurn(from, undefined);
  }

  /**
   * The audio from position `from` on, held for a packet, left with one in the turn that read
   * `now` (undefined: a turn of its own, read here): it leaves once that turn ends, with all the
   * turn sent, so work later in it (inside `serialize`, an observer's) holds it too, not only
   * what the turn's own chunks began. Placed where it plays (`PlayoutTimeline.heldLeft`) and the
   * move told as one of the turn's own: an observer's work on it (a recorder's, a heavy
   * observer's) holds the turn, the packet with it, on, and the observers are told again, by
   * `#turnLeftAt`'s rule and its bound (told once only, where the packet left, the reply's end
   * was told, and recorded, as early as that work took: 10 ms on the move of a 90 ms reply's
   * padded packet, that packet recorded 10 ms before the far end played it).
   */
  #heldLeftInTurn(from: number, now: number | undefined): void {
    now ??= this.#readTurn();
    if (from < this.#turnFrom) this.#turnFrom = from;
    const moved = this.#timeline.heldLeft(from, now);
    if (Number.isNaN(moved)) return;
    const after = this.#moveTold(moved, now, 0);
    if (!Number.isNaN(after)) this.#turnLeftAt(after, 1);
  }

  /**
   * A bot's mark's send that had to wait (a serializer that answers later, a full socket): the
   * padding its answer sent, known once it has left, is placed then (see `takeMarkPaddedMs`),
   * unless an interruption has cleared the far end since.
   */
  async #markPaddingAfter(sending: Promise<void>): Promise<void> {
    const cuts = this.#cuts;
    await sending;
    const paddedMs = this.#sender.takeMarkPaddedMs();
    // An interruption's clear, answered after the mark, left after it: the far end dropped it.
    if (this.#cuts === cuts) this.#placePadding(paddedMs, undefined);
  }

  /**
   * A chunk of speech whose send is under way, told to the far end's hold while it is (see
   * `FarEndHold.sendsUnderWay`): an interruption meanwhile may drop it.
   */
  #sendUnderWay(sending: Promise<void>): void {
    const hold = this.#sender.farEndHold;
    if (hold === undefined) return;
    hold.sendsUnderWay++;
    const over = () => {
      hold.sendsUnderWay--;
    };
    sending.then(over, over);
  }

  /** Waits for a send that had to wait, then runs on. */
  async #runAfter(sending: Promise<void>): Promise<void> {
    try {
      await sending;
    } catch (cause) {
      this.#failed(cause);
    }
    this.#running = false;
    if (this.#stopped) return this.#queue.wakeDrained();
    this.#run();
  }

  #fill(mixer: OutboundMixer): AudioFrame | undefined {
    let filler: AudioFrame | undefined;
    try {
      filler = mixer.fill();
    } catch (cause) {
      throw new MixerThrew("fill", cause);
    }
    // A chunk of no audio takes no time on the timeline: the run would fill slot after slot in
    // one turn, for ever. The mixer's fault, as a throw is ("none now" is `undefined`).
    if (filler !== undefined && !(filler.audio?.length > 0)) {
      throw new MixerThrew("fill", new RangeError(EMPTY_FILL));
    }
    return filler;
  }

  #mix(mixer: OutboundMixer, chunk: AudioFrame): AudioFrame {
    try {
      return mixer.mix(chunk);
    } catch (cause) {
      this.#unmixedBytes += chunk.audio.length; // never sent, the session ends: dropped
      throw new MixerThrew("mix", cause);
    }
  }

  #failed(cause: unknown): void {
    // The application's code, run from a listener or a timer the session shares: it ends this
    // session only, as a throwing attach or observer does.
    if (cause instanceof MixerThrew) return this.#onError(cause.toError());
    // Only a bug can get here (send and serializer failures are handled where they occur); end
    // the session loudly rather than leave a wedged queue behind.
    this.#onError(
      new TransportError("protocol", `outbound path failed: ${thrownText(cause)}`, {
        cause,
        closeCode: 1011,
        fatal: true,
      }),
    );
  }
}
