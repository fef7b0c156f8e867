/**
 * {@linkcode FAR_END_HOLDS}: what the transport asks of a serializer whose far end holds audio
 * back after it left (mod_audio_fork's pre-buffer, through `ForkMarks`). Internal to the module.
 *
 * @module
 */

/**
 * Audio that has left but that the far end holds back from its playout for a while, and the
 * moment it lets it go: mod_audio_fork moves what arrives to its playout buffer only in whole
 * batches (see `ForkMarks`), so a reply's last part below a batch waits there, unplayed, until
 * the silence after the reply completes the batch. Not the packetizer's held audio, which has not
 * left (`OutboundSender.heldAudioMs`): a mark sent now goes after this audio, as its marker does.
 * An internal hook, not part of the serializer contract: a serializer registers it in
 * {@linkcode FAR_END_HOLDS}; the playback tracker counts none of it heard while it is held, and
 * places it to play from the moment it is let go.
 */
export interface FarEndHold {
  /** Milliseconds of sent audio the far end holds now. */
  readonly heldMs: number;
  /** Set by the tracker: told that the far end was just sent what lets `ms` of held audio go. */
  onRelease: ((ms: number) => void) | undefined;
  /**
   * Set by the tracker: told that the transport's mark `name` never reached the far end and never
   * will (mod_audio_fork declined it for want of a slot, and gave it up: a mark of the cadence or
   * a reply's start at once, an end-of-speech mark once a reply's speech followed it). No answer
   * comes for it: the tracker waits for none, and judges where it stood by the estimate, not by
   * the answer to a later mark (a reply whose end waited so began the next one's audio late).
   */
  onMarkGivenUp: ((name: string) => void) | undefined;
  /**
   * Set by the tracker: told that the far end forgot every mark of the transport's it had been
   * sent, and will answer none of them, its slots all free again: mod_audio_fork acting on a
   * bot's own `clearMarks` (sent as a message frame), which answers nothing (`lws_glue.cpp` at
   * 30f21899, `processIncomingMessage` :321-331); answers crossing it are dropped by the
   * serializer. `kept`: the transport's end-of-speech mark the serializer sends again right after
   * the command (see `ForkMarks`), still to be answered. The tracker counts the others unanswered
   * at once, waits for none of them, and its marks, paused for want of room (see
   * {@linkcode onMarkGivenUp}) or at its own bound of marks waiting, go on: told of nothing, it
   * went on waiting for an answer the module would not give before the reply's end. Not on the
   * path of audio: only where a bot clears.
   */
  onMarksForgotten: ((kept: string | undefined) => void) | undefined;
  /**
   * Kept by the pump: chunks of the bot's speech whose send is still under way (an asynchronous
   * serializer's answer to come, or a socket to drain). The serializer counted each into what the
   * far end holds when it took it, yet an interruption's clear may still drop it
   * ({@linkcode neverLeft}): while any is, what the far end holds is known only to within that
   * chunk.
   *
   * Not the answers {@linkcode answerDue} announces, though the two overlap (a speech chunk whose
   * answer is due is always under way: the pump counts it in the same turn as the sender announces
   * it, and lets it go only once its send is over, after {@linkcode answered}). They differ on two
   * kinds of send, so neither can stand for the other with behaviour unchanged:
   *
   * - background: its answer is due (`answerDue`) but it is not under way here. An interruption
   *   never drops it (the sender's `clearDrops` is false), so mod_audio_fork's `interrupt` must not
   *   read it as a chunk the clear may drop; its audio still reaches the far end only with the
   *   answer, so `heldMs` counts what it lets go as held until then.
   * - a send answered at once that waits for the socket to drain (`OutboundSender.sendAudio`'s
   *   `#drain`), and the drain after a late answer: under way here, no answer due. Its bytes are
   *   on the socket, so no clear drops them, yet the pump places the chunk as left only once the
   *   wait is over (`#leftOnAnswer`), and `heldMs` counts what it let go as held until then too.
   *
   * mod_audio_fork's `heldMs` reads either (what has not reached the module yet); its `interrupt`
   * reads this alone (what a clear may still drop), flushing a whole first batch where only a drain
   * is under way: silence enough, which `killAudio` drops with the rest.
   */
  sendsUnderWay: number;
  /**
   * Kept by the pump: background audio fills the slots (the mixer's last `fill` gave a chunk), so
   * a chunk of it follows within a slot and carries on whatever the far end holds: no silence need
   * go to let that go (mod_audio_fork's end-of-speech flush, which would be a gap in the
   * background, off the timeline: see `markWithTail`).
   */
  backgroundFills: boolean;
  /**
   * Set by the sender while the serializer takes a chunk of background audio (the mixer's
   * `fill`, in a slot of its own), for the length of its synchronous `serialize` only: audio that
   * belongs to no reply. mod_audio_fork keeps an end-of-speech mark it declined for want of a
   * slot across such audio (see `ForkMarks`), where a reply's speech gives it up. A serializer
   * that takes the chunk only after an `await` of its own sees it false, and gives the mark up
   * as before. Untouched on the path of speech.
   */
  sendingBackground: boolean;
  /**
   * Told by the sender that `bytes` of binary messages the serializer made (and counted in what
   * the far end holds) never left: an asynchronous serializer's answer that came after an
   * interruption's clear, dropped. The far end holds that much less than was counted.
   * `texts`: that answer's text messages (mod_audio_fork: the mark commands held for its audio),
   * which never left either; the far end answers the marks they carry or nothing ever does.
   */
  neverLeft(bytes: number, texts: readonly string[]): void;
  /**
   * Told by the sender: the audio chunk the serializer just took is answered later (its
   * `serialize` returned a promise), speech or background. Until that answer comes, none of what
   * the serializer counted for it has reached the far end, nor what a batch it completes lets go:
   * {@linkcode heldMs} counts that as held still (how this differs from {@linkcode sendsUnderWay}:
   * see there).
   */
  answerDue(): void;
  /**
   * Told by the sender: the oldest answer {@linkcode answerDue} announced has come. `refused`: it
   * was refused late (the promise rejected, or answered with no message: see
   * `OutboundSender.refusedLate`), so what the serializer counted for that chunk never left and
   * the far end holds what it held before it.
   */
  answered(refused: boolean): void;
}

/** The {@linkcode FarEndHold} of each serializer whose far end holds audio back (by instance). */
export const FAR_END_HOLDS: WeakMap<object, FarEndHold> = new WeakMap();
