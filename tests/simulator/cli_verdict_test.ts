// The simulate CLI's verdict, as a CI job reads it: each call's `verdict` (passed, and every
// reason it failed) first in its JSON and as the text report's `result` line, from the same
// judgement as the exit status; and Ctrl-C (exit 130), which holds an interrupted call to no gate,
// printed the --require-answer and --max-underrun-total lines all the same. Each run is a
// subprocess of `deno run src/simulator/cli.ts`, as users run it, against a raw-PCM bot on
// 127.0.0.1:0 (the simulator's `raw` protocol: binary messages are PCM16 mono at 16 kHz,
// src/simulator/far_ends/raw_pcm.ts) that takes the call and says nothing.
import assert from "node:assert/strict";
import { within } from "../_ws_client.ts";
import { RUN_CLI, runCli } from "./_cli.ts";

const RATE = 16000;
/** Bytes of the caller's audio per ms: PCM16 mono at 16 kHz. */
const BYTES_PER_MS = (RATE * 2) / 1000;

/** 300 ms of a loud 440 Hz tone, then `silenceMs` of silence: PCM16 mono at 16 kHz. */
function oneUtterance(silenceMs: number): Uint8Array {
  const samples = new Int16Array((RATE * (300 + silenceMs)) / 1000);
  for (let i = 0; i < (RATE * 300) / 1000; i++) {
    samples[i] = Math.round(9000 * Math.sin((2 * Math.PI * 440 * i) / RATE));
  }
  return new Uint8Array(samples.buffer);
}

/** A silent bot that resolves `heard` once `bytes` of the caller's audio have reached it. */
function serveListeningBot(bytes: number) {
  const heard = Promise.withResolvers<void>();
  let received = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event) => {
      if (event.data instanceof ArrayBuffer) received += event.data.byteLength;
      if (received >= bytes) heard.resolve();
    };
    return response;
  });
  return {
    url: `ws://127.0.0.1:${server.addr.port}/`,
    heard: heard.promise,
    close: () => server.shutdown(),
  };
}

async function withAudio<T>(silenceMs: number, run: (file: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "simulate_verdict_" });
  try {
    const file = `${dir}/caller.pcm`;
    await Deno.writeFile(file, oneUtterance(silenceMs));
    return await run(file);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the simulate CLI interrupted (SIGINT) prints no gate's line: an interrupted call is held to none", async () => {
  // 600 ms of the caller's audio reached the bot: the utterance (0-300 ms) is over, unanswered,
  // and the call lingers on (5 s of silence follow) until SIGINT.
  const bot = serveListeningBot(600 * BYTES_PER_MS);
  try {
    await withAudio(5000, async (audio) => {
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          ...RUN_CLI,
          ...["-q", "-p", "raw", "--segments", "0-300", "--audio", audio, "--pcm-rate", `${RATE}`],
          ...["--require-answer", "--max-underrun-total", "0", bot.url],
        ],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const output = child.output();
      try {
        await within(bot.heard, 10_000, "600 ms of the caller's audio");
      } finally {
        child.kill("SIGINT");
      }
      const { code, stdout, stderr } = await output;
      const text = new TextDecoder();
      assert.equal(code, 130);
      assert.equal(text.decode(stderr), "", "no --require-answer line for a call cut short");
      const report = text.decode(stdout);
      assert.match(report, /: aborted at /);
      assert.match(report, /\n {2}result {11}FAILED\n {4}interrupted: the call was cut short /);
      assert.match(report, /responses {8}0\/1 answered/, "the utterance was unanswered");
    });
  } finally {
    await bot.close();
  }
});

Deno.test("the simulate CLI's JSON gives each call's verdict first, as its exit status judged it", async () => {
  const bot = serveListeningBot(Infinity);
  try {
    await withAudio(300, async (audio) => {
      const call = [
        ...["-q", "--json", "-p", "raw", "--linger", "300", "--segments", "0-300"],
        ...["--audio", audio, "--pcm-rate", `${RATE}`, "--require-answer"],
      ];
      const [one, two] = await Promise.all([
        runCli([...call, bot.url]),
        runCli([...call, "--calls", "2", bot.url]),
      ]);
      assert.equal(one.code, 1, one.stderr);
      const report = JSON.parse(one.stdout);
      assert.equal(Object.keys(report)[0], "verdict");
      const unanswered = {
        reason: "unanswered",
        detail: "the bot answered 0 of the caller's 1 utterance (#1 unanswered), and " +
          "--require-answer wants every one answered",
      };
      assert.deepEqual(report.verdict, { passed: false, failures: [unanswered] });
      assert.equal(two.code, 1, two.stderr);
      const total = JSON.parse(two.stdout);
      assert.deepEqual(total.verdict, {
        passed: false,
        failedCalls: 2,
        failures: [{ ...unanswered, calls: 2 }],
      });
      assert.deepEqual(
        total.reports.map((r: { verdict: unknown }) => r.verdict),
        [report.verdict, report.verdict],
      );
    });
  } finally {
    await bot.close();
  }
});
