/**
 * Bytes allocated per frame on the transport's hot path: one echo session (20 ms of 16 kHz mono
 * in, the same out in 20 ms chunks and 640-byte packets, the load harness's settings) driven
 * without a network or a runtime timer, so that what is allocated is the transport's alone.
 *
 * How: the young generation is made large enough that no garbage collection runs during the
 * measured frames; then what the heap grew by, divided by the frames, is what each frame
 * allocated — on V8's heap (objects, closures, promises, small typed arrays) and outside it
 * (`external`: the backing stores of typed arrays over 64 bytes). Each measurement is checked to
 * have seen no collection (the heap only grew); a run that saw one says so and is not reported.
 *
 * The session is `_hand_driven_session.ts`'s; `bare` is the same loop with the socket's message
 * echoed by a listener: the floor of the harness itself, to subtract.
 *
 * Run: `npx deno run -A --v8-flags=--expose-gc,--max-semi-space-size=64 tests/bench/allocations.ts`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { SESSIONS, step } from "./_hand_driven_session.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  throw new Error("run with --v8-flags=--expose-gc,--max-semi-space-size=64");
}

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    frames: { type: "string", default: "5000" },
    runs: { type: "string", default: "5" },
    json: { type: "boolean", default: false },
  },
});
const FRAMES = Number(args.frames);
const RUNS = Number(args.runs);
const WARM_UP = 3000;

interface Measurement {
  heapPerFrame: number;
  externalPerFrame: number;
  collected: boolean;
  sent: number;
}

async function measure(name: string): Promise<Measurement> {
  const session = SESSIONS[name]!();
  for (let i = 0; i < WARM_UP; i++) await step(session);
  gc!();
  const sentBefore = session.socket.sent;
  const before = Deno.memoryUsage();
  let last = before.heapUsed;
  let collected = false;
  for (let i = 0; i < FRAMES; i++) {
    await step(session);
    if (i % 250 === 0) {
      const now = Deno.memoryUsage().heapUsed;
      if (now < last) collected = true;
      last = now;
    }
  }
  const after = Deno.memoryUsage();
  if (after.heapUsed < last) collected = true;
  const sent = session.socket.sent - sentBefore;
  await session.stop();
  return {
    heapPerFrame: (after.heapUsed - before.heapUsed) / FRAMES,
    externalPerFrame: (after.external - before.external) / FRAMES,
    collected,
    sent,
  };
}

/** One session kind's figures, as `--json` prints them. */
export interface Row {
  /** `bare`, `push`, `responses` or `streams`. */
  session: string;
  /** V8 heap bytes per frame; null when a collection ran in every run. */
  heap: number | null;
  /** `heap` less the bare loop's: the transport's own. */
  overBare: number | null;
  /** Array-buffer bytes per frame (outside V8's heap). */
  external: number | null;
  /** Messages the session sent per message it received. */
  sentPerFrame: number | null;
  /** Runs that saw no collection (the only ones measured). */
  cleanRuns: number;
}

const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1]!;
const rows: Row[] = [];
let bareHeap = 0;
for (const session of ["bare", "push", "responses", "streams"]) {
  const runs: Measurement[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await measure(session));
  const clean = runs.filter((r) => !r.collected);
  if (clean.length === 0) {
    rows.push({
      session,
      heap: null,
      overBare: null,
      external: null,
      sentPerFrame: null,
      cleanRuns: 0,
    });
    continue;
  }
  const heap = median(clean.map((r) => r.heapPerFrame));
  if (session === "bare") bareHeap = heap;
  rows.push({
    session,
    heap,
    overBare: session === "bare" ? null : heap - bareHeap,
    external: median(clean.map((r) => r.externalPerFrame)),
    sentPerFrame: clean[0]!.sent / FRAMES,
    cleanRuns: clean.length,
  });
}

if (args.json) {
  console.log(JSON.stringify(rows));
} else {
  const n = (value: number | null) => (value === null ? "—" : value.toFixed(0));
  console.log(
    `${FRAMES} frames per run after ${WARM_UP} to warm up; medians of the runs that saw no collection.\n`,
  );
  console.log(
    "| session | V8 heap bytes per frame | over bare | external bytes per frame | messages sent per frame | clean runs |",
  );
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    console.log(
      `| ${r.session} | ${n(r.heap)} | ${n(r.overBare)} | ${n(r.external)} | ${
        r.sentPerFrame?.toFixed(2) ?? "—"
      } | ${r.cleanRuns}/${RUNS} |`,
    );
  }
}
