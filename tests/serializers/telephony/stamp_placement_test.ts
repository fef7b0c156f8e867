// The surface of `StampPlacement` (`_stamp_placement.ts`), which `OrderedMedia` drives for a
// stream ordered by timestamp: a reading stands only once the stage took the packet (`taken`),
// `forget` begins the stamps anew, and wrapping times are left to the reorder stage. Stamps are ms
// from the stream's first, 20 ms packets, each caller's chunk two on from the last (one counter
// across both tracks, as Twilio's and Plivo's both-tracks streams number them). The placement's
// rules themselves are pinned through `OrderedMedia` (ordered_media_*_test.ts).
import assert from "node:assert/strict";
import { StampPlacement } from "../../../src/serializers/telephony/_stamp_placement.ts";

/** A placement that took the stream's first packet, stamped 0. */
function afterFirst(timesWrap = false): StampPlacement {
  const placement = new StampPlacement({ windowMs: 60, timesWrap });
  assert.equal(placement.place(0, 2, 20), 0); // the first packet: its stamp is its place
  placement.taken(0, 2, 20, false);
  return placement;
}

Deno.test("StampPlacement: a packet placed but not taken leaves the reading as it was", () => {
  // A second stamped 40 ms before the first began: set where the first ends, 60 ms on from its
  // stamp, and the stamps after it read moved by 60 ms (the first's stamp read late) once the
  // stage takes it.
  const taken = afterFirst();
  assert.equal(taken.place(-40, 4, 20), 20);
  taken.taken(20, 4, 20, false);
  assert.equal(taken.place(3, 6, 20), 60); // 3 + 60: a packet past the second's end, a loss

  const refused = afterFirst();
  assert.equal(refused.place(-40, 4, 20), 20); // the stage refused it: `taken` is never told
  assert.equal(refused.place(3, 6, 20), 20); // no shift: in step after the first, jittered
});

Deno.test("StampPlacement: forget begins the stamps anew", () => {
  const placement = afterFirst();
  assert.equal(placement.place(23, 4, 20), 20);
  placement.taken(20, 4, 20, false);
  placement.forget(false);
  // No step to follow: its stamp is its place, however far past the old step it is.
  assert.equal(placement.place(500, 6, 20), 500);
});

Deno.test("StampPlacement: times that wrap are left as they come", () => {
  // With a modulus the reorder stage reads the times around the wrap: a jittered stamp is not set
  // in step here.
  assert.equal(afterFirst(true).place(23, 4, 20), 23);
  assert.equal(afterFirst(false).place(23, 4, 20), 20);
});
