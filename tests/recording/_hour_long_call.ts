/**
 * An hour-long call on the fake clock, recorded; prints how much memory is held (after a full
 * garbage collection) every five minutes, as JSON. Run by call_recorder_test.ts with
 * `--v8-flags=--expose-gc`.
 *
 * @module
 */

import { call, speech } from "./_call.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");

const c = call({ jitterMs: 60, transport: { audioOut: { sampleRate: 16000, chunkMs: 100 } } });
let bytes = 0;
const reading = c.recorder.readable.pipeTo(
  new WritableStream({ write: (chunk) => void (bytes += chunk.length) }),
);
const memory: { minute: number; heapUsed: number; external: number }[] = [];
const frame = new Uint8Array(100 * 32).fill(5); // 100 ms of the caller at a time
for (let second = 0; second < 3600; second++) {
  // An answer every 10 s, one in six cut short by the caller.
  if (second % 10 === 0) c.transport.send(speech(3000, 1, `r${second}`));
  if (second % 60 === 31) await c.transport.interrupt();
  for (let i = 0; i < 10; i++) {
    await c.clock.tick(100);
    c.pair.client.send(frame);
  }
  // The test's own records of the call grow with it; the recorder's must not.
  c.pair.server.sent.length = 0;
  c.pair.client.sent.length = 0;
  c.farEnd.played.length = 0;
  c.farEnd.arrivals.length = 0;
  c.farEnd.texts.length = 0;
  if (second % 300 === 299 && second > 0) {
    // Twice, a task apart: array buffers are freed by a sweeper that runs after the first.
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
    gc();
    const { heapUsed, external } = Deno.memoryUsage();
    memory.push({ minute: (second + 1) / 60, heapUsed, external });
  }
}
await c.hangUp();
await reading;
console.log(JSON.stringify({ bytes, memory }));
