// What the outbound path counts for each frame and byte written: every one is sent, or counted
// where it was lost (refused, dropped at the close, interrupted), never both, never neither.
import assert from "node:assert/strict";
import {
  type Frame,
  type FrameSerializer,
  RawPcmSerializer,
  type SerializeResult,
  type TransportError,
  WebSocketTransport,
} from "../mod.ts";
import type { TransportOptions } from "../src/transport_options.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { TwilioSerializer } from "../src/serializers/twilio.ts";
import { VonageSerializer } from "../src/serializers/vonage.ts";
import { FakeFarEnd, MarkingSerializer } from "./_fake_far_end.ts";

function session(options: TransportOptions = {}) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new RawPcmSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
    ...options,
  });
  let binaryBytes = 0;
  pair.client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (typeof data !== "string") binaryBytes += new Uint8Array(data).length;
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error));
  return { clock, pair, transport, errors, received: () => binaryBytes };
}

/** `ms` of PCM16 16 kHz mono. */
function audio(ms: number): Frame {
  return { type: "audio", audio: new Uint8Array(ms * 32).fill(1), sampleRate: 16000, channels: 1 };
}

Deno.test("`OutboundSender`: a mark raw PCM has no message for is counted in encodeErrors, reported once", async () => {
  const s = session();
  await s.clock.tick(1);
  s.transport.send({ type: "mark", name: "m1" });
  await s.clock.tick(50);
  assert.equal(s.transport.stats.encodeErrors, 1);
  assert.equal(s.errors.length, 1, String(s.errors));
  assert.equal(s.errors[0]!.code, "encode");
  assert.equal(s.errors[0]!.fatal, false);
  assert.match(s.errors[0]!.message, /RawPcmSerializer: no message for a mark frame/);
  s.transport.send({ type: "mark", name: "m2" });
  await s.clock.tick(50);
  assert.equal(s.transport.stats.encodeErrors, 2, "every such frame counted");
  assert.equal(s.errors.length, 1, "reported once per frame type");
  await s.transport.close();
});

Deno.test("`OutboundSender`: a text frame Twilio has no message for is counted, reported once", async () => {
  const s = session({ serializer: new TwilioSerializer({ streamSid: "MZ1" }) });
  await s.clock.tick(1);
  s.transport.send({ type: "text", text: "hello" });
  s.transport.send({ type: "text", text: "again" });
  await s.clock.tick(50);
  assert.equal(s.transport.stats.encodeErrors, 2);
  assert.equal(s.errors.length, 1, String(s.errors));
  assert.match(s.errors[0]!.message, /TwilioSerializer: no message for a text frame/);
  await s.transport.close();
});

Deno.test("`OutboundSender`: audio Vonage holds for a whole frame is not a drop", async () => {
  const s = session({ serializer: new VonageSerializer({ sampleRate: 16000 }) });
  s.pair.client.send(
    JSON.stringify({ event: "websocket:connected", "content-type": "audio/l16;rate=16000" }),
  );
  await s.clock.tick(1);
  s.transport.send(audio(10)); // half a 20 ms frame: the serializer answers with no message
  await s.clock.tick(200);
  assert.equal(s.transport.stats.encodeErrors, 0);
  assert.deepEqual(s.errors, []);
  await s.transport.close();
});

Deno.test("`OutboundSender`: a chunk the socket refuses is dropped, not sent", async () => {
  const s = session();
  await s.clock.tick(1);
  s.pair.server.send = () => {
    throw new TypeError("Bun dropped the message");
  };
  s.transport.send(audio(20));
  await s.clock.tick(50);
  const stats = s.transport.stats;
  assert.equal(s.received(), 0);
  assert.equal(stats.audioBytesSent, 0);
  assert.equal(stats.audioChunksSent, 0);
  assert.equal(stats.audioBytesDroppedOnClose, 640);
  assert.equal(s.errors[0]?.code, "closed");
  await s.transport.close();
});

