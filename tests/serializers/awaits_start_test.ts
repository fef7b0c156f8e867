// Twilio, Plivo and Exotel take nothing before their start message: every message we send names
// the stream id it brings. A session with background audio (which begins as the socket opens)
// or a bot that greets at once must wait for it, not fail to encode (an error a chunk, and the
// greeting's first chunks lost), and must not wait forever when it never comes.
import assert from "node:assert/strict";
import { BackgroundAudio, type TransportError, WebSocketTransport } from "@x/ws-transport";
import { FakeClock, MemorySocketPair } from "@x/ws-transport/testing";
import type { FrameSerializer } from "../../src/serializer.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { PlivoSerializer } from "../../src/serializers/plivo.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { exotelCall, exotelIds } from "./fixtures/exotel_call.ts";
import { plivoCall, plivoIds } from "./fixtures/plivo_call.ts";
import { twilioCall, twilioIds } from "./fixtures/twilio_call.ts";
import type { ScriptStep } from "./fixtures/telephony_harness.ts";

/** The start message of a documented call (the fixtures cite each provider's page). */
function startMessage(script: ScriptStep[]): string {
  for (const step of script) {
    if ("from" in step && (step.wire as { event?: string }).event === "start") {
      return JSON.stringify(step.wire);
    }
  }
  throw new Error("the script has no start message");
}

const providers: {
  name: string;
  make: () => FrameSerializer;
  start: string;
  stream: string;
  /** Where the stream id stands in an outbound media message. */
  streamOf: (message: Record<string, unknown>) => unknown;
}[] = [
  {
    name: "Twilio",
    make: () => new TwilioSerializer(),
    start: startMessage(twilioCall),
    stream: twilioIds.stream,
    streamOf: (m) => m.streamSid,
  },
  {
    name: "Plivo",
    make: () => new PlivoSerializer(),
    start: startMessage(plivoCall),
    stream: plivoIds.stream,
    streamOf: (m) => m.streamId,
  },
  {
    name: "Exotel",
    make: () => new ExotelSerializer(),
    start: startMessage(exotelCall),
    stream: exotelIds.stream,
    streamOf: (m) => m.stream_sid,
  },
];

/** A session at 8 kHz with a quiet background and a greeting written the moment it connects. */
function session(serializer: FrameSerializer, clock: FakeClock) {
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    serializer,
    clock,
    // 200 ms chunks: Exotel's smallest message at 8 kHz (3,200 bytes); the others take any.
    audioOut: { sampleRate: 8000, chunkMs: serializer instanceof ExotelSerializer ? 200 : 20 },
    background: new BackgroundAudio(new Int16Array(800).fill(300), { sampleRate: 8000 }),
  });
  const errors: TransportError[] = [];
  transport.addEventListener(
    "error",
    (e) => errors.push((e as ErrorEvent).error as TransportError),
  );
  const sent: Record<string, unknown>[] = [];
  client.addEventListener("message", (e) => {
    sent.push(JSON.parse((e as MessageEvent<string>).data));
  });
  const writer = transport.writable.getWriter();
  const greeting = writer.write({
    type: "audio",
    audio: new Uint8Array(8000 * 2 * 0.2).fill(1), // 200 ms
    sampleRate: 8000,
    channels: 1,
  });
  return { transport, client, errors, sent, writer, greeting };
}

for (const provider of providers) {
  Deno.test(`\`${provider.name}Serializer\` session sends nothing before the start message, then all of it, background and greeting`, async () => {
    const clock = new FakeClock();
    const s = session(provider.make(), clock);
    await clock.tick(500); // the far end takes half a second to start the stream
    assert.equal(s.sent.length, 0, "sent before the start message");
    assert.equal(s.errors.length, 0, String(s.errors));
    s.client.send(provider.start);
    await clock.tick(400);
    await s.greeting;
    assert.equal(s.errors.length, 0, String(s.errors));
    const media = s.sent.filter((m) => m.event === "media" || m.event === "playAudio");
    // 400 ms of 20 ms chunks (Exotel: of 200 ms ones), background and greeting alike.
    const expected = provider.name === "Exotel" ? 2 : 10;
    assert.ok(media.length >= expected, `${media.length} media messages in 400 ms`);
    for (const message of media) assert.equal(provider.streamOf(message), provider.stream);
    assert.equal(s.transport.stats.audioBytesDroppedOnClose, 0);
    await s.transport.close();
  });
}

Deno.test("`TwilioSerializer` session whose start message never comes: a timeout error after sendTimeoutMs, then sending is tried", async () => {
  const clock = new FakeClock();
  const s = session(new TwilioSerializer(), clock);
  await clock.tick(4999);
  assert.equal(s.errors.length, 0, String(s.errors));
  await clock.tick(1);
  assert.equal(s.errors[0]?.code, "timeout");
  assert.match(s.errors[0]!.message, /no start message from the far end within 5000 ms/);
  // What follows is the serializer's own complaint: it has no stream id to address audio to.
  await clock.tick(20);
  assert.ok(
    s.errors.slice(1).some((e) => e.code === "encode" && /no streamSid yet/.test(e.message)),
  );
  await s.transport.close();
});

Deno.test("`TwilioSerializer` given the stream SID sends from the moment the socket opens", async () => {
  const clock = new FakeClock();
  const s = session(new TwilioSerializer({ streamSid: "MZ1" }), clock);
  await clock.tick(40);
  assert.ok(s.sent.length > 0);
  assert.equal(s.sent[0]!.streamSid, "MZ1");
  assert.equal(s.errors.length, 0, String(s.errors));
  await s.transport.close();
});

Deno.test("`TwilioSerializer` session interrupted before the start message: the queue is dropped, no clear is sent (it could not be addressed)", async () => {
  const clock = new FakeClock();
  const s = session(new TwilioSerializer(), clock);
  await clock.tick(100);
  const result = await s.transport.interrupt();
  assert.equal(result.heardMs, 0);
  assert.equal(s.errors.length, 0, String(s.errors));
  s.client.send(startMessage(twilioCall));
  await clock.tick(100);
  assert.equal(s.sent.filter((m) => m.event === "clear").length, 0);
  assert.ok(s.sent.length > 0, "the background goes on once the call has started");
  assert.equal(s.errors.length, 0, String(s.errors));
  await s.transport.close();
});
