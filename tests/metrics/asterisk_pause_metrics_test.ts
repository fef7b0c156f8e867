// A session's metrics through the bot's own pause of its reply on Asterisk (`PAUSE_MEDIA` …
// `CONTINUE_MEDIA`: docs.asterisk.org, Configuration → Channel Drivers → WebSocket, "Commands"):
// the caller hears silence because the bot asked for it, which is no underrun, no late chunk, and
// skews no figure. Every figure is checked against what the far end logged it played, tick by tick
// (tests/metrics/_pausing_asterisk.ts).
import assert from "node:assert/strict";
import {
  type MetricEvent,
  SessionMetrics,
  type SessionMetricsSnapshot,
  type SessionSummaryEvent,
} from "../../mod.ts";
import type { PlayoutLagInfo } from "../../src/session_observer.ts";
import { asterisk16kTransport } from "../serializers/fixtures/asterisk_channel_playout.ts";
import { filledPcm16k } from "../serializers/fixtures/filled_pcm_16k.ts";
import { FRAME_BYTES, pausingAsterisk } from "../serializers/fixtures/pausing_asterisk.ts";
import { heardUnderruns } from "./_pausing_asterisk.ts";

/** The reply's bytes (the caller's are 5). */
const REPLY = 0x11;
const PAUSE_MS = 3000;

interface Step {
  /** Clock time to do it at. */
  at: number;
  do: (call: PausedCall) => void;
}

type PausedCall = ReturnType<typeof asterisk16kTransport> & { metrics: SessionMetrics };

const reply = (ms: number) => ({ ...filledPcm16k(ms * 32, REPLY), responseId: "r1" });
const command = (name: string) => ({
  type: "message" as const,
  message: { command: name },
  urgent: true,
});

/**
 * A call on Asterisk whose caller talks throughout (a 20 ms frame every 20 ms, as the channel
 * sends its microphone), the bot doing `steps` at their times, until `endAt`, when the caller
 * hangs up. Returns the far end's ticks and the metrics as the session ended.
 */
async function pausedCall(steps: Step[], endAt: number, sendAheadMs?: number) {
  const call = asterisk16kTransport(sendAheadMs === undefined ? {} : { sendAheadMs });
  const { clock, pair, transport } = call;
  const errors: string[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error.message));
  const metrics = SessionMetrics.attach(transport, { speech: false });
  const measured: MetricEvent[] = [];
  metrics.addEventListener("metric", (event) => measured.push(event));
  const summaries: SessionSummaryEvent[] = [];
  metrics.addEventListener("summary", (event) => summaries.push(event));
  // What the transport told the metrics of its lag: the pause must not read as one.
  const lags: PlayoutLagInfo[] = [];
  transport.observe({ playoutLag: (info) => void lags.push({ ...info }) });
  const { ticks } = pausingAsterisk(clock, pair);
  transport.receive(() => {});
  let callerFrames = 0;
  const pending = [...steps];
  while (clock.now() < endAt) {
    while (pending.length > 0 && pending[0]!.at <= clock.now()) {
      pending.shift()!.do({ ...call, metrics });
    }
    await clock.tick(20);
    if (pair.client.readyState === 1) {
      pair.client.send(new Uint8Array(FRAME_BYTES).fill(5));
      callerFrames++;
    }
  }
  pair.client.close(1000);
  await transport.closed;
  assert.deepEqual(errors, []);
  assert.equal(summaries.length, 1);
  const final = summaries[0]!;
  return { ticks, final: final.snapshot, line: final.line, measured, lags, callerFrames };
}

/** What does not depend on the bot's audio: the caller's side, the session, no interruption. */
function checkCallerSide(final: SessionMetricsSnapshot, callerFrames: number, endAt: number) {
  assert.equal(final.ended, true);
  assert.ok(Math.abs(final.durationMs - endAt) <= 20, `session ${final.durationMs} ms`);
  assert.equal(final.inbound.frames, callerFrames);
  assert.equal(final.inbound.audioMs, callerFrames * 20);
  // chan_websocket's media carries no timestamps: no jitter to measure.
  assert.equal(final.inbound.jitterMs, null);
  assert.equal(final.inbound.framesDropped, 0);
  assert.equal(final.interruptions, 0);
  assert.equal(final.outbound.bytesInterrupted, 0);
  assert.equal(final.outbound.bytesStale, 0);
  assert.equal(final.bargeInStopLatency.count, 0);
}

