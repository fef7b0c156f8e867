// `SessionMetrics` is an EventTarget of its own, its "metric" and "summary" events dispatched from
// the transport's observer callbacks and listeners: a listener there that throws (or an async one
// that rejects) must end its session as a transport listener's does, never the process.
import assert from "node:assert/strict";
import {
  type MetricEvent,
  SessionMetrics,
  type SessionObserver,
  type TransportError,
  type TransportErrorEvent,
  WebSocketTransport,
} from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { emptyStats } from "../../src/transport_stats.ts";
import { escaping } from "../_escaping.ts";
import { assertEventTargetWays } from "../_event_target_ways.ts";

function session({ listening = true } = {}) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
  });
  const metrics = SessionMetrics.attach(transport, { speech: false, clock });
  const errors: TransportError[] = [];
  if (listening) transport.addEventListener("error", (event) => errors.push(event.error));
  return { clock, pair, transport, metrics, errors };
}

/** The caller's turn ends and the bot answers 400 ms later: a "voice.turn.latency" metric. */
async function answerATurn(s: ReturnType<typeof session>): Promise<void> {
  await s.clock.tick(1000);
  s.metrics.callerTurnEnded();
  await s.clock.tick(400);
  void s.transport.send({
    type: "audio",
    audio: new Uint8Array(3200),
    sampleRate: 16000,
    channels: 1,
    responseId: "r1",
  });
  await s.clock.tick(10);
}

const failing = (kind: "throws" | "rejects", bug: Error, calls: { n: number }) =>
  kind === "throws"
    ? () => {
      calls.n++;
      throw bug;
    }
    : async () => {
      calls.n++;
      await Promise.resolve();
      throw bug;
    };

for (const kind of ["throws", "rejects"] as const) {
  Deno.test(`a SessionMetrics "metric" listener that ${kind} ends its session with 1011, not the process`, async () => {
    const s = session();
    const calls = { n: 0 };
    const bug = new Error("a bug in the bot's metric listener");
    s.metrics.addEventListener("metric", failing(kind, bug, calls));
    const heard: number[] = [];
    s.metrics.addEventListener("metric", (event: MetricEvent) => heard.push(event.value));
    const escaped = await escaping(async () => {
      await answerATurn(s);
      await s.clock.tick(10);
    });
    assert.deepEqual(escaped, []);
    assert.equal(calls.n, 1);
    assert.deepEqual(heard, [400]); // the listener after it still heard the metric
    assert.deepEqual(s.errors.map((e) => [e.code, e.fatal, e.closeCode]), [
      ["application", true, 1011],
    ]);
    assert.equal(s.errors[0]!.message, `a SessionMetrics "metric" listener threw: ${bug}`);
    assert.equal(s.errors[0]!.cause, bug);
    s.pair.client.close(1000); // answers our close
    const closed = await s.transport.closed;
    assert.deepEqual([closed.code, closed.reason, closed.initiator], [
      1011,
      `a SessionMetrics "metric" listener threw: ${bug}`,
      "local",
    ]);
    assert.equal(s.metrics.snapshot().turnLatency.count, 1);
  });

  Deno.test(`a SessionMetrics "summary" listener that ${kind} after the caller hung up is an "error" event on the transport, not the process`, async () => {
    const s = session();
    const calls = { n: 0 };
    const bug = new Error("a bug in the bot's summary listener");
    s.metrics.addEventListener("summary", failing(kind, bug, calls));
    let summaries = 0;
    s.metrics.addEventListener("summary", () => void summaries++);
    const escaped = await escaping(async () => {
      await s.clock.tick(1);
      s.pair.client.close(4000, "caller hung up");
      await s.transport.closed;
      await s.clock.tick(10);
    });
    assert.deepEqual(escaped, []);
    assert.equal(calls.n, 1);
    assert.equal(summaries, 1);
    assert.ok(s.metrics.ended);
    // Reported all the same, after the end; the caller's close stands.
    assert.deepEqual(s.errors.map((e) => [e.code, e.fatal, e.message]), [
      ["application", true, `a SessionMetrics "summary" listener threw: ${bug}`],
    ]);
    const closed = await s.transport.closed;
    assert.deepEqual([closed.code, closed.initiator], [4000, "remote"]);
  });
}

