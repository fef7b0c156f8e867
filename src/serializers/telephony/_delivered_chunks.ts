/**
 * Which chunks of a stream went out, by the newest delivered: its chunk, its length and one bit
 * for each of the chunks up to it. Two readers ask it whether a chunk was heard: the output, of a
 * packet it drops as mostly heard (`_frame_output.ts`), and the switch of order, of a packet from
 * before the switch (`_order_switch.ts`). A unit of its own so that both read one record, written
 * in one place, and neither reaches into the other.
 *
 * @module
 */

/**
 * How many chunks up to the newest delivered say whether each was delivered (one bit each, see
 * {@linkcode DeliveredChunks.bits}): a packet from before a switch of order that comes after it is
 * counted a duplicate where its chunk was delivered, late where it was a hole; older ones are
 * counted late.
 */
const DELIVERED_CHUNKS = 32;

/**
 * The newest packet delivered and which of the {@linkcode DELIVERED_CHUNKS} chunks up to it were
 * delivered: plain fields, so that a packet costs no allocation. A switch to timestamp order goes
 * on from the newest (see `OrderedMedia.reorderBy`).
 */
export class DeliveredChunks {
  /** The newest packet's chunk (`undefined`: it had none, or none was delivered). */
  lastChunk: number | undefined;
  /** The newest packet's length in ms (`undefined`: none delivered yet). */
  lastDurationMs: number | undefined;
  /** Bit n: chunk `lastChunk - n` was delivered. */
  bits = 0;

  /**
   * A packet went out. By chunk, packets go out in order: a chunk at or before the newest is a
   * new numbering (a resync), counted from anew.
   */
  note(chunk: number | undefined, durationMs: number): void {
    this.lastDurationMs = durationMs;
    const last = this.lastChunk;
    this.lastChunk = chunk;
    if (chunk === undefined) {
      this.bits = 0;
      return;
    }
    const ahead = last === undefined ? DELIVERED_CHUNKS : chunk - last;
    this.bits = ahead > 0 && ahead < DELIVERED_CHUNKS && Number.isInteger(ahead)
      ? (this.bits << ahead) | 1
      : 1;
  }

  /** A new stream: nothing of it went out yet. */
  forget(): void {
    this.lastChunk = this.lastDurationMs = undefined;
    this.bits = 0;
  }
}

/**
 * Whether `chunk` went out, by `bits` (bit n: chunk `newest - n` was delivered; see
 * {@linkcode DeliveredChunks.bits}, or a copy of it kept at a switch of order): false for a chunk
 * after `newest` or more than {@linkcode DELIVERED_CHUNKS} before it.
 */
export function wentOut(bits: number, newest: number, chunk: number): boolean {
  const age = newest - chunk;
  return Number.isInteger(age) && age >= 0 && age < DELIVERED_CHUNKS && ((bits >>> age) & 1) === 1;
}
