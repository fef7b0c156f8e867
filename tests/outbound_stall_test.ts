// The event loop stalls (a garbage collection pause, a bot's synchronous work, a suspended laptop)
// and the clock jumps past pacing deadlines. On a protocol without acknowledgements (raw PCM) the
// transport knows what the caller heard only by its estimate, which must place every chunk where
// the far end plays it: a chunk that leaves after its slot began (the far end ran dry meanwhile)
// plays as it arrives, and what follows plays after it. Otherwise the `end` hangs up on the end
// of the reply, `heardMs` runs ahead of the caller, `speakingstop` comes early and more than the
// lead leaves at once. A stall shorter than what the far end holds changes nothing: the session
// catches up with its schedule.
import assert from "node:assert/strict";
import {
  type ClockTimer,
  type ClockTimerOptions,
  type OutboundAudioInfo,
  RawPcmSerializer,
  WebSocketTransport,
} from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { FakeFarEnd } from "./_fake_far_end.ts";
import { BYTES_PER_MS, stallCall } from "./_stall_call.ts";

/**
 * A raw PCM session on a stalling clock (`tests/_stall_call.ts`), and what observers are told of
 * each chunk.
 */
function call(chunkMs: number, sendAheadMs?: number) {
  const s = stallCall({ chunkMs, sendAheadMs });
  const told: OutboundAudioInfo[] = [];
  s.transport.observe({ outboundAudio: (_chunk, info) => void told.push(info) });
  return { ...s, told };
}

/** Milliseconds of audio that reached the far end in its first arrival. */
function firstBurstMs(farEnd: FakeFarEnd): number {
  const first = farEnd.arrivals[0]!.at;
  return farEnd.arrivals.filter((a) => a.at === first).reduce((sum, a) => sum + a.bytes, 0) /
    BYTES_PER_MS;
}

/**
 * Once the session has closed: the far end played all `ms` the bot said, and the hang-up came no
 * sooner than the last of it had played.
 */
async function heardWhole(s: ReturnType<typeof call>, ms: number): Promise<void> {
  await s.transport.closed;
  assert.equal(s.farEnd.playedMs(7, Infinity), ms);
  assert.ok(
    s.closedAt() >= s.farEnd.playsUntil,
    `hung up at ${s.closedAt()}, the reply plays until ${s.farEnd.playsUntil}`,
  );
}

for (const chunkMs of [20, 100]) {
  Deno.test(`${chunkMs} ms chunks: a speakingstart listener's 300 ms of work neither cuts the reply at the end nor bursts it`, async () => {
    const s = call(chunkMs);
    s.transport.addEventListener("speakingstart", () => s.clock.block(300));
    await s.clock.tick(0);
    s.say(20 * chunkMs);
    s.transport.send({ type: "end" });
    await s.clock.tick(5 * chunkMs);
    // Its first chunk leaves once the listener is done: the caller has heard 5 chunks less that.
    const heard = s.farEnd.playedMs(7);
    assert.ok(
      s.transport.playback.heardMs <= heard + chunkMs,
      `heardMs ${s.transport.playback.heardMs}, the caller heard ${heard}`,
    );
    await s.clock.tick(40 * chunkMs);
    await heardWhole(s, 20 * chunkMs);
    // The chunk the listener held back and the one-chunk lead, as at any reply's start.
    assert.ok(firstBurstMs(s.farEnd) <= 2 * chunkMs, `${firstBurstMs(s.farEnd)} ms at once`);
  });

  Deno.test(`${chunkMs} ms chunks: an observer's 300 ms of work on the first chunk does not cut the reply at the end`, async () => {
    const s = call(chunkMs);
    let blocked = false;
    s.transport.observe({
      outboundAudio: () => {
        if (!blocked) s.clock.block(300);
        blocked = true;
      },
    });
    await s.clock.tick(0);
    s.say(20 * chunkMs);
    s.transport.send({ type: "end" });
    await s.clock.tick(40 * chunkMs);
    await heardWhole(s, 20 * chunkMs);
    assert.ok(firstBurstMs(s.farEnd) <= 2 * chunkMs, `${firstBurstMs(s.farEnd)} ms at once`);
  });

  Deno.test(`${chunkMs} ms chunks: a stall while the goodbye's last chunk waits for its slot does not cut it off`, async () => {
    const s = call(chunkMs);
    await s.clock.tick(0);
    s.say(10 * chunkMs, "bye");
    s.transport.send({ type: "end" });
    // Chunk n leaves at 1000 + (n − 1) chunks (the one-chunk lead): the last, chunk 9, waits
    // for its deadline from 1000 + 7 chunks on; the loop stalls half a chunk after.
    await s.clock.tick(7 * chunkMs + chunkMs / 2);
    await s.clock.stall(300);
    await s.clock.tick(2000);
    await heardWhole(s, 10 * chunkMs);
  });
}

