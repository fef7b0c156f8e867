import assert from "node:assert/strict";
import { type Clock, systemClock, WebSocketTransport } from "@x/ws-transport";
import { MemorySocketPair } from "@x/ws-transport/testing";
import { runEcho } from "../../examples/demo/echo_session.ts";

/** The system clock, counting the echo's reads of it. */
function countingClock(): { clock: Clock; reads: () => number } {
  let reads = 0;
  const clock: Clock = {
    now: () => (reads++, systemClock.now()),
    sleep: (ms, signal) => systemClock.sleep(ms, signal),
    timer: (callback, options) => systemClock.timer(callback, options),
  };
  return { clock, reads: () => reads };
}

/** Echoes `frames` 20 ms frames of 16 kHz audio with `delayMs`; the echo's clock reads. */
async function echoFrames(frames: number, delayMs: number): Promise<number> {
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    sendAheadMs: 1000, // no pacing wait: the test is about the echo, not the pace
  });
  const { clock, reads } = countingClock();
  const echo = runEcho(transport, { delayMs, clock });
  let received = 0;
  client.addEventListener("message", () => received++);
  for (let i = 0; i < frames; i++) client.send(new Uint8Array(640));
  await client.waitFor(() => received === frames);
  client.close(1000);
  const summary = await echo;
  assert.equal(summary.audioFramesIn, frames);
  return reads();
}

Deno.test("the demo's echo reads no clock per frame when it has no delay, and keeps its delay when it has one", async () => {
  assert.equal(await echoFrames(5, 0), 0, "no delay: every frame is due at once");
  assert.ok(await echoFrames(5, 10) >= 5, "a delay: each frame's due time is read");
});
