// Per-session metrics against known truths: what the fake caller said and when, what the fake far
// end played and when, transit times the test sets itself.
import assert from "node:assert/strict";
import {
  BargeInStream,
  type Frame,
  type FrameSerializer,
  type MetricEvent,
  RawPcmSerializer,
  type SerializerContext,
  SessionMetrics,
  type SessionMetricsOptions,
  type SessionMetricsSnapshot,
  type SessionSummaryEvent,
  type SpeakingEvent,
  WebSocketTransport,
} from "../../mod.ts";
import type { TransportOptions } from "../../src/transport_options.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";
import { callerFrame } from "../_caller_fixtures.ts";
import { runWithGc } from "../_gc_script.ts";

function call(
  options: { transport?: TransportOptions; metrics?: SessionMetricsOptions; jitterMs?: number } =
    {},
) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const jitterMs = options.jitterMs ?? 40;
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
    // The far end's delay, told: before the first acknowledgement the estimate is right.
    playoutDelayMs: jitterMs,
    clock,
    ...options.transport,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs, bytesPerMs: 32 });
  const metrics = SessionMetrics.attach(transport, { clock, ...options.metrics });
  const measured: MetricEvent[] = [];
  metrics.addEventListener("metric", (event) => measured.push(event));
  return { clock, pair, transport, farEnd, metrics, measured };
}

/** `ms` of bot audio, every byte `value`. */
const answer = (ms: number, value: number, responseId: string): Frame => ({
  type: "audio",
  audio: new Uint8Array(ms * 32).fill(value),
  sampleRate: 16000,
  channels: 1,
  responseId,
});

async function hangUp(c: ReturnType<typeof call>): Promise<void> {
  c.pair.client.close(1000);
  await c.transport.closed;
}

Deno.test("`SessionMetrics` measures a turn by its speech detector: the bot heard 500 ms after the caller stopped", async () => {
  const c = call();
  c.transport.receive(() => {});
  // The caller talks from 200 ms to 1200 ms of the call (frames sent as they are spoken).
  let n = 0;
  const speakUntil = async (time: number, talking: boolean) => {
    while (c.clock.now() < time) {
      await c.clock.tick(20);
      c.pair.client.send(callerFrame(n++, talking));
    }
  };
  await speakUntil(200, false);
  await speakUntil(1200, true);
  // The bot answers so that its first audio plays at the far end 500 ms after the caller stopped.
  await speakUntil(1700 - 40, false);
  c.transport.send(answer(1000, 1, "r1"));
  await speakUntil(3000, false);
  const truth = c.farEnd.played.find((s) => s.value === 1)!.at - 1200;
  assert.equal(truth, 500);
  const { turnLatency } = c.metrics.snapshot();
  assert.equal(turnLatency.count, 1);
  assert.ok(Math.abs(turnLatency.last! - truth) <= 20, `measured ${turnLatency.last} ms`);
  assert.deepEqual(
    c.measured.map((e) => [e.name, e.value, e.unit]),
    [["voice.turn.latency", turnLatency.last, "ms"]],
  );
  await hangUp(c);
});

Deno.test("`SessionMetrics` measures a turn the bot marks itself", async () => {
  const c = call({ metrics: { speech: false } });
  await c.clock.tick(1000);
  c.metrics.callerTurnEnded(); // at 1000
  await c.clock.tick(660);
  c.transport.send(answer(400, 1, "r1"));
  await c.clock.tick(1000);
  const truth = c.farEnd.played.find((s) => s.value === 1)!.at - 1000;
  assert.equal(c.metrics.snapshot().turnLatency.last, truth);
  assert.equal(truth, 700);
  // The bot speaks again on its own: no turn of the caller's to answer, nothing measured.
  c.transport.send(answer(400, 2, "r2"));
  await c.clock.tick(1000);
  assert.equal(c.metrics.snapshot().turnLatency.count, 1);
  await hangUp(c);
});

// The metrics' own detector may know of the caller's speech before the barge-in (quicker than
// the barge-in's detector) or after it (slower): the stop latency is the same either way.
for (const minSpeechMs of [100, 200]) {
  Deno.test(`\`SessionMetrics\` measures a barge-in's stop latency: caller speech start to the bot's silence (detector ${minSpeechMs} ms)`, () =>
    bargeIn(minSpeechMs));
}

