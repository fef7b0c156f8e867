// The ring of the latest stamp residuals `OrderedMedia` reads the stamps' bias from: a residual let
// go of (`dropLast`, a step's stamp found off) leaves exactly the others, wherever the ring stood.
import assert from "node:assert/strict";
import { StampResiduals } from "../../../src/serializers/telephony/_stamp_residuals.ts";

/** A ring that kept `residuals` in order. */
function kept(residuals: number[]): StampResiduals {
  const ring = new StampResiduals();
  for (const residual of residuals) ring.keep(residual);
  return ring;
}

Deno.test("`StampResiduals`: the last residual let go of from a full ring that wrapped leaves the bias of the nine before it", () => {
  // Twelve kept: the ring wrapped, the newest (6) sits in its third slot. Let go of, the bias is
  // read from the nine before it, never from the one let go of with a kept one left out.
  const ring = kept([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6]);
  ring.dropLast();
  assert.equal(ring.count, 9);
  assert.equal(ring.biasMs(20), 0);
});

Deno.test("`StampResiduals`: residuals moved after a residual was let go of from a full ring are every one kept", () => {
  // The ring wrapped, its newest let go of, then every residual moved 7 ms with the grid: the
  // one let go of was moved in place of the oldest kept (the last slot, left at 0), and the bias
  // read 10 ms, then 3.5 ms once the next residual took the freed slot.
  const ring = kept([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6]);
  ring.dropLast();
  ring.move(7);
  assert.equal(ring.biasMs(20), 7);
  ring.keep(7);
  assert.equal(ring.biasMs(20), 7);
});

Deno.test("`StampResiduals`: a ring not yet full, its last let go of, reads as if it was never kept", () => {
  const ring = kept([1, 2, 3, 15]);
  ring.dropLast();
  assert.equal(ring.count, 3);
  assert.equal(ring.biasMs(20), kept([1, 2, 3]).biasMs(20));
  ring.move(-1);
  assert.equal(ring.biasMs(20), kept([0, 1, 2]).biasMs(20));
});
