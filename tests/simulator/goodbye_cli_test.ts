// The simulate CLI against a bot that hangs up 20 ms into a 2 s answer: it passed, even with
// --require-answer ("1/1 answered"), the only hint its "2.00 s received, 0.02 s played". Now the
// run fails (exit 1) with the amount said on stderr and in the report's audio line, and
// --allow-unheard-goodbye lets it pass. Each run is a subprocess of `deno run
// src/simulator/cli.ts`, as users run it, against an Asterisk bot on 127.0.0.1:0 written from
// chan_websocket's documentation (docs.asterisk.org, Configuration → Channel Drivers →
// WebSocket: "Media Transfer", the caller's audio as 160-byte μ-law frames after `MEDIA_START`,
// the bot's cut into such frames; "Control Commands and Events", `HANGUP`), which answers the
// caller's one utterance with 2 s of sound and sends `HANGUP` 20 ms after.
import assert from "node:assert/strict";
import { runCli as simulate } from "./_cli.ts";

/** μ-law silence: 0xFF and 0x7F encode 0; anything far from them is sound. */
const loud = (byte: number) => (byte & 0x7f) < 0x60;

/** The bot: answers once the caller has gone quiet after speaking, then hangs up. */
function serveHastyBot() {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    let spoke = false;
    let answered = false;
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event) => {
      if (answered || !(event.data instanceof ArrayBuffer)) return;
      if (new Uint8Array(event.data).some(loud)) spoke = true;
      else if (spoke) {
        answered = true;
        // 2 s of a loud square wave, in 20 ms frames.
        const frame = new Uint8Array(160).map((_, i) => (i % 16 < 8 ? 0x00 : 0x80));
        for (let i = 0; i < 100; i++) socket.send(frame);
        setTimeout(() => socket.send("HANGUP"), 20);
      }
    };
    return response;
  });
  return {
    url: `ws://127.0.0.1:${server.addr.port}/`,
    close: () => server.shutdown(),
  };
}

/** The caller's audio: one utterance of 600 ms, then silence, as raw PCM16 at 8 kHz. */
async function oneUtterance(): Promise<string> {
  const samples = new Int16Array(8000);
  for (let i = 0; i < 4800; i++) samples[i] = i % 16 < 8 ? 8000 : -8000;
  const file = await Deno.makeTempFile({ suffix: ".pcm" });
  await Deno.writeFile(file, new Uint8Array(samples.buffer));
  return file;
}

/** The caller says one thing, then waits for the bot. */
const ARGS = [
  ...["-q", "-p", "asterisk", "--wait-for-bot", "--max-duration", "10000", "--require-answer"],
  ...["--pcm-rate", "8000", "--segments", "0-600"],
];

Deno.test("the simulate CLI fails a bot that hangs up over its answer, and says how much went unheard", async () => {
  const bot = serveHastyBot();
  const audio = await oneUtterance();
  try {
    const run = await simulate([...ARGS, "-a", audio, "--json", bot.url]);
    const report = JSON.parse(run.stdout);
    assert.equal(report.ended.by, "bot");
    assert.deepEqual(report.verdict.failures.map((f: { reason: string }) => f.reason), [
      "unheard-goodbye",
    ]);
    assert.equal(run.code, 1);
    assert.ok(report.audio.unplayedAtEndMs > 1800, `${report.audio.unplayedAtEndMs} ms`);
    assert.match(
      run.stderr,
      /^simulate: the bot hung up with 1\.\d\d s of its audio unheard \(at [\d.]+ s, with 2\.00 s received and 0\.\d\d s played\): more than the 60 ms a packet and jitter excuse \(--allow-unheard-goodbye lets it pass\)\n$/,
    );
    const text = await simulate([...ARGS, "-a", audio, bot.url]);
    assert.match(text.stdout, /1\/1 answered/);
    assert.match(text.stdout, /the bot hung up with 1\.\d\d s of its audio unheard/);
  } finally {
    await bot.close();
    await Deno.remove(audio);
  }
});

Deno.test("the simulate CLI with --allow-unheard-goodbye passes a bot that hangs up over its answer", async () => {
  const bot = serveHastyBot();
  const audio = await oneUtterance();
  try {
    const run = await simulate([
      ...ARGS,
      "-a",
      audio,
      "--allow-unheard-goodbye",
      "--json",
      bot.url,
    ]);
    const report = JSON.parse(run.stdout);
    assert.ok(report.audio.unplayedAtEndMs > 1800, `${report.audio.unplayedAtEndMs} ms`);
    assert.deepEqual(report.verdict, { passed: true, failures: [] });
    assert.equal(run.code, 0);
    assert.equal(run.stderr, "");
  } finally {
    await bot.close();
    await Deno.remove(audio);
  }
});
