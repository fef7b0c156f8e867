import assert from "node:assert/strict";
import { knownTarget, runLoad } from "./load.ts";

// A few sessions for about two seconds against the bare echo: enough to prove the harness counts
// and times every echo, short enough for the ordinary test run.
const SESSIONS = 4;
const SHORT = { sessions: SESSIONS, seconds: 1.5, warmupSeconds: 0.5 } as const;

Deno.test("`runLoad` times every echo of the bare echo and loses none", async () => {
  // The drain ends as soon as every echo is back; the long bound is for a busy machine.
  const result = await runLoad({ target: knownTarget("bare"), ...SHORT, drainMs: 3000 });
  // 2 s of sending at one packet per 20 ms per session.
  assert.ok(
    Math.abs(result.sent - SESSIONS * 100) <= SESSIONS,
    `sent ${result.sent}, expected about ${SESSIONS * 100}`,
  );
  assert.equal(result.failedSessions, 0);
  assert.equal(result.misaligned, 0);
  assert.equal(result.duplicates, 0);
  assert.equal(result.received, result.sent);
  assert.equal(result.loss, 0);
  // The window's echoes are timed: 1.5 s × 50 per second per session.
  assert.ok(Math.abs(result.messagesPerSecond - SESSIONS * 50) <= SESSIONS * 2);
  assert.ok(
    result.p50Ms > 0 && result.p99Ms >= result.p50Ms && result.maxMs >= result.p99Ms - 0.01,
  );
  assert.ok(result.p99Ms < 1000, `p99 ${result.p99Ms} ms`);
  assert.ok(result.cpuPerSessionMinute >= 0 && Number.isFinite(result.cpuPerSessionMinute));
  // A share of the window's CPU (0 when the window was too short for a clock tick).
  assert.ok(
    result.serverSystemShare >= 0 && result.serverSystemShare <= 1,
    `kernel share ${result.serverSystemShare}`,
  );
  assert.ok(result.rssMb > 5 && result.peakRssMb >= result.rssMb);
  // The server's event loop woke to read the messages: at least once for every burst the one
  // client sends (one a 20 ms tick), and no more than once a message each way.
  assert.ok(
    result.serverWakesPerSecond >= 0.5 * 50 &&
      result.serverWakesPerSecond <= 4 * result.messagesPerSecond + 200,
    `${result.serverWakesPerSecond} wake-ups a second for ${result.messagesPerSecond} messages`,
  );
});

Deno.test("`runLoad` with startSpreadMs starts the sessions one after another, and times the window in full", async () => {
  // Session i begins i × 400 / 4 ms into the warm-up: 0, 100, 200, 300 ms of its sends skipped.
  const result = await runLoad({
    target: knownTarget("bare"),
    ...SHORT,
    startSpreadMs: 400,
    drainMs: 3000,
  });
  const skipped = (0 + 100 + 200 + 300) / 20;
  assert.ok(
    Math.abs(result.sent - (SESSIONS * 100 - skipped)) <= SESSIONS,
    `sent ${result.sent}, expected about ${SESSIONS * 100 - skipped}`,
  );
  assert.equal(result.loss, 0);
  // Every session is sending by the time the window opens: all of it is timed.
  assert.ok(Math.abs(result.messagesPerSecond - SESSIONS * 50) <= SESSIONS * 2);
  await assert.rejects(
    runLoad({ target: knownTarget("bare"), ...SHORT, startSpreadMs: 600 }),
    /startSpreadMs must be from 0 to the warm-up \(500 ms\)/,
  );
});

Deno.test("`runLoad` counts the echoes a server drops as loss", async () => {
  // The bare echo drops every 10th message of each session without a trace.
  const target = knownTarget("bare", { args: ["--drop-every=10"] });
  // Dropped echoes never come, so this drain always runs to its end: keep it short.
  const result = await runLoad({ target, ...SHORT, drainMs: 500 });
  assert.equal(result.failedSessions, 0);
  assert.equal(result.sent % SESSIONS, 0, "every session sent the same count");
  const perSession = result.sent / SESSIONS;
  assert.equal(result.loss, SESSIONS * Math.floor(perSession / 10));
  assert.equal(result.received, result.sent - result.loss);
});

Deno.test("`runLoad` with clientNoDelay answers the floor's marks over sockets of its own and counts them", async () => {
  // `bare-marks` sends a `mark:` text after every 35th echo; the client answers each.
  const result = await runLoad({
    target: knownTarget("bare-marks"),
    ...SHORT,
    clientNoDelay: true,
  });
  assert.equal(result.failedSessions, 0);
  assert.equal(result.loss, 0);
  assert.equal(result.misaligned, 0, "a text mark is never taken for an echo");
  const perSession = result.sent / SESSIONS;
  const marks = result.marksPerSessionSecond * SESSIONS * (SHORT.warmupSeconds + SHORT.seconds);
  assert.ok(
    Math.abs(marks - SESSIONS * Math.floor(perSession / 35)) <= SESSIONS,
    `${marks} marks answered for ${result.sent} echoes`,
  );
});

