// The command line as users run it: a subprocess of `deno run src/simulator/cli.ts` against the
// demo server, real time, a 2-call aggregate with recordings, and bad usage.
import assert from "node:assert/strict";
import { createDemoHandler } from "../../examples/demo/handler.ts";
import { demoOrigins } from "../../examples/demo/origins.ts";
import { within } from "../_ws_client.ts";
import { serveClosingBot } from "./_closing_bot.ts";
import { CLI, quietBot, runCli as simulate } from "./_cli.ts";

Deno.test("the simulate CLI runs two calls against the demo, records each and prints the aggregate", async () => {
  // The demo answers only its own address: it is told the port once the server has one.
  let demo: (request: Request) => Response | Promise<Response> = () => new Response(null);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (r) => demo(r));
  demo = createDemoHandler({ origins: demoOrigins("127.0.0.1", server.addr.port) });
  const dir = await Deno.makeTempDir({ prefix: "simulate_cli_" });
  try {
    const { code, stdout, stderr } = await simulate([
      "--protocol",
      "raw",
      "--calls",
      "2",
      "--linger",
      "500",
      "--quiet",
      "--json",
      "--record",
      `${dir}/heard.wav`,
      `ws://127.0.0.1:${server.addr.port}/ws`,
    ]);
    assert.equal(code, 0, stderr);
    const summary = JSON.parse(stdout);
    assert.equal(summary.kind, "aggregate");
    assert.equal(summary.calls, 2);
    assert.deepEqual(summary.endedBy, { caller: 2 });
    assert.equal(summary.reports.length, 2);
    assert.equal(summary.utterances, 6); // the synthetic caller's three, twice
    for (const n of [1, 2]) {
      const wav = await Deno.readFile(`${dir}/heard-${n}.wav`);
      assert.equal(new DataView(wav.buffer).getUint16(22, true), 2); // stereo
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
    await server.shutdown();
  }
});

