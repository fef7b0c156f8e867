// `FrameSerializer.overtakesQueue`: a `message` frame the serializer lets overtake leaves at once,
// ahead of the audio a pause of sending holds (`SerializerContext.pauseSending`), whether it was
// sent, or written while a write waits for room; the audio before it leaves in the order written,
// marks keep their place after their audio, and no message overtakes another. The far end here
// is a protocol of the test's own: "XOFF" pauses our sending, "XON" resumes it (as Asterisk's
// MEDIA_XOFF / MEDIA_XON do), and "RESUME" is the command that would end what holds the audio.
import assert from "node:assert/strict";
import type {
  Frame,
  FrameSerializer,
  MessageFrame,
  SerializedMessage,
  SerializerContext,
} from "../mod.ts";
import type { TransportError } from "../src/errors.ts";
import { level, narrowbandCall } from "./serializers/fixtures/narrowband_call.ts";

/** Audio as it is, messages as their text, marks as `mark <name>`; XOFF and XON pause sending. */
class PausedSerializer implements FrameSerializer {
  #context: SerializerContext | undefined;
  bind(context: SerializerContext): void {
    this.#context = context;
  }
  serialize(frame: Frame): SerializedMessage | null {
    if (frame.type === "audio") return frame.audio;
    if (frame.type === "message") return String(frame.message);
    return frame.type === "mark" ? `mark ${frame.name}` : null;
  }
  deserialize(data: string | Uint8Array): null {
    if (data === "XOFF" || data === "XON") this.#context?.pauseSending?.(data === "XOFF");
    return null;
  }
}

/** The same, letting "RESUME" overtake; the messages it was asked about, in order. */
class ResumingSerializer extends PausedSerializer {
  readonly asked: unknown[] = [];
  overtakesQueue(frame: MessageFrame): boolean {
    this.asked.push(frame.message);
    return frame.message === "RESUME";
  }
}

/** The same, its `overtakesQueue` broken. */
class ThrowingSerializer extends PausedSerializer {
  overtakesQueue(): boolean {
    throw new Error("broken");
  }
}

/** `ms` of the bot's audio at 8 kHz, every sample `value`. */
const audio = (ms: number, value: number): Frame => ({
  type: "audio",
  audio: level(ms, value),
  sampleRate: 8000,
  channels: 1,
});

/**
 * A session on `serializer` whose far end has paused our sending: 600 ms of audio at level 1000
 * and a mark `m` were sent, 600 ms at level 1500 written with a writer, which waits for room
 * (`maxQueuedMs` 200), then XOFF came. What the transport sent is read as `wire()`: messages as
 * they are, each run of audio messages at one level as `audio <level>`.
 */
async function heldSession(serializer: FrameSerializer) {
  const { clock, pair, transport } = narrowbandCall(serializer);
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  transport.receive(() => {});
  await clock.tick(10);
  void transport.send(audio(600, 1000));
  transport.send({ type: "mark", name: "m" });
  const writer = transport.writable.getWriter();
  const waiting = writer.write(audio(600, 1500));
  assert.notEqual(transport.stats.audioBytesSent, 0, "sending had begun");
  pair.client.send("XOFF");
  await clock.tick(0);
  const wire = () => {
    const out: string[] = [];
    for (const message of pair.server.sent) {
      const text = typeof message === "string" ? message : `audio ${levelOf(message)}`;
      if (out.at(-1) !== text || !text.startsWith("audio")) out.push(text);
    }
    return out;
  };
  return { clock, pair, transport, errors, writer, waiting, wire };
}

/** The level of the first sample of an audio message. */
function levelOf(message: unknown): number {
  const bytes = message as Uint8Array;
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getInt16(0, true);
}

Deno.test("a message the serializer lets overtake leaves at once past a write waiting for room and the audio a pause of sending holds; that audio follows in order at the resume", async () => {
  const serializer = new ResumingSerializer();
  const { clock, pair, transport, errors, writer, wire } = await heldSession(serializer);
  void writer.write(audio(200, 2000)); // written after the write waiting for room: behind it
  const resumed = writer.write({ type: "message", message: "RESUME" });
  await clock.tick(100);
  assert.deepEqual(wire(), ["audio 1000", "RESUME"], "it left at once, nothing else did");
  assert.equal(await resumed, undefined, "its write took no room");
  // The far end answers the resume as XON: the audio held leaves in the order written, the mark
  // after the audio before it, and the audio written after the message keeps its place.
  pair.client.send("XON");
  await clock.tick(2000);
  assert.deepEqual(wire(), [
    "audio 1000",
    "RESUME",
    "audio 1000",
    "mark m",
    "audio 1500",
    "audio 2000",
  ]);
  // Asked as it was written, and again as the transport took it (it reaches the serializer as
  // written: not a copy marked urgent).
  assert.deepEqual(serializer.asked, ["RESUME", "RESUME"]);
  assert.deepEqual(errors, []);
  await transport.close();
});

