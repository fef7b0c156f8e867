/**
 * The load harness (`tests/bench/load.ts`) against the same transport echo behind each adapter
 * (Deno, Hono on Deno, Node, Bun), each beside its own runtime's bare echo (`paced_echo.ts`: the
 * same fixed-deadline pacing, no transport), interleaved per run so a slow spell hits all alike.
 * The echo goes through the streams (`readable.pipeTo(writable)`); a target named `…-push` runs
 * it on the push surface (`receive` / `send`) instead.
 * `node-cluster` and `bun-reuseport` run the same echo in two processes sharing one port
 * (`node:cluster`; `Bun.serve({ reusePort: true })`), CPU and memory summed over the processes.
 * Every target, floor and transport echo alike, sends up to `--lead-ms` ahead (the transport's
 * `sendAheadMs`): by default 20 ms, one 20 ms chunk, the transport's default.
 *
 * ```sh
 * deno run -A tests/runtimes/node/load_runtimes.ts [--sessions 200] [--seconds 15] [--runs 3] \
 *   [--targets deno-bare,deno,hono,node-bare,node,bun-bare,bun] [--lead-ms 20] \
 *   [--start-spread-ms 0]   # sessions begin sending over this long, as calls arrive (≤ 2000)
 *   [--paired]   # each adapter at the same time as its own run of its floor, judged within the pair
 *   [--time-messages]   # Node servers time each message inside (`_message_timing.ts`), printed
 * # the push surface: --targets deno-bare,deno-push,hono-push,node-bare,node-push,bun-bare,bun-push
 * # two processes a runtime: --targets node-bare,node-push,node-cluster-push,bun-bare,bun-push,bun-reuseport-push
 * ```
 *
 * Prints each run's figures, then the medians with each adapter's ratio to its runtime's floor.
 *
 * @module
 */

import { dirname } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { parseArgs } from "node:util";
import {
  describeRatios,
  killChildren,
  type LoadResult,
  median,
  runLoad,
  runPair,
  type TargetSpec,
} from "../../bench/load.ts";
import { bundleForNode } from "./child_runtime.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    sessions: { type: "string", default: "100" },
    seconds: { type: "string", default: "10" },
    runs: { type: "string", default: "1" },
    targets: { type: "string", default: "deno-bare,deno,hono,node-bare,node,bun-bare,bun" },
    "lead-ms": { type: "string", default: "20" },
    "start-spread-ms": { type: "string", default: "0" },
    paired: { type: "boolean", default: false },
    "time-messages": { type: "boolean", default: false },
  },
});
const leadMs = Number(values["lead-ms"]);
if (!(leadMs >= 0)) throw new RangeError(`--lead-ms must be >= 0, got ${values["lead-ms"]}`);
const lead = `--ahead-ms=${leadMs}`;
const bun = fromFileUrl(import.meta.resolve("@oven/bun-linux-x64/package.json"))
  .replace(/package\.json$/, "bin/bun");
const file = (f: string) => fromFileUrl(import.meta.resolve(f));
const deno = Deno.execPath();

/** Each target, and the floor it is judged against (itself for a floor). */
const FLOOR: Record<string, string> = {
  "deno-bare": "deno-bare",
  deno: "deno-bare",
  "deno-push": "deno-bare",
  hono: "deno-bare",
  "hono-push": "deno-bare",
  "node-bare": "node-bare",
  node: "node-bare",
  "node-push": "node-bare",
  "bun-bare": "bun-bare",
  bun: "bun-bare",
  "bun-push": "bun-bare",
  "node-cluster": "node-bare",
  "node-cluster-push": "node-bare",
  "bun-reuseport": "bun-bare",
  "bun-reuseport-push": "bun-bare",
};
const wanted = values.targets.split(",").map((t) => t.trim()).filter((t) => t !== "");
for (const name of wanted) {
  if (!(name in FLOOR)) throw new RangeError(`unknown target ${name}: ${Object.keys(FLOOR)}`);
}

const bundles: string[] = [];
async function nodeBundle(entry: string): Promise<string> {
  const bundle = await bundleForNode(import.meta.resolve(entry));
  bundles.push(bundle);
  return bundle;
}

