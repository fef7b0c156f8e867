// README, Limits, "Exotel": Exotel takes 3,200 to 100,000 bytes per message in multiples of 320,
// and a `chunkMs` whose messages are "over 100,000 bytes (6.24 s at 8 kHz PCM16)" is reported at
// set-up when `sampleRate` is given. 6.24 s is the longest chunk Exotel takes at that rate (99,840
// bytes, 312 × 320), not the 100,000 bytes themselves (6.25 s, which is no multiple of 320 and so
// reported too): the edge is pinned here on both sides.
import assert from "node:assert/strict";
import { exotelAt8kHz } from "./fixtures/exotel_call.ts";

/** The errors an Exotel serializer told its rate (8 kHz PCM16) reports at set-up for `chunkMs`. */
const reportsAtSetup = (chunkMs: number) => exotelAt8kHz(chunkMs, { sampleRate: 8000 }).reports;

Deno.test("`ExotelSerializer` takes 6.24 s chunks at 8 kHz PCM16 (99,840 bytes), Exotel's longest", () => {
  assert.deepEqual(reportsAtSetup(6240), []);
});

Deno.test("`ExotelSerializer` reports 6.25 s (100,000 bytes, no multiple of 320) and 6.26 s (over 100,000) at set-up", () => {
  const [exact] = reportsAtSetup(6250);
  assert.equal(exact?.code, "encode");
  assert.match(exact!.message, /100000-byte messages .* use chunkMs 200/);
  const [over] = reportsAtSetup(6260);
  assert.equal(over?.code, "encode");
  assert.match(over!.message, /100160-byte messages .* and may time out/);
});
