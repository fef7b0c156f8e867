/**
 * The queue between a transport's `writable` and its paced sender: audio chunks and in-order
 * frames, with the accounting that holds a writer back once enough audio waits.
 *
 * @module
 */

import type { AudioFrame, Frame } from "./frames.ts";

/** Consumed slots at the front of the queue's array past which it is compacted. */
const COMPACT_AFTER = 1024;

/**
 * One thing waiting to be sent. An audio chunk's `queuedAt` is when it was written, where the
 * pump read it (queued behind a send under way, or held: see `OutboundPump.pushAudio`), else NaN:
 * a field of the item the queue makes anyway, so that it costs no allocation.
 */
export type OutboundItem =
  | { kind: "audio"; chunk: AudioFrame; durationMs: number; queuedAt: number }
  | { kind: "frame"; frame: Frame };

/** A FIFO of {@linkcode OutboundItem}s that knows how much audio it holds. */
export class OutboundQueue {
  readonly #maxQueuedMs: number;
  /**
   * Items from `#head` to `#tail`; the array is kept and refilled from the start once the queue
   * drains (a queue that empties at every chunk, as a real-time bot's does, allocates no array),
   * and compacted when the consumed slots in front of the items grow large.
   */
  #items: OutboundItem[] = [];
  #head = 0;
  #tail = 0;
  #queuedMs = 0;
  /** The promise writers wait on while the queue is full, shared by all of them, and its resolve. */
  #room: Promise<void> | undefined;
  #wakeWriters: (() => void) | undefined;
  #drainers: (() => void)[] = [];

  /** Makes a queue that asks writers to wait once it holds more than `maxQueuedMs` of audio. */
  constructor(maxQueuedMs: number) {
    this.#maxQueuedMs = maxQueuedMs;
  }

  /** Items waiting. */
  get size(): number {
    return this.#tail - this.#head;
  }

  /** Milliseconds of audio waiting. */
  get queuedMs(): number {
    return this.#queuedMs;
  }

  /**
   * Queues an audio chunk that plays for `durationMs`, written at `queuedAt` where the caller read
   * it (NaN: not known).
   */
  pushAudio(chunk: AudioFrame, durationMs: number, queuedAt = NaN): void {
    this.#items[this.#tail++] = { kind: "audio", chunk, durationMs, queuedAt };
    this.#queuedMs += durationMs;
  }

  /**
   * Gives the audio chunks at the tail of the queue that are views of `buffer` (the caller's)
   * bytes of their own, with one copy for all of them: the caller may reuse its buffer once its
   * write returns, and a queued chunk must not change under us.
   */
  ownAudio(buffer: ArrayBufferLike): void {
    let first = this.#tail;
    let start = Infinity;
    let end = 0;
    while (first > this.#head) {
      const item = this.#items[first - 1]!;
      if (item.kind !== "audio" || item.chunk.audio.buffer !== buffer) break;
      first--;
      start = Math.min(start, item.chunk.audio.byteOffset);
      end = Math.max(end, item.chunk.audio.byteOffset + item.chunk.audio.length);
    }
    if (first === this.#tail) return;
    // Deliberate copy, once per write that leaves audio queued (a burst of TTS, not real time).
    const own = new Uint8Array(buffer, start, end - start).slice();
    for (let i = first; i < this.#tail; i++) {
      const chunk = (this.#items[i] as { chunk: AudioFrame }).chunk;
      const offset = chunk.audio.byteOffset - start;
      chunk.audio = own.subarray(offset, offset + chunk.audio.length);
    }
  }

  /** Queues a frame that keeps its place after the audio before it. */
  pushFrame(frame: Frame): void {
    this.#items[this.#tail++] = { kind: "frame", frame };
  }

  /** Takes `frame` out of the queue, if it waits there (at a session's end: not per chunk). */
  withdraw(frame: Frame): void {
    for (let i = this.#head; i < this.#tail; i++) {
      const item = this.#items[i]!;
      if (item.kind !== "frame" || item.frame !== frame) continue;
      this.#items.splice(i, 1);
      this.#tail--;
      if (this.#head === this.#tail) this.#head = this.#tail = 0;
      return;
    }
  }

  /** The next item, left in place. */
  peek(): OutboundItem | undefined {
    return this.#items[this.#head];
  }

  /** The first audio chunk waiting (frames may stand before it), or `undefined`: the next to play. */
  get firstAudio(): AudioFrame | undefined {
    for (let i = this.#head; i < this.#tail; i++) {
      const item = this.#items[i]!;
      if (item.kind === "audio") return item.chunk;
    }
    return undefined;
  }

  /** Removes the next item; wakes a waiting writer once there is room. */
  shift(): void {
    const item = this.#items[this.#head];
    if (item === undefined) return;
    this.#items[this.#head++] = undefined as unknown as OutboundItem; // let it be collected
    if (this.#head === this.#tail) {
      this.#head = this.#tail = 0;
    } else if (this.#head >= COMPACT_AFTER && this.#head * 2 >= this.#tail) {
      // Never empty for long (a bot that stays ahead through a long answer): move the items to
      // the front rather than let the array grow by a slot a chunk.
      this.#items.copyWithin(0, this.#head, this.#tail);
      this.#tail -= this.#head;
      this.#head = 0;
      this.#items.length = this.#tail;
    }
    if (item.kind === "audio") this.#queuedMs -= item.durationMs;
    if (this.size === 0) this.#queuedMs = 0; // no float residue from many subtractions
    if (this.#queuedMs <= this.#maxQueuedMs) this.wakeWriter();
  }

  /**
   * Drops every queued audio chunk (frames such as marks and messages keep their places, now with
   * no audio ahead of them) and wakes a waiting writer. Returns the audio bytes dropped.
   */
  clear(): number {
    let dropped = 0;
    const kept: OutboundItem[] = [];
    for (let i = this.#head; i < this.#tail; i++) {
      const item = this.#items[i]!;
      if (item.kind === "audio") dropped += item.chunk.audio.length;
      else kept.push(item);
    }
    this.#items = kept;
    this.#head = 0;
    this.#tail = kept.length;
    this.#queuedMs = 0;
    this.wakeWriter();
    return dropped;
  }

  /**
   * Empties the queue for good (the session is over): returns the audio bytes and the other
   * frames (marks, messages, an `end`) that will never be sent, for the drop counters.
   */
  discard(): { audioBytes: number; frames: number } {
    const audioBytes = this.clear(); // the frames stay, alone now
    const frames = this.size;
    this.#items = [];
    this.#head = this.#tail = 0;
    return { audioBytes, frames };
  }

  /** `undefined` when a writer may go on; else a promise that settles when it may. */
  room(): Promise<void> | undefined {
    if (this.#queuedMs <= this.#maxQueuedMs) return;
    return this.#room ??= new Promise((resolve) => {
      this.#wakeWriters = resolve;
    });
  }

  /** Lets waiting writers go on (there is room, or the session ended). */
  wakeWriter(): void {
    const wake = this.#wakeWriters;
    if (wake === undefined) return;
    this.#room = undefined;
    this.#wakeWriters = undefined;
    wake();
  }

  /** Settles once the queue is empty (see {@linkcode wakeDrained}) or `signal` aborts. */
  drained(signal: AbortSignal): Promise<void> {
    if (this.size === 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.#drainers.push(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  /** Settles the `drained` promises; the sender calls it when it has emptied the queue. */
  wakeDrained(): void {
    if (this.#drainers.length === 0) return;
    const drainers = this.#drainers;
    this.#drainers = [];
    for (const done of drainers) done();
  }
}
