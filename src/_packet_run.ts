/**
 * A run of packets whose bytes are not all alike, sent as one: where in it the socket refused
 * packets, so that each part of it counts only its own refused bytes lost.
 *
 * @module
 */

import type { Send } from "./_serializer_answer.ts";

/**
 * A send for a run of packets whose bytes are not all alike (the audio held before, the bot's
 * speech, then padding): it notes where in the run the socket refused packets, so that a part
 * counts lost only the refused bytes within it (a refused packet of padding drops none of the
 * bot's audio, as splitting all the bytes in proportion would say). Text goes straight on, out
 * of the run. Made at a stretch's end or a bot's mark only, never per chunk.
 */
export class PacketRun {
  /** The binary bytes handed on so far. */
  bytes = 0;
  readonly #send: Send;
  readonly #lostAudioBytes: () => number;
  /** The refused packets' [start, end) in the run, in pairs. */
  readonly #refused: number[] = [];

  /**
   * `send`: hands a message to the socket. `lostAudioBytes`: the sender's count of binary bytes
   * the socket refused, or was found closed for: a packet it grows with was refused.
   */
  constructor(send: Send, lostAudioBytes: () => number) {
    this.#send = send;
    this.#lostAudioBytes = lostAudioBytes;
  }

  /** Sends one message of the run (a packet, or text that goes straight on). */
  readonly send: Send = (message) => {
    if (typeof message === "string") return this.#send(message);
    const lostBefore = this.#lostAudioBytes();
    this.#send(message);
    if (this.#lostAudioBytes() !== lostBefore) {
      this.#refused.push(this.bytes, this.bytes + message.length);
    }
    this.bytes += message.length;
  };

  /** The refused bytes among the run's bytes `from` (inclusive) `to` (exclusive). */
  lostWithin(from: number, to: number): number {
    const refused = this.#refused;
    let lost = 0;
    for (let i = 0; i < refused.length; i += 2) {
      lost += Math.max(0, Math.min(refused[i + 1]!, to) - Math.max(refused[i]!, from));
    }
    return lost;
  }
}
