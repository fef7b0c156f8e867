// In fixed-size packets (`fixedAudioPacketSize`), a chunk may send audio held since the chunk
// before (a packet not yet whole): work later in its turn (inside `serialize`) holds that audio
// too, which leaves only once the turn ends. The far end here (`tests/_fake_far_end.ts`, no
// jitter buffer: raw PCM has no playout acknowledgement, so the estimate is all the transport
// has) plays each packet as it arrives, or after what it holds: the underrun figures and
// `heardMs` must say what it played.
import assert from "node:assert/strict";
import { SessionMetrics } from "../mod.ts";
import { type SerializeStall, stallCall } from "./_stall_call.ts";

/** A one-second reply of 20 ms chunks in `packet`-byte packets, `serialize` stalling. */
async function reply(packet: number, stalls: SerializeStall[], sendAheadMs?: number) {
  const s = stallCall({
    chunkMs: 20,
    sendAheadMs,
    serializeStall: stalls,
    fixedAudioPacketSize: packet,
  });
  const metrics = SessionMetrics.attach(s.transport, { clock: s.clock, speech: false });
  await s.clock.tick(0);
  s.say(1000, "r1");
  let worstAhead = 0;
  for (let i = 0; i < 400; i++) {
    await s.clock.tick(5);
    worstAhead = Math.max(worstAhead, s.transport.playback.heardMs - s.farEnd.playedMs(7));
  }
  const heardGaps = s.farEnd.gaps(7);
  const { outbound } = metrics.snapshot();
  s.pair.client.close(1000);
  await s.transport.closed;
  return { heardGaps, underruns: [outbound.underruns, outbound.underrunMs], worstAhead };
}

Deno.test("50 ms packets, serialize blocks 40 ms on the 10th and 30th chunks: the 30 ms gap heard is told, heardMs never ahead", async () => {
  const r = await reply(1600, [{ chunk: 10, ms: 40 }, { chunk: 30, ms: 40 }]);
  assert.deepEqual(r.heardGaps, [30]);
  assert.deepEqual(r.underruns, [1, 30]);
  assert.equal(r.worstAhead, 0);
});

Deno.test("packets longer than a chunk, serialize stalls once or twice: every gap heard is the one told", async () => {
  const failures: string[] = [];
  for (const packet of [640, 960, 1600]) {
    for (const sendAheadMs of [undefined, 60]) {
      for (const ms of [40, 100]) {
        for (const on of [[10], [10, 30], [10, 11]]) {
          const r = await reply(packet, on.map((chunk) => ({ chunk, ms })), sendAheadMs);
          const heardMs = r.heardGaps.reduce((sum, gap) => sum + gap, 0);
          const what = `${packet} B, sendAheadMs ${sendAheadMs ?? "default"}, ${ms} ms on #${
            on.join(", #")
          }`;
          if (r.underruns[0] !== r.heardGaps.length || Math.abs(r.underruns[1]! - heardMs) > 1e-6) {
            failures.push(`${what}: heard ${JSON.stringify(r.heardGaps)}, told ${r.underruns}`);
          }
          if (r.worstAhead > 1e-6) failures.push(`${what}: heardMs ${r.worstAhead} ms ahead`);
        }
      }
    }
  }
  assert.deepEqual(failures, []);
});
