// Underruns as the caller heard them at the simulator's far end, beside the bot transport's own
// count by its playout estimate (`SessionMetrics`' `outbound.underruns`). The bot is this
// package's transport and Twilio serializer; bot and simulator share one clock over real sockets
// (tests/_lockstep.ts), a clock whose event loop can be held (tests/_stall_clock.ts), so a sender
// stall is exact: with 60 ms sent ahead, a 100 ms stall leaves the caller 40 ms of silence.
import assert from "node:assert/strict";
import type { Frame } from "../../src/frames.ts";
import { SessionMetrics } from "../../src/metrics/session_metrics.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import {
  aggregateReports,
  type CallReport,
  formatReport,
  PlayoutBuffer,
  simulateCall,
  syntheticCaller,
} from "../../src/simulator/mod.ts";
import { Lockstep } from "../_lockstep.ts";
import { StallClock } from "../_stall_clock.ts";
import { callSilentBot } from "./_silent_bot_call.ts";
import { serveBot } from "./_bot.ts";

/** A Twilio serializer whose work on the `k`th audio chunk holds the event loop `ms`. */
class StallingTwilioSerializer extends TwilioSerializer {
  #chunks = 0;
  constructor(readonly clock: StallClock, readonly k: number, readonly ms: number) {
    super();
  }
  override serialize(frame: Frame) {
    if (frame.type === "audio" && ++this.#chunks === this.k && this.ms > 0) {
      this.clock.block(this.ms);
    }
    return super.serialize(frame);
  }
}

/** How the bot answers, and what the caller says. */
interface MeteredCall {
  sendAheadMs: number;
  /** The bot's work on its 10th audio chunk holds its event loop this long. */
  stallMs: number;
  answerDelayMs?: number;
  answerMs?: number;
  audio?: ReturnType<typeof syntheticCaller>;
}

/**
 * One Twilio call to a bot that answers each utterance `answerDelayMs` after it with `answerMs`
 * of tone, with `SessionMetrics` on the bot's session given to the simulator.
 */
async function meteredCall(options: MeteredCall): Promise<CallReport> {
  const clock = new StallClock();
  const lockstep = new Lockstep(clock);
  let metrics: SessionMetrics | undefined;
  const server = serveBot({
    clock,
    serializer: () => new StallingTwilioSerializer(clock, 10, options.stallMs),
    transport: { sendAheadMs: options.sendAheadMs },
    answerDelayMs: options.answerDelayMs ?? 500,
    answerMs: options.answerMs ?? 1000,
    onSession: (transport) => {
      lockstep.register(transport);
      metrics = SessionMetrics.attach(transport, { clock, speech: false });
    },
  });
  try {
    return await lockstep.run(simulateCall(server.url, {
      protocol: "twilio",
      audio: options.audio ?? syntheticCaller({ utterancesMs: [600], pauseMs: 400 }),
      lingerMs: 1000,
      clock,
      connect: lockstep.connectCaller,
      sessionMetrics: () => metrics?.snapshot(),
    }));
  } finally {
    await server.close();
  }
}

/** `actual` within a sample of the far end's 8 kHz of `expected`. */
function near(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 0.125, `${what}: ${actual} ms, not ${expected}`);
}

for (
  const { stallMs, gaps, gapMs } of [
    { stallMs: 0, gaps: 0, gapMs: 0 },
    { stallMs: 100, gaps: 1, gapMs: 40 },
  ]
) {
  Deno.test(`simulateCall: a bot stalled ${stallMs} ms with 60 ms sent ahead — the far end heard ${gaps} gap(s) of ${gapMs} ms, and its transport counted as many`, async () => {
    const report = await meteredCall({ sendAheadMs: 60, stallMs });
    assert.equal(report.ended.by, "caller", report.ended.detail);
    assert.deepEqual(report.violations, []);
    assert.ok(report.audio.playedMs >= 1000, `played ${report.audio.playedMs} ms`);
    // What the caller heard: the far end's buffer ran dry inside the reply.
    assert.equal(report.audio.underruns, gaps);
    near(report.audio.underrunMs, gapMs, "the far end's gaps");
    // What the bot's transport estimated, beside it.
    const estimate = report.transportUnderruns;
    assert.ok(estimate !== null, "the bot's metrics were read");
    assert.equal(estimate.underruns, gaps);
    near(estimate.underrunMs, gapMs, "the transport's estimate");
    assert.match(
      formatReport(report),
      new RegExp(
        `underruns ${gaps} \\(${gapMs} ms, longest ${gapMs} ms; by the bot's transport ${gaps}, ${gapMs} ms\\)`,
      ),
    );
    const total = aggregateReports([report, report]);
    assert.deepEqual(total.transportUnderruns, {
      calls: 2,
      underruns: 2 * gaps,
      underrunMs: 2 * estimate.underrunMs,
    });
    assert.match(
      formatReport(total),
      new RegExp(
        `underruns ${2 * gaps} \\(${2 * gapMs} ms; by the bot's transport ${2 * gaps}, ${
          2 * gapMs
        } ms in 2 calls\\)`,
      ),
    );
  });
}

