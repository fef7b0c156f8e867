// The simulate command line as users type it, for what its flags and Ctrl-C promise: a
// subprocess of `deno run src/simulator/cli.ts` against the demo server, a bot that says nothing,
// or a port that never answers the WebSocket handshake.
import assert from "node:assert/strict";
import { createDemoHandler } from "../../examples/demo/handler.ts";
import { demoOrigins } from "../../examples/demo/origins.ts";
import { wrapWav } from "../../src/audio/wav.ts";
import { runCli, runCliInterrupted as simulateInterrupted } from "./_cli.ts";
import { silentTcp } from "./_silent_tcp.ts";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** From the start (or from SIGINT, when interrupted) to the exit, in ms. */
  ms: number;
}

async function simulate(args: string[]): Promise<Run> {
  const started = performance.now();
  const run = await runCli(args);
  return { ...run, ms: performance.now() - started };
}

/** The demo server on a free port; `requested` resolves at its first request. */
function demo() {
  let handler: (request: Request) => Response | Promise<Response> = () => new Response(null);
  const { promise: requested, resolve } = Promise.withResolvers<void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    resolve();
    return handler(request);
  });
  handler = createDemoHandler({ origins: demoOrigins("127.0.0.1", server.addr.port) });
  return { url: `ws://127.0.0.1:${server.addr.port}`, requested, close: () => server.shutdown() };
}

Deno.test("the simulate CLI takes --speech-threshold -30, the form its --help shows, and =-30", async () => {
  const server = demo();
  try {
    for (const threshold of [["--speech-threshold", "-30"], ["--speech-threshold=-30"]]) {
      const r = await simulate([
        "-q",
        "-p",
        "raw",
        "--hang-up-at",
        "300",
        ...threshold,
        `${server.url}/ws`,
      ]);
      assert.equal(r.code, 0, `${threshold.join(" ")}: ${r.stderr.split("\n")[0]}`);
    }
  } finally {
    await server.close();
  }
});

Deno.test("the simulate CLI leaves an existing --record file as it was after bad usage, or a call that never connected", async () => {
  const file = await Deno.makeTempFile({ suffix: ".wav" });
  try {
    await Deno.writeTextFile(file, "yesterday's recording");
    const url = "ws://127.0.0.1:9/"; // nothing listens
    const usage: string[][] = [
      ["--protocol", "twillio"],
      ["--protocol", "twilio", "--rate", "16000"],
      ["--speech-threshold", "6"],
    ];
    for (const args of usage) {
      const r = await simulate(["--record", file, ...args, url]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr.split("\n")[0]}`);
      assert.equal(await Deno.readTextFile(file), "yesterday's recording", args.join(" "));
    }
    const r = await simulate(["-q", "--record", file, url]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(await Deno.readTextFile(file), "yesterday's recording", "a call that never ran");
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("the simulate CLI bounds a WebSocket handshake that never completes by --max-duration", async () => {
  const tcp = silentTcp();
  try {
    const r = await simulate(["-q", "--json", "--max-duration", "1000", tcp.url]);
    assert.equal(r.code, 1, "a call that never connected fails");
    const report = JSON.parse(r.stdout);
    assert.equal(report.ended.by, "error");
    // Named as the user set it: the flag, not the library's option (maxDurationMs).
    assert.match(report.ended.detail, /did not open within 1000 ms \(--max-duration\)/);
    assert.ok(r.ms < 5000, `took ${Math.round(r.ms)} ms with --max-duration 1000`);
  } finally {
    await tcp.close();
  }
});

Deno.test("Ctrl-C during a Genesys call exits within a second or so, with no violation after the call's end", async () => {
  // A bot that takes the socket and never answers: no "opened", and no "closed" to the close.
  const { promise: opened, resolve } = Promise.withResolvers<void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onopen = () => resolve();
    return response;
  });
  try {
    const r = await simulateInterrupted(
      ["-q", "--json", "-p", "genesys", `ws://127.0.0.1:${server.addr.port}/`],
      opened,
      300,
    );
    assert.equal(r.code, 130, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.ended.by, "aborted");
    assert.deepEqual(report.violations, [], "no genesys.close-timeout for a wait cut short");
    assert.ok(r.ms < 3000, `exited ${Math.round(r.ms)} ms after SIGINT`);
  } finally {
    await server.shutdown();
  }
});

