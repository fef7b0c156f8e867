// Speech in another format than the transport's goes out unmixed (README, "Background audio":
// "Speech written in another format than `audioOut` is sent unmixed"): the background is not heard
// under it, but its time passes all the same. Every change of level is a ramp over its time
// (README: "Every change of level — ducking, `start`, `stop`, `volume` — is a linear ramp"), and
// a ramp begun in such a stretch has moved on by what it lasted when the background is heard
// again, as a fader moves whether or not anything plays through it: not begun there, however long
// after the `stop`.
import assert from "node:assert/strict";
import { type AudioFrame, BackgroundAudio, type BackgroundAudioOptions } from "../../mod.ts";

const FORMAT = { sampleRate: 16000, channels: 1, chunkMs: 20 };
const LEVEL = 0x0909;

const samplesOf = (f: AudioFrame) =>
  new Int16Array(f.audio.buffer, f.audio.byteOffset, f.audio.length / 2);

/** 20 ms of silent speech at 8 kHz: another format than the transport's, so sent unmixed. */
const unmixed = (): AudioFrame => ({
  type: "audio",
  audio: new Uint8Array(320),
  sampleRate: 8000,
  channels: 1,
});

/** 20 ms of silent speech at the transport's 16 kHz: the background is heard under it. */
const mixed = (): AudioFrame => ({
  type: "audio",
  audio: new Uint8Array(640),
  sampleRate: 16000,
  channels: 1,
});

/** A looped constant track at full level (it fades in over `fadeMs` from `attach`), in 16 kHz. */
function attached(options: BackgroundAudioOptions) {
  const errors: Error[] = [];
  const background = new BackgroundAudio(new Int16Array(1600).fill(LEVEL), {
    sampleRate: 16000,
    volume: 1,
    onError: (error) => void errors.push(error),
    ...options,
  });
  background.attach(FORMAT, () => {});
  return { background, errors };
}

/** Where a ramp of `ms` from `from` to `to` is `elapsedMs` in. */
const along = (from: number, to: number, elapsedMs: number, ms: number) =>
  from + (to - from) * Math.min(1, elapsedMs / ms);

/** Whether `value` is within 2 steps of 16 bits of `expected`. */
function near(value: number, expected: number, what: string): void {
  assert.ok(Math.abs(value - expected) <= 2, `${what}: ${value}, expected ${Math.round(expected)}`);
}

Deno.test("`BackgroundAudio` stopped under unmixed speech has faded by the time it lasted when heard again", () => {
  for (const next of ["mixed", "fill"] as const) {
    const { background, errors } = attached({ fadeMs: 100 });
    // Full level first (the fade-in over), then stopped as 60 ms of speech goes out unmixed.
    for (let i = 0; i < 5; i++) background.fill();
    assert.equal(samplesOf(background.fill()!)[0], LEVEL);
    background.stop();
    for (let i = 0; i < 3; i++) background.mix(unmixed());
    assert.equal(errors.length, 1, "the mismatch is reported once");
    const heard = samplesOf(next === "mixed" ? background.mix(mixed()) : background.fill()!);
    // 60 of the fade's 100 ms are gone: 40 % of the level left, reached nought 40 ms on.
    near(heard[0]!, along(LEVEL, 0, 60, 100), `${next}: the fade-out 60 ms in`);
    near(heard.at(-1)!, along(LEVEL, 0, 80, 100), `${next}: 80 ms in`);
    assert.notEqual(background.fill(), undefined, "the last 20 ms of the fade");
    assert.equal(background.fill(), undefined, "faded out 100 ms after the stop: nothing sent");
    background.detach();
  }
});

Deno.test("`BackgroundAudio` stopped under unmixed speech longer than its fade sends nothing after it", () => {
  const { background } = attached({ fadeMs: 40 });
  for (let i = 0; i < 3; i++) background.fill();
  background.stop();
  for (let i = 0; i < 3; i++) background.mix(unmixed());
  // A fade-out begun now would play 40 ms of the music after the bot's 60 ms of speech.
  assert.equal(background.fill(), undefined, "faded out under the speech");
  background.detach();
});

Deno.test("`BackgroundAudio` turned down under unmixed speech is at the level the time says when heard again", () => {
  const { background } = attached({ fadeMs: 100 });
  for (let i = 0; i < 6; i++) background.fill();
  background.volume = 0.2;
  for (let i = 0; i < 2; i++) background.mix(unmixed());
  const heard = samplesOf(background.mix(mixed()));
  near(heard[0]!, along(LEVEL, LEVEL * 0.2, 40, 100), "40 ms into the fade to 0.2");
  for (let i = 0; i < 3; i++) background.fill();
  near(samplesOf(background.fill()!)[0]!, LEVEL * 0.2, "there after its 100 ms");
  background.detach();
});

Deno.test("`BackgroundAudio` ducks under unmixed speech as under mixed: ducked when heard again", () => {
  const { background } = attached({
    fadeMs: 0,
    ducking: { gain: 0.2, attackMs: 50, releaseMs: 400 },
  });
  assert.equal(samplesOf(background.fill()!)[0], LEVEL, "full level before the speech");
  // 60 ms of speech unmixed, then a chunk mixed: the 50 ms attack is over under the first.
  for (let i = 0; i < 3; i++) background.mix(unmixed());
  const under = samplesOf(background.mix(mixed()));
  near(under[0]!, LEVEL * 0.2, "ducked by the end of the attack");
  background.detach();
});