Deno.test("simulateCall: a quick answer to the caller's short reply is no underrun of the bot's reply before", async () => {
  // The caller speaks at 0.7–1.1 s and 1.8–2.0 s; the bot answers each 300 ms after with 300 ms:
  // 1.4–1.7 s, then 2.3–2.6 s. The 600 ms between its replies, within maxUnderrunMs, is the
  // caller's turn: the far end counted it as a gap in the first reply before it heard the caller.
  const report = await meteredCall({
    sendAheadMs: 60,
    stallMs: 0,
    answerDelayMs: 300,
    answerMs: 300,
    audio: syntheticCaller({ utterancesMs: [400, 200], pauseMs: 700 }),
  });
  assert.equal(report.ended.by, "caller", report.ended.detail);
  assert.deepEqual(report.violations, []);
  assert.equal(report.utterances.filter((u) => u.latencyMs !== null).length, 2, "both answered");
  assert.equal(report.audio.underruns, 0, `${report.audio.underrunMs} ms`);
  assert.equal(report.audio.underrunMs, 0);
  assert.deepEqual(report.transportUnderruns, { underruns: 0, underrunMs: 0 });
});

Deno.test("PlayoutBuffer: a silence the caller spoke into ends the reply, a gap in the answer does not", () => {
  const ms = (n: number) => new Int16Array(8 * n).fill(1000);
  const buffer = new PlayoutBuffer({ sampleRate: 8000 });
  buffer.enqueue(ms(200), 0); // a reply, 0–200
  buffer.callerSpoke(300); // "yes", in the silence after it
  buffer.enqueue(ms(200), 700); // the answer, 700–900
  assert.equal(buffer.stats().underruns, 0);
  buffer.enqueue(ms(100), 940); // its next words 40 ms late: a gap inside the answer
  assert.equal(buffer.stats().underruns, 1);
  assert.equal(buffer.stats().underrunMs, 40);
  // The caller talks over the answer, which the bot goes on sending (no clear): the answer ends
  // where it runs dry, at 1060, and the audio after answers the caller.
  buffer.callerSpoke(1000);
  buffer.enqueue(ms(20), 1020);
  buffer.enqueue(ms(20), 1200);
  assert.equal(buffer.stats().underruns, 1);
  // Without the caller speaking, the same silence is a gap in the reply.
  buffer.enqueue(ms(20), 1300);
  assert.equal(buffer.stats().underruns, 2);
  assert.equal(buffer.stats().underrunMs, 120);
});

Deno.test("simulateCall: without sessionMetrics the report has no transport figure (the wire does not carry it)", async () => {
  const report = await callSilentBot({ protocol: "twilio", hangUpAtMs: 200 });
  assert.equal(report.transportUnderruns, null);
  assert.doesNotMatch(formatReport(report), /bot's transport/);
  assert.equal(aggregateReports([report]).transportUnderruns, null);
  // A bot with no metrics of its own to give.
  const none = await callSilentBot({
    protocol: "twilio",
    hangUpAtMs: 200,
    sessionMetrics: () => undefined,
  });
  assert.equal(none.transportUnderruns, null);
});

Deno.test("simulateCall refuses a sessionMetrics that is no function, throws, or gives no counts, with a TypeError", async () => {
  await assert.rejects(
    // @ts-expect-error: not a function
    () => callSilentBot({ protocol: "twilio", hangUpAtMs: 200, sessionMetrics: {} }),
    { name: "TypeError", message: "sessionMetrics must be a function, got object" },
  );
  const failure = new Error("no session");
  await assert.rejects(
    () =>
      callSilentBot({
        protocol: "twilio",
        hangUpAtMs: 200,
        sessionMetrics: () => {
          throw failure;
        },
      }),
    (error: unknown) =>
      error instanceof TypeError && error.message === "sessionMetrics threw: no session" &&
      error.cause === failure,
  );
  for (const outbound of [{ underruns: NaN, underrunMs: 0 }, { underruns: 1, underrunMs: -1 }]) {
    await assert.rejects(
      () =>
        callSilentBot({
          protocol: "twilio",
          hangUpAtMs: 200,
          sessionMetrics: () => ({ outbound }),
        }),
      { name: "TypeError", message: /outbound\.underruns and outbound\.underrunMs/ },
    );
  }
});
