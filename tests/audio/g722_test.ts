// Our G.722 codec against ffmpeg's `g722` (an implementation of its own): the vectors in
// fixtures/ were made once by make_g722_vectors.sh (see fixtures/README.md), so these tests need
// no ffmpeg.
import assert from "node:assert/strict";
import { G722Decoder, G722Encoder } from "@x/ws-transport/audio";
import { SILENCE_BYTE } from "@x/ws-transport/telephony";

const fixture = async (name: string) =>
  new Uint8Array(await Deno.readFile(new URL(`./fixtures/${name}`, import.meta.url)));

/** A fixture of little-endian PCM16 (as sox and ffmpeg wrote it) as samples. */
async function samples(name: string): Promise<Int16Array> {
  const bytes = await fixture(name);
  return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
}

/** Speech, a sweep and noise, and full-scale edges that saturate (see fixtures/README.md). */
const SIGNALS = ["speech", "sweep", "noise", "edges"] as const;

/** G.722's delay, encoder and decoder together: the two 24-tap QMFs' 22 samples at 16 kHz. */
const CODEC_DELAY = 22;

/** The power of `a − b` (of `a` without `b`) over `[from, to)`. */
function power(a: Int16Array, from: number, to: number, b?: Int16Array): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += (a[i]! - (b === undefined ? 0 : b[i]!)) ** 2;
  return sum / (to - from);
}

for (const name of [...SIGNALS, "random"] as const) {
  Deno.test(`\`G722Decoder\` decodes ffmpeg's ${name} bytes as ffmpeg does, sample for sample`, async () => {
    const codes = await fixture(
      name === "random" ? "g722_random.g722" : `g722_${name}.ffmpeg.g722`,
    );
    const expected = await samples(`g722_${name}.ffmpeg_decoded.raw`);
    assert.equal(expected.length, codes.length * 2);
    assert.deepEqual(new G722Decoder().decode(codes), expected);
  });
}

for (const name of SIGNALS) {
  Deno.test(`\`G722Encoder\` codes the ${name} to ffmpeg's bytes, byte for byte`, async () => {
    const pcm = await samples(`g722_${name}.raw`);
    assert.deepEqual(new G722Encoder().encode(pcm), await fixture(`g722_${name}.ffmpeg.g722`));
  });
}

Deno.test("ffmpeg's decoding of our G.722 is the input delayed 22 samples: 24.9 dB SNR for speech, 16.5 dB for a 50–7,000 Hz sweep", async () => {
  // Our bytes are ffmpeg's (above), so its decoding of them is the fixture.
  for (const [name, snrDb] of [["speech", 24.9], ["sweep", 16.4]] as const) {
    const input = await samples(`g722_${name}.raw`);
    const decoded = await samples(`g722_${name}.ffmpeg_decoded.raw`);
    const aligned = decoded.subarray(CODEC_DELAY);
    const length = aligned.length;
    const snr = 10 * Math.log10(power(input, 0, length) / power(aligned, 0, length, input));
    assert.ok(snr >= snrDb, `${name}: ${snr.toFixed(2)} dB`);
  }
});

Deno.test("`G722Encoder` and `G722Decoder` code a stream cut into pieces of any length as one", async () => {
  const pcm = await samples("g722_speech.raw");
  const whole = new G722Encoder().encode(pcm);
  const encoder = new G722Encoder();
  const pieces: number[] = [];
  for (let at = 0, n = 1; at < pcm.length; at += n, n = (n * 7 + 3) % 331) {
    pieces.push(...encoder.encode(pcm.subarray(at, at + n)));
  }
  assert.equal(encoder.waiting, false);
  assert.deepEqual(new Uint8Array(pieces), whole);

  const decoded = new G722Decoder().decode(whole);
  const decoder = new G722Decoder();
  const out: number[] = [];
  for (let at = 0, n = 0; at < whole.length; at += n, n = (n * 5 + 1) % 167) {
    out.push(...decoder.decode(whole.subarray(at, at + n)));
  }
  assert.deepEqual(new Int16Array(out), decoded);
});

