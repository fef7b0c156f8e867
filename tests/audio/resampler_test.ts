import assert from "node:assert/strict";
import fc from "fast-check";
import { Resampler, RESAMPLER_RATES } from "@x/ws-transport/audio";
import { channel, fitTone, rms, sine } from "./tone.ts";

const pairs: [number, number][] = RESAMPLER_RATES.flatMap((a) =>
  RESAMPLER_RATES.filter((b) => b !== a).map((b): [number, number] => [a, b])
);

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The whole stream through a fresh resampler in one call, plus flush. */
function oneShot(input: Int16Array, inputRate: number, outputRate: number, channels = 1) {
  const resampler = new Resampler({ inputRate, outputRate, channels });
  return concat([resampler.process(input), resampler.flush()]);
}

/** Drops the first and last 10 ms, where the tone starts and stops abruptly. */
function steady(x: Float64Array | Int16Array, rate: number) {
  const edge = Math.round(rate / 100);
  return x.subarray(edge, x.length - edge);
}

Deno.test("`Resampler` rejects unsupported rates, channels and partial frames", () => {
  assert.throws(() => new Resampler({ inputRate: 32000, outputRate: 16000 }), /inputRate.*32000/);
  assert.throws(() => new Resampler({ inputRate: 8000, outputRate: 11025 }), RangeError);
  assert.throws(
    () => new Resampler({ inputRate: 8000, outputRate: 16000, channels: 0 }),
    /channels.*got 0/,
  );
  assert.throws(
    () => new Resampler({ inputRate: 8000, outputRate: 16000, channels: 1.5 }),
    RangeError,
  );
  const stereo = new Resampler({ inputRate: 8000, outputRate: 16000, channels: 2 });
  assert.throws(() => stereo.process(new Int16Array(3)), /multiple of channels \(2\), got 3/);
  assert.throws(
    () =>
      new Resampler({ inputRate: 16000, outputRate: 16000, channels: 2 }).process(
        new Int16Array(1),
      ),
    RangeError,
  );
});

Deno.test("`Resampler` passes equal rates through without a copy", () => {
  const resampler = new Resampler({ inputRate: 16000, outputRate: 16000, channels: 2 });
  const input = new Int16Array([1, 2, 3, 4]);
  assert.equal(resampler.process(input), input);
  assert.equal(resampler.flush().length, 0);
  assert.equal(resampler.inputRate, 16000);
  assert.equal(resampler.outputRate, 16000);
  assert.equal(resampler.channels, 2);
});

Deno.test("`Resampler` emits round(n × out / in) frames per stream for every pair", () => {
  for (const [inputRate, outputRate] of pairs) {
    for (const frames of [0, 1, 7, 160, 441, 1001]) {
      const out = oneShot(new Int16Array(frames * 2).fill(100), inputRate, outputRate, 2);
      const expected = Math.floor((2 * frames * outputRate + inputRate) / (2 * inputRate));
      assert.equal(out.length, 2 * expected, `${inputRate} → ${outputRate}, ${frames} frames`);
    }
  }
});

Deno.test("`Resampler` chunked output is identical to one-shot output", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...pairs),
      fc.integer({ min: 1, max: 3 }),
      fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: 0, maxLength: 1500 }),
      fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 20 }),
      ([inputRate, outputRate], channels, samples, cuts) => {
        const frames = Math.floor(samples.length / channels);
        const input = Int16Array.from(samples.slice(0, frames * channels));
        const expected = oneShot(input, inputRate, outputRate, channels);
        const resampler = new Resampler({ inputRate, outputRate, channels });
        const parts: Int16Array[] = [];
        let at = 0;
        for (const cut of cuts) {
          const end = Math.min(frames, at + cut) * channels;
          parts.push(resampler.process(input.subarray(at * channels, end)));
          at = end / channels;
        }
        parts.push(resampler.process(input.subarray(at * channels)));
        parts.push(resampler.flush());
        assert.deepEqual(concat(parts), expected);
      },
    ),
    { numRuns: 150 },
  );
});

Deno.test("`Resampler` takes chunks far bigger than its buffers", () => {
  const stereo = Int16Array.from({ length: 2 * 30000 }, (_, i) => ((i * 7919) % 65536) - 32768);
  const run = (resampler: Resampler, firstFrames: number) => {
    const parts = [resampler.process(stereo.subarray(0, 2 * firstFrames))];
    for (let at = 2 * firstFrames; at < stereo.length; at += 2 * 333) {
      parts.push(resampler.process(stereo.subarray(at, Math.min(stereo.length, at + 2 * 333))));
    }
    parts.push(resampler.flush());
    return concat(parts);
  };
  for (const [inputRate, outputRate] of [[48000, 8000], [8000, 44100], [44100, 48000]]) {
    const options = { inputRate: inputRate!, outputRate: outputRate!, channels: 2 };
    const small = run(new Resampler(options), 333); // never outgrows the initial buffers
    assert.deepEqual(run(new Resampler(options), 25000), small, `${inputRate} → ${outputRate}`);
    assert.deepEqual(oneShot(stereo, inputRate!, outputRate!, 2), small);
  }
});

