/**
 * The marks the playback tracker sends into its audio and has not had answered yet: what one
 * holds, how many may wait, when two answers agree, and how the waiting ones move when the audio
 * they stand in is placed anew. Apart from the marks' bookkeeping because these are the marks'
 * own rules, read where a mark is made, answered or moved (a few a second at most, never a
 * chunk): when the marks go and what their answers teach is `_playback_marking.ts`
 * (`PlaybackMarks`), and what that means for what was heard, the tracker's file.
 *
 * @module
 */

import type { PlayoutTimeline } from "./_playout_timeline.ts";
import { EPSILON } from "./_playback_utterance.ts";

/**
 * Two acknowledgements whose measured lags differ by no more than this agree: the estimate
 * between marks is then right to within one 20 ms chunk, and marks may spread out.
 */
export const STEADY_LAG_MS = 20;

/**
 * At most this many of the tracker's marks within a response wait for an answer; past it, no more
 * are sent until one is answered. A far end that never acknowledges (a platform that ignores
 * marks, one that stopped answering) would otherwise be sent a mark every `markIntervalMs` of
 * speech for the whole call, each kept here. The oldest pending mark still bounds `heardMs`, and
 * the estimate stands for the rest. 24 is six seconds of audio at the learning cadence (far ends
 * answer within their buffer, about `sendAheadMs`), and under the 30 that jambonz's and
 * FreeSWITCH's modules hold. The marks at the end of what was sent, which `speakingstop` waits for,
 * may go on to twice as many (a far end buffering a long send-ahead), and one refused is sent once
 * an answer makes room; the last before an `end`, which the hang-up waits for, is never refused.
 */
export const MAX_PENDING_MARKS = 24;

/** A mark the tracker sent and the far end has not acknowledged yet. */
export interface PendingMark {
  name: string;
  position: number;
  /** When `position` plays by the estimate (without the lag). */
  playsAt: number;
  /**
   * Sent after `position` played by the estimate, the far end may have played it before the mark
   * came, and answer it as it arrives: an answer read by this time (when the mark was sent, plus
   * the lag then known, which holds the network's round trip, plus `STEADY_LAG_MS`) may be such,
   * and bounds the lag rather than reads it. One read later was held until its place played: it
   * reads the lag (see `PlaybackMarks.answered`). -Infinity: sent before its place played,
   * its answer reads the lag. By the estimate alone, not plus the lag: the mark crosses the same
   * way out as the audio before it, so it finds its place played wherever the far end's buffer is
   * under how late it was sent, whatever the lag, which adds the round trip (20 ms late, across a
   * network 20 ms each way, to a far end playing at once: answered as it came, and read as the
   * lag, 20 ms too long).
   */
  boundsUntil: number;
}

/**
 * The marks not yet answered past position `from` stand inside audio placed anew (it left late,
 * see `PlaybackTracker.replaced`): each was sent after the audio before it, in the turn that sent
 * that audio, and left with it, so its place plays where that audio now does, and after the
 * mark left (the spell placed anew begins when the turn ended): its answer reads the lag. Left
 * where it stood, the answer read the move as the far end's lag: the session's first mark, sent
 * with the second chunk of a turn that stalled 100 ms inside `serialize` with 200 ms sent ahead,
 * told the observers a lag 100 ms longer, and the next answer took it back. A mark at `from`
 * itself is not moved: it follows audio placed before, which played where it was placed.
 */
export function replaceMarks(
  marks: PendingMark[],
  from: number,
  timeline: PlayoutTimeline,
): void {
  // A move is rare, and at most a few dozen marks wait (MAX_PENDING_MARKS): all are looked at.
  for (const mark of marks) {
    if (mark.position <= from + EPSILON) continue;
    mark.playsAt = timeline.playsAt(mark.position);
    mark.boundsUntil = -Infinity;
  }
}