Deno.test("Ctrl-C while the WebSocket is connecting reports no connect time (it never opened)", async () => {
  const tcp = silentTcp();
  try {
    const r = await simulateInterrupted(["-q", "--json", tcp.url], tcp.accepted, 200);
    assert.equal(r.code, 130, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.ended.by, "aborted");
    assert.equal(report.connectMs, null);
  } finally {
    await tcp.close();
  }
});

Deno.test("Ctrl-C during --ramp exits at once, and the calls not yet started count as aborted", async () => {
  const server = demo();
  try {
    const r = await simulateInterrupted(
      ["-q", "--json", "--calls", "3", "--ramp", "20000", "-p", "raw", `${server.url}/ws`],
      server.requested,
      300,
    );
    assert.equal(r.code, 130, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.deepEqual(summary.endedBy, { aborted: 3 });
    // Cut short, every call fails as interrupted, and as nothing else.
    assert.deepEqual(
      summary.verdict.failures.map((f: { reason: string; calls: number }) => [f.reason, f.calls]),
      [["interrupted", 3]],
    );
    assert.deepEqual(
      summary.reports.map((report: { connectMs: number | null }) => report.connectMs === null),
      [
        false,
        true,
        true,
      ],
    );
    assert.ok(r.ms < 3000, `exited ${Math.round(r.ms)} ms after SIGINT`);
  } finally {
    await server.close();
  }
});

Deno.test("the simulate CLI refuses --encoding, --playback-encoding and --rate where the platform has no choice", async () => {
  const url = "ws://127.0.0.1:9/"; // never reached: each is refused first
  const refused: [string[], RegExp][] = [
    [["-p", "twilio", "--rate", "16000"], /Twilio streams 8000 Hz μ-law only/],
    [["-p", "twilio", "--encoding", "L16"], /--encoding L16: twilio offers no choice of it/],
    [["-p", "raw", "--encoding", "PCMU"], /--encoding PCMU: raw offers no choice of it/],
    [["-p", "plivo", "--playback-encoding", "PCMA"], /--playback-encoding PCMA: plivo offers no/],
    [["-p", "genesys", "--rate", "16000"], /--rate 16000: genesys offers no choice of it/],
    [["-p", "pipecat", "--rate", "44100"], /--rate 44100: pipecat offers no choice of it/],
    // Telnyx plays L16 at a rate of choice, and PCMU (its default) at 8000 Hz only.
    [["-p", "telnyx", "--rate", "16000"], /--rate 16000: telnyx offers no choice of it/],
  ];
  for (const [args, message] of refused) {
    const r = await simulate(["-q", ...args, url]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stdout.split("\n")[0]}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, "", "no call, no report");
  }
  // Where there is a choice it is taken: the call is tried (exit 1: nothing listens).
  const taken = await simulate([
    "-q",
    "-p",
    "telnyx",
    "--encoding",
    "L16",
    "--playback-encoding",
    "L16",
    "--rate",
    "16000",
    url,
  ]);
  assert.equal(taken.code, 1, taken.stderr.split("\n")[0] ?? "");
});