async function bargeIn(minSpeechMs: number): Promise<void> {
  const c = call({ jitterMs: 60, metrics: { speech: { minSpeechMs } } });
  const stops: { at: number; event: SpeakingEvent }[] = [];
  c.transport.addEventListener("speakingstop", (event) => stops.push({ at: c.clock.now(), event }));
  const piped = c.transport.readable
    .pipeThrough(new BargeInStream(c.transport, { minSpeechMs: 150 }))
    .pipeTo(new WritableStream());
  await c.clock.tick(0);
  c.transport.send(answer(5000, 1, "r1"));
  // The caller is quiet for a second of the bot's answer, then talks over it.
  for (let n = 0; n < 100; n++) {
    await c.clock.tick(20);
    c.pair.client.send(callerFrame(n, n >= 50));
  }
  const startedTalking = 1000; // frame 50 covers 1000–1020 ms
  const stop = stops.find((s) => s.event.reason === "interrupted")!;
  const truth = stop.at - startedTalking;
  assert.ok(truth >= 150 && truth <= 250, `the bot stopped ${truth} ms after`);
  const { bargeInStopLatency } = c.metrics.snapshot();
  assert.equal(bargeInStopLatency.count, 1);
  assert.ok(
    Math.abs(bargeInStopLatency.last! - truth) <= 10,
    `measured ${bargeInStopLatency.last}`,
  );
  // An interruption the caller did not cause (the bot's own) is no barge-in.
  c.transport.send(answer(2000, 2, "r2"));
  await c.clock.tick(500);
  await c.transport.interrupt();
  assert.equal(c.metrics.snapshot().bargeInStopLatency.count, 1);
  assert.equal(c.metrics.snapshot().interruptions, 2);
  c.pair.client.close(1000);
  await piped;
  await c.transport.closed;
}

/** Inbound audio stamped with its media time: 4 bytes of timestamp (ms, LE), then PCM. */
class StampedSerializer extends MarkingSerializer {
  context: SerializerContext | undefined;
  bind(context: SerializerContext): void {
    this.context = context;
  }
  override deserialize(data: string | Uint8Array): Frame | null {
    if (typeof data === "string") {
      // The reorder stage's counters, as a telephony serializer would add to them.
      if (data === "reordered") this.context?.count("inboundMediaReordered");
      if (data === "gap") this.context?.count("inboundMediaGapMs", 20);
      return null;
    }
    const timestampMs = new DataView(data.buffer, data.byteOffset).getUint32(0, true);
    return { type: "audio", audio: data.subarray(4), sampleRate: 16000, channels: 1, timestampMs };
  }
}

function stamped(timestampMs: number): Uint8Array {
  const message = new Uint8Array(4 + 640);
  new DataView(message.buffer).setUint32(0, timestampMs, true);
  return message;
}

Deno.test("`SessionMetrics` measures inbound jitter as RFC 3550 defines it", async () => {
  const c = call({ transport: { serializer: new StampedSerializer() } });
  c.transport.receive(() => {});
  // Steady transit: no jitter at all.
  for (let k = 0; k < 50; k++) {
    await c.clock.tick(20);
    c.pair.client.send(stamped(20 * k));
  }
  assert.equal(c.metrics.snapshot().inbound.jitterMs, 0);
  // One packet 32 ms late (transit 52: D = 32), the next 20 ms late (transit 40: |D| = 12).
  await c.clock.tick(52);
  c.pair.client.send(stamped(1000));
  await c.clock.tick(0);
  assert.equal(c.metrics.snapshot().inbound.jitterMs, 32 / 16);
  await c.clock.tick(8);
  c.pair.client.send(stamped(1020));
  await c.clock.tick(0);
  assert.equal(c.metrics.snapshot().inbound.jitterMs, 2 + (12 - 2) / 16);
  // Transit alternating by 10 ms: |D| = 10 every packet, and J converges to 10.
  for (let k = 0; k < 300; k++) {
    await c.clock.tick(k % 2 === 0 ? 30 : 10);
    c.pair.client.send(stamped(1040 + 20 * k));
  }
  await c.clock.tick(0);
  const { jitterMs, maxJitterMs, frames } = c.metrics.snapshot().inbound;
  assert.ok(Math.abs(jitterMs! - 10) < 0.01, `jitter ${jitterMs}`);
  assert.equal(maxJitterMs, jitterMs);
  assert.equal(frames, 352);
  await hangUp(c);
});