Deno.test('the simulate CLI says max speed as "max" (JSON has no Infinity) and counts a key press the call ended before', async () => {
  let demo: (request: Request) => Response | Promise<Response> = () => new Response(null);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (r) => demo(r));
  demo = createDemoHandler({ origins: demoOrigins("127.0.0.1", server.addr.port) });
  const url = `ws://127.0.0.1:${server.addr.port}/phone`;
  const args = ["--speed", "max", "--linger", "300", "--dtmf", "1@100,5@600000", "--quiet"];
  try {
    const json = await simulate([...args, "--json", url]);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.equal(report.speed, "max");
    assert.deepEqual(report.dtmf, { sent: 1, unsupported: 0, undetected: 0, afterEnd: 1 });
    const text = await simulate([...args, url]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /call to ws:\/\/\S+ at max speed: ended by caller/);
    assert.match(text.stdout, /1 sent · 1 due after the call ended, not sent/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("the simulate CLI prints a text report and exits 1 when the bot cannot be reached", async () => {
  const { code, stdout } = await simulate(["--protocol", "twilio", "ws://127.0.0.1:9/"]);
  assert.equal(code, 1);
  assert.match(stdout, /twilio call to ws:\/\/127\.0\.0\.1:9\/: never connected, gave up at /);
});

Deno.test("the simulate CLI explains bad usage and exits 2", async () => {
  const { code, stderr } = await simulate(["--protocol", "skype", "ws://127.0.0.1:9/"]);
  assert.equal(code, 2);
  assert.match(stderr, /--protocol must be one of twilio, telnyx/);
  const help = await simulate(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: simulate/);
});

Deno.test("the simulate CLI refuses, before any call, options that cannot work together or a recording it cannot write", async () => {
  const url = "ws://127.0.0.1:9/"; // never reached: each is refused first
  const cases: [string[], RegExp][] = [
    [["--barge-ins", "2"], /--barge-ins needs --barge-in/],
    [["--barge-in-for", "300"], /--barge-in-for needs --barge-in/],
    [["--speed", "2", "--record", "/tmp/never.wav"], /--record needs --speed 1/],
    [["--record", "/nonexistent-dir/x.wav"], /--record: cannot write \/nonexistent-dir\/x\.wav/],
    [["--speech-threshold", "6"], /--speech-threshold must be a level in dBFS .* got 6/],
    [["--max-duration", "0"], /--max-duration must be above 0 ms, got 0/],
    [["--barge-in", "300", "--barge-in-for", "0"], /--barge-in-for must be above 0 ms, got 0/],
  ];
  for (const [args, message] of cases) {
    const { code, stdout, stderr } = await simulate([...args, url]);
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assert.match(stderr, message);
    assert.equal(stdout, "", "no call, no report");
  }
});

Deno.test("the simulate CLI names the flag the user typed in a usage error, never an option of the API", async () => {
  const url = "ws://127.0.0.1:9/"; // never reached: each is refused first
  const cases: [string[], RegExp][] = [
    // The far end's own rule, after the flags it read (it was "outputRate must be one of …").
    [
      ["-p", "raw", "--rate", "12345"],
      /^simulate: --rate 12345: the simulator makes the caller's audio at 8000, .* not at raw's 12345 Hz/,
    ],
    [
      ["-p", "freeswitch", "--rate", "64000"],
      /^simulate: --rate 64000: .* not at freeswitch's 64000 Hz/,
    ],
    [
      ["-p", "twilio", "--rate", "16000"],
      /^simulate: --rate 16000: Twilio streams 8000 Hz μ-law only/,
    ],
    [
      ["-p", "telnyx", "--playback-encoding", "OPUS"],
      /^simulate: --playback-encoding OPUS: Telnyx's bidirectional codec is PCMU, PCMA, L16 or G722, got OPUS/,
    ],
    [
      ["-p", "plivo", "--encoding", "audio/x-l16", "--rate", "24000"],
      /^simulate: --encoding audio\/x-l16 --rate 24000: Plivo streams/,
    ],
    [
      ["-p", "exotel", "--encoding", "audio/x-mulaw", "--rate", "16000"],
      /^simulate: --encoding audio\/x-mulaw --rate 16000: Exotel streams .* got audio\/x-mulaw at 16000/,
    ],
    // Values the command line reads itself.
    [
      ["--rate", "abc"],
      /^simulate: --rate must be a rate in Hz \(a whole number above 0\), got abc/,
    ],
    [["--speed", "0"], /^simulate: --speed must be a number above 0 or max, got 0/],
    [
      ["--segments", "900-100"],
      /^simulate: --segments: each START-END ends after it starts, got 900-100/,
    ],
    [["--pcm-rate", "8000"], /^simulate: --pcm-rate needs --audio/],
    [
      ["--audio", "/nonexistent-dir/caller.wav"],
      /^simulate: --audio: cannot read \/nonexistent-dir\/caller\.wav/,
    ],
  ];
  await Promise.all(cases.map(async ([args, message]) => {
    const { code, stdout, stderr } = await simulate([...args, url]);
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assert.match(stderr, message);
    assert.doesNotMatch(
      stderr.split("\n")[0]!,
      /outputRate|sampleRate|playbackEncoding|speechThresholdDbfs|speech segment|: speed must/,
    );
    assert.equal(stdout, "", "no call, no report");
  }));
  // And μ-law is Exotel's to choose: the call is made (to a port that never answers).
  const mulaw = await simulate(["-p", "exotel", "--encoding", "audio/x-mulaw", "-q", url]);
  assert.equal(mulaw.code, 1, mulaw.stderr);
  assert.match(
    mulaw.stdout,
    /exotel call to ws:\/\/127\.0\.0\.1:9\/: never connected, gave up at /,
  );
});

Deno.test("the simulate CLI names a WAV file's rate it cannot read, and what it can", async () => {
  const dir = await Deno.makeTempDir({ prefix: "simulate_cli_" });
  try {
    // 11.025 kHz: a rate people record at that the resampler does not take.
    const rate = 11025;
    const wav = new Uint8Array(44 + 2 * Math.round(rate * 0.1));
    const view = new DataView(wav.buffer);
    const text = (at: number, s: string) => [...s].forEach((c, i) => wav[at + i] = c.charCodeAt(0));
    text(0, "RIFF");
    view.setUint32(4, wav.length - 8, true);
    text(8, "WAVEfmt ");
    view.setUint32(16, 16, true);
    view.setUint16(20, 1, true); // PCM
    view.setUint16(22, 1, true); // mono
    view.setUint32(24, rate, true);
    view.setUint32(28, rate * 2, true);
    view.setUint16(32, 2, true);
    view.setUint16(34, 16, true);
    text(36, "data");
    view.setUint32(40, wav.length - 44, true);
    await Deno.writeFile(`${dir}/caller.wav`, wav);
    const { code, stderr } = await simulate(["--audio", `${dir}/caller.wav`, "ws://127.0.0.1:9/"]);
    assert.equal(code, 2, stderr);
    assert.match(stderr, /the WAV file's rate is 11025 Hz: the simulator reads 8000, 12000, 16000/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the simulate CLI interrupted (SIGINT) prints the report so far and exits 130, never 0", async () => {
  // A bot that accepts and stays quiet: the call would linger on.
  const { server, heard } = quietBot();
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net",
        CLI,
        "--protocol",
        "raw",
        "--quiet",
        `ws://127.0.0.1:${server.addr.port}/`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Interrupt once the call is under way: the bot has heard the caller.
    await within(heard, 10_000, "the caller's first message");
    child.kill("SIGINT");
    const { code, stdout } = await child.output();
    assert.equal(code, 130);
    assert.match(
      new TextDecoder().decode(stdout),
      /raw call to ws:\/\/127\.0\.0\.1:\d+\/: aborted at /,
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("the simulate CLI exits 1 for a bot that closes with 1011, and bounds a silent Genesys bot by --max-duration", async () => {
  // The bot that fails and says so, on a server that always finishes the closing handshake (with
  // Deno.serve it was sometimes cut short under load, and the simulator saw 1006, not 1011).
  const crashing = serveClosingBot(1011, "internal error: bot crashed");
  // /silent: the bot never answers Genesys's `open`.
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onmessage = () => {};
    return response;
  });
  const base = `ws://127.0.0.1:${server.addr.port}`;
  try {
    const crashed = await simulate(["-q", "--json", `ws://127.0.0.1:${crashing.port}/crash`]);
    const report = JSON.parse(crashed.stdout);
    assert.deepEqual([report.ended.by, report.ended.code], ["bot", 1011]);
    assert.equal(crashed.code, 1, "a bot that crashed does not pass");
    const started = performance.now();
    const silent = await simulate([
      "-q",
      "--json",
      "-p",
      "genesys",
      "--max-duration",
      "1000",
      `${base}/silent`,
    ]);
    const elapsed = performance.now() - started;
    const silentReport = JSON.parse(silent.stdout);
    const ended = silentReport.ended;
    assert.equal(ended.by, "timeout");
    assert.equal(silent.code, 1, "a handshake never completed does not pass");
    assert.equal(silentReport.violations[0]?.rule, "genesys.no-handshake");
    // Named as the user set the bound: the flag, not the library's option (maxDurationMs).
    assert.equal(
      silentReport.violations[0]?.detail,
      "the genesys handshake did not complete within --max-duration (1000 ms)",
    );
    assert.equal(ended.detail, "the call reached --max-duration (1000 ms)");
    assert.ok(ended.atMs >= 1000 && ended.atMs < 1500, `ended at ${ended.atMs} ms`);
    // The bound, a closing handshake of at most 2 s and the socket's close, not Genesys's 15 s.
    assert.ok(elapsed < 8000, `the command took ${elapsed} ms`);
  } finally {
    await crashing.close();
    await server.shutdown();
  }
});
