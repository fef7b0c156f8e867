// A caller audio stream that stops producing, or never settles its cancel, must not hold a call:
// maxDurationMs, the abort signal, the bot hanging up and the caller hanging up each end it, and
// the report says the stream stalled. Meanwhile the caller keeps sending silence on schedule, as
// a phone does when its caller says nothing.
import assert from "node:assert/strict";
import {
  type CallReport,
  simulateCall,
  type SimulateCallOptions,
} from "../../src/simulator/mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

/** The raw far end's frame at its default 16 kHz. */
const FRAME_MS = 20;
const FRAME_SAMPLES = 320;

/** Whether `call` has settled, and its report once it has. */
function track(call: Promise<CallReport>) {
  const state = { done: false, report: undefined as CallReport | undefined };
  call.then((report) => {
    state.done = true;
    state.report = report;
  }, () => (state.done = true));
  return state;
}

/** Moves the fake time on by `ms`, 100 ms at a time (the call's timers fire as they fall due). */
async function run(clock: FakeClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 100) await clock.tick(100);
}

/** 100 ms of 8 kHz audio, then nothing: never another chunk, never closed. */
function stalled(): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(new Uint8Array(1600));
      }
    },
  });
}

/** PCM16 little-endian bytes of `ms` of a constant level at 16 kHz. */
function level(value: number, ms: number): Uint8Array {
  return new Uint8Array(new Int16Array(16 * ms).fill(value).buffer);
}

/** The audio messages the bot received, each with when it arrived. */
function listen(pair: MemorySocketPair, clock: FakeClock) {
  const frames: { atMs: number; samples: Int16Array }[] = [];
  pair.server.binaryType = "arraybuffer";
  pair.server.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (data instanceof ArrayBuffer) {
      frames.push({ atMs: clock.now(), samples: new Int16Array(data) });
    }
  });
  return frames;
}

/**
 * Starts a raw call of the caller stream `pcm` (PCM16 at `sampleRate`) on `clock`, over a memory
 * socket pair: the bot's end, the audio frames it got, and the call's state.
 */
function startCall(
  clock: FakeClock,
  pcm: ReadableStream<Uint8Array>,
  sampleRate: number,
  options: Partial<SimulateCallOptions>,
) {
  const pair = new MemorySocketPair();
  const frames = listen(pair, clock);
  const call = track(simulateCall("ws://bot.invalid/", {
    protocol: "raw",
    audio: { pcm, sampleRate },
    clock,
    connect: () => pair.client,
    ...options,
  }));
  return { pair, frames, call };
}

/** Moves the fake time on by `ms` (see {@linkcode run}); the call's report, once it settled. */
async function reportAfter(
  clock: FakeClock,
  call: ReturnType<typeof track>,
  ms: number,
  settled = "simulateCall settled",
): Promise<CallReport> {
  await run(clock, ms);
  assert.ok(call.done, settled);
  return call.report!;
}

Deno.test("simulateCall ends a call whose caller stream stalled at maxDurationMs, saying the stream stalled", async () => {
  const clock = new FakeClock();
  const { frames, call } = startCall(clock, stalled(), 8000, { maxDurationMs: 5_000 });
  const { ended, callerAudioMs, violations } = await reportAfter(clock, call, 20_000);
  assert.equal(ended.by, "timeout");
  assert.equal(ended.atMs, 5_000);
  assert.match(ended.detail, /^the call reached maxDurationMs \(5000 ms\); /);
  // The stream's 100 ms, less the fraction of a millisecond the resampler holds back, made four
  // whole frames: the 246 from the one due at 100 ms to the call's end were silence in its place.
  assert.match(
    ended.detail,
    /the caller's audio stream had nothing ready for 246 frames \(4920 ms of silence sent in its place\), still at the end$/,
  );
  // The stream's fault, not the bot's: no rule of the platform's broken.
  assert.deepEqual(violations, []);
  // The caller went on sending a frame every 20 ms, as a phone does while its caller is quiet.
  assert.equal(callerAudioMs, 5_000);
  assert.equal(frames.length, 250);
  assert.deepEqual(frames.map((f) => f.atMs), frames.map((_, i) => (i + 1) * FRAME_MS));
  assert.ok(frames.slice(4).every((f) => f.samples.every((s) => s === 0)));
});

Deno.test("simulateCall ends a call whose caller stream stalled when its signal aborts", async () => {
  const clock = new FakeClock();
  const abort = new AbortController();
  const { call } = startCall(clock, stalled(), 8000, {
    maxDurationMs: 60_000,
    signal: abort.signal,
  });
  await run(clock, 2_000);
  abort.abort();
  const { ended } = await reportAfter(clock, call, 20_000);
  assert.equal(ended.by, "aborted");
  assert.equal(ended.atMs, 2_000);
  assert.equal(
    ended.detail,
    "aborted by the caller's signal; the caller's audio stream had nothing ready for 96 frames " +
      "(1920 ms of silence sent in its place), still at the end",
  );
});

