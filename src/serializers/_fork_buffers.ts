/**
 * {@linkcode ForkBuffers}: `mod_audio_fork`'s buffers as the serializers count them
 * (jambonz/freeswitch-modules `mod_audio_fork/lws_glue.cpp` at 30f21899): the mark inventory, the
 * pre-buffer (samples and markers, moved to the playout buffer only in whole batches of 1280,
 * then 640 samples) and the markers in the playout buffer; and, for a serializer that answers
 * later, what a chunk under way has not yet delivered (the takes kept until its answer, undone if
 * it is refused late). Internal to the serializers.
 *
 * Separate from the marks ({@linkcode ForkMarks} in `_fork_marks.ts`: their slots, names, held
 * commands and answers) because it is a model of the module's buffers, which every binary message
 * moves, not of the marks' life: it needs nothing of theirs but the names whose markers it
 * carries. Those marker lists live here, not with the marks, because a binary message moves them
 * as it moves the samples: kept apart, every chunk would pay a call to move them. `ForkMarks`
 * extends this class rather than holding one for the same reason: the per-chunk path (`take`) and
 * what the transport reads of the far end's hold (`heldMs`, `answerDue`, `answered`) stay one
 * call each.
 *
 * @module
 */

/**
 * The module's pre-buffer thresholds, in samples (`streamingPreBufSize`, `lws_glue.cpp:487` and
 * `:116`): audio plays only once this much has gathered, the first time and after. Counted as
 * the module counts them when the returned audio's rate is the channel's codec rate (downscale
 * factor 1), the only case in which its marks work at all: its factor is that rate over the
 * codec's (`fork_session_init` passes the read codec's `actual_samples_per_second` as
 * `sampling`, `:725`, `:482-485`), and at any other rate its resampler runs over the pre-buffer,
 * the mark samples in it too (`:521-523`, `:135-150`), so no 0xFFFF is left for `dub_speech_frame`
 * to find (`:994`). Scaling these would not bring the marks back: see `rateWarning` in
 * `_audio_fork.ts`.
 */
export const FIRST_THRESHOLD = 1280;
/** The pre-buffer's threshold after its first batch (see {@linkcode FIRST_THRESHOLD}). */
export const THRESHOLD = 640;
/** The module plays one 20 ms frame a media tick (`dub_speech_frame`, `lws_glue.cpp:930-1050`). */
export const TICK_MS = 20;

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

/** A mark's command held for the next binary message, and the name it travels under. */
export type HeldMark = { name: string; command: string };
/** No held mark commands (shared: the per-chunk path allocates none). */
export const NO_MARKS: readonly HeldMark[] = Object.freeze([]);
const NO_NAMES: readonly string[] = Object.freeze([]);

/**
 * What one binary message counted into the module's pre-buffer, kept until the sender says
 * whether an asynchronous answer for it left ({@linkcode ForkBuffers.answered}).
 */
interface Take {
  /** Samples and markers it added. */
  added: number;
  /**
   * What the pre-buffer held before it (less the markers it moved in doubt that the module has
   * since answered from its inventory: see `ForkBuffers.#answeredMovedInDoubt`).
   */
  before: number;
  /** The threshold it reached (the batch it completed), or 0: it completed none. */
  threshold: number;
  /** The names whose markers the batch it completed moved to the playout buffer. */
  moved: readonly string[];
  /** Of {@linkcode moved}, those in doubt as it moved them (see `ForkBuffers.#sentAlone`). */
  movedInDoubt: readonly string[];
  /** The names whose markers it put in (the inventory's). */
  markers: readonly string[];
  /** Of those, the ones whose commands went with it (held for it). */
  marks: readonly HeldMark[];
  /** Batches moved once it was counted; -1: a chunk that made no take. */
  batch: number;
  /** Sentinel samples the pre-buffer held before it (see `ForkBuffers.sentinelsHeld`). */
  sentinels: number;
}

/** A take with nothing counted yet, in batch `batch`. */
function newTake(batch = 0): Take {
  return {
    added: 0,
    before: 0,
    threshold: 0,
    moved: NO_NAMES,
    movedInDoubt: NO_NAMES,
    markers: NO_NAMES,
    marks: NO_MARKS,
    batch,
    sentinels: 0,
  };
}

