// Background audio: under the speech, through silences and interruptions, at a level that only
// ever moves in ramps, and gone without a trace when the session ends.
import assert from "node:assert/strict";
import {
  type AudioFrame,
  BackgroundAudio,
  type BackgroundAudioOptions,
  type BackgroundSource,
  type MixerFormat,
  type OutboundMixer,
  type TransportError,
  WebSocketTransport,
} from "../../mod.ts";
import { within } from "../_ws_client.ts";
import { Resampler, wrapWav } from "../../src/audio/mod.ts";
import type { TransportOptions } from "../../src/transport_options.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";
import { escaping } from "../_escaping.ts";

const FORMAT = { sampleRate: 16000, channels: 1, chunkMs: 20 };
const CHUNK = 320; // samples in 20 ms at 16 kHz

/** `frames` mono samples all equal to `value`. */
const constant = (frames: number, value: number) => new Int16Array(frames).fill(value);
/** The samples of a frame's audio. */
const samplesOf = (frame: AudioFrame) =>
  new Int16Array(frame.audio.buffer, frame.audio.byteOffset, frame.audio.length / 2);
/** A 20 ms speech chunk at 16 kHz, every sample `value`. */
const speechChunk = (value: number): AudioFrame => ({
  type: "audio",
  audio: new Uint8Array(constant(CHUNK, value).buffer),
  sampleRate: 16000,
  channels: 1,
});

/** A background attached as a transport would attach it; `wakes` counts its wake calls. */
function attached(source: BackgroundSource, options: BackgroundAudioOptions = {}) {
  const errors: Error[] = [];
  const background = new BackgroundAudio(source, {
    sampleRate: 16000,
    fadeMs: 0,
    onError: (error) => errors.push(error),
    ...options,
  });
  const state = { wakes: 0 };
  background.attach(FORMAT, () => state.wakes++);
  return { background, errors, state };
}

/** A call whose transport sends `background`, heard by a far end 20 ms behind. */
function call(background: BackgroundAudio, options: TransportOptions = {}) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
    background,
    clock,
    ...options,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 20, bytesPerMs: 32 });
  return { clock, pair, transport, farEnd };
}

/** The longest silence between the far end's played spans, in ms. */
function longestGap(farEnd: FakeFarEnd): number {
  const spans = farEnd.played.filter((s) => s.ms > 0);
  let longest = 0;
  for (let i = 1; i < spans.length; i++) {
    longest = Math.max(longest, spans[i]!.at - (spans[i - 1]!.at + spans[i - 1]!.ms));
  }
  return longest;
}

Deno.test("`BackgroundAudio` plays under the speech and on through an interruption, no gap over a chunk", async () => {
  // Bytes 0x09 (sample 2313) as the track at full volume; speech of bytes 0x01 (257) over it
  // sums to 2570, bytes 0x0A: the far end's spans tell background and mixed speech apart.
  const background = new BackgroundAudio(constant(1600, 0x0909), {
    sampleRate: 16000,
    volume: 1,
    fadeMs: 0,
  });
  const c = call(background);
  await c.clock.tick(500);
  c.transport.send({ ...speechChunk(0x0101), audio: new Uint8Array(32 * 2000).fill(1) });
  await c.clock.tick(700);
  const result = await c.transport.interrupt();
  await c.clock.tick(1000);
  assert.ok(result.heardMs > 600, `heard ${result.heardMs} ms of speech`);
  assert.ok(Math.abs(c.farEnd.playedMs(0x0a) - result.heardMs) <= 20, "speech, mixed");
  assert.ok(c.farEnd.playedMs(0x09) >= 500 + 900, "background before and after");
  assert.ok(longestGap(c.farEnd) <= 20, `longest gap ${longestGap(c.farEnd)} ms`);
  c.pair.client.close(1000);
  await c.transport.closed;
  assert.equal(c.clock.pendingTimers, 0);
});

