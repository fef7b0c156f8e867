// A transport's event listeners are application code run inside socket listeners and the pump:
// one that throws (or an async one that rejects) must end its session, never the process.
import assert from "node:assert/strict";
import {
  type AudioFrame,
  type SpeakingEvent,
  type TransportError,
  type TransportErrorEvent,
  WebSocketTransport,
} from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "./_fake_far_end.ts";
import { escaping } from "./_escaping.ts";
import { assertEventTargetWays } from "./_event_target_ways.ts";

function session() {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    sessionTimeoutMs: 1000,
    clock,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error));
  return { clock, pair, transport, errors };
}

const speech = (ms: number): AudioFrame => ({
  type: "audio",
  audio: new Uint8Array(ms * 32).fill(1),
  sampleRate: 16000,
  channels: 1,
  responseId: "r",
});

/** How each event is brought about on a session whose listener for it is `listener`. */
const EVENTS = {
  async connected(s: ReturnType<typeof session>) {
    await s.clock.tick(1);
  },
  async disconnected(s: ReturnType<typeof session>) {
    await s.clock.tick(1);
    s.pair.client.close(4000, "caller hung up");
    await s.clock.tick(1);
  },
  async speakingstart(s: ReturnType<typeof session>) {
    new FakeFarEnd(s.clock, s.pair.client, { jitterMs: 20, bytesPerMs: 32 });
    await s.clock.tick(1);
    void s.transport.send(speech(200));
    await s.clock.tick(500);
  },
  async sessiontimeout(s: ReturnType<typeof session>) {
    await s.clock.tick(1000);
  },
};

for (const [type, bringAbout] of Object.entries(EVENTS)) {
  for (const kind of ["throws", "rejects"] as const) {
    Deno.test(`a "${type}" listener that ${kind} ends its session with 1011, not the process`, async () => {
      const s = session();
      let calls = 0;
      const bug = new Error(`a bug in the bot's ${type} listener`);
      s.transport.addEventListener(
        type,
        kind === "throws"
          ? () => {
            calls++;
            throw bug;
          }
          : async () => {
            calls++;
            await Promise.resolve();
            throw bug;
          },
      );
      const escaped = await escaping(async () => {
        await bringAbout(s);
        await s.clock.tick(10);
      });
      assert.deepEqual(escaped, []);
      assert.equal(calls, 1);
      assert.deepEqual(s.errors.map((e) => [e.code, e.fatal, e.closeCode]), [
        ["application", true, 1011],
      ]);
      assert.equal(s.errors[0]!.message, `a "${type}" listener threw: ${bug}`);
      assert.equal(s.errors[0]!.cause, bug);
      s.pair.client.close(1000); // answers our close, if we started one
      const closed = await s.transport.closed;
      // Gone already when its "disconnected" listener threw: the peer's close stands.
      if (type === "disconnected") {
        assert.deepEqual([closed.code, closed.initiator], [4000, "remote"]);
      } else assert.deepEqual([closed.code, closed.initiator], [1011, "local"]);
    });
  }
}

Deno.test('an "error" listener that throws is reported once: it cannot loop, and the others hear it', async () => {
  const s = session();
  let thrown = 0;
  s.transport.addEventListener("error", () => {
    thrown++;
    throw new Error("a bug in the error listener");
  });
  const later: string[] = [];
  s.transport.addEventListener("error", (event) => later.push(event.error.code));
  const escaped = await escaping(async () => {
    await s.clock.tick(1);
    // A frame that cannot be sent: a non-fatal "encode" error, whose listener throws.
    void s.transport.send({ type: "mark" } as never);
    await s.clock.tick(10);
  });
  assert.deepEqual(escaped, []);
  // The first listener threw on the "encode" error and again on the "application" one it led to.
  assert.equal(thrown, 2);
  assert.deepEqual(s.errors.map((e) => e.code), ["encode", "application"]);
  assert.deepEqual(later, ["encode", "application"]);
  assert.equal(
    s.errors[1]!.message,
    'a "error" listener threw: Error: a bug in the error listener',
  );
  s.pair.client.close(1000);
  assert.equal((await s.transport.closed).code, 1011);
});

Deno.test('errors held for the first "error" listener reach it guarded, a microtask after it is added', async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, { clock });
  void transport.send({ type: "mark" } as never); // held: no one listens yet
  const heard: string[] = [];
  const escaped = await escaping(async () => {
    transport.addEventListener("error", (event: TransportErrorEvent) => {
      heard.push(event.error.code);
      throw new Error("a bug in the first error listener");
    });
    assert.deepEqual(heard, []); // not inside addEventListener
    await clock.tick(10);
  });
  assert.deepEqual(escaped, []);
  assert.deepEqual(heard, ["encode", "application"]);
  pair.client.close(1000);
  assert.equal((await transport.closed).code, 1011);
});

Deno.test("guarded listeners keep EventTarget's ways: removal, once, signal, capture, handleEvent, `this`", async () => {
  const { clock, pair, transport, errors } = session();
  assertEventTargetWays(transport, "ping", "pong");

  // A cancelable event's listener may still cancel it ("inactive": preventDefault keeps it).
  transport.addEventListener("inactive", (event) => event.preventDefault());
  assert.equal(transport.dispatchEvent(new Event("inactive", { cancelable: true })), false);

  // A typed listener comes off as it went on (this did not type-check before).
  const started = (event: SpeakingEvent) => void event.responseId;
  transport.addEventListener("speakingstart", started);
  transport.removeEventListener("speakingstart", started);

  await clock.tick(1);
  assert.deepEqual(errors, []);
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("a listener object whose handleEvent is not a function ends its session, not the process", async () => {
  const s = session();
  const escaped = await escaping(async () => {
    s.transport.addEventListener("connected", {} as EventListenerObject);
    await s.clock.tick(10);
  });
  assert.deepEqual(escaped, []);
  assert.deepEqual(s.errors.map((e) => [e.code, e.fatal]), [["application", true]]);
  assert.match(s.errors[0]!.message, /^a "connected" listener threw: TypeError/);
  s.pair.client.close(1000);
  assert.equal((await s.transport.closed).code, 1011);
});
