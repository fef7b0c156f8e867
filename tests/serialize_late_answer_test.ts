// A serializer that answers a chunk later than the far end needed it (an asynchronous one: a
// remote encoder, a worker) holds the run: the chunk leaves with the answer, and the far end, run
// dry meanwhile, plays it as it arrives, all after it following. The far end here
// (`tests/_fake_far_end.ts`, no jitter buffer: raw PCM has no playout acknowledgement, so the
// estimate is all the transport has) plays what arrives back to back: the observers' places,
// the underrun figures and `heardMs` once the answer came must say what it played.
import assert from "node:assert/strict";
import type { Frame, FrameSerializer } from "../mod.ts";
import { RawPcmSerializer, SessionMetrics, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { FakeFarEnd } from "./_fake_far_end.ts";
import { BYTES_PER_MS, toldPlaces } from "./_stall_call.ts";

/** Raw PCM that answers the `late`th audio chunks (from 1) `ms` later; `awaited` such answers. */
function answersLate(clock: FakeClock, late: number[], ms: number) {
  const pcm = new RawPcmSerializer();
  let chunks = 0;
  let awaited = 0;
  const serializer: FrameSerializer = {
    setup: (audio) => pcm.setup(audio),
    deserialize: (data) => pcm.deserialize(data),
    serialize(frame: Frame) {
      if (frame.type === "audio" && late.includes(++chunks)) {
        awaited++;
        return clock.sleep(ms).then(() => {
          awaited--;
          return pcm.serialize(frame);
        });
      }
      return pcm.serialize(frame);
    },
  };
  return { serializer, awaited: () => awaited };
}

/**
 * A one-second reply of 20 ms chunks whose `late` chunks are answered `ms` late: the gaps the
 * far end played, the underruns counted, the places told against those played, and the most
 * `heardMs` ran ahead of the far end while no answer was awaited.
 */
async function reply(late: number[], ms: number, sendAheadMs?: number) {
  const clock = new FakeClock(1000);
  const pair = new MemorySocketPair();
  const slow = answersLate(clock, late, ms);
  const transport = new WebSocketTransport(pair.server, {
    serializer: slow.serializer,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
    clock,
    ...(sendAheadMs === undefined ? {} : { sendAheadMs }),
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: BYTES_PER_MS });
  transport.receive(() => {});
  const metrics = SessionMetrics.attach(transport, { clock, speech: false });
  const places = toldPlaces();
  transport.observe(places.observer);
  await clock.tick(0);
  transport.send({
    type: "audio",
    audio: new Uint8Array(BYTES_PER_MS * 1000).fill(7),
    sampleRate: 16000,
    channels: 1,
    responseId: "r1",
  });
  let worstAhead = 0;
  for (let i = 0; i < 400; i++) {
    await clock.tick(5);
    // While an answer is awaited the estimate cannot know it comes late; once it came, it does.
    if (slow.awaited() > 0) continue;
    worstAhead = Math.max(worstAhead, transport.playback.heardMs - farEnd.playedMs(7));
  }
  const played = farEnd.played.filter((span) => span.value === 7);
  const heardGaps = farEnd.gaps(7);
  const misplaced = places.told
    .map((told, i) => ({ i, told: told.playsAt, played: played[i]?.at }))
    .filter((p) => !(Math.abs(p.told - p.played!) < 1e-6))
    .map((p) => `#${p.i + 1} told ${p.told}, played ${p.played}`);
  const { outbound } = metrics.snapshot();
  pair.client.close(1000);
  await transport.closed;
  return { heardGaps, underruns: [outbound.underruns, outbound.underrunMs], misplaced, worstAhead };
}

Deno.test("a serializer answers the 10th chunk 100 ms late, one chunk sent ahead: one 80 ms gap heard, told, and heardMs not ahead once answered", async () => {
  const r = await reply([10], 100);
  assert.deepEqual(r.heardGaps, [80]);
  assert.deepEqual(r.underruns, [1, 80]);
  assert.deepEqual(r.misplaced.slice(0, 2), []);
  assert.equal(r.worstAhead, 0);
});

Deno.test("a serializer answers late twice, or two chunks in a row: every gap heard is the one told", async () => {
  const failures: string[] = [];
  for (const sendAheadMs of [undefined, 60, 200]) {
    for (const late of [[3], [10, 30], [10, 11]]) {
      for (const ms of [10, 100, 300]) {
        const r = await reply(late, ms, sendAheadMs);
        const heardMs = r.heardGaps.reduce((sum, gap) => sum + gap, 0);
        const what = `sendAheadMs ${sendAheadMs ?? "default"}, ${ms} ms on #${late.join(", #")}`;
        if (r.underruns[0] !== r.heardGaps.length || Math.abs(r.underruns[1]! - heardMs) > 1e-6) {
          failures.push(`${what}: heard ${JSON.stringify(r.heardGaps)}, told ${r.underruns}`);
        }
        if (r.misplaced.length > 0) failures.push(`${what}: ${r.misplaced.slice(0, 2).join("; ")}`);
        if (r.worstAhead > 1e-6) failures.push(`${what}: heardMs ${r.worstAhead} ms ahead`);
      }
    }
  }
  assert.deepEqual(failures, []);
});
