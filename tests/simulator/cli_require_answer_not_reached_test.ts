// `--require-answer` as a CI job runs it, against a bot that hangs up at once: the run passed (exit
// 0, "responses 0/0 answered"), since the caller had said nothing before the bot closed and 0 of 0
// counted as every one answered. The utterances the caller's audio held but never got to say now
// count ("2 not reached: the bot hung up at …"), in the text report, the JSON (`notReached`) and
// the `--calls N` aggregate alike, and fail the gate; a call in which the caller said nothing
// fails it too (it checked nothing). Each run is a subprocess of `deno run
// src/simulator/cli.ts`, as users run it, in real time, against bots on 127.0.0.1:0 speaking the
// simulator's `raw` protocol (src/simulator/far_ends/raw_pcm.ts: binary messages are PCM16 mono
// at 16 kHz): the hand-written one of _closing_bot.ts, which closes with 1000 and completes the
// closing handshake (RFC 6455 §7.1.2), and one that takes the call and says nothing.
import assert from "node:assert/strict";
import { runCli as simulate } from "./_cli.ts";
import { serveClosingBot } from "./_closing_bot.ts";
import { serveSilentBot } from "./_silent_server.ts";

/** PCM16 mono at 16 kHz: bytes per ms. */
const BYTES_PER_MS = 32;

/** Runs `run` with a file of `ms` of silence (its speech given by --segments, where it is). */
async function withSilence<T>(ms: number, run: (file: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "simulate_not_reached_" });
  try {
    const file = `${dir}/caller.pcm`;
    await Deno.writeFile(file, new Uint8Array(ms * BYTES_PER_MS));
    return await run(file);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the simulate CLI with --require-answer fails a bot that hangs up at once, the utterances it never let the caller say counted", async () => {
  const bot = serveClosingBot(1000, "bye");
  const url = `ws://127.0.0.1:${bot.port}/`;
  try {
    await withSilence(3000, async (audio) => {
      // Segments a second in: the bot's close comes long before the caller reaches them.
      const call = ["-q", "-p", "raw", "--audio", audio, "--pcm-rate", "16000"];
      const segments = ["--segments", "1000-1500,2000-2500"];
      const [required, text, plain, calls] = await Promise.all([
        simulate([...call, ...segments, "--json", "--require-answer", url]),
        simulate([...call, ...segments, "--require-answer", url]),
        simulate([...call, ...segments, url]),
        simulate([...call, ...segments, "--json", "--calls", "2", "--require-answer", url]),
      ]);
      assert.equal(required.code, 1, required.stderr);
      assert.match(
        required.stderr,
        /^simulate: the bot answered 0 of the caller's 2 utterances \(#1–#2 not reached: the bot hung up at \d+\.\d\d s\), and --require-answer wants every one answered\n$/,
      );
      const report = JSON.parse(required.stdout);
      assert.equal(report.ended.by, "bot");
      assert.equal(report.ended.code, 1000);
      assert.deepEqual(report.utterances, []);
      assert.deepEqual(report.notReached.utterances, [
        { startMs: 1000, endMs: 1500 },
        { startMs: 2000, endMs: 2500 },
      ]);
      assert.deepEqual(report.verdict.failures.map((f: { reason: string }) => f.reason), [
        "unanswered",
      ]);
      assert.equal(text.code, 1, text.stderr);
      assert.match(
        text.stdout,
        /\n {2}result {11}FAILED\n {4}unanswered: the bot answered 0 of the caller's 2 /,
      );
      assert.match(
        text.stdout,
        /\n {2}responses {8}0\/2 answered, 2 not reached: the bot hung up at \d+\.\d\d s · —\n {4}#1 not reached: 1\.00 s–1\.50 s of the caller's audio\n {4}#2 not reached: 2\.00 s–2\.50 s of the caller's audio\n/,
      );
      // Without the gate a clean close is no failure: the default is unchanged.
      assert.equal(plain.code, 0, plain.stderr);
      assert.equal(calls.code, 1, calls.stderr);
      const total = JSON.parse(calls.stdout);
      assert.equal(total.utterances, 4);
      assert.equal(total.unanswered, 4);
      assert.equal(total.notReached, 4);
      assert.deepEqual(
        total.verdict.failures.map((f: { reason: string; calls: number }) => [f.reason, f.calls]),
        [["unanswered", 2]],
      );
    });
  } finally {
    await bot.close();
  }
});

Deno.test("the simulate CLI with --require-answer fails a call in which the caller said nothing", async () => {
  const bot = serveSilentBot();
  try {
    await withSilence(600, async (audio) => {
      const call = ["-q", "-p", "raw", "--linger", "300", "--audio", audio, "--pcm-rate", "16000"];
      const [required, plain] = await Promise.all([
        simulate([...call, "--require-answer", bot.url]),
        simulate([...call, bot.url]),
      ]);
      assert.equal(required.code, 1, required.stderr);
      assert.equal(
        required.stderr,
        "simulate: the caller said no utterance (none louder than --speech-threshold or in " +
          "--segments before the call ended): with nothing to answer the call checked nothing, " +
          "and --require-answer passes no call that checked nothing\n",
      );
      assert.match(required.stdout, /\n {2}responses {8}0\/0 answered · —\n/);
      assert.equal(plain.code, 0, plain.stderr);
    });
  } finally {
    await bot.close();
  }
});
