// Caller audio with media timestamps goes where its timestamp puts it; a frame that arrives after
// its place was written out (later than `holdMs`: reordered by the network, a retransmission) is
// late: counted in `lateMs`, not recorded, and the rest of the call stays where it was spoken.
// It was taken for a new media timeline and anchored afresh at its arrival: laid over the newest
// audio, and every frame after it later by its lateness — a gap, and the caller out of step with
// the bot for the rest of the call.
import assert from "node:assert/strict";
import { call, collect, sendStamped, StampedSerializer } from "./_call.ts";
import { parseWav, runs, sampleOf } from "./_wav.ts";

const PER_MS = 16; // samples per ms at the recording's 16 kHz
const CHUNK = 20 * PER_MS;

Deno.test("`CallRecorder` counts a timestamped caller frame that comes after its place was written out as late, and moves nothing", async () => {
  const c = call({ recorder: { holdMs: 200 }, transport: { serializer: new StampedSerializer() } });
  const wav = collect(c.recorder.readable);
  // Packet k carries media [20k, 20k + 20) ms, value 10 + k, sent as it is spoken; packet 3 is
  // held up by the network for 400 ms, twice the hold.
  const sends = Array.from({ length: 40 }, (_, k) => ({ k, at: 20 * k + 20 + (k === 3 ? 400 : 0) }))
    .sort((a, b) => a.at - b.at || a.k - b.k);
  await sendStamped(c, sends);
  const [caller] = parseWav(await wav).samples as [Int16Array];
  const expected = sends.map((_, k) => ({
    value: k === 3 ? 0 : sampleOf(10 + k),
    start: 20 * k * PER_MS,
    length: CHUNK,
  }));
  assert.deepEqual(runs(caller).slice(0, 40), expected);
  assert.equal(c.recorder.stats.lateMs, 20, "the late packet, counted");
  assert.equal(c.recorder.stats.overrunMs, 0);
});