Deno.test("`BackgroundAudio` mixes with saturation: loud speech over loud music clips, never wraps", () => {
  const { background } = attached(constant(CHUNK, 30000), { volume: 1 });
  const up = samplesOf(background.mix(speechChunk(30000)));
  assert.ok(up.every((s) => s === 32767), `got ${up[0]}`);
  const { background: low } = attached(constant(CHUNK, -30000), { volume: 1 });
  const down = samplesOf(low.mix(speechChunk(-30000)));
  assert.ok(down.every((s) => s === -32768), `got ${down[0]}`);
  const { background: fair } = attached(constant(CHUNK, 1000), { volume: 0.5 });
  assert.ok(samplesOf(fair.mix(speechChunk(-200))).every((s) => s === 300), "speech + 0.5 × 1000");
});

Deno.test("`BackgroundAudio` at a volume past 65,536 clips, never wraps: set at once or in a ramp", () => {
  // 30000 × 100,000 is past 2^31: taken to 32 bits, it would wrap to -1,294,967,296 (-32768).
  const { background } = attached(constant(CHUNK * 2, 30000), { volume: 100_000 });
  const loud = samplesOf(background.fill()!);
  assert.ok(loud.every((s) => s === 32767), `got ${loud[0]}`);
  const { background: low } = attached(constant(CHUNK * 2, -30000), { volume: 100_000 });
  const quiet = samplesOf(low.mix(speechChunk(30000)));
  assert.ok(quiet.every((s) => s === -32768), `got ${quiet[0]}`);
  // Setting it ramps (fadeMs 20: one chunk), through every level up to it.
  const { background: rising } = attached(constant(CHUNK * 2, 30000), { fadeMs: 20 });
  rising.volume = 1e9;
  const ramp = samplesOf(rising.fill()!);
  assert.ok(ramp.every((s, i) => s >= 0 && s >= (ramp[i - 1] ?? 0)), "rising, never wrapping");
  assert.equal(ramp.at(-1), 32767);
});

Deno.test("`BackgroundAudio` ducks under speech and comes back in ramps, with no step", () => {
  const { background } = attached(constant(1600, 10000), {
    volume: 1,
    ducking: { gain: 0.2, attackMs: 50, releaseMs: 100 },
  });
  const heard: number[] = [];
  for (let i = 0; i < 5; i++) heard.push(...samplesOf(background.fill()!));
  for (let i = 0; i < 5; i++) heard.push(...samplesOf(background.mix(speechChunk(0))));
  for (let i = 0; i < 10; i++) heard.push(...samplesOf(background.fill()!));
  const at = (ms: number) => heard[ms * 16]!;
  assert.equal(at(99), 10000, "full level before the speech");
  assert.ok(Math.abs(at(125) - 6000) <= 10, `half way down after 25 ms: ${at(125)}`);
  assert.equal(at(160), 2000, "ducked to 0.2 within the 50 ms attack");
  assert.ok(Math.abs(at(250) - 6000) <= 10, `half way up after 50 ms: ${at(250)}`);
  assert.equal(at(310), 10000, "back within the 100 ms release");
  let step = 0;
  for (let i = 1; i < heard.length; i++) step = Math.max(step, Math.abs(heard[i]! - heard[i - 1]!));
  assert.ok(step <= 11, `largest step between samples: ${step}`); // 8000 over 800 samples
});

Deno.test("`BackgroundAudio` stops and starts at run time: fades, idles the sender, wakes it", async () => {
  const background = new BackgroundAudio(constant(1600, 0x0909), {
    sampleRate: 16000,
    volume: 1,
    fadeMs: 10,
  });
  const c = call(background);
  await c.clock.tick(300);
  background.stop();
  assert.equal(background.playing, false);
  await c.clock.tick(200);
  const sent = c.farEnd.arrivals.length;
  await c.clock.tick(500);
  assert.equal(c.farEnd.arrivals.length, sent, "nothing sent while stopped");
  assert.equal(c.clock.pendingTimers, 0, "no timer while stopped");
  // The fade out: the last chunk falls from full level to silence in 10 ms (160 samples).
  const last = new Int16Array((c.pair.server.sent.at(-1) as Uint8Array).slice().buffer);
  assert.equal(last[0], Math.round(0x0909 * (159 / 160)));
  for (let i = 1; i < 160; i++) assert.ok(last[i]! < last[i - 1]!, "falling");
  assert.ok(last.subarray(160).every((s) => s === 0), "then silent");
  background.start();
  await c.clock.tick(500);
  assert.ok(c.farEnd.arrivals.length >= sent + 24, "playing again");
  c.pair.client.close(1000);
  await c.transport.closed;
});

