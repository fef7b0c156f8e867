/**
 * How a session's figures map onto OpenTelemetry-style instruments, and the one-line summary.
 *
 * @module
 */

import type {
  DurationSummary,
  MetricInstrument,
  SessionMetricsSnapshot,
} from "./session_metrics_snapshot.ts";

const instrument = (
  name: string,
  kind: MetricInstrument["kind"],
  unit: string,
  snapshot: string,
  description: string,
): MetricInstrument => Object.freeze({ name, kind, unit, snapshot, description });

/** Every instrument, in the order of the snapshot. */
export const INSTRUMENTS: readonly MetricInstrument[] = Object.freeze([
  instrument("voice.session.duration", "histogram", "ms", "durationMs", "Session length"),
  instrument("voice.inbound.audio", "counter", "ms", "inbound.audioMs", "Caller audio received"),
  instrument(
    "voice.inbound.jitter",
    "gauge",
    "ms",
    "inbound.jitterMs",
    "Interarrival jitter of caller media (RFC 3550 §6.4.1), from arrival and media times",
  ),
  instrument(
    "voice.inbound.media.reordered",
    "counter",
    "{packet}",
    "inbound.reordered",
    "Caller media packets put back in order",
  ),
  instrument(
    "voice.inbound.media.duplicates",
    "counter",
    "{packet}",
    "inbound.duplicates",
    "Caller media packets dropped as duplicates",
  ),
  instrument(
    "voice.inbound.media.late",
    "counter",
    "{packet}",
    "inbound.late",
    "Caller media packets dropped as too late, or as a lone jump no later packet confirmed",
  ),
  instrument(
    "voice.inbound.media.gaps",
    "counter",
    "{gap}",
    "inbound.gapsFilled",
    "Lost caller media filled with silence",
  ),
  instrument(
    "voice.inbound.media.gap_duration",
    "counter",
    "ms",
    "inbound.gapMs",
    "Silence filled into caller media gaps",
  ),
  instrument(
    "voice.inbound.media.resyncs",
    "counter",
    "{resync}",
    "inbound.resyncs",
    "Times caller media numbering jumped and was followed afresh",
  ),
  instrument(
    "voice.inbound.frames.dropped",
    "counter",
    "{frame}",
    "inbound.framesDropped",
    "Caller audio frames dropped because the bot fell behind reading them",
  ),
  instrument(
    "voice.outbound.chunks",
    "counter",
    "{chunk}",
    "outbound.chunks",
    "Bot audio chunks sent",
  ),
  instrument("voice.outbound.audio", "counter", "ms", "outbound.audioMs", "Bot audio sent"),
  instrument(
    "voice.outbound.late_chunks",
    "counter",
    "{chunk}",
    "outbound.lateChunks",
    "Bot audio chunks sent after they were due (pacing deadline, or when written if later)",
  ),
  instrument(
    "voice.outbound.lateness",
    "histogram",
    "ms",
    "outbound.lateness",
    "How late late chunks were sent",
  ),
  instrument(
    "voice.outbound.underruns",
    "counter",
    "{underrun}",
    "outbound.underruns",
    "Times the bot's speech ran dry at the far end within a response (playout estimate)",
  ),
  instrument(
    "voice.outbound.underrun_duration",
    "counter",
    "ms",
    "outbound.underrunMs",
    "Time the far end had nothing to play within the bot's responses",
  ),
  instrument(
    "voice.outbound.send_pauses",
    "counter",
    "{pause}",
    "outbound.sendPauses",
    "Times sending paused at the far end's request (Asterisk's MEDIA_XOFF) or for its serializer",
  ),
  instrument(
    "voice.outbound.send_paused_duration",
    "counter",
    "ms",
    "outbound.sendPausedMs",
    "Time sending stayed paused in those",
  ),
  instrument(
    "voice.outbound.interrupted",
    "counter",
    "By",
    "outbound.bytesInterrupted",
    "Bot audio dropped by interruptions",
  ),
  instrument(
    "voice.outbound.stale",
    "counter",
    "By",
    "outbound.bytesStale",
    "Bot audio of interrupted responses dropped before sending",
  ),
  instrument(
    "voice.outbound.stale_text",
    "counter",
    "{frame}",
    "outbound.textFramesStale",
    "Bot text of interrupted responses dropped before sending, where the far end speaks text",
  ),
  instrument(
    "voice.outbound.stale_forgotten",
    "counter",
    "{response}",
    "outbound.staleResponsesForgotten",
    "Interrupted responses forgotten past the 1,024 remembered: their late audio would be played",
  ),
  instrument(
    "voice.outbound.dropped_on_close",
    "counter",
    "By",
    "outbound.bytesDroppedOnClose",
    "Bot audio dropped at the close or refused by the socket; with lastPacket drop, partial packets",
  ),
  instrument(
    "voice.outbound.unplayed_at_end",
    "counter",
    "ms",
    "outbound.audioMsUnplayedAtEnd",
    "Bot audio the far end held unplayed at the session's end, at the bot's request (PAUSE_MEDIA)",
  ),
  instrument(
    "voice.interruptions",
    "counter",
    "{interruption}",
    "interruptions",
    "Interruptions",
  ),
  instrument(
    "voice.turn.latency",
    "histogram",
    "ms",
    "turnLatency",
    "From the end of the caller's turn to the bot's first audible audio",
  ),
  instrument(
    "voice.turn.unmeasured",
    "counter",
    "{turn}",
    "turnLatency.unmeasured",
    "Turns answered whose end was told after 16 newer bot spells: latency not measured",
  ),
  instrument(
    "voice.barge_in.stop_latency",
    "histogram",
    "ms",
    "bargeInStopLatency",
    "From the caller talking over the bot to the bot falling silent",
  ),
  instrument(
    "voice.barge_in.unmeasured",
    "counter",
    "{barge_in}",
    "bargeInStopLatency.unmeasured",
    "Barge-ins whose speech was told after 16 newer interruptions: latency not measured",
  ),
]);