Deno.test("the simulate CLI's --calls N summary says why calls failed, in text and JSON", async () => {
  const url = "ws://127.0.0.1:9/"; // nothing listens
  const text = await simulate(["-q", "--calls", "2", url]);
  assert.equal(text.code, 1);
  assert.match(
    text.stdout,
    /\n {2}result +0 passed, 2 FAILED\n {4}2 × ending \(by an error\): could not connect to ws:\/\/127\.0\.0\.1:9\//,
  );
  const json = await simulate(["-q", "--json", "--calls", "2", url]);
  assert.equal(json.code, 1);
  const { verdict } = JSON.parse(json.stdout);
  assert.equal(verdict.passed, false);
  assert.equal(verdict.failedCalls, 2);
  const { failures } = verdict;
  assert.equal(failures.length, 1, JSON.stringify(failures));
  assert.equal(failures[0].reason, "ending");
  assert.equal(failures[0].by, "error");
  assert.equal(failures[0].calls, 2);
  assert.match(failures[0].detail, /^could not connect to ws:\/\/127\.0\.0\.1:9\//);
});

Deno.test("at --speed max the simulate CLI gives no response latencies, as its --help says", async () => {
  const server = demo();
  try {
    const args = ["-q", "--speed", "max", "--linger", "1500", `${server.url}/phone`];
    const help = await simulate(["--help"]);
    assert.match(help.stdout, /at max the\s+utterances' latencies are not measured/);
    const json = await simulate(["--json", ...args]);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.ok(report.utterances.length > 0);
    assert.equal(report.responseLatencyMs, null, JSON.stringify(report.responseLatencyMs));
    for (const u of report.utterances) assert.equal(u.latencyMs, null, JSON.stringify(u));
    const text = await simulate(args);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /responses +not measured at max speed \(\d+ utterances\)/);
  } finally {
    await server.close();
  }
});

Deno.test('the raw far end takes the demo\'s {"type":"clear"} on /wideband for a clear', async () => {
  const server = demo();
  try {
    const r = await simulate([
      "-q",
      "--json",
      "-p",
      "raw",
      "--barge-in",
      "300",
      "--barge-ins",
      "1",
      // The parrot answers the synthetic caller's first words at about 4.4 s.
      "--hang-up-at",
      "6000",
      `${server.url}/wideband`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.bargeIns.length, 1);
    assert.notEqual(report.bargeIns[0].clearAtMs, null, JSON.stringify(report.notes));
    assert.ok(report.audio.clearedMs > 0, "the clear emptied the far end's buffer");
    assert.equal(report.notes["raw text message"], undefined, JSON.stringify(report.notes));
  } finally {
    await server.close();
  }
});

Deno.test("the simulate CLI takes --barge-ins as a whole count", async () => {
  const url = "ws://127.0.0.1:9/"; // never reached: each is refused first
  for (const value of ["x", "1.5", "-1"]) {
    const r = await simulate(["--barge-in", "800", "--barge-ins", value, url]);
    assert.equal(r.code, 2, value);
    assert.match(r.stderr, new RegExp(`--barge-ins must be a whole number, got ${value}`));
  }
});

Deno.test("the simulate CLI names the flag that took the URL as its value", async () => {
  // `--linger` with no value takes the URL after it (node:util parseArgs): no URL is left.
  const r = await simulate(["--linger", "ws://127.0.0.1:9/"]);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /give exactly one WebSocket URL \(--linger took ws:\/\/127\.0\.0\.1:9\/ as its value/,
  );
});

Deno.test("the simulate CLI refuses --segments that end after the audio or overlap, naming the flags", async () => {
  // `--segments` says "where the speech is in the audio": past its end the caller sends silence,
  // which a segment there counted as an utterance the bot never answered.
  const url = "ws://127.0.0.1:9/"; // never reached: refused first
  const wav = await Deno.makeTempFile({ suffix: ".wav" });
  try {
    await Deno.writeFile(
      wav,
      wrapWav(new Uint8Array(16000 * 2), { sampleRate: 16000, channels: 1 }),
    ); // 1 s
    const refused: [string[], RegExp][] = [
      [
        ["--audio", wav, "--segments", "100-900,4000-5200"],
        /^simulate: --segments 100-900,4000-5200 --audio .*: speech segment .* ends after the audio, which is 1000 ms long/,
      ],
      [
        ["--segments", "500-1700,90000-120000"],
        /^simulate: --segments 500-1700,90000-120000 \(the synthetic caller's audio\): .* ends after/,
      ],
      // Overlapping: one stretch of speech given as two utterances (speech_segments_checked_test.ts).
      [
        ["--audio", wav, "--segments", "0-900,100-200"],
        /^simulate: --segments 0-900,100-200: speech segments \{"startMs":0,"endMs":900\} and \{"startMs":100,"endMs":200\} overlap/,
      ],
    ];
    for (const [args, message] of refused) {
      const r = await simulate(["-q", "-p", "raw", ...args, url]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stdout.split("\n")[0]}`);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, "", "no call, no report");
    }
    // A segment ending with the audio is taken: the call is tried (exit 1: nothing listens).
    const taken = await simulate([
      "-q",
      "-p",
      "raw",
      "--audio",
      wav,
      "--segments",
      "100-1000",
      url,
    ]);
    assert.equal(taken.code, 1, taken.stderr.split("\n")[0] ?? "");
  } finally {
    await Deno.remove(wav);
  }
});