Deno.test('a SessionMetrics listener that keeps throwing is reported once, and a throwing transport "error" listener cannot loop it', async () => {
  const s = session();
  let metricThrows = 0;
  let summaryThrows = 0;
  let errorThrows = 0;
  s.metrics.addEventListener("metric", () => {
    metricThrows++;
    throw new Error("metric bug");
  });
  s.metrics.addEventListener("summary", () => {
    summaryThrows++;
    throw new Error("summary bug");
  });
  s.transport.addEventListener("error", () => {
    errorThrows++;
    throw new Error("error listener bug");
  });
  const escaped = await escaping(async () => {
    await answerATurn(s);
    s.pair.client.close(1000);
    await s.transport.closed;
    await s.clock.tick(10);
  });
  assert.deepEqual(escaped, []);
  assert.equal(metricThrows, 1);
  assert.equal(summaryThrows, 1); // threw too, at the end: not reported again
  // The metrics' report, then the transport's own for its "error" listener's throw, each once.
  assert.deepEqual(s.errors.map((e) => e.message), [
    'a SessionMetrics "metric" listener threw: Error: metric bug',
    'a "error" listener threw: Error: error listener bug',
  ]);
  assert.equal(errorThrows, 2);
  assert.equal((await s.transport.closed).code, 1011);
});

Deno.test("SessionMetrics listeners keep EventTarget's ways: removal, once, signal, capture, handleEvent, `this`", async () => {
  const { clock, pair, transport, metrics, errors } = session();
  assertEventTargetWays(metrics, "metric", "summary");

  // A typed listener comes off as it went on.
  const measured = (event: MetricEvent) => void event.name;
  metrics.addEventListener("metric", measured);
  metrics.removeEventListener("metric", measured);

  await clock.tick(1);
  assert.deepEqual(errors, []);
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("a SessionMetrics listener object whose handleEvent is not a function ends its session, not the process", async () => {
  const s = session();
  const escaped = await escaping(async () => {
    s.metrics.addEventListener("metric", {} as EventListenerObject);
    await answerATurn(s);
  });
  assert.deepEqual(escaped, []);
  assert.deepEqual(s.errors.map((e) => [e.code, e.fatal]), [["application", true]]);
  assert.match(s.errors[0]!.message, /^a SessionMetrics "metric" listener threw: TypeError/);
  s.pair.client.close(1000);
  assert.equal((await s.transport.closed).code, 1011);
});

Deno.test("a SessionMetrics listener's failure before the transport's first \"error\" listener is held for it, as the transport's own", async () => {
  const s = session({ listening: false });
  s.metrics.addEventListener("metric", () => {
    throw new Error("metric bug");
  });
  await answerATurn(s);
  await s.clock.tick(10);
  s.pair.client.close(1000); // answers our close
  assert.equal((await s.transport.closed).code, 1011); // the session ended for it
  s.transport.addEventListener("error", (event) => s.errors.push(event.error));
  assert.equal(s.errors.length, 0, "a microtask after the listener is added, not inside it");
  await s.clock.tick(1);
  assert.deepEqual(s.errors.map((e) => [e.code, e.fatal, e.message]), [
    ["application", true, 'a SessionMetrics "metric" listener threw: Error: metric bug'],
  ]);
  assert.equal(s.transport.stats.errorsUnheard, 0);
});

Deno.test('a SessionMetrics "summary" listener\'s failure after the end, with no "error" listener left, is held for the next', async () => {
  const s = session({ listening: false });
  const gone = (event: TransportErrorEvent) => s.errors.push(event.error);
  s.transport.addEventListener("error", gone);
  await s.clock.tick(1);
  s.transport.removeEventListener("error", gone);
  s.metrics.addEventListener("summary", () => {
    throw new Error("summary bug");
  });
  s.pair.client.close(4000, "caller hung up");
  await s.transport.closed;
  await s.clock.tick(10);
  assert.equal(s.errors.length, 0);
  s.transport.addEventListener("error", (event) => s.errors.push(event.error));
  await s.clock.tick(1);
  assert.deepEqual(s.errors.map((e) => e.message), [
    'a SessionMetrics "summary" listener threw: Error: summary bug',
  ]);
  assert.equal((await s.transport.closed).code, 4000, "the caller's close stands");
});

Deno.test('SessionMetrics on a transport of its own making hands a listener\'s failure to its "error" listeners at once', async () => {
  // Not a `WebSocketTransport`: no hold of its own to go through, only its "error" event.
  class PlainTransport extends EventTarget {
    readonly stats = emptyStats();
    observer: SessionObserver | undefined;
    observe(observer: SessionObserver): () => void {
      this.observer = observer;
      return () => this.observer = undefined;
    }
  }
  const transport = new PlainTransport();
  const metrics = SessionMetrics.attach(transport, { speech: false, clock: new FakeClock() });
  metrics.addEventListener("summary", () => {
    throw new Error("summary bug");
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => errors.push((event as TransportErrorEvent).error));
  transport.observer?.closed?.({ code: 1000, reason: "", initiator: "remote" });
  await Promise.resolve();
  assert.deepEqual(errors.map((e) => [e.code, e.message]), [
    ["application", 'a SessionMetrics "summary" listener threw: Error: summary bug'],
  ]);
});
