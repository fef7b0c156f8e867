// The outbound pump's two lanes must agree (see outbound_lanes_agree_test.ts) when the bot's
// speaking-event listeners work synchronously for a while (`StallClock.block`: time moves while
// nothing else runs). The pump and the tracker see such work at once (`userCodeRan`: what the turn
// sent plays from the time after it), but the code that ran the listener goes on with the reading it
// took before it, so what the two lanes do next differs: whether a chunk that fell due during the
// work leaves in the same turn, and in which of the bot's writes an event that fell due fires.
import assert from "node:assert/strict";
import { divergence, runLane, type Scenario, scenario } from "./_outbound_lanes.ts";

/** Raw PCM at 8 kHz in 20 ms chunks, the far end playing at once, listeners working 30 ms. */
const WORKING: Omit<Scenario, "steps"> = {
  seed: 0,
  serializer: "raw",
  fixedAudioPacketSize: undefined,
  lastPacket: "pad",
  sendAheadMs: undefined,
  rate: 8000,
  listeners: { workMs: 30 },
  endFrame: false,
  jitterMs: 0,
};

Deno.test("a chunk due once a speaking listener's work is over leaves in that turn, whichever lane queued it", async () => {
  // Three chunks at once, in 30 ms packets. The second chunk completes the first packet: the
  // response begins, and its speakingstart listener works 30 ms. The third chunk is due by then.
  // One `send` per chunk: the third goes to the real-time lane, which reads the clock afresh, and
  // leaves in the turn. In frames of a chunk and a half, the second frame brings chunks two and
  // three to one run of the queue, which goes on after the listener with the reading it took
  // before it: by that reading the third chunk is not due yet, and the pacing timer is armed from
  // it, for a deadline already past. The chunk waits for that timer: on the fake clock until after
  // the turn; on a real one, a timer turn later. (`OutboundPump.#run` reads again, `#reread`, only
  // when the old reading already says the chunk is due: `stale && wait === 0`.)
  const session: Scenario = {
    ...WORKING,
    fixedAudioPacketSize: 480,
    steps: [{ op: "write", chunks: 3, responseId: "r1", tailBytes: 0 }],
  };
  const whole = await runLane(session, "whole");
  const chunkAndHalf = await runLane(session, "chunkAndHalf");
  assert.equal(divergence(whole, chunkAndHalf, ["whole", "chunkAndHalf"]), undefined);
});

Deno.test("an event due once a speaking listener's work is over fires in the same write, whichever lane", async () => {
  // r1 is one chunk; r2, written 10 ms later, three chunks at once, in 30 ms packets. r2's first
  // chunk completes r1's packet: r1 begins, and its speakingstart listener, run by the update
  // `chunkSent` began, works 30 ms, by when r1 has played. That update goes on with the reading it
  // took before the listener (`PlaybackTracker.#update` passes the same `now` on after
  // `afterDispatch`) and fires nothing more. One `send` per chunk: the real-time lane then tells
  // the tracker the queue ran dry, and r1's speakingstop fires inside that `send`; r2's
  // speakingstart fires when the bot next reads `playback`. In frames of a chunk and a half, the
  // chunker holds half a chunk, so the queue is not dry (rightly): r1's speakingstop waits for the
  // next read of `playback`, after the write, and r2's speakingstart for the events timer. The
  // listeners' work falls at other points, and every time read from then on differs.
  const session: Scenario = {
    ...WORKING,
    fixedAudioPacketSize: 480,
    steps: [
      { op: "write", chunks: 1, responseId: "r1", tailBytes: 0 },
      { op: "tick", ms: 10 },
      { op: "write", chunks: 3, responseId: "r2", tailBytes: 0 },
    ],
  };
  const whole = await runLane(session, "whole");
  const chunkAndHalf = await runLane(session, "chunkAndHalf");
  assert.equal(divergence(whole, chunkAndHalf, ["whole", "chunkAndHalf"]), undefined);
});

Deno.test("the outbound pump's lanes show the same session, seed by seed, when speaking listeners work", async () => {
  const problems: string[] = [];
  for (let seed = 1; seed <= 60; seed++) {
    const session = scenario(seed, true);
    const whole = await runLane(session, "whole");
    for (const lane of ["halves", "chunkAndHalf"] as const) {
      const found = divergence(whole, await runLane(session, lane), ["whole", lane]);
      if (found !== undefined) problems.push(`seed ${seed}, whole vs ${lane}: ${found}`);
    }
  }
  assert.deepEqual(problems, []);
});
