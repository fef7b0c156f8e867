// A refused format or setup changes nothing: later media is not read in half of it.
import assert from "node:assert/strict";
import { TelephonyAudio } from "../../../src/serializers/telephony/telephony_audio.ts";

Deno.test("`TelephonyAudio.configure` refused for its rate keeps the encoding too", () => {
  const audio = new TelephonyAudio({ encoding: "mulaw", sampleRate: 8000 });
  assert.throws(() => audio.configure({ encoding: "pcm16le", sampleRate: 11025 }), RangeError);
  assert.equal(audio.encoding, "mulaw");
  assert.equal(audio.sampleRate, 8000);
  audio.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  // One μ-law byte is one sample; as pcm16le it would be half of one (a decode error).
  assert.equal(audio.decode(new Uint8Array([0xff]))?.audio.length, 2);
  audio.configure({ encoding: "pcm16le", sampleRate: 16000 });
  assert.equal(audio.encoding, "pcm16le");
  assert.equal(audio.sampleRate, 16000);
});

Deno.test("`TelephonyAudio.setup` refused for its channels keeps the input rate", () => {
  const audio = new TelephonyAudio();
  assert.throws(
    () =>
      audio.setup({
        inputSampleRate: 24000,
        inputChannels: 0,
        outputSampleRate: 16000,
        outputChannels: 1,
      }),
    RangeError,
  );
  assert.equal(audio.inputSampleRate, 16000);
});
