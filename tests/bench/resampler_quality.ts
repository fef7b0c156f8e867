/**
 * Measures `Resampler` beside soxr (python-soxr, as pipecat runs it: `ResampleStream`, VHQ, int16,
 * 20 ms chunks; via tests/bench/codec_soxr_oracle.py) and sox (`rate -v`, very high quality) on
 * every supported pair, and prints markdown tables; BENCHMARKS.md holds its output.
 *
 * Run: `npx deno run -A tests/bench/resampler_quality.ts` (needs `sox` on PATH, and python3 with
 * numpy and soxr for the soxr column: `pip install soxr`; without them that column says "—").
 *
 * All three see the same 1 s tones at −6 dBFS (16-bit), ours and soxr in 20 ms chunks plus a
 * final flush, sox on the whole file with `-D` (no dither: nobody dithers here); 200 ms is
 * trimmed from each end of every output. "Lower Nyquist" is half the lower of the two rates
 * (4 kHz whenever 8 kHz is involved). Columns:
 * - pass band: the worst level error of tones at 2–85 % of the lower Nyquist (3.4 kHz at 8 kHz);
 * - SINAD: the worst signal to noise-and-distortion ratio of tones at 7.5–85 % of it (300 Hz –
 *   3.4 kHz at 8 kHz), from a least-squares fit of the tone: aliases, images, filter ripple and
 *   both 16-bit quantizations count;
 * - stop band (downsampling only): the loudest alias of tones at 1.005–4.6 × the output Nyquist
 *   frequency, relative to the input tone: the tone fitted at the frequency it folds to, so
 *   noise (the input's rounding noise, soxr's dither) does not count;
 * - group delay (ours): the slope of the output phase at 7.5, 50, 75 and 85 % of the lower
 *   Nyquist (300 Hz, 2, 3 and 3.4 kHz at 8 kHz), beyond the delay `process()` holds back; sox and
 *   soxr are linear phase with their delay trimmed, so theirs is 0 throughout;
 * - held back: the audio a stream holds back after each 20 ms chunk in steady state (mean / max);
 *   sox works on whole files.
 */

import { alawEncode, mulawEncode, Resampler, RESAMPLER_RATES } from "@x/ws-transport/audio";
import { fitTone, sine } from "../audio/tone.ts";
import { SoxrOracle } from "./codec_oracle.ts";

const AMPLITUDE = 16384;
const tmp = await Deno.makeTempDir({ prefix: "resampler_quality_" });
const raw = "-t raw -e signed -b 16 -c 1 -L".split(" ");

async function write(input: Int16Array): Promise<void> {
  await Deno.writeFile(
    `${tmp}/in.raw`,
    new Uint8Array(input.buffer, input.byteOffset, input.byteLength),
  );
}

async function read(): Promise<Int16Array> {
  const bytes = await Deno.readFile(`${tmp}/out.raw`);
  return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1);
}

async function viaSox(input: Int16Array, inputRate: number, outputRate: number) {
  await write(input);
  const { success, stderr } = await new Deno.Command("sox", {
    args: [
      "-D",
      ...raw,
      "-r",
      String(inputRate),
      `${tmp}/in.raw`,
      ...raw,
      `${tmp}/out.raw`,
      "rate",
      "-v",
      String(outputRate),
    ],
  }).output();
  if (!success) throw new Error(new TextDecoder().decode(stderr));
  return await read();
}

const oracle = await SoxrOracle.open();

