// The simulator against the servers this package ships, in real time (they take no clock): the
// demo's echo endpoint, the Twilio example's bridge, and the behaviour suite's bot. The truths
// here are about content and protocol, not milliseconds: what the caller said comes back, the
// Twilio example's beep is acknowledged by its mark only after it played, nothing breaks a rule.
import assert from "node:assert/strict";
import { createDemoHandler } from "../../examples/demo/handler.ts";
import { demoOrigins } from "../../examples/demo/origins.ts";
import { twilioBridge } from "../../examples/twilio/bridge.ts";
import { upgrade } from "../../src/adapters/deno.ts";
import { ECHO_OPTIONS, runBot } from "../runtimes/behaviour/bot.ts";
import { simulateCall, syntheticCaller } from "../../src/simulator/mod.ts";

type Handler = (request: Request) => Response | Promise<Response>;

/** Serves on 127.0.0.1 port 0 what `make` returns for the port (the demo answers its own only). */
function serve(make: (port: number) => Handler) {
  let handler: Handler = () => new Response(null, { status: 503 });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (r) => handler(r));
  handler = make(server.addr.port);
  return { port: server.addr.port, server };
}

Deno.test("simulateCall as a raw-PCM page hears the demo echo each utterance back", async () => {
  const { port, server } = serve((port: number) =>
    createDemoHandler({ origins: demoOrigins("127.0.0.1", port) })
  );
  try {
    const report = await simulateCall(`ws://127.0.0.1:${port}/ws?delay_ms=300`, {
      protocol: "raw",
      audio: syntheticCaller({ utterancesMs: [700, 500], pauseMs: 900 }),
      lingerMs: 800,
      record: true,
    });
    assert.equal(report.ended.by, "caller", report.ended.detail);
    assert.deepEqual(report.violations, []);
    assert.equal(report.utterances.length, 2);
    for (const u of report.utterances) {
      // The echo starts 300 ms (plus transit and pacing) after the caller started speaking.
      const echoAfterStart = u.responseStartMs! - u.startMs;
      assert.ok(echoAfterStart >= 290 && echoAfterStart < 600, `echo ${echoAfterStart} ms after`);
    }
    // Everything said came back: 1.2 s of speech heard, give or take the detector's blocks.
    const heard = report.audio.playedMs;
    assert.ok(heard >= report.callerAudioMs - 400, `heard ${heard} of ${report.callerAudioMs} ms`);
    assert.ok(report.recording && report.recording.length > 44);
  } finally {
    await server.shutdown();
  }
});

Deno.test("simulateCall as Twilio presses a key on the Twilio example and hears its beep, mark after it played", async () => {
  const { port, server } = serve(() => twilioBridge({}));
  try {
    const report = await simulateCall(`ws://127.0.0.1:${port}/media`, {
      protocol: "twilio",
      audio: syntheticCaller({ utterancesMs: [400], pauseMs: 600 }),
      dtmf: [{ atMs: 200, digit: "5" }],
      lingerMs: 1500,
    });
    assert.deepEqual(report.violations, []);
    assert.equal(report.dtmf.sent, 1);
    // The bot's beep mark, and the transport's own playout marks: every one acknowledged once
    // its audio had played, none held much longer than the beep (150 ms; the exact truth of a
    // mark's timing is tested in lockstep in simulate_call_test.ts). This call runs on real
    // time: on a crowded machine the last mark's audio may still be playing when the caller
    // hangs up (then it is pending, never dropped), and a timer may fire late, hence the margin.
    assert.ok(report.marks.acked >= 1);
    assert.equal(report.marks.dropped, 0);
    assert.equal(report.marks.acked + report.marks.pending, report.marks.requested);
    const delay = report.marks.ackDelayMs!.max;
    assert.ok(delay <= 150 + 100, `a mark was acked ${delay} ms after it was asked for`);
    // The beep is heard shortly after the key press (220 ms: the key goes with the 11th frame).
    assert.ok(
      report.firstAudibleMs! >= 200 && report.firstAudibleMs! < 500,
      `${report.firstAudibleMs}`,
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("simulateCall as raw PCM ends a call the behaviour suite's bot echoes", async () => {
  const { port, server } = serve(() => async (request) => {
    const { transport, response } = await upgrade(request, ECHO_OPTIONS);
    if (transport) runBot(transport, new URL(request.url));
    return response;
  });
  try {
    const report = await simulateCall(`ws://127.0.0.1:${port}/ws?id=simulator`, {
      protocol: "raw",
      audio: syntheticCaller({ utterancesMs: [500], pauseMs: 500 }),
      hangUpAtMs: 1500,
    });
    assert.equal(report.ended.by, "caller");
    assert.match(report.ended.detail, /1500 ms/);
    assert.deepEqual(report.violations, []);
    assert.equal(report.utterances[0]!.responseStartMs !== null, true);
    assert.ok(report.audio.playedMs > 1000);
  } finally {
    await server.shutdown();
  }
});

Deno.test("simulateCall reports a bot it cannot reach as an error, not a rejection", async () => {
  const { port, server } = serve(() => () => new Response("no", { status: 404 }));
  await server.shutdown();
  const report = await simulateCall(`ws://127.0.0.1:${port}/`, { protocol: "twilio" });
  assert.equal(report.ended.by, "error");
  assert.equal(report.connectMs, null);
  assert.deepEqual(report.utterances, []);
});

Deno.test("simulateCall refuses bad options with errors that name them", async () => {
  await assert.rejects(simulateCall("ws://127.0.0.1:1/", { protocol: "skype" }), RangeError);
  await assert.rejects(
    simulateCall("ws://127.0.0.1:1/", { protocol: "twilio", speed: 0 }),
    /speed/,
  );
  await assert.rejects(
    simulateCall("ws://127.0.0.1:1/", { protocol: "twilio", dtmf: [{ atMs: 0, digit: "x" }] }),
    /dtmf/,
  );
});
