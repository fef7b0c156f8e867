// Hostile G.722 bytes against ffmpeg's `g722` decoder (an implementation of its own): runs of one
// code, which no encoder makes and a far end may send, drive both bands' predictors to limits that
// speech, noise and random bytes (`g722_test.ts`) never reach. Made once by `sh g722_runs.sh` in
// tests/audio/fixtures (Debian's Python 3.11 and ffmpeg 5.1:
// `ffmpeg -f g722 -i g722_runs.g722 -f s16le -ac 1 g722_runs.ffmpeg_decoded.raw`), so this test
// needs neither tool.
import assert from "node:assert/strict";
import { G722Decoder } from "@x/ws-transport/audio";

const fixture = async (name: string) =>
  new Uint8Array(await Deno.readFile(new URL(`./fixtures/${name}`, import.meta.url)));

Deno.test("`G722Decoder` decodes runs of one code as ffmpeg does, sample for sample: its predictors saturate, its output clamps", async () => {
  // Measured by counting: both bands' reconstructed and partially reconstructed signals, their
  // pole and zero sections' outputs and their predictions saturate at 16 bits, and the zero
  // section's partial sums pass them (where the ITU's reference code, saturating each partial
  // sum, would decode otherwise; ffmpeg and spandsp saturate the sum once, as we do).
  const codes = await fixture("g722_runs.g722");
  const expected = await fixture("g722_runs.ffmpeg_decoded.raw");
  const decoded = new G722Decoder().decode(codes);
  assert.deepEqual(
    decoded,
    new Int16Array(expected.buffer, expected.byteOffset, expected.length / 2),
  );
  assert.ok(decoded.includes(32767) && decoded.includes(-32768), "the output clamps both ways");
});
