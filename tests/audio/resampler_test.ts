import assert from "node:assert/strict";
import fc from "fast-check";
import { Resampler, RESAMPLER_RATES } from "@x/ws-transport/audio";
import { channel, fitTone, sine } from "./tone.ts";
import { concatSamples } from "./_test_signals.ts";

const pairs: [number, number][] = RESAMPLER_RATES.flatMap((a) =>
  RESAMPLER_RATES.filter((b) => b !== a).map((b): [number, number] => [a, b])
);

/** The whole stream through a fresh resampler in one call, plus flush. */
function oneShot(input: Int16Array, inputRate: number, outputRate: number, channels = 1) {
  const resampler = new Resampler({ inputRate, outputRate, channels });
  return concatSamples([resampler.process(input), resampler.flush()]);
}

/** Drops the first and last `seconds`, where a tone starts and stops abruptly. */
function steady(x: Int16Array, rate: number, seconds: number) {
  const edge = Math.round(rate * seconds);
  return x.subarray(edge, x.length - edge);
}

Deno.test("`Resampler` rejects unsupported rates, channels and partial frames", () => {
  assert.throws(() => new Resampler({ inputRate: 11025, outputRate: 16000 }), /inputRate.*11025/);
  assert.throws(() => new Resampler({ inputRate: 8000, outputRate: 64000 }), /outputRate.*64000/);
  assert.throws(() => new Resampler({ inputRate: 8000, outputRate: 11025 }), RangeError);
  assert.throws(
    () => new Resampler({ inputRate: 8000, outputRate: 16000, channels: 0 }),
    /channels.*got 0/,
  );
  assert.throws(
    () => new Resampler({ inputRate: 8000, outputRate: 16000, channels: 1.5 }),
    RangeError,
  );
  // As many channels as a frame may carry (MAX_CHANNELS); a million took the constructor over a
  // minute of allocating filter histories before this bound.
  assert.equal(new Resampler({ inputRate: 8000, outputRate: 44100, channels: 32 }).channels, 32);
  for (const channels of [33, 1e6]) {
    assert.throws(
      () => new Resampler({ inputRate: 8000, outputRate: 44100, channels }),
      new RegExp(`channels must be an integer from 1 to 32, got ${channels}`),
    );
  }
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
        assert.deepEqual(concatSamples(parts), expected);
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
    return concatSamples(parts);
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
  assert.deepEqual(concatSamples([resampler.process(input), resampler.flush()]), expected);
  resampler.process(sine(3000, 8000, 250));
  resampler.reset();
  assert.deepEqual(concatSamples([resampler.process(input), resampler.flush()]), expected);
});

/**
 * Which filter a pair gets: "iir" for the 2:1, 3:1, 6:1 and 3:2 ratios (elliptic), "fir" going
 * down between close rates (22.05 → 16, 24 → 22.05, 48 → 44.1 kHz: the linear-phase Kaiser FIR),
 * "chain" for the rest (elliptic 2:1 at the low side + a short Kaiser FIR).
 */
function kind([a, b]: [number, number]): "iir" | "chain" | "fir" {
  let [x, y] = [a, b];
  while (y !== 0) [x, y] = [y, x % y]; // x = gcd(a, b)
  if ([2, 3, 6].includes(Math.max(a, b) / x) && Math.min(a, b) / x <= 2) return "iir";
  return b < a && a < 1.8 * b ? "fir" : "chain";
}

