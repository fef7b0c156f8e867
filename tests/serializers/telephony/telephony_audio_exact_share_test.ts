// What leaves for the bot's audio at another rate than the wire's, after every chunk: exactly the
// share of the audio written so far at the wire rate, floor(samples × wireRate / botRate), never a
// sample over it nor one short of it, however the bot's audio is cut: the filter's delay as
// silence in front, then the resampled stream (`TelephonyAudio`'s class description). Before, the
// silence in front was sized by the first output's chunk alone: a sample more or less by where
// that chunk ended, and nothing for chunks too short to produce output (10 samples short at
// 22.05 → 16 kHz after a first chunk of 14 samples).
import assert from "node:assert/strict";
import { Resampler } from "../../../src/audio/resampler.ts";
import { TelephonyAudio } from "../../../src/serializers/telephony/telephony_audio.ts";
import { concatSamples, noise } from "../../audio/_test_signals.ts";

const BOTS = [8000, 12000, 16000, 22050, 24000, 32000, 44100, 48000];
const WIRES = [8000, 16000, 24000];

const frameOf = (samples: Int16Array, sampleRate: number) => ({
  type: "audio" as const,
  audio: new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength),
  sampleRate,
  channels: 1,
});

/** PCM16 wire bytes as samples (a copy: the bytes may be a view of a shared slab). */
const samplesOf = (bytes: Uint8Array | null) =>
  bytes === null ? new Int16Array(0) : new Int16Array(bytes.slice().buffer);

/** Chunk sizes of a bot's stream at `rate`: 10 ms cuts (220 and 221 at 22.05 kHz), irregular. */
function chunkings(rate: number): [string, number[]][] {
  const tenMs = Array.from(
    { length: 60 },
    (_, i) => Math.round((rate * (i + 1)) / 100) - Math.round((rate * i) / 100),
  );
  const irregular = Array.from({ length: 80 }, (_, i) => 1 + ((i * 7919 + 13) % 997));
  const shortFirst = [3, 1, 14, 5, ...Array(40).fill(Math.round(rate / 37))];
  return [["10 ms", tenMs], ["irregular", irregular], ["short first chunks", shortFirst]];
}

Deno.test("`TelephonyAudio` sends, after every chunk of resampled audio, the exact share of what the bot wrote, the whole-stream resample behind the filter's delay", () => {
  const faults: string[] = [];
  for (const from of BOTS) {
    for (const to of WIRES.filter((wire) => wire !== from)) {
      for (const [name, sizes] of chunkings(from)) {
        const audio = new TelephonyAudio({ encoding: "pcm16le", sampleRate: to });
        const source = noise(sizes.reduce((a, b) => a + b, 0));
        const sent: Int16Array[] = [];
        let fed = 0, out = 0;
        for (const size of sizes) {
          const message = samplesOf(audio.encode(frameOf(source.slice(fed, fed + size), from)));
          sent.push(message);
          fed += size;
          out += message.length;
          const share = Math.floor((fed * to) / from);
          if (out !== share) {
            faults.push(`${from} → ${to}, ${name}: ${out} sent after ${fed}, not ${share}`);
            break;
          }
        }
        // The samples themselves: silence as long as the whole stream's resample holds back from
        // its share, then that resample.
        const body = new Resampler({ inputRate: from, outputRate: to }).process(source);
        const held = Math.floor((fed * to) / from) - body.length;
        const expected = concatSamples([new Int16Array(held), body]);
        const wire = concatSamples(sent);
        if (wire.length !== expected.length || !wire.every((s, i) => s === expected[i])) {
          faults.push(`${from} → ${to}, ${name}: not the whole-stream resample`);
        }
      }
    }
  }
  assert.deepEqual(faults, []);
});

Deno.test("`TelephonyAudio` begins the exact share afresh for each reply after a flush", () => {
  for (const [from, to] of [[22050, 24000], [44100, 8000], [24000, 16000]] as const) {
    const audio = new TelephonyAudio({ encoding: "pcm16le", sampleRate: to });
    for (const reply of [1, 2]) {
      let fed = 0, out = 0;
      for (const size of [7, 300, 555, 1000]) {
        out += samplesOf(audio.encode(frameOf(noise(size, reply), from))).length;
        fed += size;
        assert.equal(out, Math.floor((fed * to) / from), `${from} → ${to}, reply ${reply}`);
      }
      audio.flushOutbound();
    }
  }
});