Deno.test("`Resampler` flush and reset start a new stream", () => {
  const input = sine(1000, 8000, 400);
  const expected = oneShot(input, 8000, 24000);
  const resampler = new Resampler({ inputRate: 8000, outputRate: 24000 });
  resampler.process(sine(3000, 8000, 333));
  resampler.flush();
  assert.deepEqual(concat([resampler.process(input), resampler.flush()]), expected);
  resampler.process(sine(3000, 8000, 250));
  resampler.reset();
  assert.deepEqual(concat([resampler.process(input), resampler.flush()]), expected);
});

Deno.test("`Resampler` holds back no more than half its filter", () => {
  // 20 ms in → all but the filter's look-ahead comes out at once (≤ 3 ms at 8 kHz).
  for (const [inputRate, outputRate] of [[8000, 16000], [8000, 24000], [24000, 8000]]) {
    const resampler = new Resampler({ inputRate: inputRate!, outputRate: outputRate! });
    const out = resampler.process(new Int16Array(inputRate! / 50));
    const heldMs = 20 - (out.length / outputRate!) * 1000;
    assert.ok(heldMs > 0 && heldMs <= 3, `${inputRate} → ${outputRate}: ${heldMs} ms held`);
  }
});

Deno.test("`Resampler` keeps the time alignment of its input (no delay in the output)", () => {
  for (const [inputRate, outputRate] of pairs) {
    const input = new Int16Array(inputRate / 50); // 20 ms, one click near 10 ms
    const click = Math.round(inputRate / 100);
    input[click] = 20000;
    const out = oneShot(input, inputRate, outputRate);
    let peak = 0;
    for (let i = 1; i < out.length; i++) if (out[i]! > out[peak]!) peak = i;
    const expected = (click * outputRate) / inputRate;
    assert.ok(Math.abs(peak - expected) <= 1, `${inputRate} → ${outputRate}: ${peak}`);
  }
});

Deno.test("`Resampler` keeps THD+N of a 1 kHz tone under −60 dB for every pair", () => {
  for (const [inputRate, outputRate] of pairs) {
    const out = oneShot(sine(1000, inputRate, inputRate / 20), inputRate, outputRate);
    const fit = fitTone(steady(out, outputRate), outputRate, 1000);
    assert.ok(fit.thdnDb < -60, `${inputRate} → ${outputRate}: ${fit.thdnDb.toFixed(1)} dB`);
    assert.ok(Math.abs(fit.amplitude - 16384) < 16, `gain ${fit.amplitude}`);
  }
});

Deno.test("`Resampler` attenuates tones above the output Nyquist by ≥ 60 dB (no aliasing)", () => {
  for (const [inputRate, outputRate] of pairs.filter(([a, b]) => b < a)) {
    const nyquist = outputRate / 2;
    const tones = [nyquist * 1.01, nyquist * 1.2, (nyquist + inputRate / 2) / 2, inputRate * 0.49];
    for (const frequency of tones.filter((f) => f < inputRate / 2)) {
      const input = sine(frequency, inputRate, inputRate / 20);
      const out = oneShot(input, inputRate, outputRate);
      const db = 20 * Math.log10(rms(steady(out, outputRate)) / (16384 / Math.SQRT2));
      assert.ok(db <= -60, `${inputRate} → ${outputRate}, ${frequency} Hz: ${db.toFixed(1)} dB`);
    }
  }
});

Deno.test("`Resampler` adds no images when upsampling a tone near the input Nyquist", () => {
  for (const [inputRate, outputRate] of pairs.filter(([a, b]) => b > a)) {
    const frequency = inputRate * 0.4 * 0.8; // the top of the flat passband
    const out = oneShot(sine(frequency, inputRate, inputRate / 20), inputRate, outputRate);
    const fit = fitTone(steady(out, outputRate), outputRate, frequency);
    assert.ok(fit.thdnDb < -60, `${inputRate} → ${outputRate}: ${fit.thdnDb.toFixed(1)} dB`);
  }
});

Deno.test("`Resampler` converts each interleaved channel independently", () => {
  const left = sine(1000, 48000, 960);
  const right = sine(440, 48000, 960, 8000);
  const stereo = new Int16Array(2 * 960);
  for (let i = 0; i < 960; i++) {
    stereo[2 * i] = left[i]!;
    stereo[2 * i + 1] = right[i]!;
  }
  const out = oneShot(stereo, 48000, 16000, 2);
  assert.deepEqual(Int16Array.from(channel(out, 2, 0)), oneShot(left, 48000, 16000));
  assert.deepEqual(Int16Array.from(channel(out, 2, 1)), oneShot(right, 48000, 16000));
});

Deno.test("`Resampler` clips instead of wrapping around at full scale", () => {
  const square = Int16Array.from({ length: 800 }, (_, i) => (i % 40 < 20 ? 32767 : -32768));
  const out = oneShot(square, 8000, 16000);
  // Gibbs overshoot would wrap to the opposite sign without clipping.
  for (let i = 1; i < out.length; i++) assert.ok(Math.abs(out[i]! - out[i - 1]!) < 40000);
});
