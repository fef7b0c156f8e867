// The examples/twilio echo bot's beep on a keypad press: it takes the place of the echo, so that
// the echo stays on time after any number of presses. The far end is the simulator playing Twilio
// (src/simulator, protocol "twilio"): a caller that streams audio without pause, silence included,
// as Twilio's Media Streams do, and presses keys (Twilio's `dtmf` message), on one FakeClock with
// the bridge in lockstep (see `../_lockstep.ts`).
import assert from "node:assert/strict";
import type { AudioFrame, Frame } from "../../src/frames.ts";
import { echoBot } from "../../examples/twilio/echo_bot.ts";
import { twilioBridge } from "../../examples/twilio/bridge.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { simulateCall, syntheticCaller } from "../../src/simulator/mod.ts";
import { Lockstep } from "../_lockstep.ts";

/** One frame of the simulated caller's audio, and what the transport sends ahead of playout. */
const FRAME_MS = 20;
const SEND_AHEAD_MS = 40;

Deno.test("examples/twilio echoes each word on time after keypad presses: the beeps do not delay it", async () => {
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    twilioBridge({ clock, onSession: (t) => lockstep.register(t) }),
  );
  try {
    const report = await lockstep.run(
      simulateCall(`ws://127.0.0.1:${server.addr.port}/media`, {
        protocol: "twilio",
        clock,
        connect: lockstep.connectCaller,
        // Words at 1.5 s and 3.3 s; between them three presses, 450 ms of beeps.
        audio: syntheticCaller({ utterancesMs: [300, 300], pauseMs: 1500 }),
        dtmf: [{ atMs: 2000, digit: "1" }, { atMs: 2050, digit: "2" }, { atMs: 2100, digit: "3" }],
        lingerMs: 1000,
      }),
    );
    assert.deepEqual(report.violations, []);
    assert.equal(report.dtmf.sent, 3);
    assert.equal(report.utterances.length, 2);
    for (const u of report.utterances) {
      const echoAfterStart = u.responseStartMs! - u.startMs;
      assert.ok(
        echoAfterStart >= 0 && echoAfterStart <= SEND_AHEAD_MS + FRAME_MS,
        `the word at ${u.startMs} ms echoed ${echoAfterStart} ms after it began`,
      );
    }
  } finally {
    await server.shutdown();
  }
});

function silence(ms: number): AudioFrame {
  const bytes = new Uint8Array(((16000 * ms) / 1000) * 2);
  return { type: "audio", audio: bytes, sampleRate: 16000, channels: 1 };
}

Deno.test("examples/twilio echo bot leaves out as much echo as it beeped, a frame cut where the beep ends", async () => {
  const inbound: Frame[] = [
    silence(20),
    { type: "dtmf", digit: "7" },
    silence(20),
    silence(20),
    silence(20),
  ];
  const out = await Array.fromAsync(
    ReadableStream.from(inbound).pipeThrough(echoBot({ beepMs: 30 })),
  );
  const audioMs = out.map((f) =>
    f.type === "audio" ? (f.audio.byteLength / 2 / f.sampleRate) * 1000 : f.type
  );
  // The first frame echoed; the 30 ms beep and its mark; 30 ms of what followed left out (one
  // frame and half the next); the rest echoed.
  assert.deepEqual(audioMs, [20, 30, "mark", 10, 20]);
});
