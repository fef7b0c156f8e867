/**
 * Sessions that end, each one's `SessionMetrics` kept afterwards (a dashboard of recent calls keeps
 * them for their final figures); prints, as JSON, what each kept one holds, counted in two heap
 * snapshots (`heapCensus`: exact, V8 collects before each), one before the sessions and one after:
 * `bufferBytes`, typed arrays' storage, and `meters`, the measuring parts (the underrun ring, the
 * histograms, the speech detector), each a kept metrics object. Exact counts, where the heap's
 * total is not: it also grows with what the runtime keeps of any session (compiled code, its own
 * state: 17 KB a session with nothing kept, measured, and not the same from one batch to the next).
 * Run by session_metrics_kept_bytes_test.ts.
 *
 * @module
 */

import { SessionMetrics, WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { collectGarbage, type HeapCensus, heapCensus } from "../_collect_garbage.ts";

/** The measuring parts: a session's figures need them, its final figures do not. */
const METERS = ["UnderrunMeter", "DurationHistogram", "SpeechDetector"];
const CALLS = 40;

const clock = new FakeClock();

/**
 * One measured session that ends, having used every meter: the caller's audio through the speech
 * detector, a turn answered (a histogram's buckets made) and the bot's audio (the underrun ring).
 */
async function measuredCall(): Promise<SessionMetrics> {
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
  });
  const metrics = SessionMetrics.attach(transport, { clock });
  metrics.addEventListener("summary", () => {});
  pair.client.send(new Uint8Array(640));
  await clock.tick(100);
  metrics.callerTurnEnded();
  await clock.tick(300);
  const audio = new Uint8Array(3200);
  transport.send({ type: "audio", audio, sampleRate: 16000, channels: 1, responseId: "r1" });
  await clock.tick(500);
  pair.client.close(1000);
  await transport.closed;
  return metrics;
}

/** A census once the garbage collector has taken all it can. */
async function census(): Promise<HeapCensus> {
  await clock.tick(1000);
  await collectGarbage(); // a census leaves what only a `WeakRef` holds (the ended transports)
  return heapCensus();
}

// One first: what the first of its kind makes once (a module's tables, the census machinery) is
// not counted.
await measuredCall();
await census();
const before = await census();
const kept: SessionMetrics[] = [];
for (let i = 0; i < CALLS; i++) kept.push(await measuredCall());
const after = await census();
const answered = kept.filter((metrics) => metrics.ended && metrics.snapshot().turnLatency.count);
if (answered.length !== CALLS) throw new Error(`${answered.length} of ${CALLS} calls measured`);
const meters: Record<string, number> = {};
for (const name of METERS) {
  meters[name] = ((after.objects.get(name) ?? 0) - (before.objects.get(name) ?? 0)) / CALLS;
}
console.log(JSON.stringify({
  bufferBytes: Math.round((after.bufferBytes - before.bufferBytes) / CALLS),
  meters,
}));
