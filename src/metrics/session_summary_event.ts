/**
 * {@linkcode SessionSummaryEvent}: a session's metrics, final, when it ends.
 *
 * @module
 */

import type { SessionMetricsSnapshot } from "./session_metrics_snapshot.ts";

/**
 * Dispatched as "summary" by `SessionMetrics` once, when the session ends: the final figures, and
 * the same on one line for a log.
 *
 * @example
 * ```ts
 * import { SessionSummaryEvent, type SessionMetricsSnapshot } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * const snapshot = { durationMs: 1000 } as SessionMetricsSnapshot;
 * const event = new SessionSummaryEvent(snapshot, "session_ms=1000");
 * assert.equal(event.type, "summary");
 * assert.equal(event.line, "session_ms=1000");
 * ```
 */
export class SessionSummaryEvent extends Event {
  /** The session's final figures. */
  readonly snapshot: SessionMetricsSnapshot;
  /** The figures on one line, `key=value` pairs (logfmt). */
  readonly line: string;

  /** Makes a "summary" event. */
  constructor(snapshot: SessionMetricsSnapshot, line: string) {
    super("summary");
    this.snapshot = snapshot;
    this.line = line;
  }
}
