/**
 * The load harness (`tests/bench/load.ts`) against the same transport echo on Deno, Node and
 * Bun, beside the bare Deno echo (the floor), interleaved per run so a slow spell hits all alike.
 *
 * ```sh
 * deno run -A tests/runtimes/node/load_runtimes.ts [--sessions 100] [--seconds 10] [--runs 1]
 * ```
 *
 * @module
 */

import { dirname } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { parseArgs } from "node:util";
import {
  killChildren,
  knownTarget,
  type LoadResult,
  runLoad,
  type TargetSpec,
} from "../../bench/load.ts";
import { bundleForNode } from "./child_runtime.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    sessions: { type: "string", default: "100" },
    seconds: { type: "string", default: "10" },
    runs: { type: "string", default: "1" },
  },
});
const bun = fromFileUrl(import.meta.resolve("@oven/bun-linux-x64/package.json"))
  .replace(/package\.json$/, "bin/bun");
const nodeBundle = await bundleForNode(import.meta.resolve("./echo_server_node.ts"));
const file = (f: string) => fromFileUrl(import.meta.resolve(f));
const targets: TargetSpec[] = [
  knownTarget("bare"),
  {
    name: "deno",
    command: [Deno.execPath(), "run", "-A", file("./echo_server_deno.ts")],
    path: "/ws",
  },
  { name: "node", command: ["node", nodeBundle], path: "/ws" },
  { name: "bun", command: [bun, "run", file("../bun/echo_server.ts")], path: "/ws" },
];
const results: LoadResult[] = [];
try {
  for (let run = 1; run <= Number(values.runs); run++) {
    for (const target of targets) {
      console.error(`run ${run}: ${target.name}…`);
      results.push(
        await runLoad({
          target,
          sessions: Number(values.sessions),
          seconds: Number(values.seconds),
        }),
      );
    }
  }
} finally {
  killChildren();
  await Deno.remove(dirname(nodeBundle), { recursive: true });
}
const f = (n: number, digits = 1) => n.toFixed(digits);
console.log(
  "| server | sessions | loss | failed | p50 ms | p99 ms | CPU s / session-min | server CPU | RSS MB |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const r of results) {
  console.log(
    `| ${r.target} | ${r.sessions} | ${r.loss} | ${r.failedSessions} | ${f(r.p50Ms)} | ${
      f(r.p99Ms)
    } | ` +
      `${f(r.cpuPerSessionMinute, 4)} | ${f(r.serverCpuShare * 100, 0)}% | ${f(r.rssMb)} |`,
  );
}
