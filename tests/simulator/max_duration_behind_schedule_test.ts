// maxDurationMs is "the longest the call may last; the caller hangs up then" (simulate_call.ts).
// A caller behind schedule (its event loop held up, a timer firing late) gives a stream source a
// frame's time to bring the next frame, and sent silence in its place only then: with the bound
// inside that time, the silence went out past the bound and the call ended with it, up to a frame
// late (25 ms for a 20 ms frame here), where a call on schedule ends at the bound.
import assert from "node:assert/strict";
import { type Clock, simulateCall } from "../../src/simulator/mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

/**
 * A {@linkcode FakeClock} whose sleeps due within `[from, from + ms)` wake at `from + ms`: the
 * process held up for `ms` at `from`, as a busy event loop holds a real clock's timers.
 */
function heldUpAt(clock: FakeClock, from: number, ms: number): Clock {
  return {
    now: () => clock.now(),
    sleep(wait, signal) {
      const due = clock.now() + Math.max(0, wait);
      const late = due >= from && due < from + ms ? from + ms - due : 0;
      return clock.sleep(wait + late, signal);
    },
    timer: (callback, options) => clock.timer(callback, options),
  };
}

/** 100 ms of 16 kHz audio, then nothing: never another chunk, never closed. */
function stalled(): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) return;
      sent = true;
      controller.enqueue(new Uint8Array(3200));
    },
  });
}

Deno.test("simulateCall behind schedule sends nothing past maxDurationMs and ends at it", async () => {
  const fake = new FakeClock();
  const pair = new MemorySocketPair();
  const framesAt: number[] = [];
  pair.server.addEventListener("message", (event) => {
    if (typeof (event as MessageEvent).data !== "string") framesAt.push(fake.now());
  });
  // The raw far end's 20 ms frames are due every 20 ms. Held up from 990 to 1005 ms, the frame
  // due at 1000 ms goes at 1005: the one due at 1020 ms, the bound, is then given until 1025.
  const call = simulateCall("ws://bot.invalid/", {
    protocol: "raw",
    audio: { pcm: stalled(), sampleRate: 16000 },
    clock: heldUpAt(fake, 990, 15),
    connect: () => pair.client,
    maxDurationMs: 1020,
  });
  let settled = false;
  call.finally(() => (settled = true)).catch(() => {});
  for (let t = 0; t < 3_000 && !settled; t += 5) await fake.tick(5);
  const report = await call;
  assert.equal(report.ended.by, "timeout");
  assert.equal(report.ended.atMs, 1020);
  assert.ok(framesAt.every((at) => at <= 1020), `frames sent at ${framesAt.slice(-3)} ms`);
  assert.deepEqual(framesAt.slice(-3), [980, 1005, 1020]);
  assert.equal(report.callerAudioMs, 1020);
});