/** A 2 s reply in 100 ms chunks; the loop stalls 300 ms while chunk 6 waits for its deadline. */
async function stalledReply() {
  const s = call(100);
  const stops: number[] = [];
  s.transport.addEventListener("speakingstop", () => stops.push(s.clock.now()));
  await s.clock.tick(0);
  s.say(2000, "r1");
  await s.clock.tick(450); // chunk 6 (600..700) is due at 1500, to play from 1600
  await s.clock.stall(300); // the far end runs dry at 1600; chunk 6 leaves at 1750
  return { ...s, stops };
}

Deno.test("after a stall, heardMs is not ahead of what the caller heard", async () => {
  const s = await stalledReply();
  for (let i = 0; i < 10; i++) {
    await s.clock.tick(50);
    const heard = s.farEnd.playedMs(7);
    assert.ok(
      s.transport.playback.heardMs <= heard,
      `at ${s.clock.now()}: heardMs ${s.transport.playback.heardMs}, the caller heard ${heard}`,
    );
  }
  s.pair.client.close(1000);
  await s.transport.closed;
});

Deno.test("after a stall, speakingstop comes once the response has played, not before", async () => {
  const s = await stalledReply();
  await s.clock.tick(3000);
  assert.deepEqual(s.stops, [s.farEnd.playsUntil]);
  s.pair.client.close(1000);
  await s.transport.closed;
});

Deno.test("after a stall, no chunk is told to observers as playing before it left", async () => {
  const s = await stalledReply();
  await s.clock.tick(3000);
  const early = s.told.filter((info) => info.playsAt < info.sentAt);
  assert.deepEqual(early.map((info) => `sent ${info.sentAt}, plays ${info.playsAt}`), []);
  // Where each was told to play is where the far end played it.
  const played = s.farEnd.played.map((span) => span.at);
  assert.deepEqual(s.told.map((info) => info.playsAt), played);
  s.pair.client.close(1000);
  await s.transport.closed;
});

Deno.test("a stall shorter than what the far end holds keeps the schedule: the late chunks catch up", async () => {
  // 100 ms ahead: a 50 ms stall leaves the far end 50 ms still to play when the loop runs again.
  const s = call(20, 100);
  await s.clock.tick(0);
  s.say(1000);
  await s.clock.tick(205);
  await s.clock.stall(50);
  await s.clock.tick(1000);
  const arrivals = s.farEnd.arrivals.map((a) => a.at);
  // Chunk n (from 0) is due at 1000 + 20n − 100: the ones due during the stall leave at its end,
  // and every one after at its own deadline, as if nothing had happened.
  const due = Array.from({ length: 50 }, (_, n) => Math.max(1000, 900 + 20 * n));
  const expected = due.map((at) => (at > 1205 && at < 1255 ? 1255 : at));
  assert.deepEqual(arrivals, expected);
  assert.equal(s.farEnd.playedMs(7, Infinity), 1000);
  s.pair.client.close(1000);
  await s.transport.closed;
});

Deno.test("timers late by less than a chunk, with no lead at all, neither drift the pacing nor the estimate", async () => {
  /** Every timer fires 3 ms late, as a busy event loop's do. */
  class LateTimers extends FakeClock {
    override timer(callback: () => void, options?: ClockTimerOptions): ClockTimer {
      const timer = super.timer(callback, options);
      return {
        arm: (ms: number, now?: number) => timer.arm(ms + 3, now),
        cancel: () => timer.cancel(),
        get armed() {
          return timer.armed;
        },
      };
    }
  }
  const clock = new LateTimers(1000);
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new RawPcmSerializer(),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
    sendAheadMs: 0,
    clock,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: BYTES_PER_MS });
  transport.receive(() => {});
  await clock.tick(0);
  transport.send({
    type: "audio",
    audio: new Uint8Array(BYTES_PER_MS * 10_000).fill(7),
    sampleRate: 16000,
    channels: 1,
  });
  // The first late timer leaves the far end 3 ms behind the schedule, and the schedule is kept
  // (the lateness of the chunks after it is within those 3 ms): it stays 3 ms behind, no more.
  for (let i = 0; i < 10; i++) {
    await clock.tick(997);
    const heard = farEnd.playedMs(7);
    assert.ok(
      transport.playback.heardMs <= heard && transport.playback.heardMs > heard - 1,
      `at ${clock.now()}: heardMs ${transport.playback.heardMs}, the caller heard ${heard}`,
    );
  }
  await clock.tick(100);
  // From the first chunk's arrival (itself sent by a late timer) on: 10 s and one late timer.
  assert.equal(farEnd.playsUntil, farEnd.arrivals[0]!.at + 10_000 + 3);
  pair.client.close(1000);
  await transport.closed;
});
