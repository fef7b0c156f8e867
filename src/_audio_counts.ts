/**
 * How the bot's audio bytes handed to the socket are counted, by what became of their messages:
 * sent, or dropped at the close in proportion to what the socket refused. Plain functions on the
 * session's counters, with positional numbers: they run for every chunk, which must make no
 * object.
 *
 * @module
 */

import type { TransportStats } from "./transport_stats.ts";

/**
 * Counts `pcm` bytes of audio whose messages were handed to the socket: `left` bytes of them
 * left and `lost` did not (refused by the socket, or it had closed). What was lost, in
 * proportion, never left: dropped at the close, not sent. `chunks`: the chunks whose first audio
 * left with them (see `TransportStats.audioChunksSent`), counted once nothing of it was lost.
 */
export function countAudio(
  stats: TransportStats,
  pcm: number,
  left: number,
  lost: number,
  chunks = 0,
): void {
  if (lost === 0) {
    stats.audioChunksSent += chunks;
    stats.audioBytesSent += pcm;
    return;
  }
  const dropped = left === 0 ? pcm : Math.round((pcm * lost) / (left + lost));
  stats.audioBytesDroppedOnClose += dropped;
  stats.audioBytesSent += pcm - dropped;
}

/**
 * Counts a chunk's `pcm` bytes whose list of messages lost some (`left` and `lost` bytes of all
 * kinds): where binary messages carried its audio (`handed` bytes of them, `lostBinary` of those
 * lost; text, such as Asterisk's `START_MEDIA_BUFFERING`, carries none), split by those alone;
 * else (audio sent as text, base64 in JSON) by all. `chunks`: as for `countAudio`. Only where the
 * socket lost a message, never per chunk.
 */
export function countMixed(
  stats: TransportStats,
  pcm: number,
  handed: number,
  lostBinary: number,
  left: number,
  lost: number,
  chunks: number,
): void {
  if (handed === 0) return countAudio(stats, pcm, left, lost, chunks);
  countAudio(stats, pcm, handed - lostBinary, lostBinary, chunks);
}
