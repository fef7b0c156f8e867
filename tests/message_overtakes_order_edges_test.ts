// `FrameSerializer.overtakesQueue` at the edges of its ordering rule: a message it lets overtake
// never lands before a message taken earlier whose asynchronous answer is still due, never leaves
// after the bot's `end` has been said, reaches the serializer as the bot wrote it, whether it was
// sent or written while a write waits for room, and does not overtake, from an error listener, the
// message whose question threw; a pipe's frame the transport refuses is refused, not asked about.
// The far ends here are protocols of the test's own (messages as their text), and the module's
// JSON protocol (README, "JsonSerializer").
import assert from "node:assert/strict";
import {
  type Frame,
  type FrameSerializer,
  JsonSerializer,
  type MessageFrame,
  type SerializeResult,
} from "../mod.ts";
import { refusalSession } from "./_refusal_fixtures.ts";
import { level, narrowbandCall } from "./serializers/fixtures/narrowband_call.ts";

/** Lets "RESUME" overtake the queue; messages as their text, audio as it is. */
class ResumingSerializer implements FrameSerializer {
  overtakesQueue(frame: MessageFrame): boolean {
    return frame.message === "RESUME";
  }
  serialize(frame: Frame): SerializeResult {
    if (frame.type === "audio") return frame.audio;
    return frame.type === "message" ? String(frame.message) : null;
  }
  deserialize(): null {
    return null;
  }
}

