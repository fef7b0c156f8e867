// A background that has played to its end. A track played once (`loop: false`) stayed "playing"
// once its end had played, and `start()` did nothing: it resumed "from where it stopped", the
// end, for ever, and the hold jingle could not be played again. Now the end leaves it not playing
// (`playing` false, as a media element pauses at its end), and `start()` plays the track again from
// its beginning, fading in as at first. A stream, read once, has nothing to play again: it stays
// ended, and says so (`playing` false).
import assert from "node:assert/strict";
import {
  type AudioFrame,
  BackgroundAudio,
  type BackgroundAudioOptions,
  type BackgroundSource,
  RawPcmSerializer,
  WebSocketTransport,
} from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

const FORMAT = { sampleRate: 16000, channels: 1, chunkMs: 20 };
/** 100 ms at 16 kHz, every sample its own (1, 2, …): where it plays from shows in the samples. */
const TRACK = new Int16Array(1600).map((_, i) => i + 1);

const samplesOf = (frame: AudioFrame) => Array.from(new Int16Array(frame.audio.slice().buffer));

/** A background attached as a transport attaches it, counting its ends and wakes. */
function attached(source: BackgroundSource, options: BackgroundAudioOptions = {}) {
  const state = { ended: 0, wakes: 0 };
  const background: BackgroundAudio = new BackgroundAudio(source, {
    sampleRate: 16000,
    volume: 1,
    loop: false,
    onEnded: () => state.ended++,
    ...options,
  });
  background.attach(FORMAT, () => state.wakes++);
  return { background, state };
}

/** Every chunk `fill` gives until it has none (a bound: a track that never ends fails). */
function fillAll(background: BackgroundAudio): number[] {
  const heard: number[] = [];
  for (let i = 0; i < 100; i++) {
    const chunk = background.fill();
    if (chunk === undefined) return heard;
    heard.push(...samplesOf(chunk));
  }
  assert.fail("no end within 100 chunks");
}

Deno.test("`BackgroundAudio` played once and ended is no longer playing, and start() plays it again from its beginning", () => {
  // The default 20 ms fade: the second play fades in from silence as the first did.
  const { background, state } = attached(TRACK);
  const first = fillAll(background);
  assert.equal(first.length, 1600, "the track, once");
  assert.equal(first.at(-1), 1600, "to its last sample");
  assert.equal(state.ended, 1);
  assert.equal(background.playing, false, "ended: not playing");
  assert.equal(background.fill(), undefined, "nothing more to send");

  background.start();
  assert.equal(background.playing, true);
  assert.equal(state.wakes, 1, "the idle transport woken to send it");
  const again = fillAll(background);
  assert.deepEqual(again, first, "from its beginning, faded in as at first");
  assert.equal(state.ended, 2, "its second end told too");
  assert.equal(background.playing, false);
});

Deno.test("`BackgroundAudio` played once and stopped, then ended, plays again from its beginning on start()", () => {
  // stop() just before the end: the fade-out plays into the end, which ends it all the same.
  const { background, state } = attached(TRACK, { fadeMs: 10 });
  for (let i = 0; i < 4; i++) background.fill();
  background.stop();
  const tail = samplesOf(background.fill()!);
  assert.equal(tail[0], Math.round(1281 * (159 / 160)), "fading out over the last chunk");
  assert.equal(state.ended, 1, "its end played");
  background.start();
  const again = fillAll(background);
  assert.equal(again.length, 1600);
  assert.equal(again[0], 0, "fading in from silence");
  assert.equal(again[200], 201, "the track's own samples once faded in: from its beginning");
  assert.equal(state.ended, 2);
});

Deno.test("`BackgroundAudio` played once whose onEnded calls start() plays on from its beginning", () => {
  let ends = 0;
  const background: BackgroundAudio = new BackgroundAudio(TRACK, {
    sampleRate: 16000,
    volume: 1,
    fadeMs: 0,
    loop: false,
    onEnded: () => {
      if (++ends < 3) background.start(); // three times in all, back to back
    },
  });
  background.attach(FORMAT, () => {});
  const heard = fillAll(background);
  assert.equal(ends, 3);
  assert.deepEqual(heard, [...TRACK, ...TRACK, ...TRACK]);
});

Deno.test("`BackgroundAudio` streamed, once ended, stays ended: start() does nothing and says so", async () => {
  const stream = ReadableStream.from([new Uint8Array(1280).fill(7)]); // 40 ms, then its end
  const { background, state } = attached(stream);
  await new Promise((resolve) => setTimeout(resolve, 0)); // read to the stream's end
  assert.equal(fillAll(background).length, 640);
  assert.equal(state.ended, 1);
  assert.equal(background.playing, false, "ended: not playing");
  const wakes = state.wakes;
  background.start();
  assert.equal(background.playing, false, "still ended: nothing to play again");
  assert.equal(state.wakes, wakes, "the transport not woken for nothing");
  assert.equal(background.fill(), undefined);
  assert.equal(state.ended, 1, "ended once");
  background.detach();
});

Deno.test("`BackgroundAudio` played once over a transport: the far end hears it again after start()", async () => {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  let ended = 0;
  const background = new BackgroundAudio(new Int16Array(1600).fill(0x0909), {
    sampleRate: 16000,
    volume: 1,
    fadeMs: 0,
    loop: false,
    onEnded: () => ended++,
  });
  const transport = new WebSocketTransport(server, {
    serializer: new RawPcmSerializer(),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    background,
    clock,
  });
  /** Bytes of audio sent to the far end so far. */
  const sentBytes = () =>
    server.sent.reduce((sum, message) => sum + (message as Uint8Array).byteLength, 0);
  await clock.tick(500);
  assert.equal(sentBytes(), 3200, "the 100 ms track, once");
  assert.equal(ended, 1);
  assert.equal(clock.pendingTimers, 0, "the sender idle after its end");
  background.start();
  await clock.tick(500);
  assert.equal(sentBytes(), 6400, "the track again, whole");
  assert.equal(ended, 2);
  client.close(1000);
  await transport.closed;
});
