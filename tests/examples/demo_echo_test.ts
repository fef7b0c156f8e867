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

/** A session for the echo on an in-memory socket: 20 ms frames of 16 kHz audio both ways. */
function echoSession() {
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    sendAheadMs: 1000, // no pacing wait: the test is about the echo, not the pace
  });
  return { transport, client };
}

/** Echoes `frames` 20 ms frames of 16 kHz audio with `delayMs`; the echo's clock reads. */
async function echoFrames(frames: number, delayMs: number): Promise<number> {
  const { transport, client } = echoSession();
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

Deno.test("the demo's echo counts every audio frame it could not write back, the one whose write failed too", async () => {
  const { transport, client } = echoSession();
  // A frame the transport throws on fails its writable, as a throwing sink fails a stream: every
  // write after it is refused.
  transport.send = () => {
    throw new Error("the transport broke");
  };
  const echo = runEcho(transport);
  for (let i = 0; i < 3; i++) client.send(new Uint8Array(640));
  client.close(1000);
  const summary = await echo;
  assert.equal(summary.audioFramesIn, 3);
  assert.equal(summary.audioFramesDropped, 3, "none was echoed: all three are dropped");
});