for (const sendAheadMs of [undefined, 300]) {
  Deno.test(`metrics: a 3 s PAUSE_MEDIA in a reply is no underrun, no late chunk, and skews no figure (sendAheadMs ${sendAheadMs ?? "default"})`, async () => {
    const turnEndedAt = 500;
    const pausedAt = 2000;
    const endAt = 9000;
    const { ticks, final, line, measured, lags, callerFrames } = await pausedCall(
      [
        { at: turnEndedAt, do: (c) => c.metrics.callerTurnEnded() },
        { at: 800, do: (c) => void c.transport.send(reply(4000)) },
        { at: pausedAt, do: (c) => void c.transport.send(command("PAUSE_MEDIA")) },
        { at: pausedAt + PAUSE_MS, do: (c) => void c.transport.send(command("CONTINUE_MEDIA")) },
      ],
      endAt,
      sendAheadMs,
    );
    // The truth: the whole reply played, paused 3 s, never run dry.
    const heard = heardUnderruns(ticks, REPLY);
    assert.equal(ticks.filter((t) => typeof t.heard === "object").length, 200);
    assert.equal(ticks.filter((t) => t.heard === "paused").length, PAUSE_MS / 20);
    assert.deepEqual([heard.count, heard.totalMs], [0, 0]);
    checkCallerSide(final, callerFrames, endAt);
    const { outbound } = final;
    assert.equal(outbound.chunks, 200);
    assert.equal(outbound.audioMs, 4000);
    assert.equal(outbound.underruns, 0, "the pause the bot asked for is no underrun");
    assert.equal(outbound.underrunMs, 0);
    assert.equal(outbound.lateChunks, 0, "chunks the pause held back were not late");
    assert.equal(outbound.lateness.count, 0);
    assert.equal(outbound.bytesDroppedOnClose, 0);
    // One turn, answered when the reply became audible.
    assert.equal(final.turnLatency.count, 1);
    const truth = heard.firstAt! - turnEndedAt;
    const latency = final.turnLatency.last!;
    assert.ok(Math.abs(latency - truth) <= 20, `turn latency ${latency} ms, heard at ${truth}`);
    assert.deepEqual(
      measured.map((m) => m.name),
      ["voice.turn.latency"],
      "no lateness measured",
    );
    // The pause did not read as the far end's lag.
    for (const lag of lags) {
      assert.ok(Math.abs(lag.changeMs) <= 60, `lag moved ${lag.changeMs} ms at ${lag.at}`);
    }
    assert.match(line, / late_chunks=0 underruns=0 underrun_ms=0 /);
  });
}

Deno.test("metrics: a reply that runs dry after a PAUSE_MEDIA counts that underrun alone", async () => {
  // 2 s of the reply at once, paused 1 s into its play for 3 s; its source writes the other 2 s
  // only 1.5 s after the far end plays on, when the 1 s held has played: it runs dry ~0.5 s.
  const pausedAt = 1800;
  const playsOnAt = pausedAt + PAUSE_MS;
  const endAt = 10_000;
  const { ticks, final, measured } = await pausedCall([
    { at: 800, do: (c) => void c.transport.send(reply(2000)) },
    { at: pausedAt, do: (c) => void c.transport.send(command("PAUSE_MEDIA")) },
    { at: playsOnAt, do: (c) => void c.transport.send(command("CONTINUE_MEDIA")) },
    { at: playsOnAt + 1500, do: (c) => void c.transport.send(reply(2000)) },
  ], endAt);
  const heard = heardUnderruns(ticks, REPLY);
  assert.equal(ticks.filter((t) => typeof t.heard === "object").length, 200);
  assert.equal(heard.count, 1);
  assert.ok(heard.totalMs >= 400 && heard.totalMs <= 600, `heard ${heard.totalMs} ms dry`);
  const { outbound } = final;
  assert.equal(outbound.chunks, 200);
  assert.equal(outbound.underruns, 1, "the source's underrun, not the pause");
  assert.ok(
    Math.abs(outbound.underrunMs - heard.totalMs) <= 20,
    `underrunMs ${outbound.underrunMs}, heard ${heard.totalMs}`,
  );
  assert.equal(outbound.lateChunks, 0);
  assert.equal(measured.filter((m) => m.name === "voice.outbound.lateness").length, 0);
});

