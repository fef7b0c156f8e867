/**
 * Measures `Resampler` beside sox's `rate -v` (very high quality) on every supported pair and
 * prints markdown tables; BENCHMARKS.md holds its output.
 *
 * Run: `npx deno run -A tests/bench/resampler_quality.ts` (needs `sox` on PATH).
 *
 * Columns: THD+N of a 1 kHz tone at −6 dBFS; the worst level left of tones above the output
 * Nyquist (aliasing, downsampling only); THD+N of a tone at 80 % of the input Nyquist (images,
 * upsampling only); the level of a tone at 85 % of the lower Nyquist (3.4 kHz for 8 kHz pairs)
 * relative to its input (passband droop). Both resamplers see the same 1 s tones and the same
 * 100 ms is trimmed from each end of their outputs. sox runs with `-D` (no dither), since
 * `Resampler` rounds without dither too.
 */

import process from "node:process";
import { alawEncode, mulawEncode, Resampler, RESAMPLER_RATES } from "@x/ws-transport/audio";
import { fitTone, rms, sine } from "../audio/tone.ts";

const AMPLITUDE = 16384;
const tmp = await Deno.makeTempDir({ prefix: "resampler_quality_" });

/** sox `rate -v` on what is in `${tmp}/in.raw`. */
async function soxRate(inputRate: number, outputRate: number): Promise<Int16Array> {
  const raw = "-t raw -e signed -b 16 -c 1 -L";
  const bytes = await new Deno.Command("sox", {
    args: [
      "-D",
      ...`${raw} -r ${inputRate}`.split(" "),
      `${tmp}/in.raw`,
      ...raw.split(" "),
      `${tmp}/out.raw`,
      "rate",
      "-v",
      String(outputRate),
    ],
  }).output().then(async ({ success, stderr }) => {
    if (!success) throw new Error(new TextDecoder().decode(stderr));
    return await Deno.readFile(`${tmp}/out.raw`);
  });
  return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1);
}

async function viaSox(input: Int16Array, inputRate: number, outputRate: number) {
  await Deno.writeFile(
    `${tmp}/in.raw`,
    new Uint8Array(input.buffer, input.byteOffset, input.byteLength),
  );
  return await soxRate(inputRate, outputRate);
}