/**
 * Where the module holds marks' markers and the audio before them: a mark waits in an "inventory"
 * until the next binary message puts its marker (the sample 0xFFFF) into a pre-buffer, which
 * moves to the playout buffer only once it holds a threshold of samples (`processIncomingBinary`,
 * `lws_glue.cpp:52-203`). Counted as the module counts, to know how much silence flushes the
 * pre-buffer at a reply's end, which markers `killAudio` erases, and how much sent audio the far
 * end still holds back (`FarEndHold.heldMs`).
 */
export class ForkBuffers {
  /** Names sent since the last binary message: no marker yet. */
  #inventory: string[] = [];
  /** Names whose marker is in the pre-buffer (`killAudio` leaves those), then in the playout. */
  #prebuffered: string[] = [];
  #queued: string[] = [];
  /**
   * Names whose commands went on their own ({@linkcode toInventory}) while their markers are
   * counted in the inventory or the pre-buffer: whether the module put those markers in is not
   * known. A tick that finds its playout buffer empty answers an inventory mark at once
   * (`dub_speech_frame`, `lws_glue.cpp:1029-1041`), and then the next binary message puts no
   * marker in for it (`processIncomingBinary`, `:80-101`); its answer may reach the serializer only
   * after that message, the next reply's audio, has gone. See {@linkcode samplesToFlush} and
   * {@linkcode markerAnswered}. Only ever names of the inventory and the pre-buffer: a batch that
   * moves them, an answer, `killAudio` or `clearMarks` takes them out.
   */
  readonly #sentAlone = new Set<string>();
  /** Samples and markers in the module's pre-buffer, and what moves it to the playout buffer. */
  #held = 0;
  /** Of {@linkcode #held}, the sentinel samples (see {@linkcode sentinelsHeld}). */
  #sentinels = 0;
  /**
   * The names of marks a `clearMarks` forgot whose markers the count had moved to the playout
   * buffer, not known played since (see {@linkcode forgetMarkers}, {@linkcode forgottenErased}).
   * Names, not a count: an answer that crossed the command tells of one (see
   * {@linkcode forgottenAnswered}).
   */
  #forgottenQueued: string[] = [];
  #threshold = FIRST_THRESHOLD;
  /**
   * What the module holds unplayed while a send is under way ({@linkcode sendsUnderWay}): the
   * pre-buffer as it was before that send's audio, and that audio. Counted as it is taken, a batch
   * that audio completes empties {@linkcode #held} before the module has it: the part held before
   * it, counted as let go, would read as playing while the answer is still on its way.
   */
  #heldUntilArrived = 0;
  /** The last {@linkcode take}'s record, until the sender says whether its answer is due later. */
  #lastTake: Take | undefined;
  /**
   * The take of a chunk whose answer is due and which had counted nothing when it was announced
   * ({@linkcode answerDue}): a chunk counted after an `await` fills it in.
   */
  #awaitedTake: Take | undefined;
  /** Takes whose asynchronous answer is still due, oldest first ({@linkcode answerDue}). */
  readonly #due: Take[] = [];
  /**
   * Takes counted before an interruption's whole batch of silence whose answers were still due
   * ({@linkcode answersFollowFlush}): background, which the clear does not drop, so each reaches
   * the module after the silence and `killAudio`, into an empty pre-buffer.
   */
  readonly #afterFlush: Take[] = [];
  /** Batches moved to the playout buffer so far: a late refusal undoes only the latest. */
  #batches = 0;
  /** The rate of the audio sent back, read when the pre-buffer is measured in time. */
  #rate: () => number = () => 8000;
  /** See `FarEndHold.onRelease`: told when a batch moves what was held before it. */
  onRelease: ((ms: number) => void) | undefined;
  /** See `FarEndHold.sendsUnderWay`: read by `ForkMarks.interrupt` too. */
  sendsUnderWay = 0;

