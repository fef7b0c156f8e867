// `TelephonyAudio` in G.722: 16 kHz audio on RTP's 8 kHz clock (RFC 3551 §4.5.2: "the RTP clock
// rate for G722 is 8,000 Hz" though it samples at 16 kHz), one byte a tick.
import assert from "node:assert/strict";
import { G722Decoder, G722Encoder } from "../../../src/audio/g722.ts";
import { TelephonyAudio } from "../../../src/serializers/telephony/telephony_audio.ts";
import type { AudioFrame } from "../../../src/frames.ts";
import { tone } from "../fixtures/telephony_harness.ts";

const SETUP = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 16000,
  outputChannels: 1,
};
const frameOf = (samples: Int16Array, sampleRate = 16000): AudioFrame => ({
  type: "audio",
  audio: new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength),
  sampleRate,
  channels: 1,
});
const samplesOf = (frame: AudioFrame | null) =>
  frame === null ? new Int16Array(0) : new Int16Array(frame.audio.slice().buffer);

Deno.test("`TelephonyAudio` gives G.722 the wire rate of its RTP clock, named by 8000 or 16000", () => {
  for (const sampleRate of [8000, 16000]) {
    assert.equal(new TelephonyAudio({ encoding: "g722", sampleRate }).sampleRate, 8000);
  }
  assert.throws(() => new TelephonyAudio({ encoding: "g722", sampleRate: 24000 }), RangeError);
  const audio = new TelephonyAudio({ encoding: "pcm16be", sampleRate: 24000 });
  audio.configure({ encoding: "g722" });
  assert.equal(audio.sampleRate, 8000, "G.722 named without a rate is at its own");
  assert.throws(() => audio.configure({ sampleRate: 24000 }), RangeError);
  assert.equal(audio.encoding, "g722", "a refused format changes nothing");
  audio.configure({ encoding: "mulaw" });
  assert.equal(audio.sampleRate, 8000);
});

Deno.test("`TelephonyAudio` codes G.722 across frames of odd lengths as one stream; `flushOutbound` codes the odd sample left, `reset` drops it", () => {
  const source = tone(700, 16000, 640);
  const audio = new TelephonyAudio({ encoding: "g722" });
  audio.setup(SETUP);
  const first = audio.encode(frameOf(source.subarray(0, 161)))!.slice();
  const second = audio.encode(frameOf(source.subarray(161, 320)))!.slice();
  assert.deepEqual([first.length, second.length], [80, 80]);
  assert.deepEqual(
    new Uint8Array([...first, ...second]),
    new G722Encoder().encode(source.subarray(0, 320)),
  );

  const flushed = new TelephonyAudio({ encoding: "g722" });
  flushed.setup(SETUP);
  flushed.encode(frameOf(source.subarray(0, 161)));
  const tail = flushed.flushOutbound()!;
  const padded = new Int16Array(162);
  padded.set(source.subarray(0, 161));
  assert.deepEqual(tail, new G722Encoder().encode(padded).subarray(80));
  assert.equal(flushed.flushOutbound(), null, "nothing left");

  const cut = new TelephonyAudio({ encoding: "g722" });
  cut.setup(SETUP);
  cut.encode(frameOf(source.subarray(0, 161)));
  cut.reset();
  assert.equal(cut.encode(frameOf(source.subarray(161, 320)))!.length, 79);
  const lone = new TelephonyAudio({ encoding: "g722" });
  lone.setup(SETUP);
  assert.equal(lone.encode(frameOf(source.subarray(0, 1))), null, "one sample: no byte yet");
  assert.equal(lone.encode(frameOf(source.subarray(1, 2)))!.length, 1);
});

Deno.test("`TelephonyAudio` pads G.722 with zeros through its encoder, G.711 with its silence byte", () => {
  const source = tone(700, 16000, 100);
  const audio = new TelephonyAudio({ encoding: "g722" });
  audio.setup(SETUP);
  const codes = audio.encode(frameOf(source.subarray(0, 99)))!.slice(); // 49 bytes, 1 waiting
  const silence = audio.fillSilence(new Uint8Array(10));
  const expected = new Int16Array(99 + 19);
  expected.set(source.subarray(0, 99));
  assert.deepEqual(new Uint8Array([...codes, ...silence]), new G722Encoder().encode(expected));
  assert.equal(audio.flushOutbound(), null, "no sample left waiting");
  // Nothing to fill with a sample waiting: nothing coded, the sample waits on for its pair.
  audio.encode(frameOf(source.subarray(0, 3)));
  assert.deepEqual(audio.fillSilence(new Uint8Array(0)), new Uint8Array(0));
  assert.equal(audio.flushOutbound()?.length, 1, "the waiting sample, coded with a zero");
  const mulaw = new TelephonyAudio({ encoding: "mulaw" });
  assert.deepEqual(mulaw.fillSilence(new Uint8Array(3)), new Uint8Array([0xff, 0xff, 0xff]));
});

Deno.test("`TelephonyAudio` decodes G.722 to 16 kHz as the codec does, and resamples it to 8 kHz", () => {
  const codes = new G722Encoder().encode(tone(700, 16000, 3200));
  const wide = new TelephonyAudio({ encoding: "g722", sampleRate: 16000 });
  wide.setup(SETUP);
  const decoded = new Int16Array(3200);
  for (let at = 0; at < 1600; at += 160) {
    decoded.set(samplesOf(wide.decode(codes.subarray(at, at + 160))), at * 2);
  }
  assert.deepEqual(decoded, new G722Decoder().decode(codes));

  const narrow = new TelephonyAudio({ encoding: "g722" });
  narrow.setup({ ...SETUP, inputSampleRate: 8000 });
  let samples = 0;
  for (let at = 0; at < 1600; at += 160) {
    const frame = narrow.decode(codes.subarray(at, at + 160));
    assert.equal(frame?.sampleRate, 8000);
    samples += samplesOf(frame).length;
  }
  samples += samplesOf(narrow.flushInbound()).length;
  assert.equal(samples, 1600, "200 ms at 8 kHz");
});
