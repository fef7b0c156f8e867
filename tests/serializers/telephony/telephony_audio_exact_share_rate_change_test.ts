// The exact share of what the bot wrote (`TelephonyAudio`'s class description) across what starts
// a new outbound stream mid-reply: the bot's rate changing (a new resampler; the old one's held
// samples dropped, their length already sent as the silence its stream began with), audio at the
// wire's own rate in between (passed through), the wire's rate changing (`configure`, as Vonage's
// rate change does, flushed first or not), G.722 (16 kHz audio, two samples a byte), stereo bot
// frames (downmixed), and `reset()` after a first chunk too short for any output. After every
// chunk, what has left since the new stream began is floor(samples × wire rate / their rate).
import assert from "node:assert/strict";
import { TelephonyAudio } from "../../../src/serializers/telephony/telephony_audio.ts";
import { noise } from "../../audio/_test_signals.ts";

const frameOf = (samples: Int16Array, sampleRate: number, channels = 1) => ({
  type: "audio" as const,
  audio: new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength),
  sampleRate,
  channels,
});

/** Samples at the codec's rate in wire bytes: PCM16 two bytes each, G.722 two a byte. */
const PCM16 = (bytes: Uint8Array | null) => (bytes?.length ?? 0) / 2;
const G722 = (bytes: Uint8Array | null) => 2 * (bytes?.length ?? 0);

/** Chunks too short for any output first (1–5 frames), then 10 ms-ish and irregular ones. */
const SIZES = [1, 2, 3, 14, 5, 220, 221, 7, 1000, 13];

/**
 * Feeds `SIZES` at `rate` (`channels` interleaved) and returns the faults: totals since the
 * stream began off `floor(frames × codecRate / rate)` (G.722: a sample may wait for its pair).
 */
function feed(
  audio: TelephonyAudio,
  rate: number,
  codecRate: number,
  name: string,
  { channels = 1, count = PCM16 } = {},
): string[] {
  let fed = 0, sent = 0;
  for (const size of SIZES) {
    sent += count(audio.encode(frameOf(noise(size * channels, size), rate, channels)));
    fed += size;
    const share = Math.floor((fed * codecRate) / rate);
    if (count === G722 ? sent !== share - (share & 1) : sent !== share) {
      return [`${name}: ${sent} after ${fed} frames at ${rate} Hz, not ${share}`];
    }
  }
  return [];
}

Deno.test("`TelephonyAudio` keeps the exact share across a change of the bot's rate, audio at the wire's rate between, and stereo frames", () => {
  const faults: string[] = [];
  for (const wire of [8000, 16000, 24000]) {
    const audio = new TelephonyAudio({ encoding: "pcm16le", sampleRate: wire });
    for (const [rate, channels] of [[22050, 1], [48000, 2], [wire, 1], [22050, 2], [44100, 1]]) {
      faults.push(...feed(audio, rate!, wire, `${wire} Hz wire`, { channels }));
    }
  }
  assert.deepEqual(faults, []);
});

Deno.test("`TelephonyAudio` keeps the exact share after the wire's rate changes mid-reply, flushed first or not, and in G.722", () => {
  const faults: string[] = [];
  for (const bot of [12000, 22050, 44100]) {
    const audio = new TelephonyAudio({ encoding: "pcm16le", sampleRate: 16000 });
    faults.push(...feed(audio, bot, 16000, "before"));
    audio.flushOutbound();
    audio.configure({ sampleRate: 8000 });
    faults.push(...feed(audio, bot, 8000, "flushed, then 8 kHz"));
    audio.configure({ sampleRate: 24000 });
    faults.push(...feed(audio, bot, 24000, "not flushed, then 24 kHz"));
    audio.configure({ encoding: "g722" });
    faults.push(...feed(audio, bot, 16000, "G.722", { count: G722 }));
  }
  assert.deepEqual(faults, []);
});

Deno.test("`TelephonyAudio` sends a first chunk too short for any output as its share of silence, and starts afresh after a reset", () => {
  const audio = new TelephonyAudio({ encoding: "pcm16le", sampleRate: 8000 });
  // 3 samples at 22.05 kHz: the resampler has none yet, the share is 1 sample at 8 kHz.
  const first = new Int16Array(audio.encode(frameOf(noise(3), 22050))!.slice().buffer);
  assert.deepEqual([...first], [0]);
  audio.encode(frameOf(noise(5), 22050));
  audio.reset();
  assert.deepEqual(feed(audio, 22050, 8000, "after reset"), []);
});