Deno.test("a message the serializer lets overtake, sent rather than written, leaves at once too", async () => {
  const { clock, transport, wire } = await heldSession(new ResumingSerializer());
  assert.equal(transport.send({ type: "message", message: "RESUME" }), undefined);
  await clock.tick(0);
  assert.deepEqual(wire(), ["audio 1000", "RESUME"]);
  await transport.close();
});

Deno.test("a message the serializer would let overtake keeps its place behind a message written before it that waits for room", async () => {
  const serializer = new ResumingSerializer();
  const { clock, pair, transport, writer, wire } = await heldSession(serializer);
  void writer.write({ type: "message", message: "NOTE" }); // waits behind the audio
  void writer.write({ type: "message", message: "RESUME" });
  await clock.tick(1000);
  assert.deepEqual(wire(), ["audio 1000"], "neither left: RESUME would land before NOTE");
  assert.deepEqual(serializer.asked, ["NOTE"], "RESUME not asked: NOTE waits ahead of it");
  pair.client.send("XON");
  await clock.tick(2000);
  assert.deepEqual(wire(), ["audio 1000", "mark m", "audio 1500", "NOTE", "RESUME"]);
  await transport.close();
});

Deno.test("a message the serializer would let overtake keeps its place behind a message queued before it", async () => {
  const serializer = new ResumingSerializer();
  const { clock, pair, transport, waiting, wire } = await heldSession(serializer);
  pair.client.send("XON");
  await clock.tick(2000);
  await waiting;
  assert.deepEqual(wire(), ["audio 1000", "mark m", "audio 1500"], "all sent");
  void transport.send(audio(600, 2000));
  pair.client.send("XOFF");
  await clock.tick(0);
  transport.send({ type: "message", message: "NOTE" });
  transport.send({ type: "message", message: "RESUME" });
  await clock.tick(1000);
  assert.equal(wire().at(-1), "audio 2000", "neither left: RESUME would land before NOTE");
  assert.deepEqual(serializer.asked, ["NOTE"], "RESUME not asked: NOTE waits ahead of it");
  pair.client.send("XON");
  await clock.tick(2000);
  assert.deepEqual(wire().slice(-3), ["audio 2000", "NOTE", "RESUME"]);
  // Once NOTE has left, RESUME overtakes again.
  void transport.send(audio(600, 1000));
  pair.client.send("XOFF");
  await clock.tick(0);
  transport.send({ type: "message", message: "RESUME" });
  await clock.tick(0);
  assert.deepEqual(wire().slice(-2), ["audio 1000", "RESUME"]);
  await clock.tick(100);
  assert.equal(wire().at(-1), "RESUME", "the audio before it is held still");
  await transport.close();
});

Deno.test("a serializer without overtakesQueue: a message waits behind the audio a pause of sending holds, as before", async () => {
  const { clock, pair, transport, errors, writer, wire } = await heldSession(
    new PausedSerializer(),
  );
  void writer.write({ type: "message", message: "RESUME" });
  transport.send({ type: "message", message: "RESUME" });
  await clock.tick(1000);
  assert.deepEqual(wire(), ["audio 1000"]);
  pair.client.send("XON");
  await clock.tick(2000);
  // The one sent was queued behind the audio queued before it, the one written behind the write
  // waiting for room: it is queued once that has room.
  assert.deepEqual(wire(), ["audio 1000", "mark m", "audio 1500", "RESUME", "RESUME"]);
  assert.deepEqual(errors, []);
  await transport.close();
});

Deno.test("an overtakesQueue that throws is an encode error, counted, and the message keeps its place", async () => {
  const { clock, pair, transport, errors, writer, wire } = await heldSession(
    new ThrowingSerializer(),
  );
  void writer.write({ type: "message", message: "RESUME" });
  await clock.tick(1000);
  assert.deepEqual(wire(), ["audio 1000"]);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.code, "encode");
  assert.match(errors[0]!.message, /overtakesQueue threw: .*broken.*keeps its place/);
  assert.equal(transport.stats.encodeErrors, 1);
  pair.client.send("XON");
  await clock.tick(2000);
  assert.deepEqual(wire(), ["audio 1000", "mark m", "audio 1500", "RESUME"]);
  assert.equal(transport.stats.encodeErrors, 2, "asked again at its turn, and counted again");
  await transport.close();
});
