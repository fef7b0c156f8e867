// A stall inside `serialize` holds every chunk its turn sent until it ends: the pump tells that as
// a playout move (see `outbound_serialize_stall_test.ts`), and the audio from the turn's start on
// plays from then. The marks sent in that turn leave with it: their places play later by the
// move, and an answer read against the place as it stood before reads the stall as the far end's
// lag. With `sendAheadMs: 200` the session's first mark (after the first chunk) goes in the turn
// that stalls on the 3rd chunk: its answer told the observers a lag 100 ms longer, and the next
// answer took it back.
//
// The far end: FakeFarEnd (tests/_fake_far_end.ts), Twilio's mark rule: a mark comes back "when
// the media sent before it has been played" (twilio.com/docs/voice/media-streams/
// websocket-messages, "Mark message"), behind a 60 ms jitter buffer.
import assert from "node:assert/strict";
import { WebSocketTransport } from "../../mod.ts";
import { type FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";
import { StallClock } from "../_stall_clock.ts";
import { withSerializeStalls } from "../_serialize_stalls.ts";

const DELAY_MS = 60;
const CHUNK_MS = 20;
/** The transport's default mark interval: what `heardMs` may be off by, at most. */
const MARK_INTERVAL_MS = 250;

/**
 * A 3 s reply, 200 ms sent ahead, `serialize` blocking `stallMs` on its 3rd chunk, interrupted
 * `interruptAtMs` in: the lags the observers were told, and `heardMs` against what played.
 */
async function stalledReply(stallMs: number, interruptAtMs: number) {
  const clock = new StallClock(1000);
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: withSerializeStalls(new MarkingSerializer(), clock, { chunk: 3, ms: stallMs }),
    audioOut: { sampleRate: 16000, chunkMs: CHUNK_MS },
    sendAheadMs: 200,
    clock,
  });
  transport.receive(() => {});
  // FakeFarEnd asks only for `now` and `sleep`, which StallClock keeps as FakeClock does.
  const farEnd = new FakeFarEnd(clock as unknown as FakeClock, pair.client, {
    jitterMs: DELAY_MS,
    bytesPerMs: 32,
  });
  const lags: number[] = [];
  transport.observe({ playoutLag: ({ lagMs }) => void lags.push(lagMs) });
  await clock.tick(0);
  transport.send({
    type: "audio",
    audio: new Uint8Array(32 * 3000).fill(7),
    sampleRate: 16000,
    channels: 1,
    responseId: "r1",
  });
  await clock.tick(interruptAtMs);
  const played = farEnd.playedMs(7);
  const { heardMs } = await transport.interrupt();
  const answers = transport.stats.marksAcknowledged;
  pair.client.close(1000);
  await transport.closed;
  return { lags, heardMs, played, answers };
}

Deno.test("a 100 ms stall inside serialize, 200 ms sent ahead: the marks sent in its turn move with it, the lag told stays", async () => {
  const r = await stalledReply(100, 1500);
  assert.ok(r.answers >= 3, `${r.answers} answers`);
  // Before: [160, 60] (the first mark's answer read the stall as lag, the next took it back).
  assert.ok(r.lags.length > 0, "no lag told");
  for (const lag of r.lags) {
    assert.ok(Math.abs(lag - DELAY_MS) <= 5, `lags told: ${r.lags}`);
  }
});

Deno.test("a stall inside serialize, 200 ms sent ahead: heardMs at an interruption after it is what played, to a chunk", async () => {
  const failures: string[] = [];
  for (const stallMs of [30, 100, 300]) {
    for (const atMs of [200, 300, 700, 1234]) {
      const r = await stalledReply(stallMs, atMs);
      // The promise is one mark interval; with the marks placed right, the answers make it exact.
      // Before: short by the stall (by 220 ms at 300 ms in, after a 300 ms stall), until the
      // cadence's first answer put it right.
      const off = r.played - r.heardMs;
      if (!(off >= 0 && off <= CHUNK_MS && off <= MARK_INTERVAL_MS)) {
        failures.push(
          `stall ${stallMs} ms, interrupted at ${atMs}: heard ${r.heardMs}, played ${r.played}`,
        );
      }
    }
  }
  assert.deepEqual(failures, []);
});
