/**
 * Where a load target's server CPU goes: runs the load harness against one target (`push`,
 * `responses` or `demo`) with V8's sampling profiler on in the server, then summarizes the log
 * with `node --prof-process` (JavaScript, C++, GC, the runtime's own code, and the top
 * JavaScript functions).
 *
 * Run: `npx deno run -A tests/bench/profile_server.ts [--target push] [--sessions 200] [--seconds 10]
 * [--report FILE]` (needs `node` on PATH for `--prof-process`; `--report` keeps its whole report,
 * with the bottom-up profile that says who calls a hot builtin). The profiler itself costs CPU: read the shares,
 * not the CPU per session-minute it prints.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { killChildren, knownTarget, runLoad } from "./load.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    target: { type: "string", default: "push" },
    sessions: { type: "string", default: "200" },
    seconds: { type: "string", default: "10" },
    top: { type: "string", default: "15" },
    report: { type: "string" },
  },
});

const dir = await Deno.makeTempDir({ prefix: "ws-transport-prof-" });
const log = `${dir}/v8.log`;
const plain = knownTarget(values.target);
// The same server with the profiler on: `deno run -A --v8-flags=… file args…`.
const [deno, run, allow, ...rest] = plain.command;
const target = {
  ...plain,
  command: [
    deno,
    run,
    allow,
    `--v8-flags=--prof,--logfile=${log},--no-logfile-per-isolate`,
    ...rest,
  ] as [string, ...string[]],
};
try {
  const result = await runLoad({
    target,
    sessions: Number(values.sessions),
    seconds: Number(values.seconds),
  });
  console.log(
    `${values.target}: ${values.sessions} sessions, loss ${result.loss}, ` +
      `CPU ${result.cpuPerSessionMinute.toFixed(4)} s/session-min with the profiler on`,
  );
} finally {
  killChildren();
}
const processed = await new Deno.Command("node", { args: ["--prof-process", log], stderr: "null" })
  .output();
const text = new TextDecoder().decode(processed.stdout);
if (values.report) await Deno.writeTextFile(values.report, text);
await Deno.remove(dir, { recursive: true });

// The summary, the shared libraries (the deno binary: the runtime's Rust side) and the top
// JavaScript entries, as node prints them.
const lines = text.split("\n");
const shared = lines.findIndex((l) => l.includes("[Shared libraries]:"));
console.log(lines.slice(shared, shared + 6).join("\n"));
const summary = lines.findIndex((l) => l.includes("[Summary]:"));
console.log(lines.slice(summary, summary + 8).join("\n"));
const js = lines.findIndex((l) => l.includes("[JavaScript]:"));
console.log(lines.slice(js, js + 2 + Number(values.top)).join("\n"));
