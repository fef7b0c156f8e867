/**
 * The heap a push session holds: `--sessions` echo sessions driven by hand (`push` of
 * `_hand_driven_session.ts`, the load harness's settings) kept idle (made, `receive` given, no
 * frame yet) and then active (after `--frames` frames in and their echoes out), the heap measured
 * with and without them after full collections. Prints KB a session: V8's heap used, and the
 * array buffers' external memory apart. With `--by-constructor`, also what each session adds, from
 * two heap snapshots (V8 collects before each) read after both are written: self sizes summed by
 * node type and constructor (closures by function name). The harness's socket and clock are in
 * every figure, as in `bare`'s.
 *
 * Run: `npx deno run -A --v8-flags=--expose-gc tests/bench/session_heap.ts [--sessions 200]
 * [--frames 200] [--by-constructor] [--name push]` (in another checkout, copied there, for that
 * build's figures)
 *
 * @module
 */

import { parseArgs } from "node:util";
import v8 from "node:v8";
import { type Session, SESSIONS, step } from "./_hand_driven_session.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    sessions: { type: "string", default: "200" },
    frames: { type: "string", default: "200" },
    name: { type: "string", default: "push" },
    "by-constructor": { type: "boolean", default: false },
  },
});
const COUNT = Number(args.sessions);
const FRAMES = Number(args.frames);
const make = SESSIONS[args.name];
if (make === undefined) throw new RangeError(`unknown session ${args.name}`);

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");

/** Heap and external bytes after full collections a task apart (array buffers freed after one). */
async function settled(): Promise<{ heap: number; external: number }> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const { heapUsed, external } = Deno.memoryUsage();
  return { heap: heapUsed, external };
}

/**
 * Self bytes and counts by node type and name in a heap snapshot file. Read after the snapshots
 * are written, so that parsing one adds nothing to the next.
 */
function byConstructor(path: string): Map<string, { count: number; bytes: number }> {
  const snapshot = JSON.parse(Deno.readTextFileSync(path));
  const fields: string[] = snapshot.snapshot.meta.node_fields;
  const types: string[] = snapshot.snapshot.meta.node_types[0];
  const stride = fields.length;
  const typeAt = fields.indexOf("type"), nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  const nodes: number[] = snapshot.nodes;
  const strings: string[] = snapshot.strings;
  const sums = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + typeAt]!]!;
    let name = strings[nodes[i + nameAt]!]!;
    // Strings and numbers are named by their value: summed by type.
    if (/string|number/.test(type)) name = "";
    if (name.length > 60) name = name.slice(0, 60);
    const key = `${type} ${name}`;
    const sum = sums.get(key) ?? { count: 0, bytes: 0 };
    sum.count++;
    sum.bytes += nodes[i + sizeAt]!;
    sums.set(key, sum);
  }
  return sums;
}

async function measure(frames: number): Promise<void> {
  // One session through the same frames first: code and shapes made once are on both sides.
  const warm = make!();
  for (let i = 0; i < frames + 20; i++) await step(warm);
  await warm.stop();
  const without = await settled();
  const label = frames === 0 ? "idle" : "active";
  const dir = Deno.makeTempDirSync();
  const snapshots = [`${dir}/${label}-without.heapsnapshot`, `${dir}/${label}-with.heapsnapshot`];
  if (args["by-constructor"]) v8.writeHeapSnapshot(snapshots[0]);
  let kept: Session[] = [];
  for (let i = 0; i < COUNT; i++) kept.push(make!());
  for (let f = 0; f < frames; f++) for (const session of kept) await step(session);
  const withSessions = await settled();
  if (args["by-constructor"]) v8.writeHeapSnapshot(snapshots[1]);
  const perSession = (withSessions.heap - without.heap) / COUNT;
  const externalPer = (withSessions.external - without.external) / COUNT;
  console.log(
    `${args.name}, ${frames === 0 ? "idle" : `active (${frames} frames)`}: ` +
      `${(perSession / 1000).toFixed(2)} KB heap a session, ${
        (externalPer / 1000).toFixed(2)
      } KB external`,
  );
  if (args["by-constructor"]) {
    const [before, after] = snapshots.map(byConstructor) as [Sums, Sums];
    const rows: [string, number, number][] = [];
    for (const [key, sum] of after) {
      const was = before.get(key) ?? { count: 0, bytes: 0 };
      const count = (sum.count - was.count) / COUNT, bytes = (sum.bytes - was.bytes) / COUNT;
      if (Math.abs(bytes) >= 8) rows.push([key, count, bytes]);
    }
    rows.sort((a, b) => b[2] - a[2]);
    let total = 0;
    for (const [, , bytes] of rows) total += bytes;
    console.log(`| node (type name) | per session | bytes |  (sum ${total.toFixed(0)})`);
    for (const [key, count, bytes] of rows) {
      console.log(`| ${key} | ${count.toFixed(2)} | ${bytes.toFixed(0)} |`);
    }
  }
  Deno.removeSync(dir, { recursive: true });
  for (const session of kept) await session.stop();
  kept = [];
}

type Sums = ReturnType<typeof byConstructor>;

await measure(0);
await measure(FRAMES);
