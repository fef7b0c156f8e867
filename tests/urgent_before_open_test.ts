// Urgent frames sent before the socket opens. Deno's `upgradeWebSocket` socket is CONNECTING
// until its "open", and a bot greets its caller with an urgent message right after the upgrade:
// the message waits for the open and then leaves ahead of what was queued, in the order the
// urgent frames were sent, or, where the socket never opens (`openTimeoutMs`), is dropped and
// counted in `framesDroppedOnClose`. An `interrupt()` before the open has nothing to clear: no
// clear message is sent, and none is counted lost.
import assert from "node:assert/strict";
import {
  type Frame,
  type FrameSerializer,
  JsonSerializer,
  RawPcmSerializer,
  type TransportError,
  WebSocketTransport,
} from "../mod.ts";
import { type DenoUpgradeOptions, upgrade } from "../src/adapters/deno.ts";
import { TwilioSerializer } from "../src/serializers/twilio.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import type { TransportOptions } from "../src/transport_options.ts";
import { WsClient } from "./_ws_client.ts";
import { TWILIO_START } from "./serializers/telephony/_hang_up_session.ts";

const greeting: Frame = { type: "message", message: { greeting: "hello" }, urgent: true };
const transcript: Frame = { type: "message", message: { transcript: "hi" }, urgent: true };
const queued: Frame = { type: "message", message: { queued: 1 } };

