// A listener or observer that works synchronously holds everything its turn sent: the socket sends
// it only once the turn ends. Every chunk of that turn — not only the last one committed, and
// also when nothing follows in the turn (the last chunk before an `end`, a one-chunk reply, a
// real-time bot's frame) — plays from when it leaves, by the estimate of a protocol without
// acknowledgements (raw PCM). Otherwise the `end` hangs up on the goodbye's last milliseconds,
// `speakingstop` comes early and `heardMs` runs ahead of what the caller heard.
import assert from "node:assert/strict";
import { stallCall, type StallCallOptions } from "./_stall_call.ts";

/**
 * A raw PCM session on a stalling clock (`tests/_stall_call.ts`), the times of its
 * `speakingstop`s, and an observer that works `ms` on the `k`th chunk it is told of.
 */
function call(options: StallCallOptions) {
  const s = stallCall(options);
  const stops: number[] = [];
  s.transport.addEventListener("speakingstop", () => stops.push(s.clock.now()));
  const blockOnChunk = (k: number, ms: number) => {
    let n = 0;
    s.transport.observe({ outboundAudio: () => void (++n === k && s.clock.block(ms)) });
  };
  return { ...s, stops, blockOnChunk };
}

/**
 * Says a goodbye of `chunks` chunks and an `end` in one turn, then runs until the session closes:
 * the worst lead of `heardMs` over what the far end played, and when it hung up.
 */
async function goodbye(s: ReturnType<typeof call>, chunkMs: number, chunks: number) {
  await s.clock.tick(0);
  s.say(chunks * chunkMs);
  s.transport.send({ type: "end" });
  let worstAhead = 0;
  for (let i = 0; i < 600 && Number.isNaN(s.closedAt()); i++) {
    await s.clock.tick(5);
    if (!Number.isNaN(s.closedAt())) break;
    const heard = s.farEnd.playedMs(7) + s.farEnd.playedMs(0);
    worstAhead = Math.max(worstAhead, s.transport.playback.heardMs - heard);
  }
  await s.clock.tick(3000);
  await s.transport.closed;
  return { worstAhead, closedAt: s.closedAt(), playsUntil: s.farEnd.playsUntil };
}

Deno.test("an observer's 10 ms on a goodbye's 2nd chunk, sent with the 1st: end hangs up after the goodbye", async () => {
  const s = call({ chunkMs: 20 });
  s.blockOnChunk(2, 10);
  const r = await goodbye(s, 20, 5);
  assert.ok(r.closedAt >= r.playsUntil, `hung up at ${r.closedAt}, plays until ${r.playsUntil}`);
});

Deno.test("an observer's 300 ms on a goodbye's 3rd chunk, its successor waiting for its timer: end hangs up after the goodbye", async () => {
  const s = call({ chunkMs: 20 });
  s.blockOnChunk(3, 300);
  const r = await goodbye(s, 20, 5);
  assert.ok(r.closedAt >= r.playsUntil, `hung up at ${r.closedAt}, plays until ${r.playsUntil}`);
});

Deno.test("sendAheadMs 60: an observer's 300 ms on the lead's 3rd chunk: heardMs at most a chunk ahead, end after the goodbye", async () => {
  const s = call({ chunkMs: 20, sendAheadMs: 60 });
  s.blockOnChunk(3, 300);
  const r = await goodbye(s, 20, 10);
  assert.ok(r.worstAhead <= 20, `heardMs ran ${r.worstAhead} ms ahead of what the caller heard`);
  assert.ok(r.closedAt >= r.playsUntil, `hung up at ${r.closedAt}, plays until ${r.playsUntil}`);
});

