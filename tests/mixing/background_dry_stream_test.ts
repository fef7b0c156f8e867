// A streamed background that has run dry (hold music still buffering) is not sounding: a fall of
// its level then (`stop()`'s fade-out, ducking under speech) has nothing to fall through, and the
// stream's next audio, whenever it comes, must not play through it (a fade-out long after the
// stop, music un-ducked under the bot).
import assert from "node:assert/strict";
import { type AudioFrame, BackgroundAudio } from "../../mod.ts";

const FORMAT = { sampleRate: 16000, channels: 1, chunkMs: 20 };
const CHUNK_BYTES = 640;

const samplesOf = (f: AudioFrame) =>
  new Int16Array(f.audio.buffer, f.audio.byteOffset, f.audio.length / 2);

/** Settles the stream's pending reads (its chunks are enqueued by hand: no timer in them). */
const settleReads = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A background streamed from a source the test feeds, attached to a 16 kHz session. */
function streamed(fadeMs: number) {
  let source!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (source = c) }, {
    highWaterMark: 0,
  });
  const state = { wakes: 0, errors: [] as Error[] };
  const background = new BackgroundAudio(stream, {
    sampleRate: 16000,
    volume: 1,
    fadeMs,
    onError: (error) => void state.errors.push(error),
  });
  background.attach(FORMAT, () => state.wakes++);
  const feed = (chunks: number) => source.enqueue(new Uint8Array(chunks * CHUNK_BYTES).fill(9));
  return { background, state, feed };
}

Deno.test("`BackgroundAudio` stopped while its stream has run dry sends nothing when the stream goes on", async () => {
  const { background, feed } = streamed(20);
  feed(1);
  await settleReads();
  assert.notEqual(background.fill(), undefined, "a chunk of music");
  assert.equal(background.fill(), undefined, "the stream has run dry: nothing sounds");
  background.stop();
  feed(10);
  await settleReads();
  assert.equal(background.fill(), undefined, "stopped: none of the stream's later audio plays");
  // Started again, it fades in from silence (no step), from where it was.
  background.start();
  const first = samplesOf(background.fill()!);
  assert.ok(first[0]! < 0x0909 / 100, `faded in from silence, not a step: ${first[0]}`);
  assert.equal(first.at(-1), 0x0909, "at full level within fadeMs");
  background.detach();
});

Deno.test("`BackgroundAudio` whose stream runs dry during its fade-out sends nothing of it later", async () => {
  // fadeMs of two chunks: the stream runs dry after the first of them.
  const { background, feed } = streamed(40);
  feed(3);
  await settleReads();
  for (let i = 0; i < 2; i++) assert.notEqual(background.fill(), undefined, "faded in");
  background.stop();
  const fading = samplesOf(background.fill()!);
  assert.ok(fading.at(-1)! > 0x0909 / 3, "half way through its fade-out");
  assert.equal(background.fill(), undefined, "the stream has run dry");
  feed(10);
  await settleReads();
  assert.equal(background.fill(), undefined, "the rest of the fade-out is not played later");
  background.detach();
});

Deno.test("`BackgroundAudio` stopped while its stream plays still fades out over fadeMs", async () => {
  const { background, feed } = streamed(20);
  feed(10);
  await settleReads();
  assert.notEqual(background.fill(), undefined);
  background.stop();
  const fading = samplesOf(background.fill()!);
  assert.ok(fading[0]! > 0x0909 * 0.9, `no step down: ${fading[0]}`);
  assert.equal(fading.at(-1), 0, "silent by the end of fadeMs");
  assert.equal(background.fill(), undefined, "and then sends nothing");
  background.detach();
});