/** A session on a socket still connecting, on the fake clock; what the client receives. */
function connecting(options: TransportOptions = {}) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair({ connecting: true });
  const transport = new WebSocketTransport(pair.server, {
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
    ...options,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  const received: unknown[] = [];
  pair.client.addEventListener("message", (e) => {
    const data = (e as MessageEvent).data;
    received.push(typeof data === "string" ? JSON.parse(data) : data);
  });
  return { clock, pair, transport, errors, received };
}

async function end(s: ReturnType<typeof connecting>): Promise<void> {
  void s.transport.close();
  await s.clock.tick(10_000);
  await s.transport.closed;
  await s.clock.runAll();
  assert.equal(s.clock.pendingTimers, 0, "no timer left behind");
}

for (
  const [name, make, wire] of [
    ["raw PCM", () => new RawPcmSerializer(), (f: Frame) => (f as { message: unknown }).message],
    ["JSON", () => new JsonSerializer(), (f: Frame) => f],
  ] as const
) {
  Deno.test(`${name}: urgent messages sent before the socket opens leave once it opens, ahead of what was queued`, async () => {
    const s = connecting({ serializer: make() });
    assert.equal(s.transport.send(queued), undefined);
    assert.equal(s.transport.send(greeting), undefined);
    assert.equal(s.transport.send(transcript), undefined);
    await s.clock.tick(100);
    assert.deepEqual(s.received, [], "nothing goes on a socket still connecting");
    assert.equal(s.transport.stats.framesDroppedOnClose, 0, "and nothing is dropped");
    s.pair.open();
    await s.clock.tick(100);
    assert.deepEqual(s.received, [wire(greeting), wire(transcript), wire(queued)]);
    assert.equal(s.transport.stats.framesDroppedOnClose, 0);
    assert.equal(s.transport.stats.messagesOut, 3);
    assert.deepEqual(s.errors, []);
    await end(s);
  });
}

Deno.test("an urgent message a `connected` listener sends follows those held since before the open", async () => {
  const s = connecting({ serializer: new JsonSerializer() });
  s.transport.addEventListener("connected", () => s.transport.send(transcript));
  s.transport.send(greeting);
  s.pair.open();
  await s.clock.tick(10);
  assert.deepEqual(s.received, [greeting, transcript]);
  await end(s);
});

Deno.test("an urgent message held for a socket that never opens is dropped at openTimeoutMs, counted", async () => {
  const s = connecting({ serializer: new JsonSerializer(), openTimeoutMs: 1000 });
  s.transport.send(greeting);
  await s.clock.tick(999);
  assert.equal(s.transport.stats.framesDroppedOnClose, 0, "still waiting for the open");
  await s.clock.tick(1);
  const closed = await s.transport.closed;
  assert.equal(closed.code, 1006);
  assert.deepEqual(s.received, []);
  assert.equal(s.transport.stats.framesDroppedOnClose, 1, "the held message, counted once");
  assert.equal(s.transport.stats.encodeErrors, 0, "never serialized");
  assert.deepEqual(s.errors.map((e) => e.code), ["timeout"], "the open bound says why");
  await s.clock.runAll();
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("an urgent message held for the open is dropped, counted, when the bot closes first", async () => {
  const s = connecting({ serializer: new JsonSerializer() });
  s.transport.send(greeting);
  await end(s);
  assert.deepEqual(s.received, []);
  assert.equal(s.transport.stats.framesDroppedOnClose, 1);
});

Deno.test("interrupt() before the socket opens sends no clear and counts nothing lost; urgent messages still leave", async () => {
  const s = connecting({ serializer: new JsonSerializer() });
  const audio: Frame = {
    type: "audio",
    audio: new Uint8Array(3200),
    sampleRate: 16000,
    channels: 1,
    responseId: "r1",
  };
  s.transport.send(audio);
  s.transport.send(greeting);
  const result = await s.transport.interrupt();
  assert.deepEqual(result, { responseId: "r1", heardMs: 0, droppedMs: 100, acknowledged: false });
  s.transport.send(transcript);
  assert.equal(s.transport.stats.framesDroppedOnClose, 0, "no clear lost on the connecting socket");
  s.pair.open();
  await s.clock.tick(100);
  assert.deepEqual(s.received, [greeting, transcript], "no clear: nothing had left to clear");
  assert.equal(s.transport.stats.framesDroppedOnClose, 0);
  assert.deepEqual(s.errors, []);
  await end(s);
});

Deno.test("an urgent message waiting for an asynchronous set-up that ends before the open waits for the open too", async () => {
  let loaded!: () => void;
  const serializer: FrameSerializer = {
    setup: () => new Promise<void>((resolve) => (loaded = resolve)),
    serialize: (frame) => frame.type === "message" ? JSON.stringify(frame.message) : null,
    deserialize: () => null,
  };
  const s = connecting({ serializer });
  const sent = s.transport.send(greeting);
  const interrupted = s.transport.interrupt();
  loaded();
  await sent;
  await interrupted;
  assert.equal(s.transport.stats.framesDroppedOnClose, 0);
  s.pair.open();
  await s.clock.tick(10);
  assert.deepEqual(s.received, [{ greeting: "hello" }]);
  assert.deepEqual(s.errors, []);
  await end(s);
});

// ---- a real Deno server: the transport made on the socket `Deno.upgradeWebSocket` gives -------

/** Serves `upgrade` on 127.0.0.1 port 0; `greet` runs on each transport as soon as it is made. */
function serve(options: DenoUpgradeOptions, greet: (transport: WebSocketTransport) => void) {
  const sessions: WebSocketTransport[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request, options);
    if (transport) {
      sessions.push(transport);
      greet(transport);
    }
    return response;
  });
  return { server, sessions, url: `ws://127.0.0.1:${server.addr.port}/` };
}

for (const [name, serializer] of [["raw PCM", undefined], ["JSON", JsonSerializer]] as const) {
  Deno.test(`Deno \`upgrade\` (${name}): an urgent greeting sent at once after the upgrade reaches the caller first`, async () => {
    const { server, sessions, url } = serve(
      serializer ? { serializer: () => new serializer() } : {}, // raw PCM: the default
      (transport) => {
        assert.equal(transport.socket.readyState, WebSocket.CONNECTING, "the case in question");
        transport.send(queued);
        transport.send(greeting);
      },
    );
    const client = await WsClient.open(url);
    const first = JSON.parse((await client.next(() => true, { from: 0 })) as string);
    const second = JSON.parse((await client.next(() => true, { from: 1 })) as string);
    const wire = (f: Frame) => serializer ? f : (f as { message: unknown }).message;
    assert.deepEqual([first, second], [wire(greeting), wire(queued)]);
    await client.close();
    await sessions[0]!.closed;
    assert.equal(sessions[0]!.stats.framesDroppedOnClose, 0);
    await server.shutdown();
  });
}

// Twilio Media Streams ("WebSocket Messages", twilio.com/docs/voice/media-streams/websocket-
// messages): Twilio speaks first, `connected` then `start`, which names the stream; what it
// takes from us (`media`, `mark`, `clear`) carries that `streamSid`. A bot that knows the SID
// (`streamSid` option: the transport then awaits no start) marks its greeting at once.
Deno.test("Deno `upgrade` (Twilio): an urgent mark sent at once after the upgrade reaches Twilio once the socket opens", async () => {
  const mark = { event: "mark", streamSid: "MZ1", mark: { name: "greeting" } };
  const { server, sessions, url } = serve(
    {
      serializer: () => new TwilioSerializer({ streamSid: "MZ1", callSid: "CA1" }),
      audioIn: { sampleRate: 8000 },
      audioOut: { sampleRate: 8000 },
    },
    (transport) => {
      assert.equal(transport.socket.readyState, WebSocket.CONNECTING);
      transport.send({ type: "message", message: mark, urgent: true });
    },
  );
  const twilio = await WsClient.open(url);
  // The far end speaks first, as Twilio does; the bot's mark was on its way already.
  twilio.send(JSON.stringify({ event: "connected", protocol: "Call", version: "1.0.0" }));
  twilio.send(TWILIO_START);
  assert.deepEqual(await twilio.nextJson(() => true, { from: 0 }), mark);
  await twilio.close();
  await sessions[0]!.closed;
  assert.equal(sessions[0]!.stats.framesDroppedOnClose, 0);
  await server.shutdown();
});
