/**
 * What the caller heard through a pause, read from the chan_websocket far end's log of ticks
 * (tests/serializers/fixtures/asterisk_channel_playout.ts, its docs cited there).
 *
 * @module
 */
import type { Tick } from "../serializers/fixtures/asterisk_channel_playout.ts";

/**
 * The underruns the caller heard in a reply whose frames carry `voice`: each run of ticks with
 * nothing to play ("dry", not a pause the bot asked for) between its first and last frame played,
 * and their total length.
 */
export function heardUnderruns(ticks: readonly Tick[], voice: number) {
  const plays = (t: Tick) => typeof t.heard === "object" && t.heard.voice === voice;
  const first = ticks.findIndex(plays);
  const last = ticks.findLastIndex(plays);
  let count = 0;
  let totalMs = 0;
  for (let i = first + 1; i < last; i++) {
    if (ticks[i]!.heard !== "dry") continue;
    if (ticks[i - 1]!.heard !== "dry") count++;
    totalMs += 20;
  }
  return { count, totalMs, firstAt: ticks[first]?.at, lastAt: ticks[last]?.at };
}
