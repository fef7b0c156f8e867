import { runLoad, killChildren } from "/work/main/tests/bench/load.ts";
const which = Deno.args[0] ?? "push";
const file = which === "demo" ? "demo_server.ts" : "push_server.ts";
const extra = which === "responses" ? ["--responses"] : [];
const target = { name: which, command: [Deno.execPath(), "run", "-A", "--v8-flags=--prof,--logfile=/tmp/prof/" + which + ".log,--no-logfile-per-isolate", `/work/main/tests/bench/${file}`, ...extra] as [string, ...string[]], path: "/ws" };
const r = await runLoad({ target, sessions: 200, seconds: 10 });
console.log(JSON.stringify({ cpu: r.cpuPerSessionMinute, p50: r.p50Ms, p99: r.p99Ms, loss: r.loss }));
killChildren();