Deno.test("simulateCall ends a call whose caller stream stalled when the bot hangs up", async () => {
  const clock = new FakeClock();
  const { pair, call } = startCall(clock, stalled(), 8000, { maxDurationMs: 5_000 });
  await run(clock, 1_000);
  pair.server.close(1000, "bot hung up");
  const { ended } = await reportAfter(clock, call, 20_000, "settled after the bot hung up");
  assert.equal(ended.by, "bot");
  assert.equal(ended.atMs, 1_000);
  assert.equal(ended.code, 1000);
  assert.equal(ended.reason, "bot hung up");
  assert.equal(
    ended.detail,
    "the bot closed the WebSocket (1000 bot hung up); the caller's audio stream had nothing ready " +
      "for 46 frames (920 ms of silence sent in its place), still at the end",
  );
});

Deno.test("simulateCall ends a call at speed Infinity whose caller stream stalled at maxDurationMs", async () => {
  // No frame is ever due at speed Infinity: the caller waits for the stream, not past the call's
  // bound, and sends no silence for it (there is no schedule to keep).
  const clock = new FakeClock();
  const { frames, call } = startCall(clock, stalled(), 8000, {
    speed: Infinity,
    maxDurationMs: 5_000,
  });
  const { ended } = await reportAfter(clock, call, 20_000);
  assert.equal(ended.by, "timeout");
  assert.equal(ended.atMs, 5_000);
  assert.match(ended.detail, /the caller's audio stream had nothing ready when the call ended$/);
  // The four whole frames of the stream's 100 ms (see above), then nothing.
  assert.equal(frames.length, 4);
});

Deno.test("simulateCall sends silence while the caller stream has nothing ready, then the stream's audio, none lost", async () => {
  const clock = new FakeClock();
  // 100 ms of speech, 500 ms of nothing ready, 100 ms more, the end.
  let chunk = 0;
  const pcm = new ReadableStream<Uint8Array>({
    async pull(controller) {
      chunk++;
      if (chunk === 1) return controller.enqueue(level(1000, 100));
      if (chunk === 2) {
        await clock.sleep(500);
        return controller.enqueue(level(2000, 100));
      }
      controller.close();
    },
  });
  const { frames, call } = startCall(clock, pcm, 16000, { lingerMs: 400 });
  const { ended } = await reportAfter(clock, call, 5_000);
  // A frame every 20 ms throughout, the stall included.
  assert.deepEqual(frames.map((f) => f.atMs), frames.map((_, i) => (i + 1) * FRAME_MS));
  const levels = frames.map((f) => {
    assert.equal(f.samples.length, FRAME_SAMPLES);
    const first = f.samples[0]!;
    assert.ok(f.samples.every((s) => s === first), `one level a frame at ${f.atMs} ms`);
    return first;
  });
  // The second chunk came at 500 ms, in time for the frame due then: the 19 frames due at 120–480
  // ms went out as silence in its place, and all of it after them, late, not lost.
  assert.deepEqual(levels.slice(0, 29), [
    ...Array(5).fill(1000),
    ...Array(19).fill(0),
    ...Array(5).fill(2000),
  ]);
  assert.ok(levels.slice(29).every((s) => s === 0));
  assert.equal(ended.by, "caller");
  assert.equal(
    ended.detail,
    "the caller hung up after 400 ms without the bot speaking; the caller's audio stream had " +
      "nothing ready for 19 frames (380 ms of silence sent in its place)",
  );
});

Deno.test("simulateCall hangs up without waiting for a caller stream's cancel that never settles", async () => {
  const clock = new FakeClock();
  let cancelled = false;
  const pcm = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(new Uint8Array(1600));
    },
    cancel() {
      cancelled = true;
      return new Promise<void>(() => {});
    },
  });
  const { call } = startCall(clock, pcm, 8000, { hangUpAtMs: 1_000, maxDurationMs: 5_000 });
  const { ended } = await reportAfter(clock, call, 20_000, "settled after hang-up");
  assert.ok(cancelled, "the stream was cancelled");
  assert.equal(ended.by, "caller");
  assert.equal(ended.atMs, 1_000);
  // The stream always had audio ready: no stall to report.
  assert.equal(ended.detail, "the caller hung up at 1.00 s, as asked");
});

Deno.test("simulateCall ends a call whose caller stream errors while the caller sleeps, as an error", async () => {
  const clock = new FakeClock();
  let chunk = 0;
  const pcm = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (chunk++ === 0) return controller.enqueue(level(1000, 30));
      // At 45 ms: the frame due at 40 ms went out as silence, and the caller is waiting on the
      // stream for the frame due at 60 ms while it sleeps until then.
      await clock.sleep(45);
      controller.error(new Error("the microphone went away"));
    },
  });
  const { call } = startCall(clock, pcm, 16000, { maxDurationMs: 5_000 });
  // 10 ms at a time, a macrotask turn after each: a rejection nothing handles by then would be
  // reported as uncaught (it would end the process), not left for the code that awaits it later.
  for (let t = 0; t < 1_000; t += 10) {
    await clock.tick(10);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  assert.ok(call.done, "simulateCall settled");
  const { ended } = call.report!;
  assert.equal(ended.by, "error");
  assert.equal(ended.atMs, 60);
  assert.equal(
    ended.detail,
    "the microphone went away; the caller's audio stream had nothing ready for 1 frame " +
      "(20 ms of silence sent in its place), still at the end",
  );
});
