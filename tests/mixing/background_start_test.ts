import assert from "node:assert/strict";
import { type AudioFrame, BackgroundAudio } from "../../mod.ts";

const samplesOf = (f: AudioFrame) =>
  new Int16Array(f.audio.buffer, f.audio.byteOffset, f.audio.length / 2);

Deno.test("`BackgroundAudio.start()` before the session opens still fades in (no step)", () => {
  const background = new BackgroundAudio(new Int16Array(1600).fill(10000), {
    sampleRate: 16000,
    volume: 1,
    fadeMs: 20,
    playing: false,
  });
  background.start(); // e.g. the app starts the hold music as soon as it has made the transport
  background.attach({ sampleRate: 16000, channels: 1, chunkMs: 20 }, () => {});
  const first = samplesOf(background.fill()!);
  assert.ok(first[0]! < 1000, `first sample ${first[0]}: a step from silence to full level`);
  assert.ok(first.at(-1)! > 9000, `last sample ${first.at(-1)}: faded in over fadeMs`);
  assert.equal(samplesOf(background.fill()!)[0], 10000);
});

Deno.test("`BackgroundAudio` started and stopped before the session opens stays silent", () => {
  const background = new BackgroundAudio(new Int16Array(1600).fill(10000), {
    sampleRate: 16000,
    playing: false,
  });
  background.start();
  background.stop();
  background.attach({ sampleRate: 16000, channels: 1, chunkMs: 20 }, () => {});
  assert.equal(background.fill(), undefined);
});

Deno.test("`BackgroundAudio` names what is wrong with a source that is not one", () => {
  // Plain JS: `await (await fetch(url)).arrayBuffer()` is an easy slip.
  assert.throws(
    () => new BackgroundAudio(new ArrayBuffer(8) as never, { sampleRate: 16000 }),
    { name: "TypeError", message: /^BackgroundAudio: .*got an ArrayBuffer \(wrap it/ },
  );
  for (const source of [null, undefined, "music.wav", { sampleRate: 16000 }]) {
    assert.throws(
      () => new BackgroundAudio(source as never, { sampleRate: 16000 }),
      { name: "TypeError", message: /^BackgroundAudio: the source must be/ },
    );
  }
});

Deno.test("`BackgroundAudio` names a `loop` or `playing` that is not a boolean", () => {
  for (const name of ["loop", "playing"]) {
    for (const value of ["false", 0, 1, null]) {
      assert.throws(
        () => new BackgroundAudio(new Int16Array(8), { sampleRate: 16000, [name]: value as never }),
        {
          name: "TypeError",
          message: new RegExp(`^BackgroundAudio: ${name} must be true or false`),
        },
      );
    }
  }
});

Deno.test("`BackgroundAudio` names a `ducking` that is neither a boolean nor options", () => {
  for (const ducking of [null, 0.3, "yes"]) {
    assert.throws(
      () =>
        new BackgroundAudio(new Int16Array(8), { sampleRate: 16000, ducking: ducking as never }),
      {
        name: "TypeError",
        message: /^BackgroundAudio: ducking must be true, false or its options/,
      },
    );
  }
  new BackgroundAudio(new Int16Array(8), { sampleRate: 16000, ducking: {} }); // defaults
});
