import assert from "node:assert/strict";
import { TelephonyAudio } from "../../../src/serializers/telephony/telephony_audio.ts";
import { telephonyEncodingOf } from "../../../src/serializers/telephony/telephony_encoding.ts";
import type { AudioFrame } from "../../../src/frames.ts";
import type { TransportError } from "../../../src/errors.ts";
import { tone } from "../fixtures/telephony_harness.ts";
import { concatBytes } from "../../_bytes.ts";

const SETUP = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 16000,
  outputChannels: 1,
};
const frameOf = (samples: Int16Array, sampleRate: number, channels = 1): AudioFrame => ({
  type: "audio",
  audio: new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength),
  sampleRate,
  channels,
});

Deno.test("`TelephonyAudio` encodes chunk by chunk exactly as in one piece", () => {
  const source = tone(440, 24000, 24000);
  const whole = new TelephonyAudio();
  const oneShot = whole.encode(frameOf(source, 24000))!;
  for (const chunk of [480, 960, 333 * 2]) {
    const chunked = new TelephonyAudio();
    const parts: Uint8Array[] = [];
    for (let at = 0; at < source.length; at += chunk) {
      const out = chunked.encode(frameOf(source.slice(at, at + chunk), 24000));
      if (out) parts.push(out.slice());
    }
    const joined = concatBytes(parts);
    assert.deepEqual(joined, oneShot.subarray(0, joined.length), `chunks of ${chunk}`);
    assert.ok(oneShot.length - joined.length < 40);
  }
});

Deno.test("`TelephonyAudio` decodes chunk by chunk exactly as in one piece", () => {
  const wire = new TelephonyAudio().encode(frameOf(tone(700, 8000, 8000), 8000))!;
  const whole = new TelephonyAudio();
  whole.setup(SETUP);
  const oneShot = whole.decode(wire)!.audio;
  const chunked = new TelephonyAudio();
  chunked.setup(SETUP);
  const parts: Uint8Array[] = [];
  for (let at = 0; at < wire.length; at += 160) {
    const frame = chunked.decode(wire.subarray(at, at + 160));
    if (frame) parts.push(frame.audio);
  }
  const joined = concatBytes(parts);
  assert.deepEqual(joined, oneShot.subarray(0, joined.length));
});

Deno.test("`TelephonyAudio.reset` drops the outbound filter state", () => {
  const speech = tone(300, 16000, 320, 0.9);
  const quiet = new Int16Array(320);
  const fresh = new TelephonyAudio();
  const expected = fresh.encode(frameOf(quiet, 16000));
  const used = new TelephonyAudio();
  used.encode(frameOf(speech, 16000));
  used.reset();
  assert.deepEqual(used.encode(frameOf(quiet, 16000)), expected);
  const unreset = new TelephonyAudio();
  unreset.encode(frameOf(speech, 16000));
  assert.notDeepEqual(unreset.encode(frameOf(quiet, 16000)), expected);
});

Deno.test("`TelephonyAudio` sends as many samples as came in when the bot's audio changes rate", () => {
  // Each resampler's stream begins with its filter delay as silence, so its output matches its
  // input in length; the old one's last delay is not added in front of the new rate's audio, which
  // would break fixed-size framing (Exotel's 320-byte units) in the middle of the next reply.
  // Dropped where nothing plays it, it is filter state, not the bot's audio lost (uncounted, as
  // `FrameSerializer.audioEnds` says): at a change of rate, the wire's own too, and at a
  // stretch's end, what left is exactly as long as what the bot wrote.
  const audio = new TelephonyAudio({ encoding: "pcm16le", sampleRate: 8000 });
  audio.setup(SETUP);
  const say = (rate: number) => audio.encode(frameOf(tone(440, rate, rate / 5), rate))!.length;
  const lengths = [say(16000), say(24000), say(8000), say(16000)];
  assert.equal(audio.endOutbound(false), null, "the stretch's end: its filter state dropped");
  lengths.push(say(16000));
  assert.deepEqual(lengths, [3200, 3200, 3200, 3200, 3200]); // 200 ms at 8 kHz, PCM16, each time
});

Deno.test("`TelephonyAudio` starts a new resampler after audio at the wire rate, not the old one's state", () => {
  // 24 kHz, then 8 kHz (the wire rate, sent as it is), then 24 kHz again: the last stretch is a
  // new rate for the outbound stream, begun from silence like any other, not pushed out behind
  // the first stretch's held-back samples (stale audio from before the 8 kHz stretch: a click).
  const speech = tone(300, 24000, 480, 0.9);
  const later = tone(440, 24000, 480, 0.5);
  const fresh = new TelephonyAudio({ encoding: "pcm16le", sampleRate: 8000 });
  const expected = fresh.encode(frameOf(later, 24000))!.slice();
  const audio = new TelephonyAudio({ encoding: "pcm16le", sampleRate: 8000 });
  audio.encode(frameOf(speech, 24000));
  audio.encode(frameOf(tone(500, 8000, 160, 0.5), 8000));
  assert.deepEqual(audio.encode(frameOf(later, 24000))!.slice(), expected);
});

Deno.test("`TelephonyAudio` mixes stereo down and copies mono up to the input channels", () => {
  const audio = new TelephonyAudio({ encoding: "pcm16le", sampleRate: 8000 });
  audio.setup({ ...SETUP, inputSampleRate: 8000, inputChannels: 2 });
  const stereo = new Int16Array([100, 300, -100, -300]);
  assert.deepEqual(
    [...new Int16Array(audio.encode(frameOf(stereo, 8000, 2))!.slice().buffer)],
    [200, -200],
  );
  const frame = audio.decode(new Uint8Array([0x10, 0x00, 0x20, 0x00]))!;
  assert.equal(frame.channels, 2);
  assert.deepEqual([...new Int16Array(frame.audio.slice().buffer)], [16, 16, 32, 32]);
});

Deno.test("`TelephonyAudio` throws encode errors for malformed frames", () => {
  const audio = new TelephonyAudio();
  for (
    const frame of [
      { type: "audio", audio: new Uint8Array(3), sampleRate: 8000, channels: 1 },
      { type: "audio", audio: new Uint8Array(4), sampleRate: 11025, channels: 1 },
      { type: "audio", audio: new Uint8Array(4), sampleRate: 8000, channels: 0 },
      { type: "audio", audio: new Uint8Array(6), sampleRate: 8000, channels: 2 },
    ] as AudioFrame[]
  ) {
    assert.throws(() => audio.encode(frame), (e: TransportError) => e.code === "encode");
  }
  assert.throws(() => new TelephonyAudio({ sampleRate: 12345 }), RangeError);
  assert.throws(() => audio.decodeBase64("***"), (e: TransportError) => e.code === "decode");
});

Deno.test("`telephonyEncodingOf` maps provider encoding names", () => {
  assert.equal(telephonyEncodingOf("audio/x-mulaw;rate=8000"), "mulaw");
  assert.equal(telephonyEncodingOf("PCMU"), "mulaw");
  assert.equal(telephonyEncodingOf("audio/x-raw"), "pcm16le");
  assert.equal(telephonyEncodingOf("G722"), "g722");
  assert.equal(telephonyEncodingOf("OPUS"), undefined);
});
