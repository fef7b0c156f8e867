// The simulate CLI sets the far end's playout bounds the library offers: `--max-underrun MS`
// (`maxUnderrunMs`: how long a silence between two of the bot's sounds may be and still count as
// an underrun, a gap inside one reply), `--early MS` (`earlyMs`) and `--connect-timeout MS`
// (`connectTimeoutMs`). The CLI had none of them: a user whose bot pauses 300 ms between the
// sentences of a reply on purpose could not tell the CLI so, and `--max-underrun-total 0` failed
// it for every pause; a connect that hangs waited 10 s, named by an option no flag set.
// Each run is a subprocess of `deno run src/simulator/cli.ts`, as users run it; the bots are
// raw-PCM ones on 127.0.0.1:0 (./_stuttering_bot.ts).
import assert from "node:assert/strict";
import { expectUsage, runCli as simulate } from "./_cli.ts";
import { silentTcp } from "./_silent_tcp.ts";
import { RATE, serveStutteringBot } from "./_stuttering_bot.ts";

/** Runs `body` with two seconds of the caller's silence as a raw PCM file's flags. */
async function withSilentCaller(body: (flags: string[]) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "simulate_playout_" });
  try {
    const audio = `${dir}/silence.pcm`;
    await Deno.writeFile(audio, new Uint8Array(RATE * 4));
    // No caller speech to end the bot's reply early; the call ends once the bot is quiet 300 ms.
    await body([
      ...["-q", "--json", "-p", "raw", "--linger", "300"],
      ...["--audio", audio, "--pcm-rate", `${RATE}`],
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the simulate CLI's --max-underrun sets how long a gap inside a reply may be", async () => {
  // 200 ms of tone, a silence of 300 ms or more (the bot's timer may fire late, never early), 200
  // ms more: within the default 1000 ms, one underrun; past --max-underrun 100, two replies.
  const bot = serveStutteringBot(500);
  try {
    await withSilentCaller(async (call) => {
      const [byDefault, bounded] = await Promise.all([
        simulate([...call, "--max-underrun-total", "0", bot.url]),
        simulate([...call, "--max-underrun", "100", "--max-underrun-total", "0", bot.url]),
      ]);
      assert.equal(byDefault.code, 1, byDefault.stderr);
      assert.equal(JSON.parse(byDefault.stdout).audio.underruns, 1);
      assert.equal(bounded.code, 0, bounded.stderr);
      const report = JSON.parse(bounded.stdout);
      assert.equal(report.ended.by, "caller");
      assert.equal(report.audio.underruns, 0, "a silence past the bound ends the reply");
      assert.ok(report.audio.receivedMs >= 400, "both tones came");
    });
  } finally {
    await bot.close();
  }
});

Deno.test("the simulate CLI's --early sets how far ahead the bot's audio may come", async () => {
  // 2000 ms of tone at once, 200 ms more 500 ms later: it comes some 1500 ms ahead of its
  // playing time, early by the default 1000 ms, not by --early 3000.
  const bot = serveStutteringBot(500, 2000);
  try {
    await withSilentCaller(async (call) => {
      const [byDefault, bounded] = await Promise.all([
        simulate([...call, bot.url]),
        simulate([...call, "--early", "3000", bot.url]),
      ]);
      assert.equal(byDefault.code, 0, byDefault.stderr);
      assert.equal(JSON.parse(byDefault.stdout).audio.earlyChunks, 1);
      assert.equal(bounded.code, 0, bounded.stderr);
      assert.equal(JSON.parse(bounded.stdout).audio.earlyChunks, 0);
    });
  } finally {
    await bot.close();
  }
});

Deno.test("the simulate CLI's --connect-timeout bounds a WebSocket handshake the bot never answers", async () => {
  const tcp = silentTcp();
  try {
    const started = performance.now();
    const { code, stdout, stderr } = await simulate([
      ...["-q", "--json", "--connect-timeout", "300"],
      tcp.url,
    ]);
    const tookMs = performance.now() - started;
    assert.equal(code, 1, stderr);
    const report = JSON.parse(stdout);
    assert.equal(report.ended.by, "error");
    // Named as the user set it: the flag, not the library's option (connectTimeoutMs).
    assert.match(report.ended.detail, /did not open within 300 ms \(--connect-timeout\)/);
    // The default 10 s would be waited out otherwise; a second and a half is start-up and slack.
    assert.ok(tookMs < 5000, `took ${Math.round(tookMs)} ms`);
  } finally {
    await tcp.close();
  }
});

Deno.test("the simulate CLI reads --max-underrun, --early and --connect-timeout as milliseconds", async () => {
  const url = "ws://127.0.0.1:9/"; // never reached when refused
  await expectUsage(url, [
    [["--max-underrun="], /^simulate: --max-underrun must be milliseconds, got \n/],
    [["--max-underrun", "-5"], /^simulate: --max-underrun must be milliseconds, got -5/],
    [["--early", "1e3"], /^simulate: --early must be milliseconds, got 1e3/],
    // No time at all for the handshake can only fail, as --max-duration 0 can.
    [["--connect-timeout", "0"], /^simulate: --connect-timeout must be above 0 ms, got 0/],
  ], [["--max-underrun", "0"], ["--early", "12.5"], ["--connect-timeout", "2000"]]);
  const help = (await simulate(["--help"])).stdout;
  assert.match(help, /--max-underrun MS {5}a silence of the bot's up to MS long/);
  assert.match(help, /--early MS {12}bot audio that arrives with more than MS already queued/);
  assert.match(help, /--connect-timeout MS {2}fail a call whose WebSocket has not opened/);
});