Deno.test("`Resampler` holds back ≤ 0.7 ms at 8 kHz with the IIR filters, ≤ 4.6 ms with the FIR", () => {
  // 20 ms in → everything but the filter's look-ahead comes out at once.
  for (const [inputRate, outputRate] of pairs) {
    const resampler = new Resampler({ inputRate, outputRate });
    const out = resampler.process(new Int16Array(inputRate / 50));
    const heldMs = 20 - (out.length / outputRate) * 1000;
    const low = Math.min(inputRate, outputRate);
    // In samples of the lower rate, plus at most one output sample of rounding. IIR: its delay
    // at 0 Hz, 1.9–2.6 samples (≤ 0.33 ms at 8 kHz). Chain: that and half the FIR stage, ≤ 5.5
    // samples (≤ 0.68 ms at 8 kHz). FIR: half its length, 36 samples.
    const samples = { iir: 2.7, chain: 5.6, fir: 36.5 }[kind([inputRate, outputRate])];
    const bound = (samples / low) * 1000 + 1000 / outputRate;
    assert.ok(heldMs > 0 && heldMs <= bound, `${inputRate} → ${outputRate}: ${heldMs} ms held`);
  }
});

/** The phase of the output of a `frequency` tone against sin(2πf·t), t from the stream start. */
function phaseOf(inputRate: number, outputRate: number, frequency: number): number {
  const out = oneShot(sine(frequency, inputRate, inputRate / 2), inputRate, outputRate);
  const x = steady(out, outputRate, 0.1);
  const edge = Math.round(outputRate * 0.1);
  let sc = 0, ss = 0;
  for (let i = 0; i < x.length; i++) {
    const w = (2 * Math.PI * frequency * (i + edge)) / outputRate;
    sc += x[i]! * Math.cos(w);
    ss += x[i]! * Math.sin(w);
  }
  return Math.atan2(sc, ss); // output ≈ sin(w + phase)
}

/** Group delay at `frequency` in ms: the phase slope from it to 0.5 % of Nyquist above. */
function groupDelayMs(inputRate: number, outputRate: number, frequency: number): number {
  const step = Math.min(inputRate, outputRate) / 400;
  let turn = phaseOf(inputRate, outputRate, frequency + step) -
    phaseOf(inputRate, outputRate, frequency);
  turn -= 2 * Math.PI * Math.round(turn / (2 * Math.PI));
  return (-turn / (2 * Math.PI * step)) * 1000;
}

Deno.test("`Resampler` keeps low frequencies aligned; the IIR band edge comes 1.5–4.5 ms late", () => {
  for (const [inputRate, outputRate] of pairs) {
    const low = Math.min(inputRate, outputRate);
    // Phase delay at 300 Hz (for 8 kHz): the IIR filters compensate their delay at 0 Hz,
    // rounded to a sample of the rate they run at.
    const f = low * 0.0375;
    const lag = (-phaseOf(inputRate, outputRate, f) / (2 * Math.PI * f)) * 1000;
    assert.ok(Math.abs(lag) < 0.05, `${inputRate} → ${outputRate}: ${lag} ms at ${f} Hz`);
    // Group delay at the 85 % pass-band edge (3.4 kHz for 8 kHz): 3.3–3.9 ms at 8 kHz with
    // the IIR filters (half that at 16 kHz), none with the linear-phase FIR.
    const edge = groupDelayMs(inputRate, outputRate, low * 0.425);
    const [least, most] = kind([inputRate, outputRate]) !== "fir"
      ? [(1.5 * 8000) / low, (4.5 * 8000) / low]
      : [-0.05, 0.05];
    assert.ok(edge > least && edge < most, `${inputRate} → ${outputRate}: ${edge} ms at 85 %`);
  }
});

/** The output of a 0.5 s tone at −6 dBFS, without the 100 ms at each end where it starts and stops. */
function tone(inputRate: number, outputRate: number, frequency: number) {
  const out = oneShot(sine(frequency, inputRate, inputRate / 2), inputRate, outputRate);
  return steady(out, outputRate, 0.1);
}

Deno.test("`Resampler` is flat within ±0.05 dB up to 85 % of the lower Nyquist frequency", () => {
  for (const [inputRate, outputRate] of pairs) {
    const low = Math.min(inputRate, outputRate) / 2;
    for (const share of [0.02, 0.25, 0.5, 0.75, 0.8, 0.85]) {
      const f = share * low;
      const gain = 20 *
        Math.log10(fitTone(tone(inputRate, outputRate, f), outputRate, f).amplitude / 16384);
      assert.ok(Math.abs(gain) <= 0.05, `${inputRate} → ${outputRate}, ${f} Hz: ${gain} dB`);
    }
  }
});