Deno.test("metrics: audio the source writes during a PAUSE_MEDIA, after the estimate ran dry, is no underrun", async () => {
  // 1 s of the reply, paused ~0.1 s before its end by the estimate; the source writes the other
  // 1 s 0.8 s into the pause: its first chunks leave at once (within `sendAheadMs` of the held
  // position), placed by the estimate as though the far end had run dry. The far end queued them
  // behind what it held, and played it all back to back as it played on.
  const pausedAt = 1700;
  const playsOnAt = pausedAt + PAUSE_MS;
  const { ticks, final } = await pausedCall(
    [
      { at: 800, do: (c) => void c.transport.send(reply(1000)) },
      { at: pausedAt, do: (c) => void c.transport.send(command("PAUSE_MEDIA")) },
      { at: pausedAt + 800, do: (c) => void c.transport.send(reply(1000)) },
      { at: playsOnAt, do: (c) => void c.transport.send(command("CONTINUE_MEDIA")) },
    ],
    8000,
    300,
  );
  const heard = heardUnderruns(ticks, REPLY);
  assert.equal(ticks.filter((t) => typeof t.heard === "object").length, 100);
  assert.deepEqual([heard.count, heard.totalMs], [0, 0]);
  assert.equal(final.outbound.chunks, 100);
  assert.equal(final.outbound.underruns, 0, "the pause the bot asked for is no underrun");
  assert.equal(final.outbound.underrunMs, 0);
  assert.equal(final.outbound.lateChunks, 0);
});

/**
 * The bot pauses its reply as the caller begins to talk, and cuts it once it knows they mean to
 * (the transport's FLUSH_MEDIA, then its CONTINUE_MEDIA: the hold ends with the cut), or plays
 * it on first and cuts it later (`playsOnAfterMs`). The caller stopped hearing the bot at the
 * pause, or, where it played on, at the cut: that is the barge-in's stop latency. `toldLate`: the
 * bot's speech detector tells of the caller's speech only after the cut.
 */
for (
  const { playsOnAfterMs, toldLate } of [
    { playsOnAfterMs: undefined, toldLate: false },
    { playsOnAfterMs: undefined, toldLate: true },
    { playsOnAfterMs: 400, toldLate: false },
  ]
) {
  Deno.test(`metrics: a reply paused as the caller talks, ${playsOnAfterMs === undefined ? "then interrupted, stopped for them at the pause" : "played on, then interrupted, stopped at the cut"}${toldLate ? " (speech told late)" : ""}`, async () => {
    const speechAt = 2000;
    const pausedAt = speechAt + 200;
    const cutAt = pausedAt + 600 + (playsOnAfterMs ?? 0);
    const tell: Step = toldLate
      ? { at: cutAt + 100, do: (c) => c.metrics.callerSpeechStarted(speechAt) }
      : { at: speechAt, do: (c) => c.metrics.callerSpeechStarted() };
    const steps: Step[] = [
      { at: 800, do: (c) => void c.transport.send(reply(4000)) },
      { at: pausedAt, do: (c) => void c.transport.send(command("PAUSE_MEDIA")) },
      { at: cutAt, do: (c) => void c.transport.interrupt() },
      tell,
    ];
    if (playsOnAfterMs !== undefined) {
      const at = pausedAt + 600;
      steps.push({ at, do: (c) => void c.transport.send(command("CONTINUE_MEDIA")) });
    }
    steps.sort((a, b) => a.at - b.at);
    const { ticks, final, measured } = await pausedCall(steps, 5000);
    const heard = heardUnderruns(ticks, REPLY);
    const truth = heard.lastAt! + 20 - speechAt; // the end of the last frame of it played
    const expected = playsOnAfterMs === undefined ? 200 : cutAt - speechAt;
    assert.ok(Math.abs(truth - expected) <= 40, `heard until ${truth} ms after the speech began`);
    assert.equal(final.interruptions, 1);
    assert.equal(final.bargeInStopLatency.count, 1);
    const latency = final.bargeInStopLatency.last!;
    assert.ok(Math.abs(latency - truth) <= 40, `stop latency ${latency} ms, heard ${truth}`);
    assert.deepEqual(
      measured.filter((m) => m.name === "voice.barge_in.stop_latency").map((m) => m.value),
      [latency],
    );
    assert.equal(final.outbound.underruns, 0);
  });
}
