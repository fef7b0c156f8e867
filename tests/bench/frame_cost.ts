/**
 * CPU time per frame on the transport's hot path, without a network: the hand-driven echo session
 * of `_hand_driven_session.ts` (a frame in, the same out, the clock moved 20 ms) timed over many
 * frames, for `bare` (the harness alone), `push`, `responses`, `recording` and `streams`, rounds
 * interleaved. Unlike the load benchmark it has no socket, no other process and no runtime timer, so it moves
 * little between runs: the bench to compare two versions of the hot path with (run it in each
 * checkout). Includes the garbage collection the frames cause.
 *
 * Run: `npx deno run -A tests/bench/frame_cost.ts [--frames 200000] [--rounds 5] [--sessions 1]
 * [--names bare,push,responses-unacked,responses]` (the sessions to time; `bare` always, as the
 * harness's own cost; every one of `_hand_driven_session.ts`'s by default)
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
    sessions: { type: "string", default: "1" },
    names: { type: "string", default: Object.keys(SESSIONS).join(",") },
  },
});
const FRAMES = Number(args.frames);
const ROUNDS = Number(args.rounds);
const SESSIONS_AT_ONCE = Number(args.sessions);
const NAMES = ["bare", ...args.names.split(",").filter((n) => n !== "" && n !== "bare")];
for (const name of NAMES) {
  if (!(name in SESSIONS)) {
    throw new RangeError(`unknown session ${name}: ${Object.keys(SESSIONS)}`);
  }
}

/**
 * Microseconds per frame over `FRAMES` frames, after a warm-up, spread round-robin over
 * `SESSIONS_AT_ONCE` sessions: one session stays in the CPU's caches; hundreds, as on a server,
 * do not, and each frame then walks its session's state cold.
 */
async function time(name: string): Promise<number> {
  const sessions = Array.from({ length: SESSIONS_AT_ONCE }, () => SESSIONS[name]!());
  const warmUp = Math.max(5000, 20 * SESSIONS_AT_ONCE);
  for (let i = 0; i < warmUp; i++) await step(sessions[i % SESSIONS_AT_ONCE]!);
  const start = performance.now();
  for (let i = 0; i < FRAMES; i++) await step(sessions[i % SESSIONS_AT_ONCE]!);
  const us = ((performance.now() - start) * 1000) / FRAMES;
  for (const session of sessions) await session.stop();
  return us;
}

const samples = new Map<string, number[]>(NAMES.map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const name of NAMES) samples.get(name)!.push(await time(name));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const bare = median(samples.get("bare")!);
console.log(
  `${FRAMES} frames per round over ${SESSIONS_AT_ONCE} session(s), ${ROUNDS} rounds interleaved; medians.\n`,
);
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
