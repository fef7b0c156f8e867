// Work inside a serializer's `serialize` holds the turn that sends: every chunk that turn sent
// leaves only once it ends, the one being serialized too, as a listener's or an observer's work
// does (see `OutboundPump.turnGoesOnAt`). The far end here (`tests/_fake_far_end.ts`, no jitter
// buffer: raw PCM has no playout acknowledgement, so the estimate is all the transport has) plays
// each chunk as it arrives, or after what it holds: what it played is what the caller heard, and
// the playout estimate told to observers, `heardMs` and the underrun figures must say the same.
import assert from "node:assert/strict";
import { SessionMetrics } from "../mod.ts";
import { stallCall, toldPlaces } from "./_stall_call.ts";

interface Case {
  sendAheadMs?: number;
  /** The audio chunk (from 1) whose `serialize` works `ms`. */
  stallOn: number;
  stallMs: number;
  /** An observer that works `ms` on the `chunk`th chunk it is told of, too. */
  observerWork?: { chunk: number; ms: number };
}

/**
 * A one-second reply of 20 ms chunks, played out: the gaps the far end played inside it, the
 * underruns the metrics counted, where the observers were told each chunk plays (the moves they
 * were told applied) against where the far end played it, and `heardMs` ahead of the far end.
 */
async function reply(c: Case) {
  const s = stallCall({
    chunkMs: 20,
    sendAheadMs: c.sendAheadMs,
    serializeStall: { chunk: c.stallOn, ms: c.stallMs },
  });
  const metrics = SessionMetrics.attach(s.transport, { clock: s.clock, speech: false });
  const places = toldPlaces();
  s.transport.observe(places.observer);
  const work = c.observerWork;
  if (work !== undefined) {
    let n = 0;
    s.transport.observe({
      outboundAudio: () => void (++n === work.chunk && s.clock.block(work.ms)),
    });
  }
  await s.clock.tick(0);
  s.say(1000, "r1");
  let worstAhead = 0;
  for (let i = 0; i < 300; i++) {
    await s.clock.tick(5);
    worstAhead = Math.max(worstAhead, s.transport.playback.heardMs - s.farEnd.playedMs(7));
  }
  const played = s.farEnd.played.filter((span) => span.value === 7);
  const heardGaps = s.farEnd.gaps(7);
  const misplaced = places.told
    .map((told, i) => ({ i, told: told.playsAt, played: played[i]?.at }))
    .filter((p) => !(Math.abs(p.told - p.played!) < 1e-6))
    .map((p) => `#${p.i + 1} told ${p.told}, played ${p.played}`);
  const { outbound } = metrics.snapshot();
  s.pair.client.close(1000);
  await s.transport.closed;
  return {
    heardGaps,
    underruns: outbound.underruns,
    underrunMs: outbound.underrunMs,
    misplaced,
    worstAhead,
  };
}

function describe(c: Case): string {
  const work = c.observerWork === undefined
    ? ""
    : `, an observer's ${c.observerWork.ms} ms on #${c.observerWork.chunk}`;
  const lead = c.sendAheadMs ?? "default";
  return `sendAheadMs ${lead}, serialize ${c.stallMs} ms on #${c.stallOn}${work}`;
}

Deno.test("sendAheadMs 200, serialize blocks 100 ms on the 3rd chunk: no gap heard, none told", async () => {
  const r = await reply({ sendAheadMs: 200, stallOn: 3, stallMs: 100 });
  assert.deepEqual(r.heardGaps, []);
  assert.deepEqual([r.underruns, r.underrunMs], [0, 0]);
  assert.deepEqual(r.misplaced, []);
});

Deno.test("serialize blocks 100 ms and an observer 70 ms on the 10th chunk, one chunk sent ahead: one 150 ms gap heard, one told", async () => {
  const r = await reply({ stallOn: 10, stallMs: 100, observerWork: { chunk: 10, ms: 70 } });
  assert.deepEqual(r.heardGaps, [150]);
  assert.deepEqual([r.underruns, r.underrunMs], [1, 150]);
  assert.deepEqual(r.misplaced, []);
});

Deno.test("a stall inside serialize, an observer's work on that chunk or the next: told places, underruns and heardMs are what the far end played", async () => {
  const failures: string[] = [];
  for (const sendAheadMs of [undefined, 60, 200]) {
    for (const stallOn of [1, 2, 3, 10, 12]) {
      for (const stallMs of [10, 100, 300]) {
        for (const workOn of [undefined, stallOn, stallOn + 1]) {
          const c: Case = {
            stallOn,
            stallMs,
            ...(sendAheadMs === undefined ? {} : { sendAheadMs }),
            ...(workOn === undefined ? {} : { observerWork: { chunk: workOn, ms: 70 } }),
          };
          const r = await reply(c);
          const heardMs = r.heardGaps.reduce((sum, gap) => sum + gap, 0);
          const what = describe(c);
          if (r.underruns !== r.heardGaps.length || Math.abs(r.underrunMs - heardMs) > 1e-6) {
            failures.push(
              `${what}: heard gaps ${JSON.stringify(r.heardGaps)}, ` +
                `told ${r.underruns} underruns of ${r.underrunMs} ms`,
            );
          }
          if (r.misplaced.length > 0) {
            failures.push(`${what}: ${r.misplaced.slice(0, 2).join("; ")}`);
          }
          if (r.worstAhead > 1e-6) failures.push(`${what}: heardMs ${r.worstAhead} ms ahead`);
        }
      }
    }
  }
  assert.deepEqual(failures, []);
});
