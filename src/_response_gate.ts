/**
 * The stale-response gate: after an interruption, audio still arriving for a response written
 * before it (a TTS stream that has not noticed yet) is dropped instead of played; so is its text
 * where the far end speaks text (ConversationRelay: an LLM stream that has not noticed yet).
 *
 * @module
 */

import { kindOf } from "./_kind_of.ts";

/**
 * How many response ids the gate remembers. Ids are the bot's own strings, in no order the gate
 * could compare, so telling a stale id from a new one takes remembering it; bounded, so a session
 * of endless responses holds no more than this. The one heard longest ago is forgotten first, and
 * every frame of a response is hearing it: a stale stream still sending stays remembered however
 * many responses follow. Only one silent while 1024 other responses began, then sending again, is
 * taken for new and sent: the gate tells each stale id it forgets (`onForgetStale`), which the
 * transport counts in `stats.staleResponsesForgotten` and reports the first of.
 */
const REMEMBERED_IDS = 1024;

/**
 * Tells which response outbound audio (or spoken text) belongs to, and whether it is stale. Every
 * id is stamped with the interruption count when first seen; an interruption makes every id seen
 * so far stale, and an id never seen before opens the gate. Audio and text of one response share
 * its id: its first frame, of either, stamps it. Untagged frames belong to the response begun by
 * {@linkcode start}, if the bot uses it; otherwise they have no id and are never gated.
 */
export class ResponseGate {
  readonly #seen = new Map<string, number>();
  readonly #onForgetStale: () => void;
  #interruptions = 0;
  #implicit: string | undefined;
  #started = 0;
  /**
   * The stale responses reported since the last interruption: two TTS streams that have not
   * noticed it interleave their chunks, and each is reported once, not once per alternation.
   * Only ids seen before the interruption are stale, so this holds at most `REMEMBERED_IDS`.
   * Made at the first such drop: a session no stale audio reaches holds none.
   */
  #reported: Set<string> | undefined;
  /**
   * The id asked about last and its answer, until an interruption or `start`: every chunk of a
   * response asks the same, and a map lookup per chunk shows at hundreds of sessions.
   */
  #lastAsked: string | undefined;
  #lastAnswer = false;

  /**
   * `onForgetStale` is told of each stale id forgotten to keep the bound (see `REMEMBERED_IDS`):
   * if its response sends again, it is taken for a new response and sent.
   */
  constructor(onForgetStale: () => void) {
    this.#onForgetStale = onForgetStale;
  }

  /** The response `responseId` (a frame's own tag) means: its own, or the one begun by `start`. */
  idOf(responseId: string | undefined): string | undefined {
    return responseId ?? this.#implicit;
  }

  /** Whether audio (or text) of response `id` comes after its response was interrupted. */
  isStale(id: string | undefined): boolean {
    if (id === undefined) return false;
    if (id === this.#lastAsked) return this.#lastAnswer;
    const stamp = this.#seen.get(id);
    if (stamp === undefined) this.#remember(id);
    else this.#heard(id, stamp);
    this.#lastAsked = id;
    return this.#lastAnswer = stamp !== undefined && stamp < this.#interruptions;
  }

  /**
   * Whether a drop of stale audio or text of `id` is its response's first since the interruption
   * (to be reported once, not for every frame, nor once for its audio and again for its text).
   */
  firstDrop(id: string | undefined): boolean {
    if (id === undefined) return false;
    const reported = this.#reported ??= new Set();
    if (reported.has(id)) return false;
    reported.add(id);
    return true;
  }

  /**
   * Begins a response for untagged audio and text; returns its id (`id`, or a fresh one). Throws
   * a `TypeError` for an id that is no string, as a frame's `responseId` is refused: taken, it
   * would tag every untagged frame after it past that check, and reach events and serializers.
   */
  start(id?: string): string {
    if (id !== undefined && typeof id !== "string") {
      throw new TypeError(`startResponse takes a string id (or none), got ${kindOf(id)}`);
    }
    const next = id ?? `response-${++this.#started}`;
    this.#implicit = next;
    this.#remember(next);
    this.#lastAsked = undefined; // `next` may have been stale: it is fresh now
    return next;
  }

  /**
   * An interruption (the transport's, or the far end's own: ConversationRelay's `interrupt`):
   * every response seen so far is stale.
   */
  close(): void {
    this.#interruptions++;
    this.#reported?.clear();
    this.#lastAsked = undefined;
  }

  #remember(id: string): void {
    this.#heard(id, this.#interruptions);
    if (this.#seen.size > REMEMBERED_IDS) {
      const [oldest, stamp] = this.#seen.entries().next().value!;
      this.#seen.delete(oldest);
      if (stamp < this.#interruptions) this.#onForgetStale();
    }
  }

  /**
   * Moves `id` to the back of the line to be forgotten: a map keeps insertion order, so the first
   * key is the id heard longest ago. Asked only when the id asked changes (`#lastAsked`), not per
   * chunk.
   */
  #heard(id: string, stamp: number): void {
    this.#seen.delete(id);
    this.#seen.set(id, stamp);
  }
}
