// The session metrics, as the server's SessionMetrics measures them (its "metrics" snapshots),
// with the transport's counters ("progress") and what the page's own player played.

const $ = (id) => document.getElementById(id);

function ms(value) {
  return value === null || value === undefined ? "–" : `${Math.round(value)} ms`;
}

function seconds(value) {
  return `${(value / 1000).toFixed(2)} s`;
}

function set(id, text, title = "") {
  const element = $(id);
  element.textContent = text;
  element.title = title;
}

/**
 * Shows the figures; any of them may be missing (before the first message, on the echo line).
 * @param {{ snapshot?: any, progress?: any, hello?: any, bargeIn?: any }} figures
 */
export function renderMetrics({ snapshot, progress, hello, bargeIn }) {
  const summary = (d, noun) =>
    d && d.count > 0
      ? `p50 ${ms(d.p50)}, p95 ${ms(d.p95)}, max ${ms(d.max)}; ${d.count} ${noun}`
      : "";
  set("m-turn", ms(snapshot?.turnLatency.last), summary(snapshot?.turnLatency, "turns"));
  set(
    "m-bargein",
    ms(snapshot?.bargeInStopLatency.last),
    summary(snapshot?.bargeInStopLatency, "barge-ins"),
  );
  set("m-interruptions", snapshot ? String(snapshot.interruptions) : "–");
  set(
    "m-late",
    snapshot ? `${snapshot.outbound.lateChunks} of ${snapshot.outbound.chunks}` : "–",
    summary(snapshot?.outbound.lateness, "late chunks"),
  );
  set("m-stale", progress ? seconds(progress.stats.audioMsStale) : "–");
  set("m-interrupted", progress ? seconds(progress.stats.audioMsInterrupted) : "–");
  if (hello && !hello.acknowledged) {
    set("m-marks", "none", "raw PCM has no acknowledgements: the server's figures are estimates");
  } else {
    set(
      "m-marks",
      progress ? `${progress.stats.marksAcknowledged} of ${progress.stats.marksSent}` : "–",
    );
  }
  const jitter = snapshot?.inbound.jitterMs;
  set(
    "m-jitter",
    jitter === null || jitter === undefined ? "–" : `${jitter.toFixed(1)} ms`,
    jitter === null ? "the line carries no media timestamps" : "",
  );
  set(
    "m-gaps",
    snapshot ? `${snapshot.inbound.gapsFilled} (${Math.round(snapshot.inbound.gapMs)} ms)` : "–",
  );
  set(
    "m-heard",
    bargeIn ? `${seconds(bargeIn.heardMs)} / ${seconds(bargeIn.playedMs)}` : "–",
    bargeIn
      ? `${bargeIn.responseId}: the server says the caller heard ${seconds(bargeIn.heardMs)} ` +
        `(${bargeIn.acknowledged ? "acknowledged" : "estimated"}); this page's player played ` +
        `${seconds(bargeIn.playedMs)}`
      : "",
  );
}
