// `--max-underrun-total MS`: the simulate CLI fails a run (exit 1, a line on stderr naming the
// call, what it heard and the bound) whose caller heard more than MS of underruns in all, the
// report's `audio.underrunMs`. The CLI could assert no figure of the call before: a bot that
// stuttered through every reply passed with 0. Its value is read as the other flags of
// milliseconds are (decimal, never empty nor negative).
// Each run is a subprocess of `deno run src/simulator/cli.ts`, as users run it; the bot is a
// raw-PCM one on 127.0.0.1:0 (the simulator's `raw` protocol: binary messages are PCM16 mono at
// 16 kHz, src/simulator/far_ends/raw_pcm.ts) that sends 200 ms of tone, waits 500 ms on its own
// timer and sends 200 ms more: the caller hears one gap of about 300 ms inside its reply.
import assert from "node:assert/strict";
import { expectUsage, runCli as simulate } from "./_cli.ts";
import { RATE, serveStutteringBot } from "./_stuttering_bot.ts";

Deno.test("the simulate CLI fails a run whose caller heard more underruns than --max-underrun-total, and passes one within it", async () => {
  const bot = serveStutteringBot(500);
  const dir = await Deno.makeTempDir({ prefix: "simulate_underrun_" });
  try {
    // A second of the caller's silence: no caller speech to end the bot's reply early, and the
    // call ends soon after (the bot quiet 300 ms once the audio is over).
    const audio = `${dir}/silence.pcm`;
    await Deno.writeFile(audio, new Uint8Array(RATE * 2));
    const call = [
      ...["-q", "--json", "-p", "raw", "--linger", "300"],
      ...["--audio", audio, "--pcm-rate", `${RATE}`],
    ];
    const [over, within, calls] = await Promise.all([
      simulate([...call, "--max-underrun-total", "50", bot.url]),
      // A gap of 1000 ms or more is a pause between replies, no underrun (`maxUnderrunMs`): one
      // counted gap keeps within 1000 however late the bot's timer fires.
      simulate([...call, "--max-underrun-total", "1000", bot.url]),
      simulate([...call, "--calls", "2", "--max-underrun-total", "50.5", bot.url]),
    ]);

    const report = JSON.parse(over.stdout);
    assert.equal(report.ended.by, "caller", over.stderr);
    assert.deepEqual(report.violations, []);
    assert.equal(report.audio.underruns, 1);
    const heard = report.audio.underrunMs;
    assert.ok(heard > 50 && heard < 1000, `heard ${heard} ms of underruns`);
    assert.equal(over.code, 1, "over the bound: the run fails");
    assert.match(
      over.stderr,
      /^simulate: the caller heard \d+(\.\d)? ms of underruns \(1 gap, the longest \d+(\.\d)? ms\), more than --max-underrun-total \(50 ms\) allows\n$/,
    );

    assert.equal(within.code, 0, within.stderr);
    assert.equal(within.stderr, "");
    assert.equal(JSON.parse(within.stdout).audio.underruns, 1);

    assert.equal(calls.code, 1, calls.stderr);
    const lines = calls.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 2, calls.stderr);
    lines.forEach((line, i) =>
      assert.match(
        line,
        new RegExp(
          `^simulate: call ${
            i + 1
          } of 2: the caller heard .* more than --max-underrun-total \\(50\\.5 ms\\) allows$`,
        ),
      )
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
    await bot.close();
  }
});

Deno.test("the simulate CLI reads --max-underrun-total as its other flags of milliseconds", async () => {
  const url = "ws://127.0.0.1:9/"; // never reached when refused
  const refused: [string[], RegExp][] = [
    [["--max-underrun-total="], /^simulate: --max-underrun-total must be milliseconds, got \n/],
    [
      ["--max-underrun-total", " "],
      /^simulate: --max-underrun-total must be milliseconds, got {2}/,
    ],
    [
      ["--max-underrun-total", "-5"],
      /^simulate: --max-underrun-total must be milliseconds, got -5/,
    ],
    [
      ["--max-underrun-total", "1e3"],
      /^simulate: --max-underrun-total must be milliseconds, got 1e3/,
    ],
    [
      ["--max-underrun-total", "0x10"],
      /^simulate: --max-underrun-total must be milliseconds, got 0x/,
    ],
    [
      ["--max-underrun-total", "abc"],
      /^simulate: --max-underrun-total must be milliseconds, got abc/,
    ],
  ];
  // 0 (no underrun at all) and fractions are taken: a call is made (to a port that never answers).
  const taken = [["--max-underrun-total", "0"], ["--max-underrun-total", "12.5"]];
  await expectUsage(url, refused, taken);
  const help = await simulate(["--help"]);
  assert.match(help.stdout, /--max-underrun-total MS\n\s+exit 1 when a call's caller heard more/);
  assert.match(help.stdout, /the bot\s+transport's own count is not seen from here/);
});