Deno.test("`SessionMetrics` counts late chunks and how late they were", async () => {
  // A serializer that stalls once for 100 ms on chunk 30: the chunks due meanwhile leave late.
  const clock = new FakeClock();
  let chunks = 0;
  const marking = new MarkingSerializer();
  const stalling: FrameSerializer = {
    playoutMarks: true,
    setup: (audio) => marking.setup(audio),
    deserialize: (data) => marking.deserialize(data),
    serialize(frame) {
      if (frame.type === "audio" && chunks++ === 30) {
        return clock.sleep(100).then(() => marking.serialize(frame));
      }
      return marking.serialize(frame);
    },
  };
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: stalling,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    sendAheadMs: 200, // the far end buffers 200 ms: the pacing schedule holds through the stall
    maxQueuedMs: 60_000,
    clock,
  });
  const metrics = SessionMetrics.attach(transport, { clock, speech: false });
  await clock.tick(0);
  transport.send(answer(2000, 1, "r1"));
  await clock.tick(3000);
  // Chunk 30 is due at 400 ms and held until 500; chunks 31–34, due at 420–480, leave at 500.
  const { outbound } = metrics.snapshot();
  assert.equal(outbound.chunks, 100);
  assert.equal(outbound.audioMs, 2000);
  assert.equal(outbound.lateChunks, 4);
  assert.equal(outbound.lateness.max, 80);
  assert.ok(Math.abs(outbound.lateness.p50! - 40) <= 0.4, `p50 ${outbound.lateness.p50}`);
  assert.ok(Math.abs(outbound.lateness.p95! - 80) <= 0.8, `p95 ${outbound.lateness.p95}`);
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("`SessionMetrics` sums up the session once, in a snapshot and a log line", async () => {
  const c = call({ transport: { serializer: new StampedSerializer() } });
  c.transport.receive(() => {});
  const summaries: SessionSummaryEvent[] = [];
  c.metrics.addEventListener("summary", (event) => summaries.push(event));
  for (let k = 0; k < 10; k++) {
    await c.clock.tick(20);
    c.pair.client.send(stamped(20 * k));
  }
  c.pair.client.send("reordered");
  c.pair.client.send("gap");
  c.transport.send(answer(200, 1, "r1"));
  await c.clock.tick(300);
  await hangUp(c);
  assert.equal(summaries.length, 1);
  const { snapshot, line } = summaries[0]!;
  assert.equal(snapshot.ended, true);
  assert.equal(snapshot.durationMs, 500);
  assert.equal(snapshot.inbound.reordered, 1);
  assert.equal(snapshot.inbound.gapMs, 20);
  assert.equal(snapshot.outbound.chunks, 10);
  assert.equal(
    line,
    "session_ms=500 ended=true in_frames=10 in_audio_ms=200 jitter_ms=0 jitter_max_ms=0 " +
      "reordered=1 duplicates=0 late_packets=0 gaps=0 gap_ms=20 resyncs=0 in_dropped=0 " +
      "out_chunks=10 out_audio_ms=200 late_chunks=0 underruns=0 underrun_ms=0 interruptions=0 " +
      "interrupted_bytes=0 stale_bytes=0 close_dropped_bytes=0 turns=0 barge_ins=0",
  );
  // Final: later snapshots are the same, and plain data survives JSON.
  await c.clock.tick(1000);
  assert.deepEqual(c.metrics.snapshot(), snapshot);
  assert.deepEqual(JSON.parse(JSON.stringify(snapshot)), snapshot);
  assert.equal(c.metrics.summary(), line);
  assert.equal(c.clock.pendingTimers, 0);
});

Deno.test("`SessionMetrics.instruments` maps every figure onto a named instrument with a unit", () => {
  const snapshot = {
    durationMs: 0,
    inbound: {},
    outbound: { lateness: {} },
    turnLatency: {},
    bargeInStopLatency: {},
    interruptions: 0,
  } as unknown as SessionMetricsSnapshot;
  const names = new Set<string>();
  for (const instrument of SessionMetrics.instruments) {
    assert.match(instrument.name, /^voice\.[a-z_.]+$/);
    assert.ok(!names.has(instrument.name), `${instrument.name} once`);
    names.add(instrument.name);
    assert.ok(["counter", "gauge", "histogram"].includes(instrument.kind));
    assert.ok(
      instrument.unit === "ms" || instrument.unit === "By" || /^\{\w+\}$/.test(instrument.unit),
    );
    // The path names a figure of the snapshot.
    const [head, tail] = instrument.snapshot.split(".") as [string, string | undefined];
    const holder = snapshot[head as keyof SessionMetricsSnapshot] as unknown;
    assert.ok(holder !== undefined, instrument.snapshot);
    if (tail !== undefined) assert.ok(typeof holder === "object", instrument.snapshot);
  }
  assert.ok(names.has("voice.turn.latency") && names.has("voice.barge_in.stop_latency"));
  assert.ok(names.has("voice.inbound.jitter") && names.has("voice.outbound.lateness"));
});

