/**
 * What FreeSWITCH's `mod_audio_fork` with bidirectional streaming needs of a serializer, whether
 * a FreeSWITCH application started it (`FreeSwitchSerializer`) or jambonz's `listen` verb did
 * (`JambonzSerializer`): outbound L16 safe from the module's mark sentinel, its JSON commands,
 * and its inbound text events. Internal to the serializers.
 *
 * @module
 */

import type { DtmfFrame, Frame, MarkFrame } from "../frames.ts";
import type { SerializedMessage, SerializerContext } from "../serializer.ts";
import { type Clock, type ClockTimer, systemClock } from "../clock.ts";
import { TransportError } from "../errors.ts";
import { describe, isObject } from "./telephony/_json_value.ts";
import { toJson } from "./_to_json.ts";
import { PLAYOUT_END_MARK_PREFIX, PLAYOUT_MARK_PREFIX } from "../playback.ts";
import { FAR_END_HOLDS, type FarEndHold } from "./_far_end_holds.ts";
import type { JsonReader } from "./telephony/json_reader.ts";

/** Drops the audio playing and buffered; marks not reached come back as `cleared`. */
const KILL_AUDIO = '{"type":"killAudio"}';
/** Ends the fork: jambonz closes the socket and ends the `listen`. */
export const DISCONNECT = '{"type":"disconnect"}';

/**
 * The module keeps at most 30 marks (in inventory and in use) and discards further ones with
 * only a log line (`MAX_MARKS` in jambonz/freeswitch-modules `mod_audio_fork/lws_glue.cpp`).
 */
export const MAX_PENDING_MARKS = 30;

/**
 * Of the module's {@linkcode MAX_PENDING_MARKS}, the most the transport's own marks (named with
 * `PLAYOUT_MARK_PREFIX`) may hold: the rest are the bot's, so a bot's mark is refused only while
 * at least six of its own wait. 24 is the playback tracker's own bound for its cadence: a session
 * whose bot sends no marks loses none of them to this. The tracker lets its end-of-speech marks
 * go on past it (to 48, a far end that stopped answering), which took the bot's slots and, at
 * 30, had the bot read an "encode" error about a mark it never wrote. See
 * {@linkcode ForkMarks.command}.
 */
const MAX_TRANSPORT_MARKS = 24;

/**
 * The module marks a mark's place in its playout buffer with the sample 0xFFFF and takes any
 * such sample it meets while marks are pending for a mark (`AUDIO_MARKER`, same file): audio
 * holding the value -1 would acknowledge marks early and lose samples. Outbound audio has each
 * -1 moved to -2 (one step, inaudible); the bytes are copied only when one is found.
 */
export function withoutMarkSentinel(pcm: Uint8Array): Uint8Array {
  let copy: Uint8Array | undefined;
  for (let i = 0; i + 1 < pcm.length; i += 2) {
    if (pcm[i] === 0xff && pcm[i + 1] === 0xff) {
      // Deliberate copy: the bytes may be the caller's, and must not change under it.
      copy ??= pcm.slice();
      copy[i] = 0xfe;
    }
  }
  return copy ?? pcm;
}

/**
 * A name the module can echo back intact: it writes the name into its JSON answer unescaped
 * (`send_mark_event` in `lws_glue.cpp`), so a quote, a backslash or a control character would
 * come back as broken JSON or another name.
 */
