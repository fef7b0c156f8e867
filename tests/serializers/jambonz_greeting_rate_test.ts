// jambonz `listen` with bidirectional streaming and the README's set-up (the verb at 16000,
// `new JambonzSerializer()` with no streamSampleRate). jambonz's side, from its sources:
// jambonz-feature-server lib/tasks/listen.js:168-185 builds the first text frame
// ({sampleRate, mixType, ...callInfo, ...metadata}); mod_audio_fork lws_glue.cpp:405-411 sends that
// metadata once the WebSocket connects (CONNECT_SUCCESS), so it reaches the bot one network trip
// after the bot's side of the upgrade is done. A bot that greets as soon as its transport is open
// must not have its greeting encoded at a guessed rate (8000) that then holds for the whole call.
import assert from "node:assert/strict";
import { type Frame, type TransportError, WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";

function session(serializer: JambonzSerializer) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000 },
    clock,
  });
  const received: (string | number)[] = [];
  pair.client.addEventListener("message", (e) => {
    const data = (e as MessageEvent).data;
    received.push(typeof data === "string" ? data : (data as ArrayBuffer).byteLength);
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  transport.receive(() => {});
  return { clock, pair, transport, received, errors };
}

const greeting = (): Frame => ({
  type: "audio",
  audio: new Uint8Array(32000).fill(1), // 1 s at 16 kHz
  sampleRate: 16000,
  channels: 1,
});

Deno.test("`JambonzSerializer` greeting written on connect goes back at the rate the listen verb's first frame names", async () => {
  const serializer = new JambonzSerializer();
  const s = session(serializer);
  s.transport.send(greeting());
  await s.clock.tick(0);
  await s.clock.tick(20); // the module's metadata, one trip after the upgrade
  assert.deepEqual(s.received, [], "nothing leaves before the first frame");
  s.pair.client.send(
    JSON.stringify({ sampleRate: 16000, mixType: "mono", callSid: "c1", accountSid: "a1" }),
  );
  await s.clock.tick(3000);
  assert.equal(serializer.streamSampleRate, 16000, s.errors.map((e) => e.message).join(" | "));
  const bytes = s.received.filter((m) => typeof m === "number").reduce((a, b) => a + b, 0);
  assert.equal(bytes, 32000); // 1 s of 16 kHz L16, not 16,000 bytes of 8 kHz
  assert.deepEqual(s.errors, []);
  await s.transport.close();
});

Deno.test("`JambonzSerializer` given streamSampleRate sends from the moment the socket opens", async () => {
  const s = session(new JambonzSerializer({ streamSampleRate: 16000 }));
  s.transport.send(greeting());
  await s.clock.tick(20);
  assert.ok(s.received.length > 0);
  await s.transport.close();
});

Deno.test("`JambonzSerializer` ended before any first frame comes: the session still ends, sendTimeoutMs on", async () => {
  const s = session(new JambonzSerializer());
  s.transport.send(greeting());
  s.transport.send({ type: "end" });
  let closedAt: number | undefined;
  void s.transport.closed.then(() => closedAt = s.clock.now());
  for (let t = 0; t < 20_000 && closedAt === undefined; t += 100) await s.clock.tick(100);
  // sendTimeoutMs (5 s) for the first frame, then the greeting sent at the 8 kHz fallback and the
  // usual bounds: the playout wait and closeTimeoutMs for jambonz's close.
  assert.ok(
    closedAt !== undefined && closedAt <= 5000 + 1000 + 2500 + 500,
    `closed at ${closedAt}`,
  );
  assert.match(s.errors[0]!.message, /no start message from the far end within 5000 ms/);
  assert.ok(s.received.includes('{"type":"disconnect"}'));
});