function viaOurs(input: Int16Array, inputRate: number, outputRate: number): Int16Array {
  const resampler = new Resampler({ inputRate, outputRate });
  const parts = [] as Int16Array[];
  for (let i = 0; i < input.length; i += inputRate / 50) {
    parts.push(resampler.process(input.subarray(i, i + inputRate / 50)));
  }
  parts.push(resampler.flush());
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

const trim = (x: Int16Array, rate: number) => x.subarray(rate / 10, x.length - rate / 10);
const db = (ratio: number) => 20 * Math.log10(ratio);
const fmt = (x: number | null) => x === null ? "—" : x === -Infinity ? "silent" : x.toFixed(1);

type Convert = (
  input: Int16Array,
  inputRate: number,
  outputRate: number,
) => Int16Array | Promise<Int16Array>;

async function measure(convert: Convert, inputRate: number, outputRate: number) {
  const low = Math.min(inputRate, outputRate);
  const tone = async (frequency: number) =>
    trim(
      await convert(sine(frequency, inputRate, inputRate, AMPLITUDE), inputRate, outputRate),
      outputRate,
    );

  const thdn = fitTone(await tone(1000), outputRate, 1000).thdnDb;
  let alias: number | null = null;
  if (outputRate < inputRate) {
    const nyquist = outputRate / 2;
    const tones = [nyquist * 1.01, nyquist * 1.05, nyquist * 1.2, (nyquist + inputRate / 2) / 2];
    for (const f of tones.filter((f) => f < inputRate * 0.49)) {
      const level = db(rms(await tone(f)) / (AMPLITUDE / Math.SQRT2));
      alias = alias === null ? level : Math.max(alias, level);
    }
  }
  let image: number | null = null;
  if (outputRate > inputRate) {
    const f = inputRate * 0.4;
    image = fitTone(await tone(f), outputRate, f).thdnDb;
  }
  const edge = low * 0.425;
  const droop = db(fitTone(await tone(edge), outputRate, edge).amplitude / AMPLITUDE);
  return { thdn, alias, image, droop };
}

console.log(
  "| pair (Hz) | THD+N 1 kHz, ours / sox (dB) | worst alias, ours / sox (dB) |" +
    " images at 80 % Nyquist, ours / sox (dB) | level at 85 % of lower Nyquist, ours / sox (dB) |",
);
console.log("|---|---|---|---|---|");
let worst = { thdn: -Infinity, alias: -Infinity, image: -Infinity };
for (const inputRate of RESAMPLER_RATES) {
  for (const outputRate of RESAMPLER_RATES) {
    if (inputRate === outputRate) continue;
    const ours = await measure(viaOurs, inputRate, outputRate);
    const theirs = await measure(viaSox, inputRate, outputRate);
    worst = {
      thdn: Math.max(worst.thdn, ours.thdn),
      alias: Math.max(worst.alias, ours.alias ?? -Infinity),
      image: Math.max(worst.image, ours.image ?? -Infinity),
    };
    console.log(
      `| ${inputRate} → ${outputRate} | ${fmt(ours.thdn)} / ${fmt(theirs.thdn)} | ` +
        `${fmt(ours.alias)} / ${fmt(theirs.alias)} | ${fmt(ours.image)} / ${fmt(theirs.image)} | ` +
        `${ours.droop.toFixed(2)} / ${theirs.droop.toFixed(2)} |`,
    );
  }
}
console.log(
  `\nWorst of ours: THD+N ${fmt(worst.thdn)} dB, alias ${fmt(worst.alias)} dB, ` +
    `images ${fmt(worst.image)} dB.`,
);

// G.711 encoders beside sox's: the decoders agree on all 256 codes (tests/audio/g711_test.ts).
const everySample = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
for (const [law, encode] of [["u-law", mulawEncode], ["a-law", alawEncode]] as const) {
  await Deno.writeFile(`${tmp}/in.raw`, new Uint8Array(everySample.buffer));
  const { success } = await new Deno.Command("sox", {
    args: [
      "-D",
      ..."-t raw -e signed -b 16 -c 1 -L -r 8000".split(" "),
      `${tmp}/in.raw`,
      ...`-t raw -e ${law} -b 8`.split(" "),
      `${tmp}/codes.raw`,
    ],
    stderr: "null",
  }).output();
  if (!success) throw new Error(`sox could not encode ${law}`);
  const soxCodes = await Deno.readFile(`${tmp}/codes.raw`);
  const ours = encode(everySample);
  let differ = 0;
  for (let i = 0; i < 65536; i++) if (soxCodes[i] !== ours[i]) differ++;
  console.log(
    `\nG.711 ${law}: our encoder (G.191 reference) and sox differ on ${differ} of 65536 inputs.`,
  );
}

// Speed on one core: 1 s of a tone in 20 ms chunks, repeated; CPU time of this single-threaded
// process (less disturbed than wall time by the other jobs sharing the machine) and the best
// wall time of one second's conversion.
console.log("\n| pair (Hz) | × real time (CPU time, mean) | × real time (wall, best run) |");
console.log("|---|---|---|");
for (
  const [inputRate, outputRate] of [
    [8000, 16000],
    [16000, 8000],
    [8000, 24000],
    [24000, 8000],
    [16000, 24000],
    [24000, 16000],
    [16000, 48000],
    [48000, 16000],
    [44100, 48000],
    [48000, 44100],
  ]
) {
  const input = sine(1000, inputRate!, inputRate!, 12000);
  const resampler = new Resampler({ inputRate: inputRate!, outputRate: outputRate! });
  const chunk = inputRate! / 50;
  const once = () => {
    for (let i = 0; i < input.length; i += chunk) resampler.process(input.subarray(i, i + chunk));
    resampler.flush();
  };
  for (let i = 0; i < 30; i++) once(); // warm up the JIT
  const runs = 200;
  let best = Infinity;
  const cpu = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    once();
    best = Math.min(best, performance.now() - t);
  }
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  console.log(
    `| ${inputRate} → ${outputRate} | ${((runs * 1000) / cpuMs).toFixed(0)} | ` +
      `${(1000 / best).toFixed(0)} |`,
  );
}

await Deno.remove(tmp, { recursive: true });
