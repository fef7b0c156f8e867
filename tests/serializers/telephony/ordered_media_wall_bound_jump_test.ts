// The wall-time bound on media held behind a hole (four windows, 240 ms) meets a jump beyond the
// window still waiting for a second packet: a pause mid-call, not the stream's end. Packets of
// 100 ms of PCM16 at 8 kHz, numbered as Exotel's AgentStream numbers them (developer.exotel.com/
// docs/agentstream/websocket-protocol: `media.chunk` counting the media messages, `timestamp` in
// ms), longer than the 60 ms `windowMs`: a chunk after two lost waits for the next to confirm it;
// one after a single loss is held behind its hole (the window in force is one packet).
import assert from "node:assert/strict";
import type { Frame } from "../../../src/frames.ts";
import { encodeBase64 } from "../../../src/serializers/telephony/base64.ts";
import { clockedStage } from "./_ordered_media_stage.ts";

const BOUND_MS = 4 * 60;

function stage() {
  const { clock, handedOn, counted, ordered } = clockedStage("pcm16le");
  /** Each audio frame out, as [media time, ms, level]: pushed, handed on or flushed. */
  const out: [number, number, number][] = [];
  const take = (frames: Frame[]) => {
    for (const frame of frames) {
      if (frame.type !== "audio") continue;
      const samples = new Int16Array(frame.audio.slice().buffer);
      out.push([frame.timestampMs!, samples.length / 8, samples[0]!]);
    }
  };
  /** Chunk `n`: 100 ms, every sample `n`, stamped `(n - 1) * 100`. */
  const push = (chunk: number) =>
    take(ordered.push({
      sequence: chunk,
      timestampMs: (chunk - 1) * 100,
      payload: encodeBase64(new Uint8Array(new Int16Array(800).fill(chunk).buffer)),
    }));
  const handed = () => take(handedOn.splice(0).flat());
  return { clock, counted, ordered, push, handed, take, out };
}

Deno.test("`OrderedMedia`'s wall-time bound leaves a chunk after two lost waiting, and the next chunk confirms the loss", async () => {
  const { clock, counted, push, handed, out } = stage();
  for (let chunk = 1; chunk <= 3; chunk++) push(chunk);
  push(6); // 4 and 5 lost
  await clock.tick(BOUND_MS + 60); // a stall: nothing comes for longer than the bound
  handed();
  assert.deepEqual(out, [[0, 100, 1], [100, 100, 2], [200, 100, 3]], "chunk 6 still waits");
  assert.equal(clock.pendingTimers, 0, "no bound armed again without a packet");
  push(7);
  push(8);
  // Was: chunk 6 dropped at the bound, counted late; 7 then waited in its place, and 8 confirmed
  // a loss of three: 300 ms of silence where the caller sent 200.
  assert.deepEqual(out.slice(3), [
    [300, 100, 0], // the two lost chunks' silence, a frame each
    [400, 100, 0],
    [500, 100, 6],
    [600, 100, 7],
    [700, 100, 8],
  ]);
  assert.equal(counted.inboundMediaLate, undefined);
  assert.equal(counted.inboundMediaGapMs, 200);
});

Deno.test("`OrderedMedia`'s wall-time bound takes a chunk after a single loss, its hole filled; the stream's end drops one after four lost", async () => {
  const { clock, counted, ordered, push, handed, take, out } = stage();
  push(1);
  push(3); // 2 lost
  await clock.tick(BOUND_MS);
  handed();
  assert.deepEqual(out, [[0, 100, 1], [100, 100, 0], [200, 100, 3]]);
  push(8); // 4 to 7 lost, and then the stream ends (after up to three lost it is taken: see
  // media_reorder_final_reach_test.ts)
  take(ordered.flush());
  assert.equal(out.length, 3);
  assert.equal(counted.inboundMediaLate, 1);
  assert.equal(clock.pendingTimers, 0);
});