Deno.test("`OutboundSender`: a frame whose message the socket refuses counts as dropped", async () => {
  const s = session({ serializer: new TwilioSerializer({ streamSid: "MZ1" }) });
  await s.clock.tick(1);
  s.pair.server.send = () => {
    throw new TypeError("Bun dropped the message");
  };
  s.transport.send({ type: "message", message: { hello: 1 } });
  await s.clock.tick(50);
  assert.equal(s.transport.stats.framesDroppedOnClose, 1);
  assert.equal(s.transport.stats.messagesOut, 0);
  await s.transport.close();
});

Deno.test("`OutboundSender`: audio an asynchronous serializer answers after the close is dropped audio, not sent", async () => {
  const answers: (() => void)[] = [];
  const late: FrameSerializer = {
    serialize(frame: Frame): SerializeResult {
      if (frame.type !== "audio") return null;
      return new Promise((resolve) => answers.push(() => resolve(frame.audio)));
    },
    deserialize: () => null,
  };
  const s = session({ serializer: late });
  await s.clock.tick(1);
  s.transport.send(audio(20));
  await s.clock.tick(1);
  assert.equal(answers.length, 1);
  s.pair.client.close();
  await s.pair.client.waitFor(() => s.pair.server.readyState === 3);
  answers[0]!();
  await s.clock.tick(50);
  const { audioBytesSent, audioBytesDroppedOnClose, framesDroppedOnClose } = s.transport.stats;
  assert.deepEqual(
    { audioBytesSent, audioBytesDroppedOnClose, framesDroppedOnClose },
    { audioBytesSent: 0, audioBytesDroppedOnClose: 640, framesDroppedOnClose: 0 },
  );
});

Deno.test("`OutboundSender`: bytes the packetizer held are interrupted, not sent as well", async () => {
  const s = session({ fixedAudioPacketSize: 1000 });
  await s.clock.tick(1);
  s.transport.send(audio(20));
  await s.clock.tick(1);
  await s.transport.interrupt();
  const stats = s.transport.stats;
  assert.equal(s.received(), 0, "nothing reached the wire");
  assert.equal(stats.audioBytesSent, 0);
  assert.equal(stats.audioBytesInterrupted, 640);
  await s.transport.close();
});

Deno.test("`OutboundSender`: with a packetizer, written = sent + interrupted + dropped, in PCM bytes", async () => {
  const s = session({ fixedAudioPacketSize: 300, lastPacket: "drop" });
  await s.clock.tick(1);
  s.transport.send(audio(100)); // 3,200 bytes: ten packets leave, 200 bytes wait
  await s.clock.tick(200);
  let stats = s.transport.stats;
  assert.equal(s.received(), 3000);
  assert.equal(stats.audioBytesSent, 3000);
  assert.equal(stats.audioBytesDroppedOnClose, 200, "the partial packet the policy drops");
  s.transport.send(audio(30)); // 960 bytes: three packets, 60 bytes wait
  await s.clock.tick(1);
  await s.transport.interrupt();
  await s.clock.tick(200);
  stats = s.transport.stats;
  const lost = stats.audioBytesInterrupted + stats.audioBytesDroppedOnClose;
  assert.equal(stats.audioBytesSent + lost, 3200 + 960);
  assert.equal(stats.audioBytesSent, s.received());
  await s.transport.close();
});

Deno.test("`OutboundSender`: Twilio before its start message reports the refusal once a spell, counting every chunk", async () => {
  const s = session({
    serializer: new TwilioSerializer(),
    audioIn: { sampleRate: 8000 },
    audioOut: { sampleRate: 8000, chunkMs: 20 },
  });
  await s.clock.tick(1);
  // 3 s at 8 kHz: 150 chunks.
  s.transport.send({
    type: "audio",
    audio: new Uint8Array(3 * 16000).fill(1),
    sampleRate: 8000,
    channels: 1,
  });
  await s.clock.tick(5000 + 3000 + 100);
  const refusals = s.errors.filter((e) => /no streamSid yet/.test(e.message));
  assert.equal(refusals.length, 1, `${refusals.length} identical errors`);
  const stats = s.transport.stats;
  assert.equal(stats.audioBytesRefused, 3 * 16000, "every refused chunk's bytes");
  assert.ok(stats.encodeErrors >= 150, `${stats.encodeErrors} encode errors`);
  assert.equal(stats.audioBytesSent, 0);
  await s.transport.close();
});

