/**
 * How many marks a second the transport sends to a far end that acknowledges playout, driven by
 * hand (no network, a clock moved by hand): the `responses` session of the load benchmark (an echo
 * tagging a new response every 2 s, 20 ms frames, 60 ms ahead), its far end answering each mark
 * `ackAfter` frames later (0: with the next frame; 3: once the audio before it has played, the lead
 * being three frames), each frame arriving at its slot give or take `jitter` ms. For each call
 * length, `maxMarkIntervalMs` and far end: marks per second over the whole call, start-up included
 * (the marks come every 250 ms until two acknowledgements agree).
 *
 * What it is for: the load benchmark's runs send for 12 s, so its marks a second carry the
 * start-up's; a call of minutes sends fewer. Marks cost what their messages cost (BENCHMARKS.md,
 * "Measured apart"), so their count is what `maxMarkIntervalMs` trades against how soon a far end's
 * slip is noticed.
 *
 * Run: `deno run -A tests/bench/mark_cadence.ts`. Prints one line per case.
 *
 * @module
 */

import { step, transportSession } from "./_hand_driven_session.ts";
import { AckingSerializer, respondingEcho } from "./_responses_bot.ts";

/** Marks a second over `seconds` of a call. */
async function marksPerSecond(
  seconds: number,
  maxMarkIntervalMs: number,
  ackAfter: number,
  jitter: number,
): Promise<number> {
  const session = transportSession(
    (transport) => respondingEcho(transport, 2000),
    new AckingSerializer(),
    { ackAfter, options: { maxMarkIntervalMs } },
  );
  // A fixed seed: the same arrivals for every case, and from run to run.
  let seed = 1;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const frames = seconds * 50;
  const { socket, clock } = session;
  for (let i = 0; i < frames; i++) {
    // The next frame at its slot, give or take the jitter (and never before this one).
    const next = Math.max(clock.time + 0.1, (i + 1) * 20 + (random() * 2 - 1) * jitter);
    await step(session, next - clock.time);
  }
  await session.stop();
  return socket.marks / (clock.time / 1000);
}

for (const seconds of [12, 60, 300]) {
  for (const maxMarkIntervalMs of [1000, 2000, 4000]) {
    const cells = [];
    for (const [ackAfter, jitter] of [[0, 0], [0, 5], [3, 0], [3, 5]] as const) {
      const rate = await marksPerSecond(seconds, maxMarkIntervalMs, ackAfter, jitter);
      cells.push(`ack +${ackAfter} frames, ±${jitter} ms: ${rate.toFixed(2)}`);
    }
    console.log(`${seconds} s, maxMarkIntervalMs ${maxMarkIntervalMs}: ${cells.join("; ")}`);
  }
}