/** The same, answering "NOTE" only once `answerNote()` is called (a signing step, a lookup). */
class SlowNoteSerializer extends ResumingSerializer {
  #answer: (() => void) | undefined;
  override serialize(frame: Frame): SerializeResult {
    if (frame.type !== "message" || frame.message !== "NOTE") return super.serialize(frame);
    return new Promise((resolve) => this.#answer = () => resolve("NOTE"));
  }
  answerNote(): void {
    this.#answer!();
  }
}

/** The same, saying "BYE" for the bot's `end`, after which its far end closes the socket. */
class ClosingFarEndSerializer extends ResumingSerializer {
  readonly peerCloses = true;
  override serialize(frame: Frame): SerializeResult {
    return frame.type === "end" ? "BYE" : super.serialize(frame);
  }
}

/** The module's JSON protocol, letting "RESUME" overtake. */
class ResumingJsonSerializer extends JsonSerializer {
  overtakesQueue(frame: MessageFrame): boolean {
    return frame.message === "RESUME";
  }
}

Deno.test("a message the serializer lets overtake waits for the asynchronous answer of a message taken before it", async () => {
  const serializer = new SlowNoteSerializer();
  const { clock, pair, transport } = narrowbandCall(serializer);
  transport.receive(() => {});
  await clock.tick(10);
  transport.send({ type: "message", message: "NOTE" }); // taken at once; its answer is due
  transport.send({ type: "message", message: "RESUME" });
  await clock.tick(0);
  assert.deepEqual(pair.server.sent, [], "RESUME would land before NOTE");
  serializer.answerNote();
  await clock.tick(0);
  assert.deepEqual(pair.server.sent, ["NOTE", "RESUME"]);
  // NOTE has left: RESUME overtakes again, ahead of the audio queued before it.
  void transport.send({ type: "audio", audio: level(600, 1000), sampleRate: 8000, channels: 1 });
  transport.send({ type: "message", message: "RESUME" });
  assert.equal(pair.server.sent.at(-1), "RESUME");
  await transport.close();
});

Deno.test("a message the serializer lets overtake, sent after the bot's end was said, does not follow the hang-up: dropped, counted", async () => {
  const { clock, pair, transport } = narrowbandCall(new ClosingFarEndSerializer());
  transport.receive(() => {});
  await clock.tick(10);
  void transport.send({ type: "end" });
  await clock.tick(0);
  assert.deepEqual(pair.server.sent, ["BYE"], "said; the far end closes the socket next");
  transport.send({ type: "message", message: "RESUME" });
  await clock.tick(0);
  assert.deepEqual(pair.server.sent, ["BYE"], "nothing after the goodbye");
  pair.client.close(1000);
  await clock.tick(0);
  await transport.closed;
  assert.equal(transport.stats.framesDroppedOnClose, 1);
});

Deno.test("a message the serializer lets overtake reaches it as written, sent or written past a write waiting for room", async () => {
  const serializer = new ResumingJsonSerializer();
  const seen: Frame[] = [];
  const serialize = serializer.serialize.bind(serializer);
  serializer.serialize = (frame) => {
    if (frame.type === "message") seen.push(frame);
    return serialize(frame);
  };
  const { clock, pair, transport } = narrowbandCall(serializer, { maxQueuedMs: 200 });
  transport.receive(() => {});
  await clock.tick(10);
  const writer = transport.writable.getWriter();
  void writer.write({ type: "audio", audio: level(600, 1000), sampleRate: 8000, channels: 1 });
  const written: Frame = Object.freeze({ type: "message", message: "RESUME" });
  void writer.write({ type: "audio", audio: level(200, 1000), sampleRate: 8000, channels: 1 });
  assert.equal(await writer.write(written), undefined, "it took no room: it overtook");
  const sent: Frame = { type: "message", message: "RESUME" };
  transport.send(sent);
  const resumes = pair.server.sent.filter((m) => typeof m === "string" && m.includes("RESUME"));
  // JSON protocol (README, "JsonSerializer"): `urgent` is on the wire only where the bot set it.
  assert.deepEqual(resumes, [
    '{"type":"message","message":"RESUME"}',
    '{"type":"message","message":"RESUME"}',
  ]);
  assert.equal(seen[0], written, "the frame written, not a copy");
  assert.equal(seen[1], sent);
  await transport.close();
});

Deno.test("an overtakesQueue that throws is told once the message has its place: a message the error listener sends does not overtake it", async () => {
  /** Its `overtakesQueue` breaks on "NOTE". */
  class BreaksOnNote extends ResumingSerializer {
    override overtakesQueue(frame: MessageFrame): boolean {
      if (frame.message === "NOTE") throw new Error("broken");
      return super.overtakesQueue(frame);
    }
  }
  const { clock, pair, transport } = narrowbandCall(new BreaksOnNote());
  const codes: string[] = [];
  transport.addEventListener("error", (event) => {
    codes.push(event.error.code);
    transport.send({ type: "message", message: "RESUME" }); // the bot's answer to trouble
  });
  transport.receive(() => {});
  await clock.tick(10);
  void transport.send({ type: "audio", audio: level(600, 1000), sampleRate: 8000, channels: 1 });
  transport.send({ type: "message", message: "NOTE" });
  await clock.tick(0);
  assert.deepEqual(codes, ["encode"]);
  assert.equal(transport.stats.encodeErrors, 1);
  assert.ok(!pair.server.sent.includes("RESUME"), "RESUME would land before NOTE");
  await clock.tick(1000);
  const texts = pair.server.sent.filter((m) => typeof m === "string");
  assert.deepEqual(texts, ["NOTE", "RESUME"]);
  await transport.close();
});

Deno.test("a pipe's frame the transport refuses, behind a write a writer let go of that waits for room: refused as send refuses it, not asked whether it overtakes; the pipe goes on", async () => {
  const { clock, transport, errors } = refusalSession();
  await clock.tick(1);
  const writer = transport.writable.getWriter();
  const pcm = { type: "audio", audio: new Uint8Array(32_000), sampleRate: 16000, channels: 1 };
  const waiting = writer.write(pcm as Frame); // 1 s, past maxQueuedMs: waits for room
  writer.releaseLock();
  const frames = [null, { type: "message", message: "after" }] as unknown as Frame[];
  const piped = ReadableStream.from(frames).pipeTo(transport.writable, { preventClose: true });
  await clock.tick(2000);
  await waiting;
  await piped;
  assert.deepEqual(errors, ["encode"]);
  assert.equal(transport.stats.encodeErrors, 1);
  void transport.close();
  await clock.tick(1000);
});

/** A session on {@linkcode ResumingSerializer} whose writer waits for room (`maxQueuedMs` 200). */
async function waitingWriter() {
  const { clock, pair, transport } = narrowbandCall(new ResumingSerializer(), { maxQueuedMs: 200 });
  transport.receive(() => {});
  await clock.tick(10);
  const writer = transport.writable.getWriter();
  void writer.write({ type: "audio", audio: level(600, 1000), sampleRate: 8000, channels: 1 });
  const texts = () => pair.server.sent.filter((m) => typeof m === "string");
  return { clock, transport, writer, texts };
}

Deno.test("a message the serializer lets overtake, written by the next writer, stays behind a message the writer let go of left waiting for room", async () => {
  const { clock, transport, writer, texts } = await waitingWriter();
  void writer.write({ type: "message", message: "NOTE" }); // waits behind the audio
  writer.releaseLock();
  const next = transport.writable.getWriter();
  void next.write({ type: "message", message: "RESUME" });
  await clock.tick(0);
  assert.deepEqual(texts(), [], "RESUME would land before NOTE");
  await clock.tick(2000);
  assert.deepEqual(texts(), ["NOTE", "RESUME"]);
  await transport.close();
});

Deno.test("a message the serializer lets overtake, piped in after a message, behind a write a writer let go of: after that message", async () => {
  const { clock, transport, writer, texts } = await waitingWriter();
  writer.releaseLock();
  const frames: Frame[] = [
    { type: "message", message: "NOTE" },
    { type: "message", message: "RESUME" },
  ];
  const piped = ReadableStream.from(frames).pipeTo(transport.writable, { preventClose: true });
  await clock.tick(2000);
  await piped;
  assert.deepEqual(texts(), ["NOTE", "RESUME"]);
  await transport.close();
});
