// A G.722 stream cut at every place codes and decodes as the whole does: the encoder's odd sample
// waiting across calls, the QMFs' and predictors' state, and `out` arrays given, at full-scale
// input (fixtures/g722_edges.raw: see fixtures/README.md) and hostile bytes (fixtures/g722_runs.g722:
// see g722_hostile_bytes_test.ts).
import assert from "node:assert/strict";
import { G722Decoder, G722Encoder } from "@x/ws-transport/audio";

const fixture = async (name: string) =>
  new Uint8Array(await Deno.readFile(new URL(`./fixtures/${name}`, import.meta.url)));

Deno.test("`G722Encoder` cut at every sample (again one or three on) gives the whole's bytes, and `flush` its last sample's", async () => {
  const bytes = await fixture("g722_edges.raw");
  // An odd length, across the full-scale square's change to the full-scale 7,900 Hz sine.
  const pcm = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2).subarray(3700, 4301);
  const whole = new G722Encoder();
  const expected = [...whole.encode(pcm), ...whole.flush()];
  assert.equal(expected.length, 301);
  for (let cut = 0; cut <= pcm.length; cut++) {
    for (const next of [cut + 1, cut + 3]) {
      const encoder = new G722Encoder();
      // The first piece into an `out` longer than it needs: its filled view comes back.
      const out = new Uint8Array(400).fill(0xaa);
      const first = encoder.encode(pcm.subarray(0, cut), out);
      assert.equal(first.buffer, out.buffer);
      const pieces = [
        ...first,
        ...encoder.encode(pcm.subarray(cut, next)),
        ...encoder.encode(pcm.subarray(next)),
        ...encoder.flush(),
      ];
      assert.deepEqual(pieces, expected, `cut at ${cut} and ${next}`);
      assert.equal(encoder.waiting, false);
    }
  }
});

Deno.test("`G722Decoder` cut at every byte gives the whole's samples, the first piece into an `out` longer than it needs", async () => {
  const codes = (await fixture("g722_runs.g722")).subarray(0, 500);
  const expected = [...new G722Decoder().decode(codes)];
  for (let cut = 0; cut <= codes.length; cut++) {
    const decoder = new G722Decoder();
    const out = new Int16Array(1200);
    const first = decoder.decode(codes.subarray(0, cut), out);
    assert.equal(first.buffer, out.buffer);
    assert.deepEqual([...first, ...decoder.decode(codes.subarray(cut))], expected, `cut at ${cut}`);
  }
});
