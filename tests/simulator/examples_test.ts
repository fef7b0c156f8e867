// The simulator against the servers this package ships: the demo's echo endpoint, the Twilio
// example's bridge, and the behaviour suite's bot. Each server and the simulated caller run on one
// FakeClock over real sockets (see `../_lockstep.ts`), so what a call measures is exact however
// busy the machine: the demo's 300 ms echo comes 300 ms after the caller's words, the Twilio
// example's beep is acknowledged by its mark once it has played.
import assert from "node:assert/strict";
import { createDemoHandler } from "../../examples/demo/handler.ts";
import { demoOrigins } from "../../examples/demo/origins.ts";
import { twilioBridge } from "../../examples/twilio/bridge.ts";
import { upgrade } from "../../src/adapters/deno.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { ECHO_OPTIONS, runBot } from "../runtimes/behaviour/bot.ts";
import {
  type CallReport,
  simulateCall,
  type SimulateCallOptions,
  syntheticCaller,
} from "../../src/simulator/mod.ts";
import { Lockstep } from "../_lockstep.ts";

type Handler = (request: Request) => Response | Promise<Response>;

/** What a server needs to run in lockstep: the clock, and where its sessions are counted. */
interface Step {
  clock: FakeClock;
  onSession: (transport: WebSocketTransport) => void;
}

/**
 * Serves on 127.0.0.1 port 0 what `make` returns for the port (the demo answers its own only),
 * and calls it with the simulator, both on one FakeClock in lockstep.
 */
async function callServer(
  make: (port: number, step: Step) => Handler,
  path: string,
  call: Omit<SimulateCallOptions, "clock" | "connect">,
): Promise<CallReport> {
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  let handler: Handler = () => new Response(null, { status: 503 });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (r) => handler(r));
  const port = server.addr.port;
  handler = make(port, { clock, onSession: (t) => lockstep.register(t) });
  try {
    return await lockstep.run(
      simulateCall(`ws://127.0.0.1:${port}${path}`, {
        ...call,
        clock,
        connect: lockstep.connectCaller,
      }),
    );
  } finally {
    await server.shutdown();
  }
}

/** One frame of the simulated caller's audio. */
const FRAME_MS = 20;

Deno.test("simulateCall as a raw-PCM page hears the demo echo each utterance back 300 ms later", async () => {
  const report = await callServer(
    (port, step) => createDemoHandler({ origins: demoOrigins("127.0.0.1", port), ...step }),
    "/ws?delay_ms=300",
    {
      protocol: "raw",
      audio: syntheticCaller({ utterancesMs: [700, 500], pauseMs: 900 }),
      lingerMs: 800,
      record: true,
    },
  );
  assert.equal(report.ended.by, "caller", report.ended.detail);
  assert.deepEqual(report.violations, []);
  assert.deepEqual(report.utterances.map((u) => [u.startMs, u.endMs]), [[900, 1600], [2500, 3000]]);
  for (const u of report.utterances) {
    // 300 ms of delay after the frame that carried the first word arrived (one frame in).
    const echoAfterStart = u.responseStartMs! - u.startMs;
    assert.ok(
      echoAfterStart >= 300 && echoAfterStart <= 300 + 2 * FRAME_MS,
      `echo ${echoAfterStart} ms after`,
    );
  }
  // Everything the caller sent came back, paced: all but the last 300 ms (and the frame in
  // flight) when it hung up, with the far end's buffer never running dry.
  const heard = report.audio.playedMs;
  const echoed = report.callerAudioMs - 300;
  assert.ok(heard <= echoed && heard >= echoed - 2 * FRAME_MS, `heard ${heard} ms`);
  assert.equal(report.audio.underruns, 0);
  assert.equal(report.audio.earlyChunks, 0);
  assert.ok(report.recording && report.recording.length > 44);
});

Deno.test("simulateCall as Twilio presses a key on the Twilio example and hears its beep, mark after it played", async () => {
  const report = await callServer((_port, step) => twilioBridge(step), "/media", {
    protocol: "twilio",
    audio: syntheticCaller({ utterancesMs: [400], pauseMs: 600 }),
    dtmf: [{ atMs: 200, digit: "5" }],
    lingerMs: 1500,
  });
  assert.deepEqual(report.violations, []);
  assert.equal(report.dtmf.sent, 1);
  // The bot's beep mark and the transport's own playout marks: every one acknowledged once the
  // audio before it had played, which is at most what the transport sends ahead (40 ms here)
  // after the mark itself left.
  assert.ok(report.marks.acked >= 2, `${report.marks.acked} marks acknowledged`);
  assert.equal(report.marks.dropped, 0);
  assert.equal(report.marks.pending, 0);
  assert.equal(report.marks.acked, report.marks.requested);
  const delay = report.marks.ackDelayMs!.max;
  assert.ok(delay <= 40 + FRAME_MS, `a mark was acked ${delay} ms after it was asked for`);
  // The key goes with the 11th frame (sent at 220 ms); the beep plays after the echo already
  // sent ahead of it.
  const beep = report.firstAudibleMs!;
  assert.ok(beep >= 220 && beep <= 220 + 40 + FRAME_MS, `beep heard at ${beep} ms`);
});

Deno.test("simulateCall as raw PCM ends a call the behaviour suite's bot echoes", async () => {
  const report = await callServer(
    (_port, step) => async (request) => {
      const options = { ...ECHO_OPTIONS, clock: step.clock };
      const { transport, response } = await upgrade(request, options);
      if (transport) {
        step.onSession(transport);
        runBot(transport, new URL(request.url));
      }
      return response;
    },
    "/ws?id=simulator",
    {
      protocol: "raw",
      audio: syntheticCaller({ utterancesMs: [500], pauseMs: 500 }),
      hangUpAtMs: 1500,
    },
  );
  assert.equal(report.ended.by, "caller");
  assert.equal(report.ended.detail, "the caller hung up at 1.50 s, as asked");
  assert.deepEqual(report.violations, []);
  // The echo of the word at 500 ms starts as soon as its first frame is back.
  const echoAt = report.utterances[0]!.responseStartMs!;
  assert.ok(echoAt >= 500 && echoAt <= 500 + 2 * FRAME_MS, `echo at ${echoAt} ms`);
  // Every frame sent came back and played, but the one in flight at the hang-up.
  assert.ok(report.audio.playedMs >= 1500 - 2 * FRAME_MS, `${report.audio.playedMs} ms`);
});

Deno.test("simulateCall reports a bot it cannot reach as an error, not a rejection", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    return new Response("no", { status: 404 });
  });
  await server.shutdown();
  const report = await simulateCall(`ws://127.0.0.1:${server.addr.port}/`, { protocol: "twilio" });
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
