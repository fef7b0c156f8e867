// Ducking and the volume follow what is asked while the background is stopped too (README,
// "Background audio": `ducking` lowers it "while the bot speaks"; `background.start()` "fades it in
// again", over `fadeMs`). Stopped and faded out, nothing plays through them, so they move at once: a
// `start` under speech fades in to the ducked level, never above it; one after the bot fell silent
// fades in to the full level over `fadeMs`, not over `releaseMs` from a stale duck; and a volume
// set while stopped is where the fade-in goes, not a ramp of its own run alongside it.
import assert from "node:assert/strict";
import { type AudioFrame, BackgroundAudio, WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

const FORMAT = { sampleRate: 16000, channels: 1, chunkMs: 20 };
const LEVEL = 10_000;
const DUCKED = 0.3;

const peakOf = (frame: AudioFrame) =>
  Math.max(...new Int16Array(frame.audio.buffer, frame.audio.byteOffset, frame.audio.length / 2));

/** 20 ms of silent speech at the transport's format: the background is heard under it alone. */
const speech = (): AudioFrame => ({
  type: "audio",
  audio: new Uint8Array(640),
  sampleRate: 16000,
  channels: 1,
});

/** A looped constant track at full volume, ducked to 0.3 (50 ms attack, 400 ms release). */
function attached(): BackgroundAudio {
  const background = new BackgroundAudio(new Int16Array(1600).fill(LEVEL), {
    sampleRate: 16000,
    volume: 1,
    fadeMs: 20,
    ducking: { gain: DUCKED, attackMs: 50, releaseMs: 400 },
  });
  background.attach(FORMAT, () => {});
  for (let i = 0; i < 5; i++) background.fill(); // faded in: full level
  return background;
}

Deno.test("`BackgroundAudio` started under speech it was stopped through fades in ducked, no swell", () => {
  const background = attached();
  background.stop();
  while (background.fill() !== undefined); // faded out, the bot silent
  for (let i = 0; i < 10; i++) background.mix(speech()); // the bot speaks while it is stopped
  background.start();
  const peaks = Array.from({ length: 5 }, () => peakOf(background.mix(speech())));
  // Before: 0.72, 0.72, 0.44 of the level (a fade-in un-ducked, then the attack pulling it down).
  for (const [i, peak] of peaks.entries()) {
    assert.ok(peak <= Math.round(LEVEL * DUCKED) + 1, `chunk ${i} under speech: ${peak / LEVEL}`);
  }
  assert.equal(peaks.at(-1), LEVEL * DUCKED, "at the ducked level");
  background.detach();
});

Deno.test("`BackgroundAudio` started after the speech it was stopped in fades in to its full level", () => {
  const background = attached();
  for (let i = 0; i < 10; i++) background.mix(speech()); // ducked under the bot's speech
  background.stop();
  for (let i = 0; i < 5; i++) background.mix(speech()); // faded out under it
  assert.equal(background.fill(), undefined, "stopped: the bot is silent, nothing sent");
  background.start();
  const first = background.fill()!;
  const samples = new Int16Array(first.audio.buffer, first.audio.byteOffset, 320);
  // Before: 0.34 at the end of its fade-in, rising over the 400 ms release (0.47 100 ms on).
  assert.equal(samples.at(-1), LEVEL, "full level once its 20 ms fade-in is over");
  assert.equal(peakOf(background.fill()!), LEVEL);
  background.detach();
});

Deno.test("`BackgroundAudio` turned down while stopped fades in to the new volume, never above it", () => {
  const background = new BackgroundAudio(new Int16Array(1600).fill(LEVEL), {
    sampleRate: 16000,
    volume: 1,
    fadeMs: 20,
  });
  background.attach(FORMAT, () => {});
  for (let i = 0; i < 5; i++) background.fill();
  background.stop();
  while (background.fill() !== undefined); // faded out
  background.volume = 0.1;
  assert.equal(background.volume, 0.1);
  background.start();
  // Before: the volume's own 20 ms ramp from 1 ran alongside the fade-in, a swell to 0.28.
  const chunk = background.fill()!;
  assert.equal(peakOf(chunk), LEVEL * 0.1, "the fade-in reaches the new level, no higher");
  assert.equal(peakOf(background.fill()!), LEVEL * 0.1);
  background.detach();
});

Deno.test("a session's `BackgroundAudio` stopped under speech comes back at its full level after it", async () => {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const background = new BackgroundAudio(new Int16Array(1600).fill(LEVEL), {
    sampleRate: 16000,
    volume: 1,
    ducking: true, // 0.3, 50 ms attack, 400 ms release
  });
  const transport = new WebSocketTransport(server, {
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    background,
    clock,
  });
  const peaks: number[] = [];
  client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (typeof data !== "string") peaks.push(Math.max(...new Int16Array(data as ArrayBuffer)));
  });
  await clock.tick(200);
  // 600 ms of (silent) speech; the background is stopped 200 ms in, and fades out under it.
  transport.send({
    type: "audio",
    audio: new Uint8Array(640 * 30),
    sampleRate: 16000,
    channels: 1,
  });
  await clock.tick(200);
  background.stop();
  await clock.tick(2000); // the bot has been silent for seconds
  const before = peaks.length;
  background.start();
  await clock.tick(100);
  const after = peaks.slice(before);
  assert.ok(after.length >= 5, `${after.length} chunks of background`);
  // Before: 0.34 of the level, rising over the 400 ms release (0.47 80 ms on).
  for (const peak of after) assert.equal(peak, LEVEL, "its full level once faded in");
  client.close(1000);
  await transport.closed;
});