async function spec(name: string): Promise<TargetSpec> {
  // "-push": the same echo on the push surface; every echo sends as far ahead as its floor.
  const timing = values["time-messages"] ? ["--time-messages"] : [];
  const echoArgs = [...(name.endsWith("-push") ? ["--push", lead] : [lead]), ...timing];
  const command = async (): Promise<[string, ...string[]]> => {
    switch (name.replace(/-push$/, "")) {
      case "deno-bare":
        return [deno, "run", "-A", file("../../bench/bare_echo.ts"), lead];
      case "deno":
        return [deno, "run", "-A", file("./echo_server_deno.ts"), ...echoArgs];
      case "hono":
        return [deno, "run", "-A", file("../hono/echo_server_deno.ts"), ...echoArgs];
      case "node-bare":
        return ["node", await nodeBundle("./bare_echo_node.ts"), lead, ...timing];
      case "node":
        return ["node", await nodeBundle("./echo_server_node.ts"), ...echoArgs];
      case "node-cluster":
        return ["node", await nodeBundle("./cluster_echo_node.ts"), ...echoArgs];
      case "bun-bare":
        return [bun, "run", file("../bun/bare_echo.ts"), lead];
      case "bun-reuseport":
        return [bun, "run", file("../bun/reuse_port_echo.ts"), ...echoArgs];
      default:
        return [bun, "run", file("../bun/echo_server.ts"), ...echoArgs];
    }
  };
  return { name, command: await command(), path: "/ws" };
}

const f = (n: number, digits = 1) => n.toFixed(digits);

const results: LoadResult[] = [];
/** With `--paired`: each adapter's CPU over its floor's beside it, one ratio per run. */
const pairedRatios = new Map<string, number[]>();
try {
  const targets: TargetSpec[] = [];
  for (const name of wanted) targets.push(await spec(name)); // one esbuild at a time
  console.error(
    `# ${values.sessions} sessions × 640 B every 20 ms, ${values.seconds} s window, ${values.runs} run(s); ` +
      `floors ${leadMs} ms ahead; loadavg at start: ${
        Deno.loadavg().map((n) => n.toFixed(2)).join(" ")
      }`,
  );
  const options = {
    sessions: Number(values.sessions),
    seconds: Number(values.seconds),
    startSpreadMs: Number(values["start-spread-ms"]),
  };
  for (let run = 1; run <= Number(values.runs); run++) {
    for (const target of targets) {
      const floorName = FLOOR[target.name]!;
      if (!values.paired) {
        console.error(`run ${run}: ${target.name}…`);
        results.push(await runLoad({ target, ...options }));
        continue;
      }
      if (floorName === target.name) continue; // a floor runs beside each of its adapters
      console.error(`run ${run}: ${target.name} beside ${floorName}…`);
      const floor = targets.find((t) => t.name === floorName) ?? await spec(floorName);
      const pair = await runPair(floor, target, options);
      results.push(pair.reference, pair.target);
      pairedRatios.set(target.name, [...pairedRatios.get(target.name) ?? [], pair.cpuRatio]);
    }
  }
} finally {
  killChildren();
  for (const bundle of bundles) await Deno.remove(dirname(bundle), { recursive: true });
}

console.log(
  "| server | sessions | loss | failed | p50 ms | p99 ms | CPU s / session-min | server CPU | RSS MB |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const r of results) {
  console.log(
    `| ${r.target} | ${r.sessions} | ${r.loss} | ${r.failedSessions} | ${f(r.p50Ms)} | ` +
      `${f(r.p99Ms)} | ${f(r.cpuPerSessionMinute, 4)} | ${f(r.serverCpuShare * 100, 0)}% | ${
        f(r.rssMb)
      } |`,
  );
}

// Medians per target, and each against its runtime's floor.
const byTarget = (name: string) => results.filter((r) => r.target === name);
const cpuOf = (name: string) => median(byTarget(name).map((r) => r.cpuPerSessionMinute));
console.log("");
console.log(
  "| server | floor | loss (sum) | p50 ms | p99 ms | CPU s / session-min | × floor | RSS MB | × floor |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const name of wanted) {
  const rows = byTarget(name);
  const floor = FLOOR[name]!;
  const haveFloor = byTarget(floor).length > 0;
  const rss = median(rows.map((r) => r.rssMb));
  const ratio = (x: number, y: number) => haveFloor ? `${f(x / y, 2)}×` : "—";
  console.log(
    `| ${name} | ${floor} | ${rows.reduce((n, r) => n + r.loss, 0)} | ` +
      `${f(median(rows.map((r) => r.p50Ms)))} | ${f(median(rows.map((r) => r.p99Ms)))} | ` +
      `${f(cpuOf(name), 4)} | ${ratio(cpuOf(name), cpuOf(floor))} | ${f(rss)} | ` +
      `${ratio(rss, median(byTarget(floor).map((r) => r.rssMb)))} |`,
  );
}
if (pairedRatios.size > 0) {
  console.log("");
  console.log("Paired (each adapter beside its own run of its floor): CPU × floor, median (runs):");
  for (const [name, ratios] of pairedRatios) {
    console.log(`- ${name}: ${describeRatios(ratios)}`);
  }
}

if (values["time-messages"]) {
  console.log("");
  console.log("Inside the Node servers, the window's last report (`_message_timing.ts`):");
  for (const r of results) {
    const line = r.serverLog.split("\n").findLast((l) => l.startsWith("time-messages: "));
    if (line !== undefined) console.log(`- ${r.target}: ${line.slice("time-messages: ".length)}`);
  }
}
