// A goodbye the bot starts (`end`, `cancel`) stays its own to the end: a REST hang-up answered
// by the provider closing the stream first is no disconnect, and the hang-up is bounded on the
// session's clock.
import assert from "node:assert/strict";
import { type Frame, type TransportError, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { TwilioSerializer } from "../src/serializers/twilio.ts";

const START = JSON.stringify({
  event: "start",
  streamSid: "MZ1",
  start: {
    streamSid: "MZ1",
    callSid: "CA1",
    accountSid: "AC1",
    mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
  },
});

/** A Twilio call whose far end answers marks 100 ms on; `fetch` is the hang-up's. */
function call(fetch: (clock: FakeClock, pair: MemorySocketPair) => Promise<Response>) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new TwilioSerializer({
      authToken: "tok",
      fetch: () => fetch(clock, pair),
      hangUpTimeoutMs: 1000,
    }),
    audioIn: { sampleRate: 8000 },
    audioOut: { sampleRate: 8000, chunkMs: 20 },
    closeTimeoutMs: 500,
    clock,
  });
  pair.client.addEventListener("message", (e) => {
    const m = JSON.parse((e as MessageEvent).data as string);
    if (m.event !== "mark") return;
    void clock.sleep(100).then(() => {
      if (pair.client.readyState !== 1) return;
      pair.client.send(JSON.stringify({ event: "mark", streamSid: "MZ1", mark: m.mark }));
    });
  });
  let disconnected = false;
  transport.addEventListener("disconnected", () => (disconnected = true));
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error));
  transport.receive(() => {});
  return { clock, pair, transport, errors, disconnected: () => disconnected };
}

Deno.test("`WebSocketTransport`: the provider closing the stream before the REST hang-up answers is the bot's own ending", async () => {
  const c = call((clock, pair) =>
    clock.sleep(30).then(() => {
      const stop = { event: "stop", streamSid: "MZ1", stop: { callSid: "CA1", accountSid: "AC1" } };
      pair.client.send(JSON.stringify(stop));
      pair.client.close(1000);
      return clock.sleep(100);
    }).then(() => new Response("{}"))
  );
  await c.clock.tick(0);
  c.pair.client.send(START);
  await c.clock.tick(20);
  const goodbye = { type: "audio", audio: new Uint8Array(8000), sampleRate: 8000, channels: 1 };
  c.transport.send({ ...goodbye, responseId: "bye" } as Frame);
  c.transport.send({ type: "end" });
  await c.clock.tick(5000);
  const closed = await c.transport.closed;
  assert.equal(closed.initiator, "local");
  assert.equal(c.disconnected(), false, "no disconnected for a goodbye the bot said");
  assert.deepEqual(c.errors, []);
});

Deno.test("`WebSocketTransport`: a REST hang-up that never answers is bounded on the session's clock", async () => {
  // Never answers, and ignores its signal.
  const c = call(() => new Promise<Response>(() => {}));
  await c.clock.tick(0);
  c.pair.client.send(START);
  await c.clock.tick(20);
  const sent = c.clock.now();
  let closedAt = NaN;
  void c.transport.closed.then(() => (closedAt = c.clock.now()));
  c.transport.send({ type: "end" });
  await c.clock.tick(1000 + 500 + 100);
  assert.ok(closedAt <= sent + 1000 + 500 + 100, `closed by fake time (at ${closedAt - sent} ms)`);
  assert.equal(c.errors.length, 1, String(c.errors));
  assert.equal(c.errors[0]!.code, "timeout");
  assert.match(c.errors[0]!.message, /Twilio hang-up of call "CA1" got no answer within 1000 ms/);
});

Deno.test("a cancel written while the end's REST hang-up is pending still hangs up at once", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const t = new WebSocketTransport(pair.server, {
    serializer: new TwilioSerializer({
      authToken: "tok",
      fetch: () => new Promise<Response>(() => {}), // Twilio never answers the hang-up
      hangUpTimeoutMs: 5000,
    }),
    audioOut: { sampleRate: 8000, chunkMs: 20 },
    closeTimeoutMs: 500,
    clock,
  });
  t.addEventListener("error", () => {});
  t.receive(() => {});
  await clock.tick(0);
  pair.client.send(START);
  await clock.tick(20);
  void t.send({ type: "end" });
  await clock.tick(200); // the REST hang-up is under way
  const cancelled = t.send({ type: "cancel" });
  assert.ok(cancelled instanceof Promise, "the cancel is taken, not dropped");
  let closedAt = NaN;
  void t.closed.then(() => (closedAt = clock.now()));
  const at = clock.now();
  await clock.tick(600);
  assert.ok(closedAt - at <= 600, `closed ${closedAt - at} ms after the cancel`);
  assert.equal((await t.closed).initiator, "local");
  await clock.tick(6000);
});