for (const chunkMs of [20, 100]) {
  Deno.test(`${chunkMs} ms: an observer's 300 ms on the goodbye's last chunk: end does not hang up before it plays`, async () => {
    const s = call({ chunkMs });
    s.blockOnChunk(10, 300);
    const r = await goodbye(s, chunkMs, 10);
    assert.equal(s.farEnd.playedMs(7, Infinity), 10 * chunkMs);
    assert.ok(r.closedAt >= r.playsUntil, `hung up at ${r.closedAt}, plays until ${r.playsUntil}`);
  });

  Deno.test(`${chunkMs} ms: a one-chunk goodbye whose speakingstart listener works 300 ms: end does not hang up before it plays`, async () => {
    const s = call({ chunkMs });
    s.transport.addEventListener("speakingstart", () => s.clock.block(300));
    const r = await goodbye(s, chunkMs, 1);
    assert.equal(s.farEnd.playedMs(7, Infinity), chunkMs);
    assert.ok(r.closedAt >= r.playsUntil, `hung up at ${r.closedAt}, plays until ${r.playsUntil}`);
  });

  Deno.test(`${chunkMs} ms: an observer's 300 ms on a reply's last chunk: speakingstop not before it played, heardMs not ahead`, async () => {
    const s = call({ chunkMs });
    s.blockOnChunk(10, 300);
    await s.clock.tick(0);
    s.say(10 * chunkMs);
    for (let i = 0; i < 30; i++) {
      await s.clock.tick(chunkMs / 2);
      const heard = s.farEnd.playedMs(7);
      assert.ok(
        s.transport.playback.heardMs <= heard,
        `at ${s.clock.now()}: heardMs ${s.transport.playback.heardMs}, the caller heard ${heard}`,
      );
    }
    assert.deepEqual(s.stops, [s.farEnd.playsUntil]);
    s.pair.client.close(1000);
    await s.transport.closed;
  });
}

Deno.test("a real-time bot whose speakingstart listener works 300 ms: heardMs not ahead, end after the goodbye", async () => {
  const s = call({ chunkMs: 20 });
  let blocked = false;
  s.transport.addEventListener("speakingstart", () => {
    if (!blocked) s.clock.block(300);
    blocked = true;
  });
  await s.clock.tick(0);
  const ahead: string[] = [];
  for (let i = 0; i < 20; i++) {
    s.say(20); // one frame, one chunk, sent at once
    await s.clock.tick(i === 0 ? 1 : 20);
    const heard = s.farEnd.playedMs(7);
    if (s.transport.playback.heardMs > heard + 1) {
      ahead.push(`at ${s.clock.now()}: heardMs ${s.transport.playback.heardMs}, heard ${heard}`);
    }
  }
  s.transport.send({ type: "end" });
  await s.clock.tick(2000);
  await s.transport.closed;
  assert.equal(s.farEnd.playedMs(7, Infinity), 400);
  assert.deepEqual(ahead, []);
  assert.ok(
    s.closedAt() >= s.farEnd.playsUntil,
    `hung up at ${s.closedAt()}, plays until ${s.farEnd.playsUntil}`,
  );
});

Deno.test("an observer's work on any chunk of a short goodbye (its end silence included): end after it, heardMs at most a chunk ahead", async () => {
  const failures: string[] = [];
  for (const sendAheadMs of [undefined, 60]) {
    for (const chunks of [1, 2, 5]) {
      for (const endSilenceMs of [0, 100]) {
        for (let k = 1; k <= chunks + (endSilenceMs > 0 ? 5 : 0); k++) {
          for (const blockMs of [10, 300]) {
            const s = call({ chunkMs: 20, sendAheadMs, endSilenceMs });
            s.blockOnChunk(k, blockMs);
            const r = await goodbye(s, 20, chunks);
            const what = `ahead ${sendAheadMs}, ${chunks} chunks, silence ${endSilenceMs}, ` +
              `${blockMs} ms on #${k}`;
            if (r.worstAhead > 21) failures.push(`${what}: heardMs ${r.worstAhead} ms ahead`);
            if (!(r.closedAt >= r.playsUntil)) {
              failures.push(`${what}: hung up at ${r.closedAt}, plays until ${r.playsUntil}`);
            }
          }
        }
      }
    }
  }
  assert.deepEqual(failures, []);
});