Deno.test("`BackgroundAudio` ducked under speech while its stream has run dry comes back ducked", async () => {
  let source!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (source = c) }, {
    highWaterMark: 0,
  });
  const background = new BackgroundAudio(stream, {
    sampleRate: 16000,
    volume: 1,
    fadeMs: 0,
    ducking: { gain: 0.2, attackMs: 50, releaseMs: 400 },
  });
  background.attach(FORMAT, () => {});
  const speech: AudioFrame = {
    type: "audio",
    audio: new Uint8Array(CHUNK_BYTES),
    sampleRate: 16000,
    channels: 1,
  };
  // The bot speaks while the music is still buffering: nothing under the speech.
  for (let i = 0; i < 5; i++) assert.ok(samplesOf(background.mix(speech)).every((s) => s === 0));
  source.enqueue(new Uint8Array(10 * CHUNK_BYTES).fill(9));
  await settleReads();
  const under = samplesOf(background.mix(speech));
  assert.ok(under[0]! <= Math.round(0x0909 * 0.2), `comes back under the speech at ${under[0]}`);
  background.detach();
});

Deno.test("`BackgroundAudio` turned down while its stream has run dry comes back at the lower level", async () => {
  const { background, feed } = streamed(20);
  feed(2);
  await settleReads();
  for (let i = 0; i < 2; i++) assert.notEqual(background.fill(), undefined, "faded in");
  assert.equal(background.fill(), undefined, "the stream has run dry: nothing sounds");
  background.volume = 0.1;
  feed(10);
  await settleReads();
  const back = samplesOf(background.fill()!);
  // 0x0909 × 0.1 = 231: not the old level falling to it over fadeMs from 0x0909.
  assert.ok(back[0]! <= 231, `comes back at the lower level, not falling to it: ${back[0]}`);
  assert.equal(background.volume, 0.1);
  background.detach();
});

Deno.test("`BackgroundAudio` turned up while its stream has run dry fades up over the audio that comes next", async () => {
  const { background, feed } = streamed(20);
  feed(2);
  await settleReads();
  for (let i = 0; i < 2; i++) assert.notEqual(background.fill(), undefined, "faded in");
  assert.equal(background.fill(), undefined, "the stream has run dry");
  background.volume = 2;
  feed(10);
  await settleReads();
  const back = samplesOf(background.fill()!);
  assert.ok(back[0]! < 0x0909 * 1.1, `no step up: ${back[0]}`);
  assert.equal(back.at(-1), 0x0909 * 2, "at the new level within fadeMs");
  background.detach();
});

Deno.test("`BackgroundAudio` whose stream runs dry under unmixed speech is stopped at once", async () => {
  // Speech in another format than the transport's is sent unmixed; the background skips its
  // duration. The stream ran dry in that skip, unmarked: a `stop` then faded out over fadeMs of
  // whatever the stream sent next, however long after.
  const { background, state, feed } = streamed(20);
  feed(1);
  await settleReads();
  assert.notEqual(background.fill(), undefined, "a chunk of music");
  const unmixed: AudioFrame = {
    type: "audio",
    audio: new Uint8Array(320), // 20 ms at 8 kHz: the stream has nothing left to skip
    sampleRate: 8000,
    channels: 1,
  };
  assert.equal(background.mix(unmixed), unmixed, "sent unmixed");
  assert.equal(state.errors.length, 1, "the mismatch is reported");
  background.stop();
  feed(10);
  await settleReads();
  assert.equal(background.fill(), undefined, "stopped: none of the stream's later audio plays");
  background.detach();
});

Deno.test("`BackgroundAudio` whose stream runs dry in a fade-in goes on rising from where it was", async () => {
  // Every change of level is a ramp (README): the fade-in is cut by the gap, not restarted, and
  // not jumped to its end.
  const { background, feed } = streamed(40); // a fade-in of two chunks
  feed(1);
  await settleReads();
  const first = samplesOf(background.fill()!);
  assert.equal(background.fill(), undefined, "the stream has run dry half way up");
  feed(10);
  await settleReads();
  const back = samplesOf(background.fill()!);
  const left = first.at(-1)!;
  assert.ok(left > 0x0909 * 0.4 && left < 0x0909 * 0.6, `half way up: ${left}`);
  // One sample's step of the ramp on: 0x0909 over fadeMs' 640 samples, about 4.
  assert.ok(Math.abs(back[0]! - left) <= 5, `on from ${left}, not a step: ${back[0]}`);
  assert.equal(back.at(-1), 0x0909, "at full level by the end of fadeMs");
  background.detach();
});
