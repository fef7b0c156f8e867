/**
 * {@linkcode ForkMarks}: the marks of `mod_audio_fork` (jambonz/freeswitch-modules
 * `mod_audio_fork/lws_glue.cpp` at 30f21899), whether a FreeSWITCH application started the fork
 * (`FreeSwitchSerializer`) or jambonz's `listen` verb did (`JambonzSerializer`): the module's 30
 * slots and the transport's share of them, the commands held for the next binary message, the
 * names `killAudio` erased (the module's "cleared" list), the transport's last end-of-speech mark,
 * the module's answers, and the interruption, `clearMarks` and goodbye that change them.
 * Internal to the serializers.
 *
 * Separate from the buffers they sit in ({@linkcode ForkBuffers}, `_fork_buffers.ts`, which it
 * extends: see there why) and from the names they travel under (`_fork_mark_names.ts`): this is
 * when a mark's command may go, and what an answer or a clear does to the rest.
 *
 * @module
 */

import type { DtmfFrame, Frame, MarkFrame } from "../frames.ts";
import type { SerializedMessage, SerializerContext } from "../serializer.ts";
import type { Clock, ClockTimer } from "../clock.ts";
import { TransportError } from "../errors.ts";
import { isObject } from "./telephony/_json_value.ts";
import { toJson } from "./_to_json.ts";
import { PLAYOUT_END_MARK_PREFIX, PLAYOUT_MARK_PREFIX } from "../playback.ts";
import { FAR_END_HOLDS, type FarEndHold } from "./_far_end_holds.ts";
import type { JsonReader } from "./telephony/json_reader.ts";
import {
  FIRST_THRESHOLD,
  ForkBuffers,
  type HeldMark,
  NO_MARKS,
  remove,
  THRESHOLD,
  TICK_MS,
} from "./_fork_buffers.ts";
import { ForkMarkNames } from "./_fork_mark_names.ts";
import { SESSION_OVER } from "../_session_link.ts";

/** Drops the audio playing and buffered; marks not reached come back as `cleared`. */
const KILL_AUDIO = '{"type":"killAudio"}';

/**
 * The name prefix of the mark sent right after each `killAudio`, whose answer proves the module
 * has applied it (see {@linkcode ForkMarks.interrupt}). One of the transport's own names: a bot's
 * mark cannot carry it, and its answer is never handed on.
 */
const CLEAR_PROOF_PREFIX = `${PLAYOUT_MARK_PREFIX}killed:`;

/**
 * How long sending waits at most for the answer to the mark after a `killAudio` (see
 * {@linkcode ForkMarks.interrupt}): the module answers it within a tick of reading it, so this
 * is a round trip and a tick with a wide margin. Past it sending goes on, reported.
 */
export const CLEAR_PROOF_TIMEOUT_MS = 1000;
/** What a pause for a clear's proof waited on, as its "timeout" error says. */
const UNPROVEN_CLEAR = "mod_audio_fork did not answer the mark sent after killAudio";

/**
 * The module keeps at most 30 marks (in inventory and in use) and discards further ones with
 * only a log line (`MAX_MARKS` in jambonz/freeswitch-modules `mod_audio_fork/lws_glue.cpp`).
 */
export const MAX_PENDING_MARKS = 30;

/**
 * What a pause for a clear's proof waited on where no mark could follow `killAudio` (see
 * `ForkMarks.#oweProof`): the module's answers to the marks it held. Said as the mark's was, it
 * named a mark that never went.
 */
const UNANSWERED_CLEAR =
  `mod_audio_fork did not answer the marks it held at killAudio (all ${MAX_PENDING_MARKS} ` +
  "of its marks in use: no mark of the serializer's own could follow it)";

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

/** The sample the module takes for a mark's place (`AUDIO_MARKER`), as bytes. */
const SENTINEL_BYTES = [0xff, 0xff];

/**
 * Marks sent and not yet answered, to keep under the module's bound, and where the module holds
 * them (jambonz/freeswitch-modules `mod_audio_fork/lws_glue.cpp` at 30f21899), counted by
 * {@linkcode ForkBuffers}: a mark waits in an "inventory" until the next binary message puts its
 * marker (the sample 0xFFFF) into a pre-buffer, which moves to the playout buffer only once it
 * holds a threshold of samples. So the serializer pads a reply's end with silence enough to flush
 * it, and knows which markers `killAudio` erases: each leaves a name on the module's "cleared"
 * list that the next real marker takes silently, making every later mark answer one marker late.
 * One sentinel sample per such name gives the list a marker to take.
 */