async function viaSoxr(input: Int16Array, inputRate: number, outputRate: number) {
  await write(input);
  await oracle!.ask({
    op: "resample",
    inRate: inputRate,
    outRate: outputRate,
    chunkMs: 20,
    input: `${tmp}/in.raw`,
    output: `${tmp}/out.raw`,
  });
  return await read();
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

/** How much audio our stream holds back after each 20 ms chunk (chunks 11–100). */
function oursHeldBack(inputRate: number, outputRate: number) {
  const resampler = new Resampler({ inputRate, outputRate });
  const chunk = new Int16Array(inputRate / 50);
  let out = 0;
  const held: number[] = [];
  for (let k = 1; k <= 100; k++) {
    out += resampler.process(chunk).length;
    if (k > 10) held.push(((k * chunk.length * outputRate) / inputRate - out) / outputRate * 1000);
  }
  return { meanMs: held.reduce((a, b) => a + b, 0) / held.length, maxMs: Math.max(...held) };
}

const db = (ratio: number) => 20 * Math.log10(ratio);

type Convert = (
  input: Int16Array,
  inputRate: number,
  outputRate: number,
) => Int16Array | Promise<Int16Array>;

async function measure(convert: Convert, inputRate: number, outputRate: number) {
  const nyquist = Math.min(inputRate, outputRate) / 2;
  const edge = Math.round(outputRate / 5);
  const tone = async (frequency: number) => {
    const out = await convert(
      sine(frequency, inputRate, inputRate, AMPLITUDE),
      inputRate,
      outputRate,
    );
    return out.subarray(edge, out.length - edge);
  };
  let passband = 0;
  for (const share of [0.02, 0.25, 0.5, 0.75, 0.85]) {
    const f = share * nyquist;
    const level = db(fitTone(await tone(f), outputRate, f).amplitude / AMPLITUDE);
    if (Math.abs(level) > Math.abs(passband)) passband = level;
  }
  let sinad = Infinity;
  for (const share of [0.075, 0.25, 0.5, 0.75, 0.85]) {
    const f = share * nyquist;
    sinad = Math.min(sinad, -fitTone(await tone(f), outputRate, f).thdnDb);
  }
  let stop: number | null = null;
  if (outputRate < inputRate) {
    // The level of the alias itself: the tone fitted at the frequency it folds to (noise, e.g.
    // the input's rounding noise or soxr's dither, does not count).
    const tones = [1.005, 1.02, 1.1, 1.3, 1.6, 1.9, 2.7, 4.6].map((k) => (k * outputRate) / 2);
    for (const f of tones.filter((f) => f < inputRate * 0.49)) {
      const alias = Math.abs(f - Math.round(f / outputRate) * outputRate);
      const level = db(fitTone(await tone(f), outputRate, alias).amplitude / AMPLITUDE);
      stop = stop === null ? level : Math.max(stop, level);
    }
  }
  const phase = async (f: number) => {
    const x = await tone(f);
    let sc = 0, ss = 0;
    for (let i = 0; i < x.length; i++) {
      const w = (2 * Math.PI * f * (i + edge)) / outputRate;
      sc += x[i]! * Math.cos(w);
      ss += x[i]! * Math.sin(w);
    }
    return Math.atan2(sc, ss);
  };
  // Group delay from the phase slope over 0.5 % of the lower Nyquist frequency.
  const groupDelay = async (f: number) => {
    const step = nyquist / 200;
    let turn = (await phase(f + step)) - (await phase(f));
    turn -= 2 * Math.PI * Math.round(turn / (2 * Math.PI));
    return (-turn / (2 * Math.PI * step)) * 1000;
  };
  const delays = [];
  for (const share of [0.075, 0.5, 0.75, 0.85]) delays.push(await groupDelay(share * nyquist));
  return { passband, sinad, stop, delays };
}

const f1 = (x: number) => (x === -Infinity ? "silent" : x.toFixed(1));
const f2 = (x: number) => (Math.abs(x) < 0.005 ? "0.00" : x.toFixed(2));
const triple = <T>(values: (T | null)[], format: (x: T) => string) =>
  values.map((x) => (x === null ? "—" : format(x))).join(" / ");

console.log(
  `Ours / soxr ${oracle ? oracle.versions.soxr : "(not available)"} VHQ as pipecat runs it / sox ` +
    `${
      new TextDecoder().decode(
        (await new Deno.Command("sox", { args: ["--version"] }).output()).stdout,
      ).trim().split(" ").pop()
    } rate -v.\n`,
);
console.log(
  "| pair (Hz) | pass band, worst (dB) | SINAD, worst (dB) | stop band, worst (dB) |" +
    " group delay at 7.5 / 50 / 75 / 85 % of lower Nyquist, ours (ms) |" +
    " held back, ours ; soxr (ms, mean / max) |",
);
console.log("|---|---|---|---|---|---|");
const worst = { passband: 0, sinad: Infinity, stop: -Infinity };
for (const inputRate of RESAMPLER_RATES) {
  for (const outputRate of RESAMPLER_RATES) {
    if (inputRate === outputRate) continue;
    const ours = await measure(viaOurs, inputRate, outputRate);
    const soxr = oracle ? await measure(viaSoxr, inputRate, outputRate) : null;
    const sox = await measure(viaSox, inputRate, outputRate);
    if (Math.abs(ours.passband) > Math.abs(worst.passband)) worst.passband = ours.passband;
    worst.sinad = Math.min(worst.sinad, ours.sinad);
    worst.stop = Math.max(worst.stop, ours.stop ?? -Infinity);
    const held = oursHeldBack(inputRate, outputRate);
    const soxrHeld = oracle
      ? await oracle.ask({ op: "latency", inRate: inputRate, outRate: outputRate, chunkMs: 20 })
      : null;
    console.log(
      `| ${inputRate} → ${outputRate} | ${
        triple([ours, soxr, sox].map((m) => m?.passband ?? null), f2)
      } | ` +
        `${triple([ours, soxr, sox].map((m) => m?.sinad ?? null), f1)} | ` +
        `${triple([ours, soxr, sox].map((m) => m?.stop ?? null), f1)} | ` +
        `${ours.delays.map(f2).join(" / ")} | ` +
        `${held.meanMs.toFixed(2)} / ${held.maxMs.toFixed(2)} ; ` +
        `${
          soxrHeld
            ? `${Number(soxrHeld.meanMs).toFixed(0)} / ${Number(soxrHeld.maxMs).toFixed(0)}`
            : "—"
        } |`,
    );
  }
}
console.log(
  `\nWorst of ours over every pair: pass band ${f2(worst.passband)} dB, SINAD ${
    f1(worst.sinad)
  } dB, ` +
    `stop band ${f1(worst.stop)} dB.`,
);

// G.711 encoders beside sox's: the decoders agree on all 256 codes (tests/audio/g711_test.ts).
const everySample = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
for (const [law, encode] of [["u-law", mulawEncode], ["a-law", alawEncode]] as const) {
  await write(everySample);
  const { success } = await new Deno.Command("sox", {
    args: [
      "-D",
      ...raw,
      "-r",
      "8000",
      `${tmp}/in.raw`,
      ..."-t raw -e".split(" "),
      law,
      "-b",
      "8",
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

await oracle?.close();
await Deno.remove(tmp, { recursive: true });