Deno.test("`Resampler` keeps SINAD ≥ 85 dB across the speech band for every pair", () => {
  // Tones at 300 Hz … 3.4 kHz for 8 kHz, scaled to the lower rate for the others. The 16-bit
  // input and output bound SINAD at ~89–92 dB here; aliases and images must stay below that.
  for (const [inputRate, outputRate] of pairs) {
    const low = Math.min(inputRate, outputRate) / 2;
    for (const share of [0.075, 0.25, 0.5, 0.75, 0.85]) {
      const f = share * low;
      const sinad = -fitTone(tone(inputRate, outputRate, f), outputRate, f).thdnDb;
      assert.ok(sinad >= 85, `${inputRate} → ${outputRate}, ${f} Hz: SINAD ${sinad.toFixed(1)} dB`);
    }
  }
});

Deno.test("`Resampler` attenuates everything above the output Nyquist (no aliasing)", () => {
  // Designed, from 99.5 % of the lower Nyquist frequency: 84.4 dB (3:1) and 91.3 dB (2:1) going
  // down 2:1 and 3:1 (the order-10 IIR filters; 83.2 dB measured), ≥ 100 dB for the other IIR
  // ratios; 85 dB from 100 % with the FIR (83.3 dB measured); in a chain, 100 dB for the FIR
  // stage and 91.3 dB for the 2:1 stage (89 dB measured).
  // The level is that of the alias itself (a tone fitted at the frequency it folds to): the
  // input's own 16-bit rounding noise, which rightly passes below Nyquist, does not count.
  for (const [inputRate, outputRate] of pairs.filter(([a, b]) => b < a)) {
    const nyquist = outputRate / 2;
    const ratio = inputRate / outputRate;
    const bound = {
      fir: -80,
      chain: -85,
      iir: ratio === 2 || ratio === 3 ? -81 : -100,
    }[kind([inputRate, outputRate])];
    const tones = [1.005, 1.02, 1.1, 1.3, 1.6, 1.9, 2.7, 4.6].map((k) => k * nyquist);
    for (const frequency of tones.filter((f) => f < inputRate * 0.49)) {
      const alias = Math.abs(frequency - Math.round(frequency / outputRate) * outputRate);
      const fit = fitTone(tone(inputRate, outputRate, frequency), outputRate, alias);
      const db = 20 * Math.log10(fit.amplitude / 16384);
      assert.ok(db <= bound, `${inputRate} → ${outputRate}, ${frequency} Hz: ${db.toFixed(1)} dB`);
    }
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

Deno.test("Resampler: given `allocate`, process and flush cut their output from it, on every path, the same samples", () => {
  const pairs: [number, number][] = [[8000, 16000], [24000, 8000], [44100, 16000]];
  for (const [inputRate, outputRate] of pairs) {
    const input = new Int16Array(inputRate / 50).map((_, k) => Math.round(8000 * Math.sin(k / 7)));
    const plain = new Resampler({ inputRate, outputRate });
    const given = new Resampler({ inputRate, outputRate });
    const buffer = new ArrayBuffer(1 << 16);
    let used = 0;
    const lengths: number[] = [];
    const allocate = (length: number) => {
      lengths.push(length);
      const out = new Int16Array(buffer, used, length);
      used += 2 * length;
      return out;
    };
    for (
      const [a, b] of [
        [plain.process(input), given.process(input, allocate)],
        [plain.flush(), given.flush(allocate)],
      ]
    ) {
      assert.equal(b!.buffer, buffer, `${inputRate} → ${outputRate}: from allocate`);
      assert.deepEqual([...b!], [...a!], `${inputRate} → ${outputRate}: the same samples`);
    }
    assert.equal(lengths.length, 2, `${inputRate} → ${outputRate}: one array a call`);
  }
});