export class ForkMarks extends ForkBuffers implements FarEndHold {
  readonly #provider: string;
  #pending = 0;
  /** Of {@linkcode #pending}, the transport's own marks (see {@linkcode MAX_TRANSPORT_MARKS}). */
  #transportPending = 0;
  /** The names marks travel under, and the answers awaited. */
  readonly #names = new ForkMarkNames();
  #context: SerializerContext | undefined;
  /**
   * A refusal past {@linkcode MAX_PENDING_MARKS} was reported and no mark has been answered since:
   * a far end that never answers would otherwise raise one error event per mark for the whole
   * call. Further refusals in the spell are counted in `encodeErrors` without another event.
   */
  #refusing = false;
  /**
   * A `killAudio` was the last thing to leave, no audio since ({@linkcode neverLeft}): what the
   * pre-buffer holds is what the interruption's silence left there.
   */
  #killedLast = false;
  /** See {@linkcode backgroundFills}. */
  #backgroundFills = false;
  /**
   * See `FarEndHold.sendingBackground`, set by the sender: the audio {@linkcode audio} takes now
   * is background, part of no reply, which a declined end-of-speech mark outlives
   * ({@linkcode #lastEnd}).
   */
  sendingBackground = false;
  /**
   * See `FarEndHold.onMarkGivenUp`, set by the tracker: told of each mark of the transport's that
   * {@linkcode command} declined and that will not go after all (see {@linkcode #forgetLastEnd}).
   */
  onMarkGivenUp: ((name: string) => void) | undefined;
  /**
   * See `FarEndHold.onMarksForgotten`, set by the tracker: told of each `clearMarks` that leaves
   * ({@linkcode message}), and of the end-of-speech mark sent again after it, if one is.
   */
  onMarksForgotten: ((kept: string | undefined) => void) | undefined;
  /**
   * The background stopped with samples in the pre-buffer and no mark waiting for them: the flush
   * timer sends the silence that lets its last part go (see {@linkcode backgroundFills}).
   */
  #backgroundEnds = false;
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
  /**
   * The name the mark sent right after the last `killAudio` travels under, while its answer is
   * awaited and sending is paused for it (see {@linkcode interrupt}).
   */
  #clearProof: string | undefined;
  #clearProofCommand = "";
  /**
   * The last `killAudio` found all of the module's {@linkcode MAX_PENDING_MARKS} slots taken, so
   * no mark could follow it (the module would discard it): sending is paused all the same, until
   * the module has answered every mark it held (see {@linkcode #owedProofAnswered}).
   */
  #proofOwed = false;
  /** While {@linkcode #proofOwed}: a `cleared` answer came, which only a clearing tick sends. */
  #owedSawClear = false;
  /**
   * The mark of the serializer's own whose marker went right behind the sentinel samples the
   * pre-buffer held (see {@linkcode #witnessSentinels}), until the module answers it; `sentinels`:
   * how many stood ahead of it, or 0 once they need nothing more.
   */
  #witness: { name: string; sentinels: number } | undefined;
  #witnesses = 0;
  /**
   * {@linkcode interrupt} is flushing the pre-buffer: the sentinels it moves are sent again after
   * its `killAudio`, so no witness goes with them (its `cleared` answer would send them twice).
   */
  #interrupting = false;
  /** A binary message (sentinels) went since the last `killAudio` (see `#clearUnproven`). */
  #binarySinceKill = false;
  #clearProofs = 0;
  /** Bounds the pause for {@linkcode #clearProof}'s answer (only with the session's clock). */
  #clearProofTimer: ClockTimer | undefined;
  /**
   * A pause for a clear's proof ran out and no proof came since: the next one that runs out is
   * seen in `stats.sendPauses` and `sendPausedMs` only, not reported again (a far end that
   * answers no mark would raise one error per interruption for the whole call).
   */
  #clearProofLate = false;
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
   *
   * Declined, it outlives background audio (`sendingBackground`): the mark still stands for the
   * reply's end, and the background, part of no reply, is all that follows. Sent once a slot
   * frees, its command waits in the module's inventory for the background's next chunk, whose
   * start its marker takes (`processIncomingBinary`, `lws_glue.cpp:80-101`), and is answered as
   * that plays: after the reply's end by what was sent since (about the lead the module holds),
   * where the background's first chunk forgot it before: `speakingstop` waited `playoutTimeoutMs`
   * (2 s past the reply's end), the mark never answered. Sent, its marker went with the
   * background's first chunk, at its place: nothing is owed. A reply's speech gives it up either
   * way: its place is behind that speech (declined, the tracker is told: see
   * {@linkcode #forgetLastEnd}). `pastBackground`: background followed it, so its place is no
   * longer the end of what was sent (see {@linkcode #endAwaitsFlush}).
   */
  #lastEnd: LastEnd | undefined;

  /** Counts marks for `provider` (used in error messages). */
  constructor(provider: string) {
    super();
    this.#provider = provider;
  }

  /**
   * Registers the module's pre-buffer as audio the far end holds for `serializer`'s transport
   * (see `FarEndHold`), measured at `rate()`, the rate of the audio sent back: a reply relayed in
   * real time leaves up to a batch there until the silence after it completes the batch, while
   * the module runs dry; counted played by its slots, `heardMs` ran as far ahead of the module.
   */
  holdsFor(serializer: object, rate: () => number): void {
    this.measuredAt(rate);
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
   * counted (`take` counted a sample each).
   */
  neverLeft(bytes: number, texts: readonly string[]): void {
    const context = this.#context;
    if (context === undefined || this.#sayingGoodbye) return;
    if (this.#flushedWhole) return this.#marksNeverSent(context, texts);
    if (!this.#killedLast) return;
    if (bytes < 2 && texts.length === 0) return;
    for (const text of texts) context.send(text);
    // Not through `take`: the count already stands where the module will, at an empty pre-buffer.
    if (bytes >= 2) context.send(new Uint8Array(bytes & ~1));
    this.#binarySinceKill = true;
    this.#killAgain(context);
  }

  /**
   * A second `killAudio` ({@linkcode neverLeft}), its clear proven as the interruption's is: the
   * first's proof may come before this one's tick, and audio sent then would be cleared by it.
   */
  #killAgain(context: SerializerContext): void {
    context.send(KILL_AUDIO);
    // What completed the batch moved the sentinels the count holds (left in the pre-buffer by
    // `interrupt`, or sent again after its `killAudio`): this one erases them. They go once
    // more, not counted again (the count holds them already).
    const lost = this.#sayingGoodbye ? 0 : this.sentinelsHeld;
    if (lost > 0) context.send(sentinels(lost));
    const proof = this.#awaitClear();
    if (proof !== undefined) context.send(proof);
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
      // Not through `take`: after the first batch the module moves 640 samples, markers
      // included, and the second `killAudio` drops them; it holds nothing after, as counted.
      context.send(new Uint8Array(Math.max(1, THRESHOLD - texts.length) * 2));
      this.#binarySinceKill = true;
      this.#killAgain(context);
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
   *
   * With no mark waiting, the pre-buffer may still hold the background's last part (less than a
   * batch: the module moves only whole ones, `processIncomingBinary`, `lws_glue.cpp:108-116`),
   * which nothing but more audio lets go (`killAudio` empties only the playout buffer): left, it
   * played at the next reply's start, glued to it, and the reply that much later than the
   * estimate. Not dropped (that takes a batch of silence and a `killAudio`, which would cut what
   * still plays of the background too): flushed by the silence that completes the batch, its end
   * heard as the background stops, as a reply's is. A slot later, not at once: a background short
   * of a chunk for one read fills that slot late, its chunk cancelling the flush ({@linkcode
   * #audio}), and gets no silence in it; with the lead the serializers ask for (a batch and a
   * tick) what the module plays of the background lasts that long.
   */
  set backgroundFills(fills: boolean) {
    const stopped = this.#backgroundFills && !fills;
    this.#backgroundFills = fills;
    if (!stopped || this.#flushTimer?.armed !== false) return;
    if (this.#endAwaitsFlush()) this.#flushTimer.arm(0);
    else if (this.heldSamples > 0) {
      this.#backgroundEnds = true;
      this.#flushTimer.arm(this.#chunkMs);
    }
  }

  /**
   * The end-of-speech mark stands at the end of what was sent, its silence not sent (see
   * {@linkcode markWithTail}), and the pre-buffer holds samples: declined for want of a slot, the
   * mark has no marker there, yet the reply's end waits all the same. Not once background followed
   * a declined one (`pastBackground`): the pre-buffer then holds the background's last part, which
   * a stopping background has flushed a slot later, as with no mark ({@linkcode backgroundFills}):
   * flushed at once, a background short of a chunk for one read had silence put in it.
   */
  #endAwaitsFlush(): boolean {
    const lastEnd = this.#lastEnd;
    return lastEnd !== undefined && lastEnd.pastBackground !== true && this.heldSamples > 0;
  }

  /**
   * The commands of a chunk the sender's late answer refused (see `ForkBuffers.answered`): held
   * again for the next binary message, their names still counted as pending.
   */
  protected override heldAgain(marks: readonly HeldMark[]): void {
    this.#unsent.unshift(...marks);
    if (marks.length > 0 && this.#releaseTimer?.armed === false) {
      this.#releaseTimer.arm(this.#holdMs);
    }
  }

  /**
   * The serializer's context: to send a sentinel when a `cleared` answer comes, and to count; with
   * its clock, to send held marks no audio followed.
   */
  bind(context: SerializerContext): void {
    this.#context = context;
    this.#sessionEnd = context.signal;
    if (context.clock !== undefined) {
      this.#clearProofTimer = context.clock.timer(() => this.#clearUnproven());
      this.#releaseTimer = context.clock.timer(() => {
        if (this.cancelled) return;
        // Behind samples in the pre-buffer, sent alone, they would be answered on the first dry
        // tick while those still wait: they go with the next audio or the stretch's end (`ended`,
        // which comes at the transport's quiet time, up to `sendAheadMs` after the last chunk).
        if (this.heldSamples > 0) return;
        for (const command of this.release()) context.send(command);
      });
      this.#flushTimer = context.clock.timer(() => {
        const backgroundEnds = this.#backgroundEnds && this.heldSamples > 0;
        this.#backgroundEnds = false;
        if (this.cancelled) return;
        if (!(this.#markersHeld() || this.#endAwaitsFlush() || backgroundEnds)) return;
        // The silence is the end-of-speech mark's own, as `markWithTail`'s is: the mark's place is
        // still the end of what was sent, and declined, it still goes once an answer frees a
        // slot (`#lastEnd`). Forgotten with the silence's `take`, it never went: `speakingstop`
        // waited `playoutTimeoutMs` past a reply the module had played.
        const lastEnd = this.#lastEnd;
        this.#lastEnd = undefined; // not given up by its own silence (`#forgetLastEnd`)
        for (const message of this.tail() ?? []) context.send(message);
        this.#lastEnd = lastEnd;
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
   * Audio (a chunk, or the serializer's own silence but an interruption's) is leaving behind
   * sentinel samples in the pre-buffer: the batch it completes moves them to the playout buffer,
   * where the module takes them at its next tick. An interruption read
   * before that tick has them erased with the rest (`dub_speech_frame`, `lws_glue.cpp:936-965`),
   * the names they were for left on the cleared list, every later mark answered a marker late;
   * read after it, they were taken, and sending them again would take a name that is not on that
   * list (a later mark answered early). The count cannot tell which: a mark of the serializer's
   * own, its command held for this audio, puts its marker right behind them (the inventory's
   * markers open the message, `:80-101`), in the same frame of the tick that takes them (fewer
   * than a frame's 160 samples, at the front of a playout buffer a clear left empty), and its
   * answer tells: `playout`, taken; `cleared`, erased (see {@linkcode #witnessAnswered}). Only
   * with the session's clock (the clear's proof needs it too), a slot free for it, and none
   * outstanding; never at the goodbye.
   */
  #witnessSentinels(): void {
    if (this.#witness !== undefined || this.#sayingGoodbye || this.#clearProofTimer === undefined) {
      return;
    }
    const name = `${CLEAR_PROOF_PREFIX}w${++this.#witnesses}`;
    if (!this.#roomForTransport(name)) return;
    const mark = this.#counted(name, true);
    this.#witness = { name: mark.name, sentinels: this.sentinelsHeld };
    this.#unsent.unshift(mark); // first: its marker right behind the sentinels
  }

  /**
   * The module answered the mark behind the sentinels ({@linkcode #witnessSentinels}): `cleared`
   * while they stood in the playout buffer at an interruption (`sentinels` still counted), they
   * were erased with it; they go again, into the pre-buffer the clear left (their names are
   * still on the cleared list).
   */
  #witnessAnswered(event: string | undefined): void {
    const witness = this.#witness!;
    this.#witness = undefined;
    if (event !== "cleared" || witness.sentinels === 0) return;
    if (this.#context === undefined || this.#sayingGoodbye) return;
    this.#context.send(this.#sentinels(witness.sentinels));
  }

  /**
   * {@linkcode audio}; `chunk`: the bytes are an audio chunk's the sender asked for, not the
   * serializer's own (see `ForkBuffers.take`). `background`: they are background's, part of no
   * reply, which a declined end-of-speech mark outlives (see {@linkcode #lastEnd}).
   */
  #audio(
    bytes: Uint8Array,
    chunk: boolean,
    background = this.sendingBackground,
  ): Uint8Array | SerializedMessage[] {
    // Audio moves the pre-buffer on: what a stretch's end left there goes with it.
    if (this.#flushTimer?.armed) this.#flushTimer.cancel();
    if (this.sentinelsHeld > 0 && !this.#interrupting) this.#witnessSentinels();
    this.#backgroundEnds = false;
    // Audio after the last end-of-speech mark: its place is no longer the end of what was sent.
    // Background keeps one declined (see `#lastEnd`): it still goes once a slot frees.
    const lastEnd = this.#lastEnd;
    if (lastEnd !== undefined) {
      if (background && !lastEnd.sent) lastEnd.pastBackground = true;
      else this.#forgetLastEnd();
    }
    this.#killedLast = false;
    if (this.#unsent.length === 0) return this.take(bytes, NO_MARKS, chunk);
    // As `release` does, but the names enter the inventory as `take` counts them (no call more).
    const marks = this.#unsent;
    this.#releaseTimer?.cancel();
    const commands = marks.map((mark) => mark.command);
    this.#unsent = [];
    return [...commands, this.take(bytes, marks, chunk)];
  }

  /**
   * The session is over: marks still held go now, where the socket is still open (a local
   * close), or are counted lost (`framesDroppedOnClose`, by the context's `send`): the transport
   * counted their frames sent when they were handed over. A {@linkcode wait} under way ends.
   */
  stop(): void {
    this.#over.abort(SESSION_OVER); // one made here would keep the session (see its doc)
    this.#clearProof = undefined;
    this.#proofOwed = false;
    this.#clearProofTimer?.cancel();
    this.#lastEnd = undefined;
    this.#flushTimer?.cancel();
    const held = this.release(); // the release timer goes with them
    for (const command of held) this.#context?.send(command);
    // The session's own callbacks: a serializer kept after its call must not keep the session.
    this.onRelease = this.onMarkGivenUp = this.onMarksForgotten = undefined;
  }

  /**
   * The session is cancelling (`cancel`): the marks held go ahead of its goodbye (returned), and
   * nothing may follow it. The socket stays open until the far end closes it (jambonz), so the
   * flush timer armed at a stretch's end would send a batch after the `disconnect`; an `end`
   * waiting for its last batch ({@linkcode wait}) stops waiting, its goodbye too late.
   */
  cancel(): string[] {
    this.#cancelled.abort(SESSION_OVER);
    // The goodbye waits for no proof.
    if (this.#clearProof !== undefined || this.#proofOwed) this.#clearProven();
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
    // Background followed the declined end-of-speech mark, no speech since: what the resampler
    // held is the background's last samples (the stretch ends at the quiet time, background
    // filling the slots meanwhile), which the mark outlives as it does the background. Taken for
    // the reply's, they gave the mark up at every quiet time where the audio is resampled (the
    // default 24 kHz out): `speakingstop` went by the estimate (`playoutTimeoutMs` late before
    // the tracker was told of marks given up), where the mark would have been answered.
    const background = this.#lastEnd?.pastBackground === true;
    const sent = tail === null ? [] : this.#audio(tail, false, background);
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
    return this.heldSamples > 0 && (this.#unsent.length > 0 || this.markersPrebuffered);
  }

  /**
   * The mark commands held for the next binary message, to send now without one: their names go
   * in the inventory.
   */
  release(): string[] {
    if (this.#unsent.length === 0) return [];
    this.#releaseTimer?.cancel();
    const commands = this.#unsent.map((mark) => mark.command);
    this.toInventory(this.#unsent.map((mark) => mark.name));
    this.#unsent = [];
    return commands;
  }

  /**
   * Silence that moves what the pre-buffer holds to the playout buffer, or `null` when it holds
   * nothing: at a reply's end, held audio would play only at the next reply's start, and a mark
   * after it would be answered before it (the module answers an inventory mark at once while its
   * playout buffer is empty). Sent after the reply's last mark, whose marker then goes before it.
   */
  tail(): SerializedMessage[] | null {
    const samples = this.samplesToFlush; // see there: the inventory's markers are not counted in
    if (samples === 0) return null;
    const silence = this.#audio(new Uint8Array(samples * 2), false);
    return Array.isArray(silence) ? silence : [silence];
  }

  /**
   * {@linkcode tail}, with how long the batch it completes takes to play at `rate` (samples per
   * second of the returned audio), a tick added for the tick it waits to begin on; `null` when
   * the pre-buffer holds nothing.
   */
  flush(rate: number): { tail: SerializedMessage[]; playMs: number } | null {
    const held = this.heldSamples;
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
    // So too where a background chunk's answer is due (a slot it filled mid-reply, which no clear
    // drops: it goes after `killAudio`): counted, it completed the batch the silence was counted
    // to complete, and arriving after the clear, it would still complete it, the stopped reply's
    // end played then. Its samples are counted again as its answer comes (`answered`). One send
    // is under way at most: with speech's, no background answer is due.
    this.#flushedWhole = this.sendsUnderWay > 0;
    // Sentinels still in the pre-buffer (sent for names an earlier `killAudio` left on the
    // module's cleared list, no audio since to carry them out) go to the playout buffer with the
    // flush, and this `killAudio` erases them: the names stay, and every later mark is answered
    // a marker late for the rest of the call. They go again after it, into the emptied
    // pre-buffer (fewer than a batch: the clearing tick leaves them), ahead of the clear's proof
    // (which must not take a marker: see `#awaitClear`). Not at the goodbye: no mark follows.
    const lost = this.#sayingGoodbye ? 0 : this.sentinelsHeld;
    // The sentinels behind which the witness went are still in the pre-buffer (its marker too):
    // counted in `lost` above. Only those a batch moved before this are in doubt (in the playout
    // buffer, or erased by an earlier `killAudio` whose tick has not answered the witness yet).
    const witness = this.#witness;
    if (witness !== undefined && !this.inPlayout(witness.name)) {
      if (!this.#erased.includes(witness.name)) witness.sentinels = 0;
    }
    this.#interrupting = true;
    const whole = this.#flushedWhole || this.answersFollowFlush()
      ? this.#audio(new Uint8Array(FIRST_THRESHOLD * 2), false)
      : null;
    // Marks held go before it either way: in the inventory or the playout buffer, `killAudio`
    // answers them `cleared`, and the bot waiting on them is done waiting.
    // Nothing but sentinels held: no part of a reply to drop, and `killAudio` leaves them there.
    // Flushed, they would go only to be sent again, and that silence would give the mark after
    // an earlier `killAudio`, if still unanswered, a marker (see `#awaitClear`).
    const onlySentinels = whole === null && this.heldSamples === lost;
    const before = (whole === null ? null : Array.isArray(whole) ? whole : [whole]) ??
      (onlySentinels ? null : this.tail()) ?? this.release();
    this.#interrupting = false;
    // Markers a `clearMarks` left nameless in the playout buffer, erased now: their names stay on
    // the module's cleared list, and no answer tells of them. A sentinel each follows, as for
    // those the pre-buffer held.
    const forgotten = this.#killed();
    const resent = (onlySentinels ? 0 : lost) + (this.#sayingGoodbye ? 0 : forgotten);
    const again = resent > 0 ? [this.takeSentinels(sentinels(resent))] : [];
    const proof = this.#awaitClear();
    const messages = [...before, KILL_AUDIO, ...again];
    if (proof !== undefined) messages.push(proof);
    return messages.length === 1 ? KILL_AUDIO : messages;
  }

  /**
   * The module does not clear when it reads `killAudio`: it sets a flag, and its next 20 ms media
   * tick empties the playout buffer and answers the marks in use and in inventory `cleared`
   * (`processIncomingMessage` and `dub_speech_frame`, `lws_glue.cpp:291-299` and `:936-965` at
   * 30f21899). Audio sent meanwhile (a bot that interrupts itself and speaks at once: the
   * transport's lead, 100 ms at 8 kHz, leaves in one go) completes a batch that lands in the
   * playout buffer and is cleared with the old reply; a mark with it is answered `cleared`, and
   * its name stays on the module's cleared list with no marker left to take it off, every later
   * mark answered one marker late for the rest of the call. So a mark of the serializer's own
   * goes right after `killAudio` (returned), and sending pauses (`pauseSending`: the sender keeps
   * the bot's audio and marks queued, nothing dropped) until the module answers it: read after
   * `killAudio` on the same socket, it is answered on a tick no earlier than the one that clears,
   * whatever it says (`cleared`, from the inventory at that tick; `playout`, from an empty tick
   * after it). It costs a round trip after an interruption, and only then. Bounded by
   * {@linkcode CLEAR_PROOF_TIMEOUT_MS}: if the module read it just after the clearing tick while
   * erased names wait on its cleared list, it holds it in inventory, unanswered until audio
   * plays (`:978-989`, `:1034-1043`), and sending goes on, reported. `undefined` (no pause) with
   * no way to pause or to bound it (a context made by hand), at the goodbye, or with no slot for
   * the mark (the module would discard it: `markCountExceeded`, `:303`).
   */
  #awaitClear(): string | undefined {
    const context = this.#context;
    const timer = this.#clearProofTimer;
    if (context?.pauseSending === undefined || timer === undefined) return undefined;
    if (this.#sayingGoodbye) return undefined;
    this.#proofOwed = false;
    if (this.#pending >= MAX_PENDING_MARKS) return void this.#oweProof(context, timer);
    const mark = this.#counted(`${CLEAR_PROOF_PREFIX}${++this.#clearProofs}`, true);
    // Not counted into the inventory: read before the clearing tick, as it almost always is (the
    // two messages go together), that tick answers it, and the sentinels that tick's answers call
    // for reach a module that no longer holds it (counted in, its marker made the pre-buffer's
    // count one sample over, and the silence that ends the next reply one short of its batch).
    // Read after that tick, the module holds it in inventory: see `#clearUnproven`.
    this.#clearProof = mark.name;
    this.#clearProofCommand = mark.command;
    this.#binarySinceKill = false;
    // Bounded by the transport too (`sendTimeoutMs`, if shorter), its error saying what it
    // waited on.
    context.pauseSending(true, { reason: `${this.#provider}: ${UNPROVEN_CLEAR}` });
    timer.arm(CLEAR_PROOF_TIMEOUT_MS);
    return mark.command;
  }

  /**
   * {@linkcode #awaitClear} with every slot taken: no mark may follow `killAudio`, yet the module
   * applies it only at its next tick, so sending pauses all the same, bounded as for the mark.
   * That tick answers every mark the module holds `cleared` (`dub_speech_frame`, `lws_glue.cpp`
   * :936-965), in one go: see {@linkcode #owedProofAnswered} for what ends the pause.
   */
  #oweProof(context: SerializerContext, timer: ClockTimer): void {
    this.#clearProof = undefined;
    this.#proofOwed = true;
    this.#owedSawClear = false;
    this.#binarySinceKill = false;
    context.pauseSending!(true, { reason: `${this.#provider}: ${UNANSWERED_CLEAR}` });
    timer.arm(CLEAR_PROOF_TIMEOUT_MS);
  }

  /**
   * An answer came while {@linkcode #proofOwed} (`event`, counted off {@linkcode #pending}). Only
   * a clearing tick answers `cleared`, and it answers every mark the module holds at once: once
   * none is pending, after a `cleared` one, the clear is proven. Not at the first `cleared`: the
   * audio resumed would go ahead of the sentinels the rest of that tick's answers call for, and
   * a mark in it would take a name off the cleared list instead (answered never, and a later
   * one late). None pending and none `cleared` (all answered as played, in flight as the bot
   * interrupted): the clearing tick may still be ahead, and a slot is free: the mark goes now,
   * within the same bound.
   */
  #owedProofAnswered(event: string | undefined, context: SerializerContext): void {
    if (event === "cleared") this.#owedSawClear = true;
    if (this.#pending > 0) return;
    if (this.#owedSawClear) return this.#clearProven();
    this.#proofOwed = false;
    const mark = this.#counted(`${CLEAR_PROOF_PREFIX}${++this.#clearProofs}`, true);
    this.#clearProof = mark.name;
    this.#clearProofCommand = mark.command;
    context.send(mark.command);
  }

  /** The module answered the mark after the last `killAudio` (`sent`): sending goes on. */
  #clearProven(): void {
    this.#proofOwed = false;
    this.#clearProof = undefined;
    this.#clearProofLate = false;
    this.#clearProofTimer?.cancel();
    this.#context?.pauseSending?.(false);
  }

  /**
   * No answer to the mark after `killAudio` came in time: sending goes on, reported once. The
   * module read the mark after the clearing tick, and holds it in inventory while erased names
   * wait on its cleared list (or lost it, with the call's media stalled): it is counted as the
   * module holds it now, in inventory, or, where a binary message (a sentinel) went since, its
   * marker in the pre-buffer, which that message put there. Where no mark could follow the
   * `killAudio` ({@linkcode #oweProof}), what went unanswered is the marks the module held, and
   * the report says so (it named a mark that never went).
   */
  #clearUnproven(): void {
    const name = this.#clearProof;
    if (name === undefined && !this.#proofOwed) return;
    this.#clearProof = undefined;
    this.#proofOwed = false; // no mark of its own went (no slot freed): none to count
    const unanswered = name === undefined ? UNANSWERED_CLEAR : UNPROVEN_CLEAR;
    if (name !== undefined) {
      if (!this.#binarySinceKill) this.toInventory([name]);
      else this.take(new Uint8Array(0), [{ name, command: this.#clearProofCommand }], false);
    }
    this.#context?.pauseSending?.(false);
    if (this.#clearProofLate) return;
    this.#clearProofLate = true;
    this.#context?.report(
      new TransportError(
        "timeout",
        `${this.#provider}: ${unanswered} within ${CLEAR_PROOF_TIMEOUT_MS} ms: sending on; ` +
          "audio it takes before its next 20 ms tick is cleared with the interrupted reply",
      ),
    );
  }

  /**
   * `killAudio` is leaving: it empties the playout buffer, markers and all, not the pre-buffer.
   * Returns how many nameless markers a `clearMarks` left there it erased (`forgottenErased`).
   */
  #killed(): number {
    this.#lastEnd = undefined; // the far end drops what it holds, and the tracker its marks
    // `interrupt` flushed the pre-buffer first: every marker is in the playout buffer, erased.
    this.#erased.push(...this.killMarkers());
    this.#killedLast = true;
    return this.forgottenErased();
  }

  /**
   * The `mark` command for `name`, held for the next binary message (`[]`); for a bot's mark, an
   * encode error when the module would discard it, or, once one was thrown and no mark answered
   * since, `null`: the mark refused all the same, counted in `encodeErrors` through the context
   * (thrown each time without one: nothing else counts it). A mark of the transport's own is
   * never refused so, nor reported: the bot never wrote it. Past its share
   * ({@linkcode #roomForTransport}) it is declined, `[]` with no command (an end-of-speech mark's
   * silence still goes, and the mark itself once an answer makes room, unless a reply's audio
   * went first: see {@linkcode #lastEnd}). A mark that will not go after all is told to its
   * tracker (`onMarkGivenUp`: at once, but for an end-of-speech mark), which counts it in
   * `marksUnanswered` and waits for no answer to it. (Vonage's and Asterisk's serializers leave
   * the transport's marks they give up to the tracker as a mark the far end dropped: counted once
   * a later answer passes it, waited for `playoutTimeoutMs` at most.)
   */
  command(name: string): [] | null {
    const transports = name.startsWith(PLAYOUT_MARK_PREFIX);
    if (transports && !this.#roomForTransport(name)) {
      // Only an end-of-speech mark goes later (see `#lastEnd`): any other stands where the audio
      // is now, and is given up at once.
      if (name.startsWith(PLAYOUT_END_MARK_PREFIX)) this.#declinedEnd = name;
      else this.onMarkGivenUp?.(name);
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
    const sent = this.#names.travel(name);
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

  /**
   * Audio that is no background followed the last end-of-speech mark (or sentinels that no mark
   * sent alone may follow): its place is no longer the end of what was sent. Declined, it never
   * goes now: its tracker is told (`onMarkGivenUp`), and waits for no answer to it. Else it waited
   * for a later mark's answer to pass it, and the reply it ended held up the next one's
   * `speakingstart` until then (860 ms for a reply the module played from 580: the next reply's
   * own first mark found no slot either). Sent, its marker went at its place: nothing is owed.
   */
  #forgetLastEnd(): void {
    const lastEnd = this.#lastEnd;
    this.#lastEnd = undefined;
    if (lastEnd !== undefined && !lastEnd.sent) this.onMarkGivenUp?.(lastEnd.name);
  }

  /** The commands that send `last` alone, behind the marks held (answered in order). */
  #alone(last: LastEnd): string[] {
    last.sent = true;
    const mark = this.#counted(last.name, true);
    const commands = [...this.release(), mark.command];
    this.toInventory([mark.name]);
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
   * audio followed it, goes again after the command (see {@linkcode #lastEnd}). The tracker is
   * told (`onMarksForgotten`): its other marks will never be answered, and the slots are free.
   */
  message(message: unknown): string | SerializedMessage[] {
    const awaited = this.#clearProof ?? (this.#proofOwed ? "" : undefined);
    const messages = this.#message(message);
    if (awaited === undefined || !isObject(message) || message.type !== "clearMarks") {
      return messages;
    }
    // The module forgets the mark after `killAudio` with the rest: it would never answer it, and
    // sending would wait out the bound. Another goes after the command; read before the clearing
    // tick (the two went together: the bot's urgent message overtakes the paused queue), that
    // tick answers it `cleared`.
    this.#clearProof = undefined;
    const proof = this.#awaitClear();
    if (proof === undefined) {
      this.#clearProven(); // no room or no goodbye left to prove: sending goes on, as before
      return messages;
    }
    return [...(Array.isArray(messages) ? messages : [messages]), proof];
  }

  /** See {@linkcode message}: the command and what goes with it, the clear's proof aside. */
  #message(message: unknown): string | SerializedMessage[] {
    // Which commands the far end acts on is the serializer's to check (`checkForkCommand`): JSON
    // without a type raises an event a FreeSWITCH application may hear and jambonz does not.
    const type = isObject(message) ? message.type : undefined;
    if (type === "killAudio" || type === "mark") {
      // Sent past the serializer, the module's mark lists and pre-buffer would no longer be what
      // it counts: after a `killAudio` later marks are answered a marker late, a `mark` is not
      // held to the module's 30 (its answer frees a slot one of ours still holds).
      throw new TransportError(
        "encode",
        `${this.#provider}: a ${type} command goes as ` +
          `${type === "mark" ? "a mark" : "an interruption"} frame, not a message frame: ` +
          "the serializer keeps count of the module's marks and buffers",
      );
    }
    const json = toJson(message);
    if (type !== "clearMarks") return json;
    const lastEnd = this.#sayingGoodbye ? undefined : this.#lastEnd;
    // Marks sent and not answered (not those held, which never go): an answer may cross it.
    this.#names.cleared(this.#pending > this.#unsent.length);
    this.#pending = 0;
    this.#transportPending = 0;
    this.#refusing = false;
    const unmarked = this.forgetMarkers() + this.#erased.length;
    this.#unsent = []; // never sent: the module has nothing of them to forget
    this.#witness = undefined; // forgotten with the rest
    this.#lastEnd = undefined;
    this.#releaseTimer?.cancel();
    this.#flushTimer?.cancel();
    this.#erased = [];
    if (unmarked > 0) {
      this.#lastEnd = lastEnd; // given up behind the sentinels (see below), and told so
      const sentinels = this.#sentinels(unmarked);
      this.#marksForgotten(undefined);
      return [json, sentinels, ...this.#witnessForgotten()];
    }
    // The last end-of-speech mark, forgotten (or declined), again: alone, it is answered once all
    // sent has played. Not behind sentinels: the module holds those until the next audio, their
    // names pending, and answers no mark without a marker while any is (see `#lastEnd`). Its
    // answer tells the forgotten markers have played, as the witness's would.
    if (lastEnd === undefined) {
      this.#marksForgotten(undefined);
      const witness = this.#witnessForgotten();
      return witness.length === 0 ? json : [json, ...witness];
    }
    this.#lastEnd = lastEnd;
    const again = this.#alone(lastEnd);
    this.#marksForgotten(lastEnd.name);
    return [json, ...again];
  }

  /**
   * A `clearMarks` left nameless markers in the playout buffer (`ForkBuffers.forgetMarkers`): a
   * mark of the serializer's own follows them (its command, returned), so that its `playout`
   * answer tells they have played, where no mark of the bot's or the tracker's comes after them
   * (the transport's marks off). Untold, the next `killAudio` took them for erased and sent a
   * sentinel each, which answered the next reply's marks early. Sent at once, not held for the
   * next binary message as a bot's mark is: a bot's is held lest a dry tick answer it before the
   * samples the pre-buffer holds have played, yet that early answer still tells of these (the
   * module answers a mark from its inventory only while no name waits on its cleared list and
   * its playout buffer is empty, `lws_glue.cpp:978-989`, `:1034-1043`). Held, behind samples the
   * pre-buffer held with no audio to follow, it waited for the next reply, and an interruption
   * before that (a bot that clears at every barge-in) sent a sentinel for each marker long played.
   * Only with the session's clock and a slot free for it, as the sentinels' witness.
   */
  #witnessForgotten(): string[] {
    if (!this.forgottenQueued || this.#sayingGoodbye || this.#clearProofTimer === undefined) {
      return [];
    }
    const name = `${CLEAR_PROOF_PREFIX}f${++this.#witnesses}`;
    if (!this.#roomForTransport(name)) return [];
    const mark = this.#counted(name, true);
    this.toInventory([mark.name]);
    return [mark.command];
  }

  /**
   * Tells the tracker of a `clearMarks` (`onMarksForgotten`): the module forgot every mark of the
   * transport's but `kept`, sent again. Told last: the sentinels may have given up a declined
   * end-of-speech mark (`onMarkGivenUp`, which the tracker reads as a module with no slot free,
   * pausing its cadence), yet every slot is free now. Untold, a cadence a stall had paused stayed
   * paused until the reply's end-of-speech mark was answered, and one at its bound of 24 marks
   * waiting (all forgotten) until an answer passed them: `heardMs` went by the estimate alone for
   * the rest of the reply.
   */
  #marksForgotten(kept: string | undefined): void {
    this.onMarksForgotten?.(kept);
  }

  /** `count` sentinel samples, counted into the pre-buffer as any binary message's samples. */
  #sentinels(count: number): Uint8Array {
    this.#binarySinceKill = true;
    this.#forgetLastEnd();
    this.#killedLast = false;
    return this.takeSentinels(sentinels(count));
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
      const name = this.#names.answered(sent);
      if (name === undefined) {
        this.forgottenAnswered(sent, event);
        return null;
      }
      if (this.#pending > 0) this.#pending--;
      if (name.startsWith(PLAYOUT_MARK_PREFIX) && this.#transportPending > 0) {
        this.#transportPending--;
      }
      this.#refusing = false; // room again: the next refusal, if any, starts a new spell
      const erased = remove(this.#erased, sent);
      if (erased && event === "cleared" && this.#context !== undefined && !this.#sayingGoodbye) {
        // Its name is on the cleared list with no marker left to take it: give it one (for the
        // marks after it: none come after the goodbye, which nothing may follow on the wire).
        this.#context.send(this.#sentinels(1));
      }
      if (!erased) this.markerAnswered(sent);
      if (event !== "cleared") this.playedThrough();
      // Before the pause may end: the sentinels go ahead of the audio it held.
      if (sent === this.#witness?.name) this.#witnessAnswered(event);
      if (this.#proofOwed && this.#context !== undefined) {
        this.#owedProofAnswered(event, this.#context);
      }
      if (this.#lastEnd?.name === name) this.#lastEnd = undefined; // answered
      else if (this.#lastEnd !== undefined) this.#retryDeclined();
      if (name.startsWith(CLEAR_PROOF_PREFIX)) {
        // Ours, never handed on: the latest one's answer, either event, proves the clear (see
        // `#awaitClear`); an earlier one's (a second interruption came first) proves nothing.
        if (sent === this.#clearProof) this.#clearProven();
        return null;
      }
      // Played or cleared by killAudio, the bot waiting on it is done waiting (as with Twilio).
      return { type: "mark", name } satisfies MarkFrame;
    }
    if (value.event === "dtmf") {
      return { type: "dtmf", digit: reader.dtmfDigit("dtmf") } satisfies DtmfFrame;
    }
    return undefined;
  }
}

/** The transport's last end-of-speech mark, as {@linkcode ForkMarks} keeps it (its `#lastEnd`). */
type LastEnd = { name: string; sent: boolean; pastBackground?: true };

/** `count` samples of the module's mark sentinel. */
function sentinels(count: number): Uint8Array {
  const bytes = new Uint8Array(count * 2);
  for (let i = 0; i < bytes.length; i += 2) bytes.set(SENTINEL_BYTES, i);
  return bytes;
}
