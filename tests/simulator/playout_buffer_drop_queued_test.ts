// PlayoutBuffer.dropQueued: a far end takes part of its queue out (ConversationRelay's
// preemptible talk cycle giving way behind speech that plays on), where a clear drops it all.
// What is before and after plays on in order without a break, nothing is queued again, and the
// audio taken out counts once, as dropped before it played.
import assert from "node:assert/strict";
import { PlayoutBuffer } from "../../src/simulator/playout_buffer.ts";

/** `n` ms at 8 kHz, every sample `level`: which audio played is told by its level. */
const ms = (n: number, level: number) => new Int16Array(n * 8).fill(level);

/** A buffer that keeps what its speaker played, sample by sample (silence as 0). */
function speaker() {
  const played: number[] = [];
  const buffer = new PlayoutBuffer({
    sampleRate: 8000,
    onPlay: (p) => {
      if (typeof p === "number") played.push(...new Array(p).fill(0));
      else played.push(...p);
    },
  });
  /** The levels heard, each with how many ms it lasted, in order. */
  const heard = () => {
    const runs: [number, number][] = [];
    for (const level of played) {
      const last = runs.at(-1);
      if (last && last[0] === level) last[1] += 1 / 8;
      else runs.push([level, 1 / 8]);
    }
    return runs;
  };
  return { buffer, heard };
}

Deno.test("PlayoutBuffer.dropQueued takes out a middle part across chunks; the rest plays on without a gap", () => {
  const { buffer, heard } = speaker();
  buffer.enqueue(ms(300, 1), 0);
  buffer.enqueue(ms(200, 2), 0);
  buffer.enqueue(ms(300, 3), 0);
  buffer.advance(100);
  // 700 ms left: 200 of the first, 200 of the second, 300 of the third. Out: the last 100 of the
  // first, all the second, the first 100 of the third.
  const span = buffer.dropQueued(100, 500, 100);
  assert.deepEqual(span, { from: 1600, to: 4800 });
  assert.equal(buffer.queuedMs, 300);
  assert.equal(buffer.consumed, 800 + 3200, "played, and taken out of the queue at once");
  assert.equal(buffer.timeOfPosition(buffer.position), 400);
  buffer.advance(1000);
  assert.deepEqual(heard(), [[1, 200], [3, 200], [0, 600]]);
  const stats = buffer.stats();
  assert.equal(stats.clearedMs, 400, "counted once, as dropped before it played");
  assert.equal(stats.receivedMs, 800, "nothing received twice");
  assert.equal(stats.playedMs, 400);
  assert.equal(stats.chunks, 3, "no chunk queued again");
  assert.equal(stats.underruns, 0);
});

Deno.test("PlayoutBuffer.dropQueued within one chunk, at the head and to the end", () => {
  const { buffer, heard } = speaker();
  buffer.enqueue(ms(100, 1), 0);
  buffer.enqueue(ms(500, 2), 0);
  buffer.dropQueued(200, 300, 0); // inside the second chunk
  buffer.dropQueued(0, 50, 0); // the head
  buffer.dropQueued(350, Infinity, 0); // to the end
  assert.equal(buffer.queuedMs, 350);
  buffer.advance(1000);
  assert.deepEqual(heard(), [[1, 50], [2, 300], [0, 650]]);
  assert.equal(buffer.stats().clearedMs, 250);
});

Deno.test("PlayoutBuffer.dropQueued of nothing, or past the end, changes nothing", () => {
  const buffer = new PlayoutBuffer({ sampleRate: 8000 });
  buffer.enqueue(ms(100, 1), 0);
  assert.deepEqual(buffer.dropQueued(40, 40, 0), { from: 320, to: 320 });
  assert.deepEqual(buffer.dropQueued(500, 900, 0), { from: 800, to: 800 });
  assert.equal(buffer.queuedMs, 100);
  assert.equal(buffer.consumed, 0);
  assert.equal(buffer.stats().clearedMs, 0);
});

Deno.test("PlayoutBuffer.dropQueued plays what is due first, and measures from what is left", () => {
  const { buffer, heard } = speaker();
  buffer.enqueue(ms(100, 1), 0);
  buffer.enqueue(ms(100, 2), 0);
  // At 80 ms, 20 ms of the first are left: they are kept, and 30 ms of the second go.
  buffer.dropQueued(20, 50, 80);
  buffer.advance(1000);
  assert.deepEqual(heard(), [[1, 100], [2, 70], [0, 830]]);
});

Deno.test("PlayoutBuffer.dropQueued that empties the queue leaves no underrun behind", () => {
  const buffer = new PlayoutBuffer({ sampleRate: 8000 });
  buffer.enqueue(ms(500, 1), 0);
  buffer.dropQueued(0, Infinity, 100);
  assert.equal(buffer.playing, false);
  buffer.enqueue(ms(100, 2), 300); // 200 ms later: the far end's silence, not a late bot
  const stats = buffer.stats();
  assert.equal(stats.underruns, 0);
  assert.equal(stats.lateChunks, 0);
  assert.equal(stats.clearedMs, 400);
});

Deno.test("PlayoutBuffer.dropQueued refuses a span that is not one", () => {
  const buffer = new PlayoutBuffer({ sampleRate: 8000 });
  buffer.enqueue(ms(100, 1), 0);
  for (const [from, to] of [[-1, 10], [NaN, 10], [Infinity, Infinity], [20, 10], [0, NaN]]) {
    assert.throws(() => buffer.dropQueued(from!, to!, 0), RangeError, `${from}..${to}`);
  }
  assert.equal(buffer.queuedMs, 100, "nothing dropped");
});
