/**
 * Throughput of the G.711 codecs and the resampler, next to a plain copy loop as the baseline.
 * Every case processes one second of audio in 20 ms chunks, so "× real time" is
 * 1 s / (time per iteration). Run: `npx deno bench -A tests/bench/audio_bench.ts`.
 */

import { alawDecode, alawEncode, mulawDecode, mulawEncode, Resampler } from "@x/ws-transport/audio";
import { sine } from "../audio/tone.ts";

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
  [22050, 8000],
  [8000, 44100],
];

for (const [inputRate, outputRate] of pairs) {
  const input = sine(1000, inputRate, inputRate, 12000);
  const chunk = inputRate / 50;
  const copy = new Int16Array(input.length);
  const resampler = new Resampler({ inputRate, outputRate });
  const group = `${inputRate}→${outputRate}`;
  Deno.bench(`baseline: copy loop, 1 s of ${inputRate} Hz`, { group, baseline: true }, () => {
    for (let i = 0; i < input.length; i++) copy[i] = input[i]!;
  });
  Deno.bench(`Resampler ${inputRate} → ${outputRate} Hz, 1 s in 20 ms chunks`, { group }, () => {
    for (let i = 0; i < input.length; i += chunk) resampler.process(input.subarray(i, i + chunk));
    resampler.flush();
  });
}
