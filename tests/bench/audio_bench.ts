/**
 * Throughput of the G.711 codecs, the resampler and the outbound telephony codec path, next to a
 * plain copy loop as the baseline. Every case processes one second of audio, in 20 ms chunks
 * unless its name says 40 ms, so "× real time" is 1 s / (time per iteration).
 *
 * soxr, side by side: before the benches run, tests/bench/codec_soxr_oracle.py times soxr as
 * pipecat drives it (`ResampleStream`, VHQ, int16, through numpy; and pipecat's Twilio serializer
 * audio path) on the same signal and chunks, and each bench's name carries that figure: "soxr
 * 230 µs" = soxr spent 230 µs of CPU per second of audio (median of 5 runs of 20 s each), to
 * compare with the time per iteration beside it. For a stricter comparison (interleaved rounds,
 * CPU time both sides) run tests/bench/codec_vs_soxr.ts. Without python3, numpy or soxr the names
 * say "soxr n/a".
 *
 * Run: `npx deno bench -A tests/bench/audio_bench.ts`.
 */

import { alawDecode, alawEncode, mulawDecode, mulawEncode, Resampler } from "@x/ws-transport/audio";
import { sine } from "../audio/tone.ts";
import { SoxrOracle, toneFrames, twilioSerializer } from "./codec_oracle.ts";

/** soxr's CPU µs per second of audio for each request (median of 5), or null without soxr. */
async function soxrFigures(requests: Record<string, unknown>[]): Promise<(number | null)[]> {
  const oracle = await SoxrOracle.open();
  if (oracle === null) return requests.map(() => null);
  const figures: number[] = [];
  for (const request of requests) {
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      runs.push(Number((await oracle.ask({ op: "speed", seconds: 20, ...request })).cpuUs));
    }
    figures.push(runs.sort((a, b) => a - b)[2]!);
  }
  await oracle.close();
  return figures;
}

const label = (us: number | null) => (us === null ? "soxr n/a" : `soxr ${us.toFixed(0)} µs`);

const SECOND = 8000;
const speech = sine(440, SECOND, SECOND, 12000);
const codes = mulawEncode(speech);
const pcmOut = new Int16Array(SECOND);
const codesOut = new Uint8Array(SECOND);

Deno.bench("baseline: copy loop, 1 s of 8 kHz PCM16", { group: "g711", baseline: true }, () => {
  for (let i = 0; i < SECOND; i++) pcmOut[i] = speech[i]!;
});
Deno.bench("mulawEncode, 1 s of 8 kHz", { group: "g711" }, () => {
  mulawEncode(speech, codesOut);
});
Deno.bench("mulawEncode, 1 s of 8 kHz in 20 ms chunks, new arrays", { group: "g711" }, () => {
  for (let i = 0; i < SECOND; i += 160) mulawEncode(speech.subarray(i, i + 160));
});
Deno.bench("mulawDecode, 1 s of 8 kHz", { group: "g711" }, () => {
  mulawDecode(codes, pcmOut);
});
Deno.bench("alawEncode, 1 s of 8 kHz", { group: "g711" }, () => {
  alawEncode(speech, codesOut);
});
Deno.bench("alawDecode, 1 s of 8 kHz", { group: "g711" }, () => {
  alawDecode(codes, pcmOut);
});

const pairs: [number, number][] = [
  [24000, 8000],
  [16000, 8000],
  [8000, 16000],
  [8000, 24000],
  [48000, 8000],
  [48000, 16000],
  [16000, 48000],
  [16000, 24000],
  [24000, 16000],
  [44100, 48000],
  [48000, 44100],
  [22050, 8000],
  [8000, 44100],
  [44100, 16000],
];
// The outbound telephony path: `TwilioSerializer.serialize` of PCM at the bot's rate (→ 8 kHz →
// μ-law → base64 → the media message), for 24 and 16 kHz, in 20 and 40 ms frames.
const outbound: [number, number][] = [[24000, 20], [16000, 20], [24000, 40], [16000, 40]];

const soxr = await soxrFigures([
  ...pairs.map(([inRate, outRate]) => ({ case: "resample", inRate, outRate, chunkMs: 20 })),
  ...outbound.map(([inRate, chunkMs]) => ({ case: "twilio-out", inRate, outRate: 8000, chunkMs })),
]);

pairs.forEach(([inputRate, outputRate], n) => {
  const input = sine(1000, inputRate, inputRate, 12000);
  const chunk = inputRate / 50;
  const copy = new Int16Array(input.length);
  const resampler = new Resampler({ inputRate, outputRate });
  const group = `${inputRate}→${outputRate}`;
  Deno.bench(`baseline: copy loop, 1 s of ${inputRate} Hz`, { group, baseline: true }, () => {
    for (let i = 0; i < input.length; i++) copy[i] = input[i]!;
  });
  Deno.bench(`Resampler ${inputRate} → ${outputRate} Hz (${label(soxr[n]!)})`, { group }, () => {
    for (let i = 0; i < input.length; i += chunk) resampler.process(input.subarray(i, i + chunk));
  });
});

outbound.forEach(([inputRate, chunkMs], n) => {
  const frames = toneFrames(inputRate, chunkMs);
  const twilio = twilioSerializer(inputRate);
  Deno.bench(
    `Twilio serialize ${inputRate / 1000}k → μ-law 8k, ${chunkMs} ms frames ` +
      `(${label(soxr[pairs.length + n]!)})`,
    { group: `Twilio out ${inputRate / 1000}k ${chunkMs} ms` },
    () => {
      for (const frame of frames) twilio.serialize(frame);
    },
  );
});
