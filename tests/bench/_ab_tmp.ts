import { killChildren, runLoad, type TargetSpec } from "./load.ts";
const deno = Deno.execPath();
const targets: TargetSpec[] = [
  { name: "old-demo", command: [deno, "run", "-A", "/work/wt/old/tests/bench/demo_server.ts"], path: "/ws" },
  { name: "new-demo", command: [deno, "run", "-A", "/work/main/tests/bench/demo_server.ts"], path: "/ws" },
  { name: "new-push", command: [deno, "run", "-A", "/work/main/tests/bench/push_server.ts"], path: "/ws" },
  { name: "bare", command: [deno, "run", "-A", "/work/main/tests/bench/bare_echo.ts", "--ahead-ms=60"], path: "/ws" },
];
const sessions = Number(Deno.args[0] ?? 200);
const runs = Number(Deno.args[1] ?? 2);
const rows: Record<string, number[][]> = {};
for (let r = 0; r < runs; r++) {
  for (const t of targets) {
    const res = await runLoad({ target: t, sessions, seconds: 12 });
    (rows[t.name] ??= []).push([res.cpuPerSessionMinute, res.p50Ms, res.p99Ms, res.loss]);
    console.log(t.name, res.cpuPerSessionMinute.toFixed(4), res.p50Ms.toFixed(1), res.p99Ms.toFixed(1), res.loss);
  }
}
killChildren();