Deno.test("`BackgroundAudio` stops cleanly when the session ends: the stream's read cancelled, the file closed", async () => {
  const path = await Deno.makeTempFile({ suffix: ".wav" });
  try {
    // Ten seconds of a WAV file, streamed as read from disk (its header says the format: the
    // transport's own, so every byte reaches the far end as written).
    const pcm = new Uint8Array(new Int16Array(160000).fill(0x0909).buffer);
    await Deno.writeFile(path, wrapWav(pcm, { sampleRate: 16000, channels: 1 }));
    const file = await Deno.open(path);
    const background = new BackgroundAudio(file.readable, { volume: 1, fadeMs: 0 });
    const c = call(background);
    // Reading a file takes real time: the first chunk leaves as soon as the first read is in.
    await c.clock.tick(0); // the session starts: the background is attached and reads
    await c.pair.client.waitFor(() => c.farEnd.arrivals.length > 0);
    await c.clock.tick(1000);
    assert.ok(c.farEnd.playedMs(0x09) >= 950, `played ${c.farEnd.playedMs(0x09)} ms`);
    c.pair.client.close(1000);
    await c.transport.closed;
    await c.clock.tick(100);
    assert.equal(c.clock.pendingTimers, 0, "no timer left");
    // The sanitizers fail this test if the file is still open or a read is still pending.
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("a mixer of the application's whose detach throws (it expected attach first) is reported, and the session still ends", async () => {
  class Ticker implements OutboundMixer {
    #source: { close(): void } | undefined;
    attach(_format: MixerFormat, _wake: () => void): void {
      this.#source = { close: () => {} };
    }
    mix(chunk: AudioFrame): AudioFrame {
      return chunk;
    }
    fill(): AudioFrame | undefined {
      return undefined;
    }
    detach(): void {
      this.#source!.close();
    }
  }
  for (const end of ["close()", "the peer goes"] as const) {
    const clock = new FakeClock();
    const pair = new MemorySocketPair({ connecting: true });
    const transport = new WebSocketTransport(pair.server, { background: new Ticker(), clock });
    const errors: TransportError[] = [];
    transport.addEventListener("error", (e) => errors.push(e.error));
    await clock.tick(10);
    if (end === "close()") void transport.close(1000);
    else pair.server.terminate();
    await clock.tick(6000);
    const closed = await within(transport.closed, 1000, `the end of the session (${end})`);
    assert.ok(closed.code > 0);
    assert.ok(errors.some((e) => e.code === "application" && /detach threw/.test(e.message)));
    assert.equal(clock.pendingTimers, 0);
  }
});

Deno.test("`BackgroundAudio` releases a streamed source when the session ends before its socket opens", async () => {
  // The transport detached the background only once sending had begun, and a stream never read
  // was never cancelled: the caller hung up while the socket connected, and the file stayed open.
  for (const end of ["the peer goes", "close()"] as const) {
    const clock = new FakeClock();
    const pair = new MemorySocketPair({ connecting: true });
    let cancelled = false;
    const source = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(new Uint8Array(640)),
      cancel: () => void (cancelled = true),
    }, { highWaterMark: 0 });
    const errors: Error[] = [];
    const background = new BackgroundAudio(source, {
      sampleRate: 16000,
      onError: (error) => errors.push(error),
    });
    const transport = new WebSocketTransport(pair.server, { background, clock });
    let closed: { code: number } | undefined;
    transport.closed.then((c) => (closed = c));
    await clock.tick(10);
    if (end === "the peer goes") pair.server.terminate();
    else void transport.close(1000);
    await clock.tick(6000);
    assert.ok(closed !== undefined, `${end}: the session ended`);
    assert.equal(cancelled, true, `${end}: the source is told to stop`);
    assert.equal(clock.pendingTimers, 0, `${end}: no timer left`);
    assert.deepEqual(errors, []);
    // It is spent: it declines a second session, as one sharing it would be declined.
    const second = background.attach({ sampleRate: 16000, channels: 1, chunkMs: 20 }, () => {});
    assert.equal(second, false);
    assert.deepEqual(errors, [], "the transport that is declined reports it, not onError");
  }
});

Deno.test("`BackgroundAudio` reads a stream only as fast as it plays", async () => {
  let pulled = 0;
  let cancelled = false;
  const endless = new ReadableStream<AudioFrame>({
    pull(controller) {
      pulled++;
      controller.enqueue({ ...speechChunk(0x0909) });
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
  const background = new BackgroundAudio(endless, { volume: 1, readAheadMs: 100 });
  const c = call(background);
  await c.clock.tick(2000);
  // 2 s played is 100 chunks; 100 ms read ahead is 5 more.
  assert.ok(pulled >= 100 && pulled <= 107, `pulled ${pulled} chunks`);
  c.pair.client.close(1000);
  await c.transport.closed;
  assert.equal(cancelled, true, "the source is told to stop");
});

Deno.test("`BackgroundAudio` waits for a slow stream and is woken by it", async () => {
  let push!: (frame: AudioFrame) => void;
  let ended = false;
  const slow = new ReadableStream<AudioFrame>({
    start(controller) {
      push = (frame) => controller.enqueue(frame);
    },
  });
  const background = new BackgroundAudio(slow, {
    volume: 1,
    fadeMs: 0,
    onEnded: () => (ended = true),
  });
  const c = call(background);
  await c.clock.tick(200);
  assert.equal(c.farEnd.arrivals.length, 0, "nothing to send yet");
  assert.equal(c.clock.pendingTimers, 0, "and no timer waiting for it");
  for (let i = 0; i < 10; i++) push(speechChunk(0x0909));
  await c.clock.tick(400);
  assert.equal(c.farEnd.playedMs(0x09), 200, "all it was given, once");
  assert.equal(ended, false);
  c.pair.client.close(1000);
  await c.transport.closed;
});

Deno.test("`BackgroundAudio` converts the track to the transport's format, looping without a seam", () => {
  // 100 ms of an 8 kHz stereo sine, 400 Hz (a whole number of periods): the loop is seamless.
  const frames = 800;
  const stereo = new Int16Array(frames * 2);
  for (let i = 0; i < frames; i++) {
    stereo[2 * i] = stereo[2 * i + 1] = Math.round(8000 * Math.sin((2 * Math.PI * 400 * i) / 8000));
  }
  const { background, errors } = attached(
    { type: "audio", audio: new Uint8Array(stereo.buffer), sampleRate: 8000, channels: 2 },
    { volume: 1 },
  );
  const out: number[] = [];
  for (let i = 0; i < 20; i++) out.push(...samplesOf(background.fill()!)); // 400 ms: 4 loops
  assert.deepEqual(errors, []);
  // At 16 kHz mono: the same sine, 40 samples a period, no jump where the loop wraps (at 1600).
  let jump = 0;
  for (let i = 1; i < out.length; i++) jump = Math.max(jump, Math.abs(out[i]! - out[i - 1]!));
  const peakStep = 8000 * 2 * Math.PI * 400 / 16000; // the sine's own steepest step
  assert.ok(jump <= peakStep * 1.05, `largest step ${jump}, the sine's own ${peakStep.toFixed(0)}`);
  // In phase and at level where the loop wraps: the resampler's elliptic filter is aligned at low
  // frequencies and within a few degrees at 400 Hz.
  for (let i = 0; i < 40; i++) {
    const expected = 8000 * Math.sin((2 * Math.PI * 400 * (1600 + i)) / 16000);
    assert.ok(Math.abs(out[1600 + i]! - expected) < 250, `sample ${1600 + i}: ${out[1600 + i]}`);
  }
});

Deno.test("`BackgroundAudio` plays a loop as the loop resampled as a stream, seam included, from every rate to every other", () => {
  // One second of noise and a 250 Hz tone, whose own end runs into its start as a loop would. The
  // truth is the loop resampled as a stream, three times over: its middle pass, where the filter
  // has long settled. Each pass played must be that to the sample, around the seam too. (A 48 kHz
  // loop at 8 kHz began each pass with a 20 ms transient, a click: 4,414 off at a 10,000
  // amplitude. And where the filter's lead-in was not a whole number of output samples, 24 → 8 kHz
  // say, the whole loop came a fraction of a sample late.)
  const rates = [8000, 16000, 22050, 24000, 44100, 48000];
  const wrong: string[] = [];
  let seed = 3;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (const from of rates) {
    const loop = new Int16Array(from).map((_, i) =>
      Math.round(6000 * Math.sin((2 * Math.PI * 250 * i) / from) + 4000 * (random() - 0.5))
    );
    for (const to of rates) {
      if (to === from) continue;
      const resampler = new Resampler({ inputRate: from, outputRate: to });
      const thrice = new Int16Array(3 * from);
      for (let k = 0; k < 3; k++) thrice.set(loop, k * from);
      const stream = [...resampler.process(thrice), ...resampler.flush()];
      const truth = stream.slice(to, 2 * to); // the middle pass, `to` samples
      const background = new BackgroundAudio(loop, { sampleRate: from, volume: 1, fadeMs: 0 });
      background.attach({ sampleRate: to, channels: 1, chunkMs: 20 }, () => {});
      const played: number[] = [];
      while (played.length < 2 * to) played.push(...samplesOf(background.fill()!));
      let worst = 0, at = 0;
      for (let i = 0; i < 2 * to; i++) {
        const error = Math.abs(played[i]! - truth[i % to]!);
        if (error > worst) [worst, at] = [error, i];
      }
      if (worst > 1) wrong.push(`${from} → ${to} Hz: ${worst} off at ${at} (seam at ${to})`);
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("`BackgroundAudio` refuses what cannot be played, naming the mismatch", async () => {
  assert.throws(() => new BackgroundAudio(new Int16Array(10)), /needs `sampleRate`/);
  assert.throws(
    () => new BackgroundAudio(new Int16Array(10), { sampleRate: 16000, volume: -1 }),
    RangeError,
  );
  const float = wrapWav(new Uint8Array(64), { sampleRate: 8000, channels: 1 });
  new DataView(float.buffer).setUint16(20, 3, true); // IEEE float
  assert.throws(() => new BackgroundAudio(float), /not 16-bit PCM \(format 3/);
  // Only the session tells the output format: the mismatch goes to onError, the call goes on.
  const { background, errors } = attached(new Int16Array(100), { sampleRate: 11025 });
  assert.match(
    errors[0]?.message ?? "",
    /11025 Hz cannot be resampled to the transport's 16000 Hz/,
  );
  assert.ok(errors[0] instanceof RangeError);
  assert.equal(background.fill(), undefined, "silent");
  const chunk = speechChunk(5);
  assert.equal(background.mix(chunk), chunk, "speech goes through as it is");
  const threeChannels = new ReadableStream<AudioFrame>({
    start(controller) {
      controller.enqueue({
        type: "audio",
        audio: new Uint8Array(60),
        sampleRate: 16000,
        channels: 3,
      });
    },
  });
  const stereo = new BackgroundAudio(threeChannels, { onError: (error) => errors.push(error) });
  stereo.attach({ sampleRate: 16000, channels: 2, chunkMs: 20 }, () => {});
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.ok(errors[1] instanceof TypeError);
  assert.match(errors[1].message, /3 channels cannot be mapped to the transport's 2/);
  stereo.detach();
  // Speech in another format than the transport's is sent unmixed, and said once.
  const { background: music, errors: said } = attached(constant(1600, 100));
  const odd = { ...speechChunk(5), sampleRate: 24000 };
  assert.equal(music.mix(odd), odd);
  music.mix(odd);
  assert.equal(said.length, 1);
  assert.match(said[0]!.message, /speech at 24000 Hz, 1 ch is sent unmixed/);
});

Deno.test("`BackgroundAudio` whose onError or onEnded throws ends its session with 1011 and an error event, as a throwing observer does", async () => {
  const broken = new Error("callback broke");
  const throws = () => {
    throw broken;
  };
  const sources: [string, () => BackgroundAudio, (transport: WebSocketTransport) => void][] = [
    [
      "onEnded, a track played once (in a fill)",
      () =>
        new BackgroundAudio(constant(CHUNK, 100), {
          sampleRate: 16000,
          loop: false,
          onEnded: throws,
        }),
      () => {},
    ],
    [
      "onEnded, a stream that ended (from its read)",
      () =>
        new BackgroundAudio(ReadableStream.from<Uint8Array>([]), {
          sampleRate: 16000,
          onEnded: throws,
        }),
      () => {},
    ],
    [
      "onError, speech in another format (in a mix)",
      () => new BackgroundAudio(constant(1600, 100), { sampleRate: 16000, onError: throws }),
      (transport) => transport.send({ ...speechChunk(5), sampleRate: 24000 }),
    ],
    [
      "onError, a stream that failed (from its read)",
      () =>
        new BackgroundAudio(
          new ReadableStream<Uint8Array>({ pull: (c) => c.error(new Error("source failed")) }),
          { sampleRate: 16000, onError: throws },
        ),
      () => {},
    ],
  ];
  for (const [what, make, act] of sources) {
    const escaped = await escaping(async () => {
      const c = call(make());
      const errors: TransportError[] = [];
      c.transport.addEventListener("error", (e) => errors.push(e.error));
      await c.clock.tick(100);
      act(c.transport);
      await c.clock.tick(200);
      const closed = await within(c.transport.closed, 1000, `the end of the session (${what})`);
      assert.equal(closed.code, 1011, what);
      const fatal = errors.find((e) => e.fatal && e.cause === broken);
      assert.ok(fatal, what);
      // The application's code failed, not the transport's path.
      assert.equal(fatal.code, "application", what);
      assert.match(
        fatal.message,
        /^the background mixer's (fill|mix) threw: Error: callback broke$/,
      );
      assert.equal(c.clock.pendingTimers, 0, what);
    });
    assert.deepEqual(escaped, [], what);
  }
  // A session that ends before the transport's next call still hears of it, from `detach`.
  const ended = Promise.withResolvers<void>();
  const { background } = attached(ReadableStream.from<Uint8Array>([]), {
    onEnded: () => {
      ended.resolve();
      throws();
    },
  });
  await ended.promise; // told from the stream's read, which took what it threw
  assert.throws(() => background.detach(), (error) => error === broken);
});

Deno.test("`BackgroundAudio` refuses a track shorter than a sample at the transport's rate through onError, never looping it forever", () => {
  // One 48 kHz frame is a third of a sample at 16 kHz: converted, nothing is left. Looped, that
  // never moved the play position on, and the first chunk spun the event loop forever.
  const { background, errors } = attached(new Int16Array([1000]), { sampleRate: 48000 });
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof RangeError);
  assert.match(
    errors[0].message,
    /1 frames at 48000 Hz\) is shorter than a sample at the transport's 16000 Hz/,
  );
  assert.equal(background.fill(), undefined, "silent");
  const chunk = speechChunk(5);
  assert.equal(background.mix(chunk), chunk, "speech goes through as it is");
});

Deno.test("`BackgroundAudio` plays a streamed WAV whose header comes in pieces, however a fetch cuts it, and only its audio", async () => {
  // 16 kHz mono, every sample 0x0909, behind a LIST chunk before `data` (as many files have), and
  // a metadata chunk after it (as editors append). The data chunk's size bounds the audio ("cksize:
  // Size, in bytes, of the data member of the chunk", MMCKINFO,
  // https://learn.microsoft.com/en-us/windows/win32/api/mmiscapi/ns-mmiscapi-mmckinfo): what
  // follows was played as PCM, a burst of noise at full scale where the hold music ends.
  const pcm = new Uint8Array(new Int16Array(3200).fill(0x0909).buffer); // 200 ms
  const plain = wrapWav(pcm, { sampleRate: 16000, channels: 1 });
  const list = new Uint8Array(8 + 34);
  list.set([0x4c, 0x49, 0x53, 0x54]); // "LIST", 34 bytes of body
  new DataView(list.buffer).setUint32(4, 34, true);
  const trailer = new Uint8Array(8 + 200).fill(0x7f);
  trailer.set([0x5f, 0x50, 0x4d, 0x58]); // "_PMX" (XMP metadata), 200 bytes of body
  new DataView(trailer.buffer).setUint32(4, 200, true);
  const wav = new Uint8Array(plain.length + list.length + trailer.length);
  wav.set(plain.subarray(0, 36)); // RIFF header and fmt chunk
  wav.set(list, 36);
  wav.set(plain.subarray(36), 36 + list.length); // data chunk
  wav.set(trailer, plain.length + list.length);
  new DataView(wav.buffer).setUint32(4, wav.length - 8, true);
  // The same as WAVE_FORMAT_EXTENSIBLE (a 40-byte fmt body whose subformat GUID begins with the
  // format code, 1: KSDATAFORMAT_SUBTYPE_PCM, as many encoders write it), whose header cut between
  // 16 and 26 bytes into the fmt body was refused as "not 16-bit PCM" rather than waited for.
  const fmt = new Uint8Array(8 + 40);
  const fmtView = new DataView(fmt.buffer);
  fmt.set([0x66, 0x6d, 0x74, 0x20]); // "fmt "
  fmtView.setUint32(4, 40, true);
  fmtView.setUint16(8, 0xfffe, true);
  fmt.set(wav.subarray(22, 36), 10); // channels, rate, byte rate, block align, bits
  fmtView.setUint16(24, 22, true); // cbSize
  fmtView.setUint16(26, 16, true); // valid bits
  fmtView.setUint32(28, 4, true); // channel mask: front centre
  fmt.set([1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71], 32);
  const extensible = new Uint8Array(wav.length + 24);
  extensible.set(wav.subarray(0, 12));
  extensible.set(fmt, 12);
  extensible.set(wav.subarray(36), 60);
  new DataView(extensible.buffer).setUint32(4, extensible.length - 8, true);
  for (
    const [file, pieceBytes] of [3, 7, 12, 30, 43, 80].flatMap((n) =>
      [[wav, n], [extensible, n]] as const
    )
  ) {
    // The header (and a little audio) in pieces of `pieceBytes`, the rest at once.
    const pieces: Uint8Array[] = [];
    for (let at = 0; at < 120; at += pieceBytes) {
      pieces.push(file.slice(at, Math.min(at + pieceBytes, 120)));
    }
    pieces.push(file.slice(120));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = pieces.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const errors: Error[] = [];
    const background = new BackgroundAudio(stream, {
      volume: 1,
      fadeMs: 0,
      onError: (e) => errors.push(e),
    });
    const c = call(background);
    await c.clock.tick(400);
    const what = `${file === wav ? "PCM" : "extensible"} in pieces of ${pieceBytes} bytes`;
    assert.deepEqual(errors, [], what);
    assert.equal(
      c.farEnd.playedMs(0x09),
      200,
      `${what}: ${c.farEnd.playedMs(0x09)} ms played`,
    );
    const others = c.farEnd.played.filter((span) => span.value !== 0x09);
    assert.deepEqual(others, [], `${what}: nothing but the audio`);
    c.pair.client.close(1000);
    await c.transport.closed;
  }
});

Deno.test("`BackgroundAudio` says so when a stream ends inside its WAV header", async () => {
  const header = wrapWav(new Uint8Array(0), { sampleRate: 16000, channels: 1 }).subarray(0, 30);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(header.slice());
      controller.close();
    },
  });
  const errors: Error[] = [];
  const c = call(new BackgroundAudio(stream, { onError: (e) => errors.push(e) }));
  await c.clock.tick(100);
  assert.match(String(errors[0]), /the stream ended inside its WAV header/);
  c.pair.client.close(1000);
  await c.transport.closed;
});

Deno.test("`BackgroundAudio` refuses a streamed WAV of 0 channels through onError, as a whole one", async () => {
  // A WAV file's fmt chunk gives the number of channels ("Monaural data uses one channel and stereo
  // data uses two channels", WaveFormat.Channels, https://learn.microsoft.com/en-us/previous-versions/ms809291(v=msdn.10)):
  // 0 is no audio. Streamed to a mono transport, it played nothing and ended, with no error.
  const wav = wrapWav(new Uint8Array(6400).fill(9), { sampleRate: 16000, channels: 1 });
  new DataView(wav.buffer).setUint16(22, 0, true); // NumChannels
  assert.throws(() => new BackgroundAudio(wav), RangeError);
  let ended = false;
  const { background, errors } = attached(ReadableStream.from([wav]), {
    onEnded: () => (ended = true),
  });
  await new Promise((resolve) => setTimeout(resolve, 0)); // the stream's reads settle
  assert.equal(errors.length, 1, `${errors}`);
  assert.ok(errors[0] instanceof RangeError);
  assert.match(errors[0].message, /the WAV file has 0 channels/);
  assert.equal(ended, false);
  assert.equal(background.fill(), undefined, "silent");
  background.detach();
});

Deno.test("`BackgroundAudio` refuses a stream chunk that is `undefined` through onError and cancels the source, not taking it for the end", async () => {
  // Only `done` ends a read: a chunk is `{ value: theChunk, done: false }`, the close alone
  // `{ value: undefined, done: true }` (ReadableStreamDefaultReader.read(), MDN,
  // https://developer.mozilla.org/en-US/docs/Web/API/ReadableStreamDefaultReader/read), so
  // `enqueue(undefined)` is a chunk. Taken for the end, it was told as `onEnded`, no error, and the
  // source was never cancelled: a file stayed open after the session.
  let cancelled = false;
  let pulls = 0;
  const source = new ReadableStream<AudioFrame>({
    pull(controller) {
      controller.enqueue(pulls++ === 1 ? undefined as unknown as AudioFrame : speechChunk(0x0909));
    },
    cancel: () => void (cancelled = true),
  }, { highWaterMark: 0 });
  let ended = false;
  const { background, errors } = attached(source, { onEnded: () => (ended = true) });
  await new Promise((resolve) => setTimeout(resolve, 0)); // the stream's reads settle
  assert.equal(errors.length, 1, `${errors}`);
  assert.ok(errors[0] instanceof TypeError);
  assert.match(errors[0].message, /must yield audio frames or bytes/);
  assert.equal(ended, false);
  assert.equal(cancelled, true, "the source is told to stop");
  assert.equal(background.fill(), undefined, "silent");
  background.detach();
});

Deno.test("`BackgroundAudio` refuses a streamed frame holding half a sample frame through onError, never swapping channels", async () => {
  // Every frame is left +1000, right -1000, and begins on a left sample. A frame is a whole with
  // its own format (unlike a byte chunk, which a fetch cuts anywhere): one that is not whole sample
  // frames is refused, as `send` refuses it. Neither played as it is nor carried into the next
  // frame: either would play the rest with left and right swapped.
  const frame = (samples: number): AudioFrame => ({
    type: "audio",
    sampleRate: 16000,
    channels: 2,
    audio: new Uint8Array(
      new Int16Array(samples).map((_, i) => (i % 2 === 0 ? 1000 : -1000)).buffer,
    ),
  });
  for (const sizes of [[641, 640, 640], [640, 641, 640]]) {
    const errors: Error[] = [];
    const background = new BackgroundAudio(ReadableStream.from(sizes.map(frame)), {
      volume: 1,
      fadeMs: 0,
      onError: (error) => errors.push(error),
    });
    background.attach({ sampleRate: 16000, channels: 2, chunkMs: 20 }, () => {});
    await new Promise((resolve) => setTimeout(resolve, 0)); // the stream's reads settle
    for (
      let chunk = background.fill(), n = 0;
      chunk !== undefined;
      chunk = background.fill(), n++
    ) {
      const s = samplesOf(chunk);
      for (let i = 0; i < s.length; i += 2) {
        assert.ok(
          s[i]! > 0 && s[i + 1]! < 0,
          `${sizes}: chunk ${n}: left ${s[i]}, right ${s[i + 1]}`,
        );
      }
    }
    assert.equal(errors.length, 1, `${sizes}: ${errors}`);
    assert.ok(errors[0] instanceof TypeError);
    assert.match(
      errors[0].message,
      /audio frame of 1282 bytes is not whole 2-channel PCM16 sample/,
    );
    // As for any source that fails: the background falls silent, the session goes on.
    assert.equal(background.fill(), undefined);
    background.detach();
  }
});

Deno.test("`BackgroundAudio` whose stream fails in the turn it is detached tells no error after the detach", async () => {
  // The read's rejection is already on its way (a microtask) when the session ends: the source
  // was released with it, and nobody is left to be told, nor a call of the transport's to throw
  // an onError's exception from.
  let source!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (source = c) });
  const { background, errors } = attached(stream);
  await Promise.resolve(); // the first read is pending
  source.error(new Error("source failed"));
  background.detach();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(errors, []);
  assert.doesNotThrow(() => background.detach());
});
