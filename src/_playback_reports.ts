/**
 * What a far end that reports its own playback, rather than answering marks, says of it (Genesys's
 * Audio Connector: `playback_started`, `playback_completed`), as its serializer hands it to the
 * playback tracker: an inbound `mark` frame with a reserved name, the way every acknowledgement
 * reaches the tracker (hidden from the bot like the tracker's own marks, whose prefix it shares).
 *
 * @module
 */

import { PLAYOUT_MARK_PREFIX } from "./playback.ts";

/** The name prefix of a playback report (one of the tracker's reserved names). */
const REPORT_PREFIX = `${PLAYOUT_MARK_PREFIX}playback:`;
const STARTED = `${REPORT_PREFIX}started`;
const COMPLETED_PREFIX = `${REPORT_PREFIX}completed:`;
/** A non-negative number of milliseconds, as `playbackReportName` writes it. */
const MILLISECONDS = /^\d+(?:\.\d+)?$/;

/**
 * A report: the far end began to play after none (`started`), or has played all it had received
 * (`completed`), which is all that was sent but the last `uncoveredMs` of audio: that may have
 * crossed the report on its way (sent after the far end said it, see `GenesysPlayback`).
 */
export type PlaybackReport =
  | { type: "started" }
  | { type: "completed"; uncoveredMs: number };

/** The name a report travels under. */
export function playbackReportName(report: PlaybackReport): string {
  return report.type === "started" ? STARTED : `${COMPLETED_PREFIX}${report.uncoveredMs}`;
}

/** The report a mark's name carries, if it is one. */
export function readPlaybackReport(name: string): PlaybackReport | undefined {
  if (!name.startsWith(REPORT_PREFIX)) return undefined;
  if (name === STARTED) return { type: "started" };
  if (!name.startsWith(COMPLETED_PREFIX)) return undefined;
  const digits = name.slice(COMPLETED_PREFIX.length);
  // Only the serializer makes these names; anything else (a far end echoing a name of its own
  // making) is no report.
  return MILLISECONDS.test(digits) ? { type: "completed", uncoveredMs: Number(digits) } : undefined;
}
