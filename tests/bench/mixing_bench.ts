/**
 * The cost of background audio per session: one minute of a session's outbound audio (1500
 * chunks of 40 ms at 24 kHz mono, the transport's defaults) through `BackgroundAudio.mix` (speech
 * with the background under it) and `fill` (background alone), next to the floor of any mixer —
 * copying each speech chunk into an output buffer. A minute per iteration: the CPU share of one
 * session is the time per iteration / 60 s; 300 sessions cost 300 times that.
 *
 * The track's conversion to the session's format (here 44.1 kHz stereo to 24 kHz mono, 30 s) is
 * paid once per track and format, shared by every session: measured on its own.
 *
 * Run: `npx deno bench --allow-all tests/bench/mixing_bench.ts`
 *
 * @module
 */

import { type AudioFrame, BackgroundAudio } from "@x/ws-transport";

const FORMAT = { sampleRate: 24000, channels: 1, chunkMs: 40 };
const CHUNKS = 1500; // one minute
const SAMPLES = 960; // 40 ms at 24 kHz

const speech: AudioFrame = {
  type: "audio",
  audio: new Uint8Array(
    new Int16Array(SAMPLES).map((_, i) => 6000 * Math.sin((2 * Math.PI * 220 * i) / 24000)).buffer,
  ),
  sampleRate: 24000,
  channels: 1,
};
/** Ten seconds of a 24 kHz tone as the track: no conversion, so the mixing alone is measured. */
const track = new Int16Array(240000).map((_, i) =>
  3000 * Math.sin((2 * Math.PI * 330 * i) / 24000)
);

function attached(ducking: boolean): BackgroundAudio {
  const background = new BackgroundAudio(track, {
    sampleRate: 24000,
    volume: 0.3,
    ducking,
    onError: (error) => {
      throw error;
    },
  });
  background.attach(FORMAT, () => {});
  return background;
}

let sink = 0;

Deno.bench("copy each speech chunk (the floor)", { group: "minute", baseline: true }, () => {
  const out = new Int16Array(SAMPLES);
  const samples = new Int16Array(speech.audio.buffer);
  for (let n = 0; n < CHUNKS; n++) {
    out.set(samples);
    sink += out[n % SAMPLES]!;
  }
});

Deno.bench("mix: speech over the background, level steady", { group: "minute" }, () => {
  const background = attached(false);
  for (let n = 0; n < CHUNKS; n++) sink += background.mix(speech).audio[n % 100]!;
  background.detach();
});

Deno.bench("mix and fill: turns of speech and silence, ducked", { group: "minute" }, () => {
  // 3 s of speech, 3 s of background alone, over and over: the ducking ramps keep moving.
  const background = attached(true);
  for (let n = 0; n < CHUNKS; n++) {
    const frame = n % 150 < 75 ? background.mix(speech) : background.fill()!;
    sink += frame.audio[n % 100]!;
  }
  background.detach();
});

Deno.bench("fill: background alone", { group: "minute" }, () => {
  const background = attached(false);
  for (let n = 0; n < CHUNKS; n++) sink += background.fill()!.audio[n % 100]!;
  background.detach();
});

// A fresh track object each time, so the shared conversion is made again, not found.
const music = new Int16Array(44100 * 2 * 30).map((_, i) => 3000 * Math.sin(i / 40));
Deno.bench("convert a 30 s 44.1 kHz stereo track to 24 kHz mono (once per track)", {
  group: "track",
}, () => {
  const background = new BackgroundAudio(music.slice(), { sampleRate: 44100, channels: 2 });
  background.attach(FORMAT, () => {});
  sink += background.fill()!.audio[0]!;
  background.detach();
});

globalThis.addEventListener("unload", () => {
  if (sink === 0.5) console.log(sink);
});
