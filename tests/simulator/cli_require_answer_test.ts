// `--require-answer`: the simulate CLI fails a run (exit 1, a line on stderr naming the call and
// the utterances left unanswered) in which the bot left any of the caller's utterances
// unanswered, the report's "responses N/M answered" with N < M. A bot that never answered
// ("0/1 answered") passed with 0 before, as it still does without the flag. At --speed max no
// answer is measured (report.ts), so the flag is refused there as bad usage.
// Each run is a subprocess of `deno run src/simulator/cli.ts`, as users run it, against a raw-PCM
// bot on 127.0.0.1:0 that takes the call and says nothing.
import assert from "node:assert/strict";
import { expectUsage, runCli as simulate } from "./_cli.ts";
import { serveSilentBot } from "./_silent_server.ts";

const RATE = 16000;

/** 300 ms of a loud 440 Hz tone, then 300 ms of silence: PCM16 mono at 16 kHz. */
function oneUtterance(): Uint8Array {
  const samples = new Int16Array((RATE * 600) / 1000);
  for (let i = 0; i < (RATE * 300) / 1000; i++) {
    samples[i] = Math.round(9000 * Math.sin((2 * Math.PI * 440 * i) / RATE));
  }
  return new Uint8Array(samples.buffer);
}

Deno.test("the simulate CLI with --require-answer fails a run whose bot never answered, and passes it without", async () => {
  const bot = serveSilentBot();
  const dir = await Deno.makeTempDir({ prefix: "simulate_require_answer_" });
  try {
    const audio = `${dir}/caller.pcm`;
    await Deno.writeFile(audio, oneUtterance());
    const call = [
      ...["-q", "--json", "-p", "raw", "--linger", "300", "--segments", "0-300"],
      ...["--audio", audio, "--pcm-rate", `${RATE}`],
    ];
    const [required, plain, calls] = await Promise.all([
      simulate([...call, "--require-answer", bot.url]),
      simulate([...call, bot.url]),
      simulate([...call, "--calls", "2", "--require-answer", bot.url]),
    ]);
    const report = JSON.parse(required.stdout);
    assert.equal(report.ended.by, "caller", required.stderr);
    assert.deepEqual(report.violations, []);
    assert.deepEqual(report.utterances.map((u: { latencyMs: number | null }) => u.latencyMs), [
      null,
    ]);
    assert.equal(required.code, 1, "no answer: the run fails");
    assert.equal(
      required.stderr,
      "simulate: the bot answered 0 of the caller's 1 utterance (#1 unanswered), and " +
        "--require-answer wants every one answered\n",
    );
    assert.equal(plain.code, 0, `the default is unchanged: ${plain.stderr}`);
    assert.equal(calls.code, 1);
    assert.match(
      calls.stderr,
      /^simulate: call 1 of 2: the bot answered 0 of .*\nsimulate: call 2 of 2: /,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
    await bot.close();
  }
});

Deno.test("the simulate CLI refuses --require-answer at --speed max, where no answer is measured", async () => {
  await expectUsage(
    "ws://127.0.0.1:9/",
    [[
      ["--require-answer", "--speed", "max"],
      /^simulate: --require-answer needs answers measured: not with --speed max/,
    ]],
    [["--require-answer", "--speed", "2"]],
  );
});
