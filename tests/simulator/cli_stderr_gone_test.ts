// The progress line goes to stderr, every 5 s where stderr is no terminal. When that stderr
// cannot be written (`simulate … 2>&1 | head -1` once the head has its line: EPIPE; a full
// disk), the line's write threw from its timer: the run ended as an uncaught error, exit 1, which
// CI reads as a call that failed, and no report. The line stops now; the calls run to their end.
// The CLI as a subprocess whose stderr's reader is gone from the start; a bot that stays quiet,
// the caller hanging up just after the first update is due.
import assert from "node:assert/strict";
import { ProgressLine } from "../../src/simulator/_progress_line.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { RUN_CLI } from "./_cli.ts";
import { serveSilentBot } from "./_silent_server.ts";

Deno.test("the simulate CLI whose stderr is a closed pipe still runs its call to the end: report and exit 0", async () => {
  const bot = serveSilentBot();
  try {
    const child = new Deno.Command(Deno.execPath(), {
      // The progress line's first update is due at 5 s (stderr is no terminal).
      args: [...RUN_CLI, "-p", "raw", "--hang-up-at", "5300", bot.url],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    await child.stderr.cancel(); // the reader gone, as `| head` once it has its lines
    const [status, bytes] = await Promise.all([
      child.status,
      new Response(child.stdout).arrayBuffer(),
    ]);
    const stdout = new TextDecoder().decode(bytes);
    // The hang-up's time on the real clock of a subprocess: asked for 5.30 s, a loaded machine
    // reads it a few ms late. The report is what this test is about, not the timing.
    assert.match(stdout, /raw call to ws:\/\/127\.0\.0\.1:\d+\/: ended by caller at 5\.3\d s/);
    assert.match(stdout, /result {11}passed/);
    assert.equal(status.code, 0);
  } finally {
    await bot.close();
  }
});

Deno.test("a progress line whose write throws stops, and says why, without throwing from its timer", async () => {
  const clock = new FakeClock();
  let writes = 0;
  const broken = new Error("Broken pipe (os error 32)");
  const line = new ProgressLine({
    clock,
    calls: 1,
    intervalMs: 250,
    write: () => {
      writes++;
      throw broken;
    },
  });
  try {
    assert.equal(line.lost, undefined);
    await clock.tick(250); // rejects with what a timer's callback throws (fake_clock.ts)
    assert.equal(writes, 1);
    assert.equal(line.lost, broken);
    await clock.tick(1000);
    assert.equal(writes, 1, "not written again");
  } finally {
    line.stop();
  }
});

Deno.test("the simulate CLI whose stderr refuses every write (a full disk) still exits 2 for bad usage, not 1", async () => {
  // console.error throws where the write fails otherwise than on a closed pipe (ENOSPC: Linux's
  // /dev/full stands for the full disk): the usage message's throw escaped main() as an
  // uncaught error, exit 1, which CI reads as a call that failed.
  const { code } = await new Deno.Command("sh", {
    args: ["-c", 'exec "$@" 2>/dev/full', "sh", Deno.execPath(), ...RUN_CLI, "--no-such-flag"],
    stdout: "null",
    stderr: "null",
  }).output();
  assert.equal(code, 2);
});