Deno.test("`OutboundPath`: an `end` written twice adds its endSilenceMs once: none dropped at the close", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  new FakeFarEnd(clock, pair.client, { jitterMs: 100, bytesPerMs: 32 });
  const t = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(true),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
    endSilenceMs: 300,
    clock,
  });
  await clock.tick(1);
  t.send({ ...audio(400), responseId: "r1" } as Frame);
  void t.send({ type: "end" });
  void t.send({ type: "end" });
  await clock.tick(3000);
  await t.closed;
  const stats = t.stats;
  assert.equal(stats.audioBytesDroppedOnClose, 0);
  assert.equal(stats.audioBytesSent, (400 + 300) * 32, "the speech and one silence left");
});

/** Audio as it is; a `message` answered, later, with no message. */
class LateNullSerializer implements FrameSerializer {
  readonly #clock: FakeClock;
  constructor(clock: FakeClock) {
    this.#clock = clock;
  }
  serialize(frame: Frame): SerializeResult {
    if (frame.type === "audio") return frame.audio;
    if (frame.type === "message") return this.#clock.sleep(30).then(() => null);
    return null;
  }
  deserialize(): Frame | null {
    return null;
  }
}

Deno.test("an asynchronous serializer's null for an urgent message is counted while audio flows", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const t = new WebSocketTransport(pair.server, {
    serializer: new LateNullSerializer(clock),
    audioOut: { sampleRate: 8000, chunkMs: 20 },
    markIntervalMs: 0,
    clock,
  });
  const errors: string[] = [];
  t.addEventListener("error", (e) => errors.push(e.error.message));
  await clock.tick(1);
  t.send({ type: "audio", audio: new Uint8Array(16000), sampleRate: 8000, channels: 1 });
  t.send({ type: "message", message: { hello: 1 }, urgent: true });
  await clock.tick(200); // the audio leaves meanwhile
  assert.equal(t.stats.encodeErrors, 1);
  assert.equal(errors.length, 1, errors.join("; "));
  pair.client.close(1000);
  await clock.tick(1000);
  await t.closed;
});

Deno.test("`OutboundSender`: audio an asynchronous serializer holds (null) while the close drops the queue counts sent, not lost", async () => {
  // A serializer that answers a chunk with no message holds it, and it counts as sent (see
  // `FrameSerializer.serialize`), unless the serializer itself counted it dropped. The queue the
  // close drops meanwhile (the transport's count, not the serializer's) says nothing of it.
  const answers: (() => void)[] = [];
  const holding: FrameSerializer = {
    serialize(frame: Frame): SerializeResult {
      if (frame.type !== "audio") return null;
      return new Promise((resolve) => answers.push(() => resolve(null)));
    },
    deserialize: () => null,
  };
  const s = session({ serializer: holding });
  await s.clock.tick(1);
  s.transport.send(audio(100)); // 5 chunks: one at the serializer, 4 queued behind it
  await s.clock.tick(1);
  assert.equal(answers.length, 1);
  const closed = s.transport.close(); // drops the 4 queued, counted
  answers[0]!(); // then the serializer answers the first: held
  await s.clock.runAll();
  await closed;
  const { audioBytesSent, audioBytesDroppedOnClose } = s.transport.stats;
  assert.deepEqual(
    { audioBytesSent, audioBytesDroppedOnClose },
    { audioBytesSent: 640, audioBytesDroppedOnClose: 2560 },
    "each of the 3200 bytes written counted once",
  );
});
