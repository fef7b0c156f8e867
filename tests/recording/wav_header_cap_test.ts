// A recording past 4 GiB (six hours of 48 kHz stereo) has more PCM than a WAV header can count:
// its true header states the most it can, and that must still be a whole number of sample frames.
// The block alignment (channels × bytes per sample for PCM) is "the minimum atomic unit of data":
// "Playback and record software handles audio data in blocks. The sizes of these blocks are
// multiples of the value of the BlockAlign property"
// (https://learn.microsoft.com/en-us/previous-versions/windows/desktop/ee125657(v=vs.85)).
// Capped at 0xFFFFFFFF − 36 bytes as it was, a stereo header ended 3 bytes into a frame.
import assert from "node:assert/strict";
import { WavOutput } from "../../src/recording/_wav_output.ts";

for (const channels of [1, 2]) {
  Deno.test(`a recording's true header past 4 GiB counts whole frames (${channels} channel${channels > 1 ? "s" : ""})`, async () => {
    const output = new WavOutput({ sampleRate: 48000, channels }, 1 << 20, () => {});
    output.pushSilence(2 ** 32); // silence is a count until read: nothing is allocated
    const view = new DataView(output.header().buffer);
    const blockAlign = view.getUint16(32, true);
    const dataSize = view.getUint32(40, true);
    assert.equal(blockAlign, channels * 2);
    assert.equal(dataSize % blockAlign, 0, `${dataSize} bytes is not a whole number of frames`);
    // The most whole frames the RIFF size (36 + the data's, 32 bits) can count.
    assert.equal(dataSize, Math.floor((0xffffffff - 36) / blockAlign) * blockAlign);
    assert.equal(view.getUint32(4, true), 36 + dataSize);
    await output.readable.cancel();
  });
}