Deno.test("`SessionMetrics.detach` stops measuring; the session goes on", async () => {
  const c = call({ metrics: { speech: false } });
  c.transport.send(answer(200, 1, "r1"));
  await c.clock.tick(300);
  c.metrics.detach();
  c.transport.send(answer(200, 2, "r2"));
  await c.clock.tick(300);
  assert.equal(c.metrics.snapshot().outbound.chunks, 10);
  assert.equal(c.farEnd.playedMs(2), 200);
  await hangUp(c);
});

Deno.test("`SessionMetrics` over a conversation: two turns answered, one barge-in, each against its truth", async () => {
  const c = call({ jitterMs: 60 });
  const stops: number[] = [];
  c.transport.addEventListener("speakingstop", (event) => {
    if (event.reason === "interrupted") stops.push(c.clock.now());
  });
  const piped = c.transport.readable
    .pipeThrough(new BargeInStream(c.transport, { minSpeechMs: 150 }))
    .pipeTo(new WritableStream());
  let n = 0;
  const speakUntil = async (time: number, talking: boolean) => {
    while (c.clock.now() < time) {
      await c.clock.tick(20);
      c.pair.client.send(callerFrame(n++, talking));
    }
  };
  await speakUntil(1000, false);
  await speakUntil(3000, true); // the caller's first turn
  await speakUntil(3500, false);
  c.transport.send(answer(4000, 1, "r1")); // heard from 3560: 560 ms after the turn
  await speakUntil(5000, false);
  await speakUntil(6000, true); // talks over the answer from 5000
  await speakUntil(6800, false);
  c.transport.send(answer(2000, 2, "r2")); // heard from 6860: 860 ms after the turn
  await speakUntil(9500, false);
  const heard = (value: number) => c.farEnd.played.find((s) => s.value === value)!.at;
  const { turnLatency, bargeInStopLatency } = c.metrics.snapshot();
  assert.equal(turnLatency.count, 2);
  assert.ok(Math.abs(turnLatency.max! - (heard(2) - 6000)) <= 20, `${turnLatency.max}`);
  assert.ok(Math.abs(turnLatency.p50! - (heard(1) - 3000)) <= 20, `${turnLatency.p50}`);
  assert.equal(bargeInStopLatency.count, 1);
  assert.equal(stops.length, 1);
  // From 5000 (the second utterance), not 1000 (the first, long over).
  assert.ok(Math.abs(bargeInStopLatency.last! - (stops[0]! - 5000)) <= 10);
  c.pair.client.close(1000);
  await piped;
  await c.transport.closed;
});

Deno.test("`SessionMetrics` measures no barge-in when the answer interrupted had not begun to play (raw PCM)", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const t = new WebSocketTransport(pair.server, {
    serializer: new RawPcmSerializer(),
    audioIn: { sampleRate: 8000 },
    audioOut: { sampleRate: 8000, chunkMs: 20 },
    playoutDelayMs: 100,
    clock,
  });
  const metrics = SessionMetrics.attach(t, { speech: false, clock });
  const measured: string[] = [];
  metrics.addEventListener("metric", (e) => measured.push(`${e.name}=${e.value}`));
  await clock.tick(1000);
  metrics.callerTurnEnded();
  t.send({
    type: "audio",
    audio: new Uint8Array(320),
    sampleRate: 8000,
    channels: 1,
    responseId: "r1",
  });
  await clock.tick(50); // r1 plays from 1100: not begun
  assert.equal(t.playback.speaking, false);
  metrics.callerSpeechStarted();
  await t.interrupt();
  const bargeIns = measured.filter((m) => m.startsWith("voice.barge_in"));
  assert.deepEqual(bargeIns, [], "the bot was silent: nobody talked over it");
  pair.client.close(1000);
  await t.closed;
});

Deno.test("`SessionMetrics` kept after its session has ended (for its final figures) does not hold the session", async () => {
  // In a process of its own, where a full garbage collection can be asked for before counting.
  // When a session is over, its memory is gone: a kept metrics object held its whole transport
  // (socket, queues, serializer: 340 KB for a call that had 10 s of audio queued).
  const report = await runWithGc(new URL("./_kept_metrics.ts", import.meta.url));
  assert.deepEqual(report, { sessionsCollected: 20, metricsKept: 20 });
});