Deno.test("`G722Encoder` holds an odd sample for the next call; `flush` codes it with a zero, `dropWaiting` drops it", () => {
  const encoder = new G722Encoder();
  const out = new Uint8Array(4);
  const codes = encoder.encode(new Int16Array([1000, -1000, 500]), out);
  assert.equal(codes.length, 1);
  assert.equal(codes.buffer, out.buffer, "written into `out`");
  assert.equal(encoder.waiting, true);
  const flushed = encoder.flush();
  assert.equal(flushed.length, 1);
  assert.equal(encoder.waiting, false);
  assert.equal(encoder.flush().length, 0);

  const same = new G722Encoder();
  same.encode(new Int16Array([1000, -1000]));
  assert.deepEqual(same.encode(new Int16Array([500, 0])), flushed);

  const dropped = new G722Encoder();
  dropped.encode(new Int16Array([1000, -1000, 500]));
  dropped.dropWaiting();
  const kept = new G722Encoder();
  kept.encode(new Int16Array([1000, -1000]));
  assert.deepEqual(dropped.encode(new Int16Array([7, 8])), kept.encode(new Int16Array([7, 8])));

  assert.throws(() => new G722Encoder().encode(new Int16Array(4), new Uint8Array(1)), RangeError);
  assert.throws(() => new G722Decoder().decode(new Uint8Array(2), new Int16Array(3)), RangeError);
});

Deno.test("`reset` puts the G.722 encoder and decoder back to their initial state", async () => {
  const pcm = await samples("g722_speech.raw");
  const encoder = new G722Encoder();
  const first = encoder.encode(pcm.subarray(0, 3201)).slice();
  encoder.reset();
  assert.equal(encoder.waiting, false);
  assert.deepEqual(encoder.encode(pcm.subarray(0, 3200)), first.subarray(0, 1600));

  const decoder = new G722Decoder();
  const decoded = decoder.decode(first).slice();
  decoder.reset();
  assert.deepEqual(decoder.decode(first), decoded);
});

Deno.test("G.722's silence byte fills a lost packet: the decoder is back in step within 200 ms (90 ms at the median)", async () => {
  // Each 20 ms packet of the speech lost in turn (the first 40, each with 200 ms of speech after
  // it) and filled with SILENCE_BYTE.g722, as a gap in ordered media is: after it, the decoder's
  // step sizes and predictors differ from the sender's and converge as ADPCM forgets (1/128 a
  // sample). Measured: the time after which every 10 ms window's error is 20 dB under the
  // speech's mean power.
  const codes = await fixture("g722_speech.ffmpeg.g722");
  const clean = new G722Decoder().decode(codes).slice();
  const speechPower = power(clean, 0, clean.length);
  const settledMs: number[] = [];
  for (let packet = 0; (packet + 1) * 160 + 1600 <= codes.length; packet++) {
    const lost = codes.slice();
    lost.fill(SILENCE_BYTE.g722, packet * 160, (packet + 1) * 160);
    const decoded = new G722Decoder().decode(lost);
    const gap = packet * 320;
    assert.deepEqual(decoded.subarray(0, gap), clean.subarray(0, gap), "the same before the gap");
    let peak = 0;
    for (let i = gap; i < gap + 320; i++) peak = Math.max(peak, Math.abs(decoded[i]!));
    assert.ok(peak <= 32000, `packet ${packet}: no burst in the gap (peak ${peak})`);
    const after = gap + 320;
    let settled = 0;
    for (let window = 0; window < 30; window++) {
      const from = after + window * 160;
      const errorDb = 10 * Math.log10(power(decoded, from, from + 160, clean) / speechPower);
      if (errorDb > -20) settled = (window + 1) * 10;
    }
    settledMs.push(settled);
  }
  settledMs.sort((a, b) => a - b);
  assert.equal(settledMs.length, 40);
  assert.ok(settledMs.at(-1)! <= 200, `worst ${settledMs.at(-1)} ms`);
  assert.ok(settledMs[20]! <= 90, `median ${settledMs[20]} ms`);
});

Deno.test("G.722's silence byte decodes to exact silence from a decoder's initial state", () => {
  const silence = new G722Decoder().decode(new Uint8Array(800).fill(SILENCE_BYTE.g722));
  assert.ok(silence.every((sample) => sample === 0));
});
