/**
 * Twenty sessions that end, each one's `SessionMetrics` kept afterwards (as an application keeps
 * them to read their final snapshot, a dashboard of recent calls); prints, as JSON, how many of
 * the sessions the garbage collector could take. Run by session_metrics_test.ts with
 * `--v8-flags=--expose-gc`.
 *
 * @module
 */

import { SessionMetrics, WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { collectGarbage } from "../_collect_garbage.ts";

const clock = new FakeClock();

/** One session with metrics that ends; the session is dropped, the metrics kept. */
async function measuredCall(): Promise<{ metrics: SessionMetrics; session: WeakRef<object> }> {
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
  });
  const metrics = SessionMetrics.attach(transport, { clock });
  metrics.addEventListener("summary", () => {});
  await clock.tick(100);
  pair.client.close(1000);
  await transport.closed;
  return { metrics, session: new WeakRef(transport) };
}

const CALLS = 20;
const kept: SessionMetrics[] = [];
const sessions: WeakRef<object>[] = [];
for (let i = 0; i < CALLS; i++) {
  const { metrics, session } = await measuredCall();
  kept.push(metrics);
  sessions.push(session);
}
await clock.tick(1000);
await collectGarbage();
console.log(JSON.stringify({
  sessionsCollected: sessions.filter((session) => session.deref() === undefined).length,
  metricsKept: kept.filter((metrics) => metrics.ended).length,
}));