/** The snapshot on one line of `key=value` pairs (logfmt); figures not measured are left out. */
export function summaryLine(s: SessionMetricsSnapshot): string {
  const parts: string[] = [];
  const add = (key: string, value: number | boolean | null) => {
    if (value === null) return;
    parts.push(`${key}=${typeof value === "number" ? round(value) : value}`);
  };
  const durations = (prefix: string, d: DurationSummary) => {
    add(`${prefix}_p50_ms`, d.p50);
    add(`${prefix}_p95_ms`, d.p95);
    add(`${prefix}_max_ms`, d.max);
  };
  const { inbound: i, outbound: o } = s;
  add("session_ms", s.durationMs);
  add("ended", s.ended);
  add("in_frames", i.frames);
  add("in_audio_ms", i.audioMs);
  add("jitter_ms", i.jitterMs);
  add("jitter_max_ms", i.maxJitterMs);
  add("reordered", i.reordered);
  add("duplicates", i.duplicates);
  add("late_packets", i.late);
  add("gaps", i.gapsFilled);
  add("gap_ms", i.gapMs);
  add("resyncs", i.resyncs);
  add("in_dropped", i.framesDropped);
  add("out_chunks", o.chunks);
  add("out_audio_ms", o.audioMs);
  add("late_chunks", o.lateChunks);
  durations("lateness", o.lateness);
  add("underruns", o.underruns);
  add("underrun_ms", o.underrunMs);
  // Only where sending paused: most far ends never ask, and their line stays as it was.
  if (o.sendPauses > 0) {
    add("send_pauses", o.sendPauses);
    add("send_paused_ms", o.sendPausedMs);
  }
  add("interruptions", s.interruptions);
  add("interrupted_bytes", o.bytesInterrupted);
  add("stale_bytes", o.bytesStale);
  // Only where text went stale: an audio session never has any, and its line stays as it was.
  if (o.textFramesStale > 0) add("stale_texts", o.textFramesStale);
  // Only where the gate's bound was reached: nearly no session does.
  if (o.staleResponsesForgotten > 0) add("stale_forgotten", o.staleResponsesForgotten);
  add("close_dropped_bytes", o.bytesDroppedOnClose);
  // Only where a hold of the far end's playout outlasted the session: Asterisk's, and rarely.
  if (o.audioMsUnplayedAtEnd > 0) add("unplayed_ms", o.audioMsUnplayedAtEnd);
  add("turns", s.turnLatency.count);
  // Only where some could not be measured: a told-too-late end or speech, and rarely.
  if (s.turnLatency.unmeasured > 0) add("turns_unmeasured", s.turnLatency.unmeasured);
  durations("turn", s.turnLatency);
  add("barge_ins", s.bargeInStopLatency.count);
  if (s.bargeInStopLatency.unmeasured > 0) {
    add("barge_ins_unmeasured", s.bargeInStopLatency.unmeasured);
  }
  durations("barge_in", s.bargeInStopLatency);
  return parts.join(" ");
}

/** Whole numbers as they are, others to 0.1. */
function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
