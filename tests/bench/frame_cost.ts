/**
 * CPU time per frame on the transport's hot path, without a network: the hand-driven echo session
 * of `_hand_driven_session.ts` (a frame in, the same out, the clock moved 20 ms) timed over many
 * frames, for `bare` (the harness alone), `push` and `streams`, rounds interleaved. Unlike the load
 * benchmark it has no socket, no other process and no runtime timer, so it moves little between
 * runs: the bench to compare two versions of the hot path with (run it in each checkout).
 * Includes the garbage collection the frames cause.
 *
 * Run: `npx deno run -A tests/bench/frame_cost.ts [--frames 200000] [--rounds 5]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { SESSIONS, step } from "./_hand_driven_session.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    frames: { type: "string", default: "200000" },
    rounds: { type: "string", default: "5" },
  },
});
const FRAMES = Number(args.frames);
const ROUNDS = Number(args.rounds);
const NAMES = ["bare", "push", "streams"];

/** Microseconds per frame of one session over `FRAMES` frames, after a warm-up. */
async function time(name: string): Promise<number> {
  const session = SESSIONS[name]!();
  for (let i = 0; i < 5000; i++) await step(session);
  const start = performance.now();
  for (let i = 0; i < FRAMES; i++) await step(session);
  const us = ((performance.now() - start) * 1000) / FRAMES;
  await session.stop();
  return us;
}

const samples = new Map<string, number[]>(NAMES.map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const name of NAMES) samples.get(name)!.push(await time(name));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const bare = median(samples.get("bare")!);
console.log(`${FRAMES} frames per round, ${ROUNDS} rounds interleaved; medians.\n`);
console.log("| session | µs per frame | over bare | rounds |");
console.log("|---|---:|---:|---|");
for (const name of NAMES) {
  const values = samples.get(name)!;
  const us = median(values);
  const over = name === "bare" ? "—" : (us - bare).toFixed(2);
  console.log(
    `| ${name} | ${us.toFixed(2)} | ${over} | ${values.map((v) => v.toFixed(2)).join(" / ")} |`,
  );
}
