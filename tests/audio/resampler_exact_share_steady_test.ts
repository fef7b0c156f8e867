// The exact-length rule's hold-back is computed over one period of input taken past 8192 frames
// (`STEADY_FROM` in `_polyphase_resampler.ts`), on the ground that no pair needs more than 143
// input frames before its first output, after which outputs come as the periodic placement says.
// Computed here, not trusted: for every pair, one frame at a time from the stream's start to past
// that window and a whole chain period beyond it (1,280 frames at most, 192 → 22.05 kHz), the
// outputs in all are never more than the share less the hold-back, equal to it once they have
// begun, and the first output comes within 144 frames. A window taken too early (still at the
// start) would give too small a hold-back: some later chunk a sample short, the next one long.
import assert from "node:assert/strict";
import { Resampler, RESAMPLER_RATES } from "../../src/audio/resampler.ts";
import { noise } from "./_test_signals.ts";

const PAIRS = RESAMPLER_RATES.flatMap((from) =>
  RESAMPLER_RATES.filter((to) => to !== from).map((to) => [from, to] as const)
);

/** Past the window the hold-back is taken over, and a chain's longest period (2 × 640) beyond. */
const FRAMES = 8192 + 2 * 1280 + 100;

Deno.test("`Resampler`'s outputs after every single frame are the share less one fixed hold-back, from the first output to past the hold-back's window, for every pair", () => {
  const source = noise(FRAMES, 3);
  const faults: string[] = [];
  for (const [from, to] of PAIRS) {
    const resampler = new Resampler({ inputRate: from, outputRate: to });
    let out = 0, firstAt = 0, held = -1;
    for (let fed = 1; fed <= FRAMES; fed++) {
      out += resampler.process(source.subarray(fed - 1, fed)).length;
      const share = Math.floor((fed * to) / from);
      if (out === 0) continue;
      if (firstAt === 0) {
        firstAt = fed;
        held = share - out;
      }
      if (share - out !== held) {
        faults.push(`${from} → ${to}: ${share - out} behind after ${fed} frames, ${held} before`);
        break;
      }
    }
    if (firstAt === 0 || firstAt > 144) faults.push(`${from} → ${to}: first output at ${firstAt}`);
  }
  assert.deepEqual(faults, []);
});