Deno.test("`runLoad` rejects a bad session count", async () => {
  await assert.rejects(
    runLoad({ target: knownTarget("bare"), sessions: 0, seconds: 1 }),
    (error: Error) => error instanceof RangeError && error.message.includes("0"),
  );
});

/** Runs the harness's command line as BENCHMARKS.md shows it, with nothing measured. */
async function loadCommand(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./load.ts", import.meta.url).pathname, ...args],
    stdin: "null",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, out: text(stdout), err: text(stderr) };
}

Deno.test("`load.ts --help` prints the usage, and an unknown option names itself", async () => {
  const help = await loadCommand("--help");
  assert.equal(help.code, 0, help.err);
  assert.match(help.out, /^Usage: deno run -A tests\/bench\/load\.ts/);
  for (const option of ["--targets", "--sessions", "--lead-ms", "--reference", "--ramp"]) {
    assert.ok(help.out.includes(option), `--help lists ${option}`);
  }
  const bad = await loadCommand("--sesions", "3");
  assert.equal(bad.code, 2);
  assert.match(bad.err, /Unknown option '--sesions'/);
  assert.match(bad.err, /Usage:/);
});

Deno.test("`load.ts` skips the pipecat target with the install line when its Python cannot run it", async () => {
  // `--runs 0` without `--ramp` measures nothing: only the target checks run.
  const run = await loadCommand(
    "--targets",
    "pipecat,bare",
    "--runs",
    "0",
    "--python",
    "/nonexistent/python3",
  );
  assert.equal(run.code, 0, run.err);
  const note = "pipecat: skipped, /nonexistent/python3 is not installed; install with: " +
    "apt-get install -y python3-fastapi python3-uvicorn";
  assert.ok(run.err.includes(note), run.err);
  assert.ok(run.out.includes(`# ${note}`), "the skip is in the report's header too");
  assert.doesNotMatch(run.out, /^- pipecat/m, "no verdict for a target that did not run");
});

Deno.test("`knownTarget` gives the bare floor the lead it is asked for, by default the demo's", async () => {
  const { DEMO_SEND_AHEAD_MS } = await import("../../examples/demo/handler.ts");
  assert.ok(knownTarget("bare").command.includes(`--ahead-ms=${DEMO_SEND_AHEAD_MS}`));
  assert.ok(knownTarget("bare", { leadMs: 0 }).command.includes("--ahead-ms=0"));
  assert.throws(() => knownTarget("bare", { leadMs: -1 }), RangeError);
});

Deno.test("`load.ts --paired` runs each target beside the reference and reports the ratio within each pair", async () => {
  // Two sessions a side for a second: the output's shape is the point, not the figures.
  const run = await loadCommand(
    ...["--targets", "bare,bare-view", "--paired", "--sessions", "2", "--runs", "1"],
    ...["--seconds", "1", "--warmup-seconds", "0.5"],
  );
  assert.equal(run.code, 0, run.err);
  assert.match(run.err, /^run 1\/1: bare-view beside bare, 2 sessions each…$/m);
  assert.match(run.err, /^ {2}bare: loss 0,/m);
  assert.match(run.err, /^ {2}bare-view: loss 0,/m);
  // So little load can use less CPU than /proc's 10 ms tick: that pair gives no ratio, not Infinity.
  assert.match(
    run.out,
    /^- bare-view: (\d+\.\d\d× \(\d+\.\d\d\)|no ratio, every pair had a side under one CPU tick \(–\))$/m,
  );
  const lonely = await loadCommand("--targets", "push", "--paired", "--runs", "1");
  assert.equal(lonely.code, 2);
  assert.match(lonely.err, /--paired needs the reference "bare" among the targets/);
});

Deno.test("`load.ts --ramp --paired` ramps each target beside the reference and judges it by the reference's capacity in the same ramp", async () => {
  // Two steps of two and three sessions a side, a second each: both sides pass both steps.
  const run = await loadCommand(
    ...["--targets", "bare,bare-view", "--paired", "--runs", "0", "--ramp"],
    ...["--ramp-steps", "2,3", "--ramp-tries", "1", "--ramp-seconds", "1"],
    ...["--warmup-seconds", "0.5", "--p99-limit-ms", "1000"],
  );
  assert.equal(run.code, 0, run.err);
  assert.match(run.err, /^ramp: bare-view beside bare at 2 sessions each \(try 1\)…$/m);
  assert.match(run.err, /^ramp: bare-view beside bare at 3 sessions each \(try 1\)…$/m);
  assert.match(run.out, /^\| bare \(beside bare-view\) \| 3 \| 0 \| 0 \|/m);
  assert.match(run.out, /^\| bare-view \| 3 \| 0 \| 0 \|/m);
  assert.match(run.out, /^- bare-view: PASS — ok max sessions 3 ≥ 0\.9 × 3 \(bare's beside it\)$/m);
});