  /** Measures the pre-buffer in time at `rate()`, the rate of the audio sent back. */
  protected measuredAt(rate: () => number): void {
    this.#rate = rate;
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

  /** Samples and markers the pre-buffer holds, as counted. */
  protected get heldSamples(): number {
    return this.#held;
  }

  /**
   * The samples of silence that move what the pre-buffer holds to the playout buffer; 0 when it
   * holds nothing. The inventory's markers are not counted in: the module may answer one at once,
   * its playout buffer run dry, before this silence comes (`lws_glue.cpp:1029-1041`), and then
   * puts no marker in. Counted, the pre-buffer would stay a sample short and hold the reply's
   * end; not counted, it reaches the threshold either way (a sample over, when the marker does go
   * in: the pre-buffer moves whole). Nor are the markers in the pre-buffer of marks whose
   * commands went on their own ({@linkcode #sentAlone}), for the same reason: a tick may have
   * answered them before the binary message that counted them in arrived. Counted, two such marks
   * answered late left the silence two samples short, the module holding the reply's end, and
   * every later reply's marks were answered only with the next reply.
   */
  protected get samplesToFlush(): number {
    if (this.#held === 0) return 0;
    return Math.max(1, this.#threshold - this.#held + this.#markersInDoubt());
  }

  /** Markers counted in the pre-buffer that the module may never have put in (see `#sentAlone`). */
  #markersInDoubt(): number {
    if (this.#sentAlone.size === 0) return 0;
    let doubtful = 0;
    for (const name of this.#prebuffered) if (this.#sentAlone.has(name)) doubtful++;
    return doubtful;
  }

  /**
   * Sentinel samples (markers with no name of their own, sent to take names off the module's
   * cleared list) waiting in the pre-buffer, as counted: the silence that flushes it before a
   * `killAudio` moves them into the playout buffer, which that `killAudio` empties, and the names
   * they were for stay on the cleared list (see `ForkMarks.interrupt`).
   */
  protected get sentinelsHeld(): number {
    return this.#sentinels;
  }

  /** `bytes` of sentinel samples are leaving, counted as {@linkcode take} counts any. */
  protected takeSentinels(bytes: Uint8Array): Uint8Array {
    const batches = this.#batches;
    this.take(bytes, NO_MARKS, false);
    // Held unless they completed a batch (which took them to the playout buffer).
    if (this.#batches === batches) this.#sentinels += bytes.length >> 1;
    return bytes;
  }

  /** Whether markers wait in the pre-buffer. */
  protected get markersPrebuffered(): boolean {
    return this.#prebuffered.length > 0;
  }

  /** See `FarEndHold.answerDue`: the last take waits for its answer. */
  answerDue(): void {
    const take = this.#lastTake;
    this.#lastTake = undefined;
    if (take !== undefined) return void this.#due.push(take);
    // No take yet: the resampler held the chunk whole (it makes none), or the serializer counts
    // it only after an `await` (a wrapper that encodes remotely first). Its take, if one comes
    // before its answer, is this chunk's (the pump sends the next chunk only after the answer):
    // filled in then ({@linkcode take}), not left for the next chunk's `answerDue` to claim
    // (whose late refusal then undid this chunk, which had left, and left its own counted).
    if (!this.#arriving) this.#heldUntilArrived = this.#held;
    const awaited = newTake(-1);
    this.#awaitedTake = awaited;
    this.#due.push(awaited);
  }

  /**
   * See `FarEndHold.answered`. Refused, the chunk's samples and the markers its mark commands put
   * in never reached the module: they come out of the pre-buffer's count, and a batch they
   * completed is not moved (the pre-buffer holds what it held before, at the threshold it had:
   * `heldMs` counts the part held before it as held again, the tracker unheard). The commands
   * go again with the next audio, as any held one does ({@linkcode heldAgain}; their names stay
   * counted as pending): else the module never has them, and the bot's marks go unanswered. Not
   * where a later message completed a batch since: the module moved whatever it held with that
   * one.
   */
  answered(refused: boolean): void {
    const take = this.#due.shift();
    if (take === this.#awaitedTake) this.#awaitedTake = undefined; // none came: held whole
    if (this.#afterFlush.length > 0 && take !== undefined) {
      const index = this.#afterFlush.indexOf(take);
      if (index >= 0) {
        this.#afterFlush.splice(index, 1);
        return this.#arrivedAfterFlush(take, refused);
      }
    }
    if (!refused || take === undefined || take.batch < 0) return;
    this.#heldUntilArrived = Math.max(0, this.#heldUntilArrived - take.added);
    // Its markers never went in: marks whose commands went before it wait in the inventory still,
    // for the next binary message; those whose commands went with it, held again. Not one the
    // module answered meanwhile (a tick that found its playout buffer empty answered it from the
    // inventory, `markerAnswered`): counted again, a marker the module never holds stayed in the
    // count for the rest of the call (an interruption took it for erased, and a `clearMarks` sent
    // a sentinel for it, which answered the next mark at its place). Those back in the inventory
    // are in doubt again, whatever a batch counted since did (their commands went before any
    // binary message that reached the module): a tick may answer them from there before the next
    // one arrives. Without their doubt, such an answer coming after that message left its marker
    // in the count for good, a sample the module never held.
    const withIt = new Set(take.marks.map((mark) => mark.name));
    const inventory: string[] = [];
    for (const name of take.markers) {
      const counted = remove(this.#prebuffered, name) || remove(this.#queued, name);
      if (counted && !withIt.has(name)) inventory.push(name);
    }
    this.#inventory.unshift(...inventory);
    for (const name of inventory) this.#sentAlone.add(name);
    this.heldAgain(take.marks);
    if (take.batch !== this.#batches) return;
    if (take.threshold === 0) {
      this.#held = Math.max(0, this.#held - take.added);
      return;
    }
    // It completed the batch: the module still holds what came before it, at its threshold.
    this.#held += take.before;
    this.#sentinels = take.sentinels;
    this.#threshold = take.threshold;
    this.#batches--;
    const back = take.moved.filter((name) => remove(this.#queued, name));
    this.#prebuffered.unshift(...back);
    // Back in the pre-buffer, those in doubt as it moved them are in doubt again (the move ended
    // their doubt, and it never happened): else the late answer of one the module had answered
    // from the inventory left its marker counted, the pre-buffer a sample over the module's.
    for (const name of take.movedInDoubt) if (back.includes(name)) this.#sentAlone.add(name);
  }

  /**
   * An interruption's whole batch of silence is about to be counted (see `ForkMarks.interrupt`)
   * ahead of the answers still due: whether any is. Those already counted (the serializer took
   * the chunk before answering) are background (speech is under way, `sendsUnderWay`, and its
   * answer dropped after the clear): they reach the module after the silence and `killAudio`, so
   * their samples are counted again as their answer comes ({@linkcode answered}). Those not
   * counted yet are counted as they are, after the silence.
   */
  protected answersFollowFlush(): boolean {
    for (const take of this.#due) if (take.batch >= 0) this.#afterFlush.push(take);
    return this.#due.length > 0;
  }

  /**
   * The answer for `take` came after the interruption's whole batch of silence that moved (and
   * `killAudio` dropped) what the count held with it ({@linkcode answersFollowFlush}): unless
   * refused, its samples and markers now reach an empty pre-buffer, at the threshold after a
   * first batch. Its markers' names were taken for erased by that `killAudio`: their `playout`
   * answer, when their place plays, takes them off that list as a `cleared` one would.
   */
  #arrivedAfterFlush(take: Take, refused: boolean): void {
    if (refused) return; // nothing of it reached the module, and the count holds none of it
    this.#held += take.added;
    if (this.#held < this.#threshold) return;
    // It completed a batch of its own: nothing was held before it to let go.
    this.#batches++;
    this.#held = 0;
    this.#sentinels = 0;
    this.#threshold = THRESHOLD;
  }

  /**
   * The mark commands `marks` went with a binary message the sender's late answer refused: they
   * are held for the next one again. Nothing here: the marks keep the held commands.
   */
  protected heldAgain(_marks: readonly HeldMark[]): void {}

  /**
   * Binary audio is leaving: the names of `marks` (the held commands that go right before it)
   * enter the inventory, the inventory's markers then its samples join the pre-buffer. `chunk`:
   * the bytes are an audio chunk's the sender asked for (paired with its answer, see
   * {@linkcode answerDue}), not the serializer's own (a flush's silence, a stretch's tail,
   * sentinels), which no answer of the sender's is about: kept as a chunk's, one such take was
   * claimed by the next chunk's `answerDue` when that chunk counted nothing. A chunk's take is
   * kept, with `marks`, in case its answer is refused late ({@linkcode answered}).
   */
  protected take(bytes: Uint8Array, marks: readonly HeldMark[], chunk: boolean): Uint8Array {
    // Called for every chunk sent: the lists are touched only when there are marks to move.
    for (let i = 0; i < marks.length; i++) this.#inventory.push(marks[i]!.name);
    const before = this.#held;
    const added = this.#inventory.length + (bytes.length >> 1);
    this.#held += added;
    // A send already under way is ahead of this one: nothing it let go has arrived either.
    this.#heldUntilArrived = (this.#arriving ? this.#heldUntilArrived : before) + added;
    // A chunk's only (no answer of the sender's is about the serializer's own silence, which
    // makes none). The last one's object again where no answer was due for it (a serializer that
    // answers at once: nothing a chunk); the awaited one where its answer was announced before it
    // counted.
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
    let movedInDoubt = NO_NAMES;
    const sentinelsBefore = this.#sentinels;
    if (this.#held >= this.#threshold) {
      threshold = this.#threshold;
      this.#batches++;
      this.#held = 0;
      this.#sentinels = 0;
      this.#threshold = THRESHOLD;
      if (this.#prebuffered.length > 0) {
        if (take !== undefined) moved = [...this.#prebuffered];
        // Moved either way by now, the pre-buffer emptied whole: no longer in doubt (unless the
        // chunk is refused late: its take keeps their doubt, see `answered`).
        if (this.#sentAlone.size > 0) {
          if (take !== undefined) movedInDoubt = moved.filter((name) => this.#sentAlone.has(name));
          for (const name of this.#prebuffered) this.#sentAlone.delete(name);
        }
        this.#queued.push(...this.#prebuffered);
        this.#prebuffered.length = 0;
      }
    }
    if (take !== undefined) {
      take.added = added;
      take.before = before;
      take.threshold = threshold;
      take.moved = moved;
      take.movedInDoubt = movedInDoubt;
      take.markers = markers;
      take.marks = marks;
      take.batch = this.#batches;
      take.sentinels = sentinelsBefore;
    }
    // What was held before this message goes to the playout buffer with it, now.
    if (threshold > 0 && before > 0) this.onRelease?.((before * 1000) / this.#rate());
    return bytes;
  }

  /** Whether the marker of the mark sent as `name` is in the playout buffer, as counted. */
  protected inPlayout(name: string): boolean {
    return this.#queued.includes(name);
  }

  /** Mark commands `names` went without a binary message: they wait in the inventory. */
  protected toInventory(names: readonly string[]): void {
    this.#inventory.push(...names);
    for (const name of names) this.#sentAlone.add(name);
  }

  /**
   * `killAudio` is leaving: it empties the playout buffer, markers and all, and the inventory, not
   * the pre-buffer. Returns the names whose markers it erased (those in the playout buffer).
   */
  protected killMarkers(): string[] {
    const erased = this.#queued;
    this.#queued = [];
    for (const name of this.#inventory) this.#sentAlone.delete(name);
    this.#inventory = [];
    return erased;
  }

  /**
   * A `clearMarks` is leaving: the module forgets every mark, so no list holds a name any more.
   * Returns how many names were in the inventory: no marker will take them off its cleared list.
   * The markers of the rest stay in the module's buffers, each to take a name off that list as it
   * plays (`lws_glue.cpp:321-331`, `:994-1009`): nameless now, as sentinels are. Those in the
   * pre-buffer are counted as sentinels (see {@linkcode sentinelsHeld}); those in the playout
   * buffer as {@linkcode #forgottenQueued}. Dropped from the count, a `killAudio` that erased them
   * left their names on the list for good, every later mark answered a marker late.
   */
  protected forgetMarkers(): number {
    const unmarked = this.#inventory.length;
    this.#inventory = [];
    // Not one in doubt: the module may have answered it from the inventory, and holds no marker.
    let nameless = 0;
    for (const name of this.#prebuffered) if (!this.#sentAlone.has(name)) nameless++;
    this.#sentinels += nameless;
    this.#forgottenQueued.push(...this.#queued);
    this.#prebuffered = [];
    this.#queued = [];
    this.#sentAlone.clear();
    return unmarked;
  }

  /**
   * `killAudio` is leaving: the markers a `clearMarks` left nameless in the playout buffer and not
   * known played ({@linkcode #forgottenQueued}) are taken for erased with it. Returns how many:
   * their names stay on the module's cleared list, no `cleared` answer telling of them (the module
   * forgot their marks), so a sentinel each must follow.
   */
  protected forgottenErased(): number {
    const erased = this.#forgottenQueued.length;
    this.#forgottenQueued = [];
    return erased;
  }

  /**
   * The module answered `sent` (`event`) before it read the last `clearMarks`, the answer
   * crossing the command on the wire. `playout` for a marker the count had in the playout
   * buffer: it played before the command, which found its name in use no more and put nothing on
   * the cleared list for it (`lws_glue.cpp:321-331`). Left counted, the next `killAudio` sent a
   * sentinel with no name to take, and it took the next reply's first mark's, answered before its
   * place played. (`cleared` is a `killAudio`'s, which counted its markers erased already.)
   */
  protected forgottenAnswered(sent: string, event: string | undefined): void {
    if (event !== "cleared") remove(this.#forgottenQueued, sent);
  }

  /**
   * The module answered a mark sent since the last `clearMarks` as played: its marker, or an empty
   * playout buffer, came after every marker that clear left nameless in the playout buffer (the
   * module plays in order), so those have played and taken their names off the cleared list.
   */
  protected playedThrough(): void {
    this.#forgottenQueued = [];
  }

  /** Whether markers a `clearMarks` left nameless in the playout buffer are not known played. */
  protected get forgottenQueued(): boolean {
    return this.#forgottenQueued.length > 0;
  }

  /**
   * The module answered the mark sent as `name`: its marker (or command) is gone. A mark whose
   * command went on its own ({@linkcode #sentAlone}), answered while its marker is counted in the
   * pre-buffer, was answered from the inventory by a tick with nothing to play: a marker in the
   * pre-buffer cannot have played, for the module moves it to the playout buffer only with its
   * batch, which the count (holding every marker the module may hold) would have moved first. So
   * the binary message that counted it in put none there: the count drops it, and is exact again.
   */
  protected markerAnswered(name: string): void {
    const alone = this.#sentAlone.delete(name);
    if (remove(this.#queued, name)) return this.#answeredMovedInDoubt(name);
    if (!remove(this.#prebuffered, name)) return void remove(this.#inventory, name);
    if (!alone) return;
    this.#held = Math.max(0, this.#held - 1);
    this.#heldUntilArrived = Math.max(0, this.#heldUntilArrived - 1);
    // The chunk that counted it in added a sample less than counted: refused late, it takes out
    // only what it added. Else the count, taken down for this marker twice, stayed a sample under
    // the module's pre-buffer: it reached a batch a sample after the module did, and a reply that
    // ended there got a sample of silence, its end and its marks left in the module's pre-buffer.
    for (const take of this.#due) {
      if (take.batch >= 0 && take.markers.includes(name)) return void take.added--;
    }
  }

  /**
   * The mark `name`, whose marker the count had moved to the playout buffer, was answered: if a
   * chunk whose answer is still due moved it in doubt (see `Take.movedInDoubt`), the module
   * answered it from the inventory, for that batch has not reached the module (nothing else could
   * have moved it there first: the count holds every marker the module may hold). The module
   * never held its marker: that chunk brings, or the pre-buffer held before it, a sample less than
   * counted. Else, that chunk refused late, what the pre-buffer held before it came back with the
   * marker in it, a sample over the module's: the silence after the reply a sample short of the
   * module's batch, its end and its marks left in the module's pre-buffer until the next reply.
   */
  #answeredMovedInDoubt(name: string): void {
    for (const take of this.#due) {
      if (!take.movedInDoubt.includes(name)) continue;
      this.#heldUntilArrived = Math.max(0, this.#heldUntilArrived - 1);
      if (take.markers.includes(name)) take.added--;
      else take.before--;
      return;
    }
  }
}

/** Removes the first `name` from `names`; whether there was one. */
export function remove(names: string[], name: string): boolean {
  const index = names.indexOf(name);
  if (index < 0) return false;
  names.splice(index, 1);
  return true;
}
