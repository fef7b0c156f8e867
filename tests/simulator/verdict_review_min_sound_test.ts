// `MIN_SOUND_MS` (_talk_spurts.ts): a spurt must sound for 20 ms in a row, two 10 ms blocks, "not
// more": a bot that answers with one 20 ms packet is heard answering. A block is a whole number
// of samples, so at a rate whose 10 ms is no whole number of samples it is a little shorter or
// longer: at 11,025 Hz 110 samples, 9.98 ms, and 20 ms came to three blocks (ceil(2.005)): a
// 20 ms packet, 220 samples, two blocks, was a click, no answer. Two blocks, whatever the rate.
import assert from "node:assert/strict";
import { TalkSpurtDetector } from "../../src/simulator/_talk_spurts.ts";

/** `count` samples of a 440 Hz tone at `rate`, about -11 dBFS. */
function tone(count: number, rate: number): Int16Array {
  const s = new Int16Array(count);
  for (let i = 0; i < count; i++) {
    s[i] = Math.round(9000 * Math.sin((2 * Math.PI * 440 * i) / rate));
  }
  return s;
}

for (const rate of [8000, 11025, 22050, 44100]) {
  Deno.test(`TalkSpurtDetector at ${rate} Hz: one 20 ms packet of sound is a spurt`, () => {
    const detector = new TalkSpurtDetector({
      sampleRate: rate,
      thresholdDbfs: -45,
      hangoverMs: 250,
      originMs: 0,
    });
    // Ten blocks of silence first, so the packet starts a block (one across a block's edge sounds
    // in three): the detector's block is 10 ms in whole samples.
    const block = Math.round((rate * 10) / 1000);
    detector.pushSilence(10 * block);
    const packet = 2 * block;
    detector.push(tone(packet, rate));
    detector.pushSilence(rate); // then 1 s of silence: the spurt ends
    assert.equal(detector.spurts.length, 1, `${packet} samples`);
    assert.equal(detector.audibleMs(0, 1200), (packet * 1000) / rate);
  });
}