// deno-lint-ignore no-control-regex -- control characters are exactly what it looks for
const ECHO_SAFE_NAME = /^[^"\\\u0000-\u001f]*$/;
/** The ids unsafe names travel under: a name of the bot's of this form would be taken for one. */
const RENAMED_ID = /^#m\d+$/;

/**
 * Whether `name` travels as it is: echo-safe ({@linkcode ECHO_SAFE_NAME}), whole UTF-16 (the
 * module's cJSON, FreeSWITCH `switch_json.c` `parse_string`, skips a lone surrogate's `\u` escape,
 * so the name would come back without it) and not of the form of an id of ours (its answer would
 * be taken for the renamed mark's, and the two answered swapped).
 */
function travelsAsIs(name: string): boolean {
  return ECHO_SAFE_NAME.test(name) && name.isWellFormed() && !RENAMED_ID.test(name);
}

/** The sample the module takes for a mark's place (`AUDIO_MARKER`), as bytes. */
const SENTINEL_BYTES = [0xff, 0xff];

/**
 * The module's pre-buffer thresholds, in samples (`streamingPreBufSize`, `lws_glue.cpp:487` and
 * `:116`): audio plays only once this much has gathered, the first time and after. Counted as
 * the module counts them when the returned audio's rate is the channel's codec rate (downscale
 * factor 1), the only case in which its marks work at all: its factor is that rate over the
 * codec's (`fork_session_init` passes the read codec's `actual_samples_per_second` as
 * `sampling`, `:725`, `:482-485`), and at any other rate its resampler runs over the pre-buffer,
 * the mark samples in it too (`:521-523`, `:135-150`), so no 0xFFFF is left for `dub_speech_frame`
 * to find (`:994`). Scaling these would not bring the marks back: see {@linkcode rateWarning}.
 */
const FIRST_THRESHOLD = 1280;
const THRESHOLD = 640;
/** The module plays one 20 ms frame a media tick (`dub_speech_frame`, `lws_glue.cpp:930-1050`). */
const TICK_MS = 20;

/**
 * The lead the module needs at `rate` (of the returned audio) to play a reply relayed in real
 * time without a gap: a batch ({@linkcode THRESHOLD} samples) and a tick. It moves audio to its
 * playout buffer only in whole batches, and plays a frame a tick: with less in hand, each batch
 * completes just as the one before has played, and a tick can find the playout buffer empty (a
 * 20 ms gap, and any mark waiting in the inventory answered then). 100 ms at 8 kHz, 60 at 16.
 */
export function minLeadMs(rate: number): number {
  return Math.ceil((THRESHOLD * 1000) / rate) + TICK_MS;
}

/**
 * What one binary message counted into the module's pre-buffer ({@linkcode ForkMarks}), kept until
 * the sender says whether an asynchronous answer for it left ({@linkcode ForkMarks.answered}).
 */
interface Take {
  /** Samples and markers it added. */
  added: number;
  /** What the pre-buffer held before it. */
  before: number;
  /** The threshold it reached (the batch it completed), or 0: it completed none. */
  threshold: number;
  /** The names whose markers the batch it completed moved to the playout buffer. */
  moved: readonly string[];
  /** The names whose markers it put in (the inventory's). */
  markers: readonly string[];
  /** Of those, the ones whose commands went with it (held for it). */
  marks: readonly HeldMark[];
  /** Batches moved once it was counted; -1: a chunk that made no take. */
  batch: number;
}

/** A held mark's command, as `#unsent` keeps it. */
type HeldMark = { name: string; command: string };
const NO_MARKS: readonly HeldMark[] = Object.freeze([]);
const NO_NAMES: readonly string[] = Object.freeze([]);
/** A take with nothing counted yet, in batch `batch`. */
function newTake(batch = 0): Take {
  return {
    added: 0,
    before: 0,
    threshold: 0,
    moved: NO_NAMES,
    markers: NO_NAMES,
    marks: NO_MARKS,
    batch,
  };
}

/**
 * Marks sent and not yet answered, to keep under the module's bound, and where the module holds
 * them (jambonz/freeswitch-modules `mod_audio_fork/lws_glue.cpp` at 30f21899): a mark waits in an
 * "inventory" until the next binary message puts its marker (the sample 0xFFFF) into a
 * pre-buffer, which moves to the playout buffer only once it holds a threshold of samples. So
 * the serializer counts that pre-buffer as the module does, to pad a reply's end with silence
 * enough to flush it, and to know which markers `killAudio` erases: each leaves a name on the
 * module's "cleared" list that the next real marker takes silently, making every later mark
 * answer one marker late. One sentinel sample per such name gives the list a marker to take.
 */
export class ForkMarks implements FarEndHold {
  readonly #provider: string;
  #pending = 0;
  /** Of {@linkcode #pending}, the transport's own marks (see {@linkcode MAX_TRANSPORT_MARKS}). */
  #transportPending = 0;
  /** Names that are not echo-safe, by the id sent in their place. */
  readonly #renamed = new Map<string, string>();
  #nextId = 0;
  /**
   * The names marks were sent under since the last `clearMarks`, each with how many of them are
   * not yet answered: an answer under any other name is to a mark that clear gave up (see `read`).
   */
  readonly #awaited = new Map<string, number>();
  /**
   * A `clearMarks` gave up marks and no mark sent since has been answered: an answer to one of
   * those may still come (see `read`), under a name the bot may give a mark again. Until then
   * every mark travels under an id, so such an answer is never taken for the new mark's. The
   * module answers on one socket, in order, and only after it read the clear does it hold a later
   * mark: once one is answered, whatever it answered before the clear has come.
   */
  #crossing = false;
  #context: SerializerContext | undefined;
  /**
   * A refusal past {@linkcode MAX_PENDING_MARKS} was reported and no mark has been answered since:
   * a far end that never answers would otherwise raise one error event per mark for the whole
   * call. Further refusals in the spell are counted in `encodeErrors` without another event.
   */
  #refusing = false;
  /** Samples and markers in the module's pre-buffer, and what moves it to the playout buffer. */
  #held = 0;
  #threshold = FIRST_THRESHOLD;
  /**
   * What the module holds unplayed while a send is under way ({@linkcode sendsUnderWay}): the
   * pre-buffer as it was before that send's audio, and that audio. Counted as it is taken, a batch
   * that audio completes empties {@linkcode #held} before the module has it: the part held before
   * it, counted as let go, would read as playing while the answer is still on its way.
   */
  #heldUntilArrived = 0;
  /** The last {@linkcode #take}, until the sender says whether its answer is due later. */
  #lastTake: Take | undefined;
  /**
   * The take of a chunk whose answer is due and which had counted nothing when it was announced
   * ({@linkcode answerDue}): a chunk counted after an `await` fills it in.
   */
  #awaitedTake: Take | undefined;
  /** Takes whose asynchronous answer is still due, oldest first ({@linkcode answerDue}). */
  readonly #due: Take[] = [];
  /** Batches moved to the playout buffer so far: a late refusal undoes only the latest. */
  #batches = 0;
  /**
   * A `killAudio` was the last thing to leave, no audio since ({@linkcode neverLeft}): what the
   * pre-buffer holds is what the interruption's silence left there.
   */
  #killedLast = false;
  /** The rate of the audio sent back, read when the pre-buffer is measured in time. */
  #rate: () => number = () => 8000;
  /** See {@linkcode FarEndHold.onRelease}: told when a batch moves what was held before it. */
  onRelease: ((ms: number) => void) | undefined;
  /** See {@linkcode FarEndHold.sendsUnderWay}: read by {@linkcode interrupt}. */
  sendsUnderWay = 0;
  /** See {@linkcode backgroundFills}. */
  #backgroundFills = false;
  /**
   * The last `killAudio` went after a whole first batch of silence ({@linkcode interrupt}, a send
   * under way): the module's pre-buffer was emptied whatever reached it of that send.
   */
  #flushedWhole = false;
  /**
   * Mark commands held until the next binary message, and the names they carry. The module
   * answers a mark in its inventory at once ("playout") on any 20 ms tick that finds its playout
   * buffer empty (`lws_glue.cpp:1029-1041`), and plays only whole batches of 640 samples
   * (`:108-116`): relayed in real time, a batch completes just as the one before has played, and
   * a tick may find nothing mid-reply. A mark sent on its own waits in the inventory until the next
   * binary message, so such a tick answers it while the end of its sentence (up to a batch) still
   * sits in the pre-buffer; sent right before that message, it is in the inventory only while the
   * module reads the two, and its marker goes where it belongs. A reply's end has no next binary
   * message: the end-of-speech mark's silence, an interruption, `end`, the end of a stretch
   * ({@linkcode ended}), or else a while with no audio ({@linkcode #releaseTimer}) send what is held;
   * the session's end sends it too, or counts it lost ({@linkcode stop}).
   */
  #unsent: HeldMark[] = [];
  /**
   * Sends what is held once no audio followed within {@linkcode #holdMs} and the pre-buffer holds
   * nothing (the module then answers the marks once what it plays has played): where the stretch's
   * end is told late (`audioEnds` may wait for the writable's close), it would wait for the next
   * reply. With samples held, a mark sent alone would be answered before they play: it waits for
   * the next audio or the stretch's end, whatever `sendAheadMs` (the quiet time that ends a
   * stretch) is. Only with the session's clock: a context made by hand has none, and its marks
   * wait for audio or the reply's end.
   */
  #releaseTimer: ClockTimer | undefined;
  #holdMs = 40;
  /**
   * Flushes the pre-buffer a chunk after a stretch ended ({@linkcode ended}) with markers in it, or
   * marks held for it, where no end-of-speech mark came to do so: the transport sends none where
   * its last mark already stands at the end of what was sent, nor with its marks off; and at once
   * where the background stopped while an end-of-speech mark waited for its next chunk
   * ({@linkcode backgroundFills}).
   */
  #flushTimer: ClockTimer | undefined;
  #chunkMs = 20;
  /**
   * Aborted at the session's end ({@linkcode stop}): {@linkcode wait} is over then. The context's
   * `signal` ends it a step sooner, as the socket goes (see {@linkcode wait}).
   */
  readonly #over = new AbortController();
  #sessionEnd: AbortSignal | undefined;
  /**
   * Aborted at a `cancel` ({@linkcode cancel}): the goodbye has gone, so nothing armed may send
   * after it, and an `end`'s {@linkcode wait} for its last batch is over (its goodbye too late).
   */
  readonly #cancelled = new AbortController();
  /**
   * The session's goodbye is on its way (an `end`'s, {@linkcode goodbye}, or a `cancel`'s): no
   * mark follows it, so the names `killAudio` left need no sentinel samples.
   */
  #sayingGoodbye = false;
  /** Names sent since the last binary message: no marker yet. */
  #inventory: string[] = [];
  /** Names whose marker is in the pre-buffer (`killAudio` leaves those), then in the playout. */
  #prebuffered: string[] = [];
  #queued: string[] = [];
  /** Names whose marker the last `killAudio` erased, until the module answers them `cleared`. */
  #erased: string[] = [];
  /** The transport's end-of-speech mark {@linkcode command} last declined for want of a slot. */
  #declinedEnd: string | undefined;
  /**
   * The transport's last end-of-speech mark, once its silence has gone ({@linkcode endPlaced}),
   * while no audio has followed it and the module has not answered it; whether it holds a slot
   * (`sent`), or was declined. Its place is still the end of all that was sent, so a command sent
   * alone stands there: the module answers a mark it holds with no marker on its first tick with
   * nothing to play and no marker pending (`dub_speech_frame`, `lws_glue.cpp:1029-1041`), and with
   * the pre-buffer flushed that is once the reply has played. Declined, it goes so once an answer
   * frees a slot ({@linkcode #retryDeclined}); forgotten by a `clearMarks`, it goes again after it
   * ({@linkcode message}). Else `speakingstop` and an `end`'s hang-up waited `playoutTimeoutMs`
   * past a reply the far end had played, the hang-up reporting a "timeout": where the bot's marks
   * (answered all the while) had filled the module's slots, or it cleared them just then.
   */
  #lastEnd: { name: string; sent: boolean } | undefined;

  /** Counts marks for `provider` (used in error messages). */
  constructor(provider: string) {
    this.#provider = provider;
  }

  /**
   * Registers the module's pre-buffer as audio the far end holds for `serializer`'s transport
   * (see `FarEndHold`), measured at `rate()`, the rate of the audio sent back: a reply relayed in
   * real time leaves up to a batch there until the silence after it completes the batch, while
   * the module runs dry; counted played by its slots, `heardMs` ran as far ahead of the module.
   */
  holdsFor(serializer: object, rate: () => number): void {
    this.#rate = rate;
    FAR_END_HOLDS.set(serializer, this);
  }

  /**
   * `bytes` of audio counted into the pre-buffer never reached the module: an asynchronous
   * serializer's answer the sender dropped after an interruption's `killAudio` (see `FarEndHold`).
   * The silence before that `killAudio` was counted to complete the batch with them, so the module
   * still holds the interrupted reply's end, which the next reply's first batch would play. As
   * much silence completes that batch now, and a second `killAudio` drops it; nothing else has
   * gone since, so nothing else is dropped. Once audio followed the clear, its batch has already
   * begun behind that end: left as it is (an asynchronous serializer's late answers).
   *
   * `texts`: the mark commands {@linkcode audio} released with those bytes. Their names were
   * counted into the pre-buffer with them, so `killAudio` took them for erased and waits for the
   * module's `cleared` answer, which never comes for a mark it never read: the bot's mark would go
   * unanswered for good. Had they arrived, in the module's inventory or pre-buffer at the
   * `killAudio`, it would have answered them `cleared` (`lws_glue.cpp` at 30f21899, dub_speech_frame
   * :936-965). They go again ahead of the silence, so the second `killAudio` answers them so (read
   * then gives each its sentinel, as for any erased mark); their markers complete the batch as
   * counted (`#take` counted a sample each).
   */
  neverLeft(bytes: number, texts: readonly string[]): void {
    const context = this.#context;
    if (context === undefined || this.#sayingGoodbye) return;
    if (this.#flushedWhole) return this.#marksNeverSent(context, texts);
    if (!this.#killedLast) return;
    if (bytes < 2 && texts.length === 0) return;
    for (const text of texts) context.send(text);
    // Not through `#take`: the count already stands where the module will, at an empty pre-buffer.
    if (bytes >= 2) context.send(new Uint8Array(bytes & ~1));
    context.send(KILL_AUDIO);
  }

  /**
   * {@linkcode neverLeft} after a `killAudio` that emptied the pre-buffer whatever reached it
   * ({@linkcode interrupt}): no audio is owed, only answers to the marks whose commands (`texts`)
   * travelled with the dropped answer. Nothing else sent since, they go again with a batch of
   * silence their markers open and a second `killAudio`, answered `cleared` as they would have
   * been (see {@linkcode neverLeft}). Once the next reply's audio has gone, that silence and
   * `killAudio` would drop what the pre-buffer holds of it: they go as any mark's command does,
   * held for the next binary message, and are answered when their place in it plays (else never).
   */
  #marksNeverSent(context: SerializerContext, texts: readonly string[]): void {
    if (texts.length === 0) return;
    if (this.#killedLast) {
      for (const text of texts) context.send(text);
      // Not through `#take`: after the first batch the module moves 640 samples, markers
      // included, and the second `killAudio` drops them; it holds nothing after, as counted.
      context.send(new Uint8Array(Math.max(1, THRESHOLD - texts.length) * 2));
      context.send(KILL_AUDIO);
      return;
    }
    for (const command of texts) {
      // `#counted` made each command: its name is the one the module answers under.
      const name = String(JSON.parse(command).data.name);
      remove(this.#erased, name); // never reached the module: no `cleared` answer is owed
      this.#unsent.push({ name, command });
    }
    if (this.#releaseTimer?.armed === false) this.#releaseTimer.arm(this.#holdMs);
  }

  /**
   * Milliseconds of audio (and markers, a sample each) in the module's pre-buffer. A marker takes
   * a sample's time: `dub_speech_frame` (`lws_glue.cpp:993-1024` at 30f21899) takes a tick's 160
   * entries from the playout buffer, markers among them, and plays only the audio ones, so each
   * marker puts what follows it a sample later.
   */
  get heldMs(): number {
    const held = this.#arriving ? this.#heldUntilArrived : this.#held;
    return held === 0 ? 0 : (held * 1000) / this.#rate();
  }

  /** A send is under way: what it lets go has not reached the module (see `#heldUntilArrived`). */
  get #arriving(): boolean {
    return this.sendsUnderWay > 0 || this.#due.length > 0;
  }

  /** See {@linkcode FarEndHold.backgroundFills}: read by {@linkcode markWithTail}. */
  get backgroundFills(): boolean {
    return this.#backgroundFills;
  }

  /**
   * Told by the pump. The background stopping (a slot it left empty) with the end-of-speech mark
   * waiting for its next chunk ({@linkcode markWithTail}), no audio since: what the pre-buffer holds
   * (the end of what was sent, the mark's place) is flushed at once, as the mark's silence would
   * have, not once the pump takes the background for stopped (its run-out, `ended`), the module
   * running dry before the reply's end meanwhile.
   */
  set backgroundFills(fills: boolean) {
    const stopped = this.#backgroundFills && !fills;
    this.#backgroundFills = fills;
    if (!stopped || !this.#endAwaitsFlush()) return;
    if (this.#flushTimer?.armed === false) this.#flushTimer.arm(0);
  }

  /**
   * The end-of-speech mark stands at the end of what was sent, its silence not sent (see
   * {@linkcode markWithTail}), and the pre-buffer holds samples: declined for want of a slot, the
   * mark has no marker there, yet the reply's end waits all the same.
   */
  #endAwaitsFlush(): boolean {
    return this.#lastEnd !== undefined && this.#held > 0;
  }

  /** See {@linkcode FarEndHold.answerDue}: the last take waits for its answer. */
  answerDue(): void {
    const take = this.#lastTake;
    this.#lastTake = undefined;
    if (take !== undefined) return void this.#due.push(take);
    // No take yet: the resampler held the chunk whole (it makes none), or the serializer counts
    // it only after an `await` (a wrapper that encodes remotely first). Its take, if one comes
    // before its answer, is this chunk's (the pump sends the next chunk only after the answer):
    // filled in then ({@linkcode #take}), not left for the next chunk's `answerDue` to claim
    // (whose late refusal then undid this chunk, which had left, and left its own counted).
    if (!this.#arriving) this.#heldUntilArrived = this.#held;
    const awaited = newTake(-1);
    this.#awaitedTake = awaited;
    this.#due.push(awaited);
  }

  /**
   * See {@linkcode FarEndHold.answered}. Refused, the chunk's samples and the markers its mark
   * commands put in never reached the module: they come out of the pre-buffer's count, and a batch
   * they completed is not moved (the pre-buffer holds what it held before, at the threshold it
   * had: `heldMs` counts the part held before it as held again, the tracker unheard). The commands
   * go again with the next audio, as any held one does (their names stay counted as pending): else
   * the module never has them, and the bot's marks go unanswered. Not where a later message
   * completed a batch since: the module moved whatever it held with that one.
   */
  answered(refused: boolean): void {
    const take = this.#due.shift();
    if (take === this.#awaitedTake) this.#awaitedTake = undefined; // none came: held whole
    if (!refused || take === undefined || take.batch < 0) return;
    this.#heldUntilArrived = Math.max(0, this.#heldUntilArrived - take.added);
    // Its markers never went in: marks whose commands went before it wait in the inventory still,
    // for the next binary message; those whose commands went with it, held again.
    const withIt = new Set(take.marks.map((mark) => mark.name));
    const inventory: string[] = [];
    for (const name of take.markers) {
      if (!remove(this.#prebuffered, name)) remove(this.#queued, name);
      if (!withIt.has(name)) inventory.push(name);
    }
    this.#inventory.unshift(...inventory);
    this.#unsent.unshift(...take.marks);
    if (take.marks.length > 0 && this.#releaseTimer?.armed === false) {
      this.#releaseTimer.arm(this.#holdMs);
    }
    if (take.batch !== this.#batches) return;
    if (take.threshold === 0) {
      this.#held = Math.max(0, this.#held - take.added);
      return;
    }
    // It completed the batch: the module still holds what came before it, at its threshold.
    this.#held += take.before;
    this.#threshold = take.threshold;
    this.#batches--;
    const back = take.moved.filter((name) => remove(this.#queued, name));
    this.#prebuffered.unshift(...back);
  }

  /**
   * The serializer's context: to send a sentinel when a `cleared` answer comes, and to count; with
   * its clock, to send held marks no audio followed.
   */
  bind(context: SerializerContext): void {
    this.#context = context;
    this.#sessionEnd = context.signal;
    if (context.clock !== undefined) {
      this.#releaseTimer = context.clock.timer(() => {
        if (this.cancelled) return;
        // Behind samples in the pre-buffer, sent alone, they would be answered on the first dry
        // tick while those still wait: they go with the next audio or the stretch's end (`ended`,
        // which comes at the transport's quiet time, up to `sendAheadMs` after the last chunk).
        if (this.#held > 0) return;
        for (const command of this.release()) context.send(command);
      });
      this.#flushTimer = context.clock.timer(() => {
        if (this.cancelled || !(this.#markersHeld() || this.#endAwaitsFlush())) return;
        for (const message of this.tail() ?? []) context.send(message);
      });
    }
  }

  /**
   * The transport's chunk length: a reply's next chunk follows a mark within about one; a mark no
   * audio followed in two (the transport's least quiet time) ends a reply, or a pause in it.
   */
  setup(chunkMs: number | undefined): void {
    this.#chunkMs = chunkMs ?? 20;
    this.#holdMs = 2 * this.#chunkMs;
  }

  /**
   * Binary audio is leaving: the mark commands held for it go first (see {@linkcode #unsent}),
   * then it; `bytes` alone when none was held.
   */
  audio(bytes: Uint8Array): Uint8Array | SerializedMessage[] {
    return this.#audio(bytes, true);
  }

  /**
   * {@linkcode audio}; `chunk`: the bytes are an audio chunk's the sender asked for (paired with
   * its answer, see {@linkcode answerDue}), not the serializer's own (a flush's silence, a
   * stretch's tail), which no answer of the sender's is about: kept as a chunk's, one such take
   * was claimed by the next chunk's `answerDue` when that chunk counted nothing.
   */
  #audio(bytes: Uint8Array, chunk: boolean): Uint8Array | SerializedMessage[] {
    // Audio moves the pre-buffer on: what a stretch's end left there goes with it.
    if (this.#flushTimer?.armed) this.#flushTimer.cancel();
    if (this.#unsent.length === 0) return this.#take(bytes, NO_MARKS, chunk);
    const marks = this.#unsent;
    const commands = this.release();
    return [...commands, this.#take(bytes, marks, chunk)];
  }

  /**
   * The session is over: marks still held go now, where the socket is still open (a local
   * close), or are counted lost (`framesDroppedOnClose`, by the context's `send`): the transport
   * counted their frames sent when they were handed over. A {@linkcode wait} under way ends.
   */
  stop(): void {
    this.#over.abort();
    this.#lastEnd = undefined;
    this.#flushTimer?.cancel();
    const held = this.release(); // the release timer goes with them
    for (const command of held) this.#context?.send(command);
  }

  /**
   * The session is cancelling (`cancel`): the marks held go ahead of its goodbye (returned), and
   * nothing may follow it. The socket stays open until the far end closes it (jambonz), so the
   * flush timer armed at a stretch's end would send a batch after the `disconnect`; an `end`
   * waiting for its last batch ({@linkcode wait}) stops waiting, its goodbye too late.
   */
  cancel(): string[] {
    this.#cancelled.abort();
    this.#lastEnd = undefined;
    this.#sayingGoodbye = true;
    this.#flushTimer?.cancel();
    return this.release(); // the release timer goes with them
  }

  /** An `end`'s goodbye is being made: nothing of the session follows it. */
  goodbye(): void {
    this.#sayingGoodbye = true;
  }

  /** Whether a `cancel` came ({@linkcode cancel}): what an `end` would still send is too late. */
  get cancelled(): boolean {
    return this.#cancelled.signal.aborted;
  }

  /**
   * Resolves after `ms` on `clock`, or as soon as the session is over (the context's `signal`, or
   * {@linkcode stop}) or cancelled ({@linkcode cancel}): a wait that outlived the session would
   * keep a timer pending after it, and with the socket gone nothing more plays. The `signal`
   * aborts as the socket goes, before the session's input is done ({@linkcode stop}): an `end`
   * waiting for its last batch makes its goodbye then, not after whatever the last reads take.
   */
  wait(clock: Clock, ms: number): Promise<void> {
    const ends = [this.#over.signal, this.#cancelled.signal];
    if (this.#sessionEnd !== undefined) ends.push(this.#sessionEnd);
    const signal = AbortSignal.any(ends);
    if (signal.aborted) return Promise.resolve();
    return clock.sleep(ms, signal).catch(() => {});
  }

  /**
   * A stretch of the bot's audio ended (`audioEnds`): `tail`, what the resampler held of it, goes
   * as its last audio, and the marks held for the next audio go now, unless the pre-buffer holds
   * samples. Then a mark's command sent alone, or a marker left below the threshold, would be
   * answered on the first dry tick before the reply's last part played, or only with the next
   * reply. The end-of-speech mark that follows the stretch's end sends the silence that flushes
   * the pre-buffer, the marks held going before it; where none comes (the transport's last mark
   * already stands at the end of what was sent, or its marks are off), the flush timer sends that
   * silence a chunk later. Not at once: the end mark's marker must go before the silence, to be
   * answered when the reply's last sample has played, not a batch later. Without the session's
   * clock the marks go now, as before. `null` when there is nothing to send.
   */
  ended(tail: Uint8Array | null): SerializedMessage[] | null {
    if (this.cancelled) return null; // the goodbye went: nothing follows it
    const sent = tail === null ? [] : this.#audio(tail, false);
    const messages = Array.isArray(sent) ? sent : [sent];
    if (this.#markersHeld() && this.#flushTimer !== undefined) {
      this.#flushTimer.arm(this.#chunkMs);
    } else {
      messages.push(...this.release());
    }
    return messages.length === 0 ? null : messages;
  }

  /** Marks whose markers wait in the pre-buffer, or are held to go there, behind held samples. */
  #markersHeld(): boolean {
    return this.#held > 0 && (this.#unsent.length > 0 || this.#prebuffered.length > 0);
  }

  /**
   * The mark commands held for the next binary message, to send now without one: their names go
   * in the inventory.
   */
  release(): string[] {
    if (this.#unsent.length === 0) return [];
    this.#releaseTimer?.cancel();
    const commands = this.#unsent.map((mark) => mark.command);
    this.#inventory.push(...this.#unsent.map((mark) => mark.name));
    this.#unsent = [];
    return commands;
  }

  /**
   * Binary audio is leaving: the inventory's markers, then its samples, join the pre-buffer.
   * `marks`: the held commands that go with it (kept, with what it counted, in case its answer is
   * refused late: {@linkcode answered}).
   */
  #take(bytes: Uint8Array, marks: readonly HeldMark[] = NO_MARKS, chunk = false): Uint8Array {
    // Audio after the last end-of-speech mark: its place is no longer the end of what was sent.
    this.#lastEnd = undefined;
    this.#killedLast = false;
    // Called for every chunk sent: the lists are touched only when there are marks to move.
    const before = this.#held;
    const added = this.#inventory.length + (bytes.length >> 1);
    this.#held += added;
    // A send already under way is ahead of this one: nothing it let go has arrived either.
    this.#heldUntilArrived = (this.#arriving ? this.#heldUntilArrived : before) + added;
    // Kept in case its answer is refused late ({@linkcode answered}): a chunk's only (no answer
    // of the sender's is about the serializer's own silence, which makes none). The last one's
    // object again where no answer was due for it (a serializer that answers at once: nothing a
    // chunk); the awaited one where its answer was announced before it counted.
    let take: Take | undefined;
    if (chunk) {
      take = this.#awaitedTake ?? (this.#lastTake ??= newTake());
      this.#awaitedTake = undefined;
    }
    let markers = NO_NAMES;
    if (this.#inventory.length > 0) {
      markers = this.#inventory;
      this.#prebuffered.push(...this.#inventory);
      this.#inventory = [];
    }
    let threshold = 0;
    let moved = NO_NAMES;
    if (this.#held >= this.#threshold) {
      threshold = this.#threshold;
      this.#batches++;
      this.#held = 0;
      this.#threshold = THRESHOLD;
      if (this.#prebuffered.length > 0) {
        if (take !== undefined) moved = [...this.#prebuffered];
        this.#queued.push(...this.#prebuffered);
        this.#prebuffered.length = 0;
      }
    }
    if (take !== undefined) {
      take.added = added;
      take.before = before;
      take.threshold = threshold;
      take.moved = moved;
      take.markers = markers;
      take.marks = marks;
      take.batch = this.#batches;
    }
    // What was held before this message goes to the playout buffer with it, now.
    if (threshold > 0 && before > 0) this.onRelease?.((before * 1000) / this.#rate());
    return bytes;
  }

  /**
   * Silence that moves what the pre-buffer holds to the playout buffer, or `null` when it holds
   * nothing: at a reply's end, held audio would play only at the next reply's start, and a mark
   * after it would be answered before it (the module answers an inventory mark at once while its
   * playout buffer is empty). Sent after the reply's last mark, whose marker then goes before it.
   */
  tail(): SerializedMessage[] | null {
    if (this.#held === 0) return null;
    // The inventory's markers are not counted in: the module may answer one at once, its
    // playout buffer run dry, before this silence comes (`lws_glue.cpp:1029-1041`), and then
    // puts no marker in. Counted, the pre-buffer would stay a sample short and hold the reply's
    // end; not counted, it reaches the threshold either way (a sample over, when the marker
    // does go in: the pre-buffer moves whole).
    const samples = Math.max(1, this.#threshold - this.#held);
    const silence = this.#audio(new Uint8Array(samples * 2), false);
    return Array.isArray(silence) ? silence : [silence];
  }

  /**
   * {@linkcode tail}, with how long the batch it completes takes to play at `rate` (samples per
   * second of the returned audio), a tick added for the tick it waits to begin on; `null` when
   * the pre-buffer holds nothing.
   */
  flush(rate: number): { tail: SerializedMessage[]; playMs: number } | null {
    const held = this.#held;
    const tail = this.tail();
    if (tail === null) return null;
    const silence = tail.at(-1)!.length / 2;
    return { tail, playMs: ((held + silence) * 1000) / rate + TICK_MS };
  }

  /**
   * The messages of an interruption: `killAudio`, after the silence that moves what the pre-buffer
   * holds into the playout buffer, which `killAudio` empties (it leaves the pre-buffer alone: the
   * interrupted reply's held part would play at the next reply's start).
   */
  interrupt(): string | SerializedMessage[] {
    // A chunk counted into the pre-buffer may still be on its way from an asynchronous serializer:
    // dropped once this has left (`FarEndHold.neverLeft`), the silence counted to complete the
    // batch with it would leave the stopped reply's end in the pre-buffer, ahead of the next
    // reply's audio. A whole first batch of silence moves whatever the module holds, at whichever
    // threshold (the chunk may be what moved the count past the first), and `killAudio` drops it.
    this.#flushedWhole = this.sendsUnderWay > 0;
    const whole = this.#flushedWhole
      ? this.#audio(new Uint8Array(FIRST_THRESHOLD * 2), false)
      : null;
    // Marks held go before it either way: in the inventory or the playout buffer, `killAudio`
    // answers them `cleared`, and the bot waiting on them is done waiting.
    const before = (whole === null ? null : Array.isArray(whole) ? whole : [whole]) ??
      this.tail() ?? this.release();
    this.#killed();
    return before.length === 0 ? KILL_AUDIO : [...before, KILL_AUDIO];
  }

  /** `killAudio` is leaving: it empties the playout buffer, markers and all, not the pre-buffer. */
  #killed(): void {
    this.#lastEnd = undefined; // the far end drops what it holds, and the tracker its marks
    // `interrupt` flushed the pre-buffer first: every marker is in the playout buffer, erased.
    this.#erased.push(...this.#queued);
    this.#queued = [];
    this.#inventory = [];
    this.#killedLast = true;
  }

  /**
   * The `mark` command for `name`, held for the next binary message (`[]`); for a bot's mark, an
   * encode error when the module would discard it, or, once one was thrown and no mark answered
   * since, `null`: the mark refused all the same, counted in `encodeErrors` through the context
   * (thrown each time without one: nothing else counts it). A mark of the transport's own is
   * never refused so, nor reported: the bot never wrote it. Past its share
   * ({@linkcode #roomForTransport}) it is declined, `[]` with no command (an end-of-speech mark's
   * silence still goes, and the mark itself once an answer makes room, unless audio went first:
   * see {@linkcode #lastEnd}), and its tracker counts it in `marksUnanswered` once a later
   * answer passes it or the session ends, as it counts a mark the far end dropped (and waits for
   * it as for one, `playoutTimeoutMs` at most); Vonage's and Asterisk's serializers leave the
   * transport's marks they give up to it alike.
   */
  command(name: string): [] | null {
    const transports = name.startsWith(PLAYOUT_MARK_PREFIX);
    if (transports && !this.#roomForTransport(name)) {
      if (name.startsWith(PLAYOUT_END_MARK_PREFIX)) this.#declinedEnd = name;
      return [];
    }
    if (this.#pending >= MAX_PENDING_MARKS) {
      if (this.#refusing && this.#context !== undefined) {
        this.#context.count("encodeErrors");
        return null;
      }
      this.#refusing = true;
      throw new TransportError(
        "encode",
        `${this.#provider}: ${MAX_PENDING_MARKS} marks are waiting to play; mod_audio_fork ` +
          `would discard mark ${JSON.stringify(name)} without a word`,
      );
    }
    this.#unsent.push(this.#counted(name, transports));
    if (this.#releaseTimer?.armed === false) this.#releaseTimer.arm(this.#holdMs);
    return [];
  }

  /** Mark `name` counted as waiting in the module, and its command, under the name it travels. */
  #counted(name: string, transports: boolean): { name: string; command: string } {
    this.#pending++;
    if (transports) this.#transportPending++;
    let sent = name;
    if (this.#crossing || !travelsAsIs(name)) {
      sent = `#m${++this.#nextId}`;
      this.#renamed.set(sent, name);
    }
    this.#awaited.set(sent, (this.#awaited.get(sent) ?? 0) + 1);
    return { name: sent, command: toJson({ type: "mark", data: { name: sent } }) };
  }

  /**
   * The end-of-speech mark `name` has had its silence (or nothing was held): until audio follows
   * or it is answered, it may go alone, declined or forgotten (see {@linkcode #lastEnd}). Only with
   * a context, which sends it then.
   */
  endPlaced(name: string): void {
    const declined = this.#declinedEnd === name;
    this.#declinedEnd = undefined;
    if (this.#context !== undefined) this.#lastEnd = { name, sent: !declined };
  }

  /** An answer freed a slot: the declined end-of-speech mark goes, alone, if it may now. */
  #retryDeclined(): void {
    const last = this.#lastEnd;
    if (last === undefined || last.sent || this.#sayingGoodbye) return;
    if (!this.#roomForTransport(last.name)) return;
    for (const command of this.#alone(last)) this.#context!.send(command);
  }

  /** The commands that send `last` alone, behind the marks held (answered in order). */
  #alone(last: { name: string; sent: boolean }): string[] {
    last.sent = true;
    const mark = this.#counted(last.name, true);
    const commands = [...this.release(), mark.command];
    this.#inventory.push(mark.name);
    return commands;
  }

  /**
   * Whether a mark of the transport's own (`name`) may take one of the module's slots. Never more
   * than {@linkcode MAX_TRANSPORT_MARKS} of them, so six at least stay the bot's. A mark of the
   * cadence (or a reply's start: it only sharpens the playout estimate) also gives way to the
   * bot's marks: none goes while that many wait in all, the bot's included. An end-of-speech mark,
   * which `speakingstop` and an `end`'s hang-up wait for, may take a slot the bot's marks leave
   * free; declined, it goes once an answer frees one (see {@linkcode #lastEnd}), and only where
   * none comes before audio follows (a far end that stopped answering) do they wait
   * `playoutTimeoutMs` more, the hang-up reporting a "timeout".
   */
  #roomForTransport(name: string): boolean {
    if (this.#transportPending >= MAX_TRANSPORT_MARKS) return false;
    const bound = name.startsWith(PLAYOUT_END_MARK_PREFIX)
      ? MAX_PENDING_MARKS
      : MAX_TRANSPORT_MARKS;
    return this.#pending < bound;
  }

  /**
   * A `message` frame's JSON, sent as it is (a `killAudio` or `mark` is an encode error: they go
   * as `interruption` and `mark` frames, which keep the count of the module's marks and buffers);
   * a `clearMarks` command among them makes the module
   * forget every pending mark (it will not answer them), so the count starts afresh. The names
   * it held in inventory, and those whose markers a `killAudio` erased (whether or not the module
   * has answered them `cleared` yet: after this it may never), have no marker to take them off its
   * cleared list: a sentinel each follows, or the next marks would be answered late
   * (`lws_glue.cpp:328`). Where none is needed, the transport's last end-of-speech mark, if no
   * audio followed it, goes again after the command (see {@linkcode #lastEnd}).
   */
  message(message: unknown): string | SerializedMessage[] {
    // The module reads a command's `type` and drops anything without one, with only a log line
    // (`processIncomingMessage`, `lws_glue.cpp:205-391`): refused here, where the bot hears of it.
    if (!isObject(message) || typeof message.type !== "string") {
      throw new TransportError(
        "encode",
        `${this.#provider}: message ${describe(message)} is not a mod_audio_fork command: send ` +
          `an object with its "type" ("clearMarks", "transcription", …); the module drops ` +
          "anything else without a word",
      );
    }
    if (message.type === "killAudio" || message.type === "mark") {
      // Sent past the serializer, the module's mark lists and pre-buffer would no longer be what
      // it counts: after a `killAudio` later marks are answered a marker late, a `mark` is not
      // held to the module's 30 (its answer frees a slot one of ours still holds).
      throw new TransportError(
        "encode",
        `${this.#provider}: a ${message.type} command goes as ` +
          `${message.type === "mark" ? "a mark" : "an interruption"} frame, not a message frame: ` +
          "the serializer keeps count of the module's marks and buffers",
      );
    }
    const json = toJson(message);
    if (message.type !== "clearMarks") return json;
    const lastEnd = this.#sayingGoodbye ? undefined : this.#lastEnd;
    // Marks sent and not answered (not those held, which never go): an answer may cross it.
    if (this.#pending > this.#unsent.length) this.#crossing = true;
    this.#pending = 0;
    this.#transportPending = 0;
    this.#refusing = false;
    this.#renamed.clear();
    this.#awaited.clear();
    const unmarked = this.#inventory.length + this.#erased.length;
    this.#unsent = []; // never sent: the module has nothing of them to forget
    this.#lastEnd = undefined;
    this.#releaseTimer?.cancel();
    this.#flushTimer?.cancel();
    this.#inventory = [];
    this.#prebuffered = [];
    this.#queued = [];
    this.#erased = [];
    if (unmarked > 0) return [json, this.#take(sentinels(unmarked))];
    // The last end-of-speech mark, forgotten (or declined), again: alone, it is answered once all
    // sent has played. Not behind sentinels: the module holds those until the next audio, their
    // names pending, and answers no mark without a marker while any is (see `#lastEnd`).
    if (lastEnd === undefined) return json;
    this.#lastEnd = lastEnd;
    return [json, ...this.#alone(lastEnd)];
  }

  /**
   * A text event of the module or its application (`{"type":"mark", …}`, jambonz's
   * `{"event":"dtmf", …}`) as a frame, `null` for the answer to a mark a `clearMarks` gave up,
   * or `undefined` when `reader` is neither.
   */
  read(reader: JsonReader): Frame | null | undefined {
    const value = reader.value;
    if (value.type === "mark" && isObject(value.data)) {
      const data = reader.object("data");
      const sent = data.string("name");
      const event = data.optionalString("event");
      if (event !== undefined && event !== "playout" && event !== "cleared") {
        throw reader.error(`mark event is neither playout nor cleared: ${JSON.stringify(event)}`);
      }
      // A name no mark sent since the last `clearMarks` travels under, or not as many times: the
      // module answered that mark before it read the command (its media tick answers as it
      // plays, `dub_speech_frame`, while commands are read on the socket's thread: the answer
      // crossed the command on the wire; after it, the module answers none of the marks it had,
      // `lws_glue.cpp:321-331`). The bot gave the mark up with the clear (under an id, it would
      // be handed a name it never sent), and the count of marks the module holds started afresh
      // there. Dropped, as the transport drops an answer to a mark of its own it no longer waits
      // for.
      const awaited = this.#awaited.get(sent);
      if (awaited === undefined) return null;
      this.#crossing = false; // a mark sent since the clear: nothing from before it follows
      if (awaited > 1) this.#awaited.set(sent, awaited - 1);
      else this.#awaited.delete(sent);
      const name = this.#renamed.get(sent) ?? sent;
      this.#renamed.delete(sent);
      if (this.#pending > 0) this.#pending--;
      if (name.startsWith(PLAYOUT_MARK_PREFIX) && this.#transportPending > 0) {
        this.#transportPending--;
      }
      this.#refusing = false; // room again: the next refusal, if any, starts a new spell
      const erased = remove(this.#erased, sent);
      if (erased && event === "cleared" && this.#context !== undefined && !this.#sayingGoodbye) {
        // Its name is on the cleared list with no marker left to take it: give it one (for the
        // marks after it: none come after the goodbye, which nothing may follow on the wire).
        this.#context.send(this.#take(sentinels(1)));
      }
      if (!erased && !remove(this.#queued, sent) && !remove(this.#prebuffered, sent)) {
        remove(this.#inventory, sent);
      }
      if (this.#lastEnd?.name === name) this.#lastEnd = undefined; // answered
      else if (this.#lastEnd !== undefined) this.#retryDeclined();
      // Played or cleared by killAudio, the bot waiting on it is done waiting (as with Twilio).
      return { type: "mark", name } satisfies MarkFrame;
    }
    if (value.event === "dtmf") {
      return { type: "dtmf", digit: reader.dtmfDigit("dtmf") } satisfies DtmfFrame;
    }
    return undefined;
  }
}

/**
 * The non-fatal error to report once when the bot's audio goes back at `returnRate` and the fork
 * streams at `streamRate`, or `undefined` when they are equal. The module resamples returned audio
 * to the channel's codec rate, which no message names; the fork's rate is that rate on the usual
 * call (the fork asked at the codec's rate), so a return rate that differs almost always means
 * resampling, and resampling erases the module's mark samples (see {@linkcode FIRST_THRESHOLD}):
 * marks never answered, or answered at random by a resampled sample that happens to be -1, and
 * the transport goes by its playout estimate. Equal rates cannot be checked further: a codec at
 * another rate (G.711 under a 16 kHz fork) breaks marks unseen.
 */
export function rateWarning(
  provider: string,
  returnRate: number,
  returnName: string,
  streamRate: number,
  streamName: string,
): TransportError | undefined {
  if (returnRate === streamRate) return undefined;
  return new TransportError(
    "protocol",
    `${provider}: the bot's audio goes back at ${returnRate} Hz (${returnName}) and the stream ` +
      `comes at ${streamRate} Hz (${streamName}): unless the call's codec runs at ${returnRate} ` +
      `Hz, mod_audio_fork resamples the bot's audio and the mark samples in it, so marks are not ` +
      `acknowledged (or at random) and playback falls back to the estimate; send back at the ` +
      `codec's rate, or give the session markIntervalMs: 0 and send no marks`,
  );
}

/**
 * Throws the set-up's error when the transport cuts the audio into packets
 * (`fixedAudioPacketSize`): the module gathers what it is sent into batches of its own, so a
 * packet size buys nothing, and the packetizer breaks what {@linkcode ForkMarks} knows of the
 * module's buffers. A mark's command would overtake the audio the packetizer still holds of the
 * sentence before it (answered early), and at an interruption the partial packet it drops would
 * leave the silence that flushes the pre-buffer short (the interrupted reply's end opening the
 * next).
 */
export function refusePackets(provider: string, packetBytes: number | undefined): void {
  if (packetBytes === undefined) return;
  throw new TransportError(
    "protocol",
    `${provider}: fixedAudioPacketSize ${packetBytes} does not work with mod_audio_fork: the ` +
      "module batches the audio itself, and packets held back put mark commands ahead of the " +
      "audio they follow and leave an interrupted reply's end to open the next; leave " +
      "fixedAudioPacketSize unset",
  );
}

/** `count` samples of the module's mark sentinel. */
function sentinels(count: number): Uint8Array {
  const bytes = new Uint8Array(count * 2);
  for (let i = 0; i < bytes.length; i += 2) bytes.set(SENTINEL_BYTES, i);
  return bytes;
}

/** Removes the first `name` from `names`; whether there was one. */
function remove(names: string[], name: string): boolean {
  const index = names.indexOf(name);
  if (index < 0) return false;
  names.splice(index, 1);
  return true;
}

/**
 * The messages of a `mark` frame. Any mark but the transport's end-of-speech one may fall
 * mid-speech (a bot marking each sentence): its command is held for the next binary message (see
 * `ForkMarks`), and nothing goes now (an empty array). After the end-of-speech mark (sent once
 * nothing more was written for a while: the reply is over) comes the silence that flushes the
 * module's pre-buffer: the marks' commands go first, so their markers do, and the mark is
 * answered when the reply's last sample has played; the reply's end plays now, not at the next
 * reply's start. With nothing in the pre-buffer, the commands go at once. Padding a mark
 * mid-speech would put silence into the speech.
 */
export function markWithTail(marks: ForkMarks, name: string): SerializedMessage[] | null {
  // Refused, counted: see ForkMarks.command. The transport's end-of-speech mark is never refused:
  // declined, its silence still goes, and the reply's end plays now; the mark, once there is room.
  if (marks.command(name) === null) return null;
  if (!name.startsWith(PLAYOUT_END_MARK_PREFIX)) return [];
  // With background filling the slots, its next chunk (within a slot) carries the mark's command
  // and puts its marker where the mark stands, at the end of all that was sent
  // (`processIncomingBinary`, `lws_glue.cpp:80-101`), and the chunks after it complete the batch
  // (`:108-116`): the module answers the mark as it plays that place (`dub_speech_frame`,
  // `:994-1010`), the command held as any mark's is. Silence would be a gap in the background,
  // and put all after it (the next reply too) that much later than the timeline has it. If the
  // background leaves its next slot empty instead, the silence goes then (`backgroundFills`).
  // (jambonz/freeswitch-modules `mod_audio_fork/lws_glue.cpp` at 30f21899; drachtio's has no marks.)
  if (marks.backgroundFills) {
    marks.endPlaced(name);
    return [];
  }
  const messages = marks.tail() ?? marks.release();
  marks.endPlaced(name);
  return messages;
}

/**
 * The messages of an `end`: `disconnect` (or what `end` makes of it: jambonz's REST hang-up
 * first, told how long was waited, which comes out of its own bound), after the silence that
 * flushes the module's pre-buffer, and only once the batch it completes has played. On jambonz
 * `disconnect` kills the `listen` task (`listen.js:313-316`, `_onDisconnect`: `forkAudioStop`
 * removes the fork), and a FreeSWITCH application hangs up on `mod_audio_fork::disconnect`
 * (`lws_glue.cpp:343-347`): sent in the same breath, the goodbye's last batch (the reply's end
 * and the silence that completes it: up to the first threshold, 1280 samples, when the goodbye is
 * the call's first reply, 160 ms at 8 kHz, and a tick) would be moved to the playout buffer just
 * as the fork goes, never heard, while the transport took it for played. With marks on, the
 * end-of-speech mark flushed the pre-buffer and was answered before `end` comes: nothing is held,
 * and `disconnect` goes at once. The wait is on the session's clock, at most half its
 * `sendTimeoutMs` (a promise from `serialize` may take no longer), and ends with the session: the
 * socket gone (a 1006 drop under the `end`, which the transport still hands over), nothing more
 * plays, so the goodbye is made then (jambonz's REST hang-up goes; a `disconnect`, which cannot
 * leave, is counted lost, as any message after the close); without a context (a serializer used by
 * hand) nothing can be sent ahead, and both go together. A `cancel` during the wait (or the
 * hang-up) said the goodbye already: the end's is too late (see {@linkcode tooLate}).
 */
export function flushThenEnd(
  marks: ForkMarks,
  rate: number,
  context: SerializerContext | undefined,
  end: (waitedMs: number) => SerializedMessage | Promise<SerializedMessage>,
):
  | SerializedMessage
  | SerializedMessage[]
  | Promise<SerializedMessage | SerializedMessage[] | null> {
  const goodbye = (waitedMs: number) => {
    marks.goodbye();
    return end(waitedMs);
  };
  const flush = marks.flush(rate);
  if (flush === null) {
    return unlessCancelled(marks, context, ahead(marks.release(), context, goodbye(0)));
  }
  if (context === undefined) return ahead(flush.tail, context, goodbye(0));
  for (const message of flush.tail) context.send(message);
  const clock = context.clock ?? systemClock;
  const waitMs = Math.min(flush.playMs, (context.sendTimeoutMs ?? Infinity) / 2);
  return marks.wait(clock, waitMs).then(() => {
    if (marks.cancelled) return tooLate(context);
    return unlessCancelled(marks, context, goodbye(waitMs));
  });
}

/**
 * `result`, the end's goodbye, unless a `cancel` came while it was on its way (a REST hang-up
 * under way): then {@linkcode tooLate}.
 */
function unlessCancelled<T>(
  marks: ForkMarks,
  context: SerializerContext | undefined,
  result: T | Promise<T>,
): T | Promise<T | null> {
  if (!(result instanceof Promise) || context === undefined) return result;
  return result.then((message) => marks.cancelled ? tooLate(context) : message);
}

/**
 * An `end` whose goodbye a `cancel` overtook: the `cancel`'s `disconnect` went, and jambonz closes
 * the socket only when it comes to it, so a second one would still leave. Dropped and counted in
 * `framesDroppedOnClose`, as the transport drops and counts any frame after a `cancel`.
 */
function tooLate(context: SerializerContext): null {
  context.count("framesDroppedOnClose");
  return null;
}

/**
 * `end`'s message after `messages`: those sent at once through `context` when there is one (a
 * REST hang-up may take a while), else returned with it.
 */
export function ahead(
  messages: SerializedMessage[],
  context: SerializerContext | undefined,
  end: SerializedMessage | Promise<SerializedMessage>,
): SerializedMessage | SerializedMessage[] | Promise<SerializedMessage | SerializedMessage[]> {
  if (messages.length === 0) return end;
  if (context !== undefined) {
    for (const message of messages) context.send(message);
    return end;
  }
  return end instanceof Promise
    ? end.then((message): SerializedMessage[] => [...messages, message])
    : [...messages, end];
}
