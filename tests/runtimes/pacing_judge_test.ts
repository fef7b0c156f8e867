/**
 * The judge of the workerd pacing tests, on synthetic timelines: 10 s of 40 ms chunks with 40 ms
 * of lead (the example Worker's), and a bare timer chain beside them, as the Worker records them.
 */

import assert from "node:assert/strict";
import { judgePacing, type PacingRun } from "./_pacing_judge.ts";

const CHUNK_MS = 40;
const RULES = { chunkMs: CHUNK_MS, leadMs: CHUNK_MS };
const CHUNKS = 250;
const START = 1000;
/** Chunk 100's deadline: where the stalls below begin. */
const STALL_FROM = START + 99 * CHUNK_MS;

/** A quiet machine's timer lateness: 0, 1 or 2 ms. */
const jitter = (k: number) => k % 3;

/** The bare chain on a quiet machine (as many timers as a run with a shifted schedule needs). */
function quietTimers(): number[] {
  return Array.from({ length: CHUNKS + 20 }, (_, k) => START + k * CHUNK_MS + jitter(k));
}

/** A transport that keeps the schedule: chunk i due `max(0, i − 1)` chunks after the first. */
function pacedSends(): number[] {
  return Array.from(
    { length: CHUNKS },
    (_, i) => i === 0 ? START : START + (i - 1) * CHUNK_MS + jitter(i),
  );
}

/**
 * The machine ran nothing from `from` to `to`: every timer due meanwhile fires once it is over,
 * one per task, as the bare chain catches up.
 */
function stalled(timers: number[], from: number, to: number): number[] {
  let caughtUp = 0;
  return timers.map((at) => at >= from && at < to ? to + 0.1 * caughtUp++ : at);
}

/**
 * A transport that, from `chunk` on, starts its schedule over at `leftAt`, as after a stall
 * longer than the lead and a chunk: that chunk and the next leave then, the rest paced from there.
 */
function reanchoredAt(sends: number[], chunk: number, leftAt: number): number[] {
  return sends.map((at, i) =>
    i < chunk ? at : i === chunk ? leftAt : leftAt + (i - chunk - 1) * CHUNK_MS + jitter(i)
  );
}

function problems(run: PacingRun): string[] {
  return judgePacing(run, RULES).problems;
}

function assertFails(run: PacingRun, expected: RegExp): void {
  const found = problems(run);
  assert.ok(found.some((p) => expected.test(p)), `${expected} among ${JSON.stringify(found)}`);
}

Deno.test("`judgePacing` passes a transport that keeps its schedule", () => {
  const verdict = judgePacing({ sends: pacedSends(), timers: quietTimers() }, RULES);
  assert.deepEqual(verdict.problems, []);
  assert.deepEqual(verdict.reanchors, []);
  assert.equal(verdict.expectedSpanMs, 9920);
});

Deno.test("`judgePacing` takes the schedule from the sends: a first chunk 2 ms late makes none early", () => {
  // The first chunk left 2 ms after the clock reading the transport paces from (a loaded machine);
  // the rest kept the schedule. Judged from the first alone, chunk 3 read 2 ms early (CI, workerd).
  const sends = pacedSends().map((at, i) => i === 0 ? at + 2 : at);
  assert.deepEqual(problems({ sends, timers: quietTimers() }), []);
});

Deno.test("`judgePacing` fails a transport that drifts 1 ms a chunk", () => {
  const run = { sends: pacedSends().map((at, i) => at + i), timers: quietTimers() };
  assertFails(run, /^median lateness/);
  assertFails(run, /^250 chunks left over 10169 ms, not ~9920/);
});

Deno.test("`judgePacing` fails a transport that bursts: chunks early", () => {
  // Chunks 100 to 109 leave together, at chunk 100's deadline.
  const sends = pacedSends().map((at, i) => i >= 100 && i < 110 ? STALL_FROM : at);
  assertFails({ sends, timers: quietTimers() }, /^a chunk left 360 ms early$/);
});

Deno.test("`judgePacing` follows a transport that starts over after a stall the machine had", () => {
  // The machine stalls 200 ms from chunk 100's deadline; that chunk leaves once it is over, after
  // its slot has played: the far end ran dry, and the schedule starts over from it.
  const timers = stalled(quietTimers(), STALL_FROM, STALL_FROM + 200);
  const sends = reanchoredAt(pacedSends(), 100, STALL_FROM + 200.5);
  const verdict = judgePacing({ sends, timers }, RULES);
  assert.deepEqual(verdict.problems, []);
  // It played 40 ms after its deadline: the far end heard a gap of 160.5 ms.
  assert.deepEqual(verdict.reanchors, [{ chunk: 100, lateMs: 200.5, shiftMs: 160.5 }]);
  assert.equal(verdict.expectedSpanMs, 9920 + 160.5);
  assert.ok(verdict.bareStallMs >= 200, `bare stall ${verdict.bareStallMs}`);
});

Deno.test("`judgePacing` fails a transport that starts over with no stall of the machine's", () => {
  const sends = reanchoredAt(pacedSends(), 100, STALL_FROM + 200.5);
  const run = { sends, timers: quietTimers() };
  assertFails(run, /^150 chunks left after their slot had played with no stall of the bare timers/);
  assertFails(run, /^median lateness 160\.5 ms/); // judged against the schedule it should have kept
});

Deno.test("`judgePacing` fails a transport that stalls 100 ms while the bare timers did not", () => {
  const timers = quietTimers();
  // Starting over from the late chunk, as the transport's rule has it after a stall of its own.
  const restarted = reanchoredAt(pacedSends(), 100, STALL_FROM + 100);
  assertFails({ sends: restarted, timers }, /: chunk 100 100 ms late, 3 ms of it in bare stalls$/);
  // Or keeping its schedule: the chunks due meanwhile leave with it, the rest on time.
  const kept = pacedSends().map((at, i) => i >= 100 && i < 103 ? STALL_FROM + 100 : at);
  assertFails({ sends: kept, timers }, /^1 chunks left after their slot had played with no stall/);
});

Deno.test("`judgePacing` fails a transport that bursts to catch up after the machine's stall", () => {
  // The chunks due during the stall all leave at its end, the rest on the schedule before it.
  const timers = stalled(quietTimers(), STALL_FROM, STALL_FROM + 200);
  const sends = pacedSends().map((at, i) => i >= 100 && i < 106 ? STALL_FROM + 200.5 : at);
  assertFails({ sends, timers }, /^a chunk left 160\.5 ms early$/);
});

Deno.test("`judgePacing` bounds the re-anchors' shift by the bare timers' stalls", () => {
  // Every bare timer 39 ms late: behind, never stalled longer than the lead; together they cover
  // the transport's 150 ms but for a few ms, yet the machine never stalled for it.
  const timers = Array.from({ length: CHUNKS + 20 }, (_, k) => START + k * CHUNK_MS + 39);
  const sends = reanchoredAt(pacedSends(), 100, STALL_FROM + 150);
  const verdict = judgePacing({ sends, timers }, RULES);
  assert.deepEqual(verdict.problems, [
    "the re-anchors moved the schedule 110 ms, the bare timers stalled 0 ms",
  ]);
});
