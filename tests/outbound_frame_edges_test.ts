// Edges of the bot-facing surface: an interruption before anything has left names the response it
// drops, as one after does; frames whose fields are not what their types say (a mark's name, an
// audio frame's responseId, an end's reason) are refused as malformed audio is, and the session
// goes on.
import assert from "node:assert/strict";
import {
  type Frame,
  JsonSerializer,
  type TransportError,
  type TransportErrorEvent,
  WebSocketTransport,
} from "../mod.ts";
import { TwilioSerializer } from "../src/serializers/twilio.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import type { TransportOptions } from "../src/transport_options.ts";

/** JSON that keeps every frame handed to `serialize`: what a serializer would have written. */
class RecordingSerializer extends JsonSerializer {
  readonly frames: Frame[] = [];
  override serialize(frame: Frame) {
    this.frames.push(frame);
    return super.serialize(frame);
  }
}

/** A 16 kHz JSON session in 20 ms chunks on the fake clock, its serializer recording. */
function session(options: TransportOptions & { connecting?: boolean } = {}) {
  const { connecting = false, ...rest } = options;
  const clock = new FakeClock();
  const pair = new MemorySocketPair({ connecting });
  const serializer = new RecordingSerializer();
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
    ...rest,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push((e as TransportErrorEvent).error));
  return { clock, pair, transport, serializer, errors };
}

/** `ms` of 16 kHz mono PCM16, of response `responseId` when given. */
function audio(ms: number, responseId?: string, rate = 16000): Frame {
  const frame: Frame = {
    type: "audio",
    audio: new Uint8Array((ms * rate) / 500),
    sampleRate: rate,
    channels: 1,
  };
  if (responseId !== undefined) frame.responseId = responseId;
  return frame;
}

async function end(clock: FakeClock, transport: WebSocketTransport): Promise<void> {
  void transport.close();
  await clock.tick(1000);
  await transport.closed;
}

// ---- interrupt() before anything has left ---------------------------------------------------

Deno.test("`WebSocketTransport.interrupt` before the socket opens names the queued response it drops", async () => {
  const { clock, pair, transport, serializer } = session({ connecting: true });
  assert.equal(transport.send(audio(200, "r1")), undefined);
  const result = await transport.interrupt();
  assert.deepEqual(result, { responseId: "r1", heardMs: 0, droppedMs: 200, acknowledged: false });
  assert.equal(transport.stats.audioBytesInterrupted, 200 * 32);
  // Once open, none of it leaves, and what still comes for r1 is stale.
  pair.open();
  await clock.tick(1);
  transport.send(audio(40, "r1"));
  await clock.tick(100);
  assert.equal(transport.stats.audioBytesSent, 0);
  assert.equal(transport.stats.audioBytesStale, 40 * 32);
  assert.deepEqual(serializer.frames.filter((f) => f.type === "audio"), []);
  await end(clock, transport);
});

Deno.test("`WebSocketTransport.interrupt` before the socket opens names the first of two queued responses", async () => {
  const { clock, transport } = session({ connecting: true });
  transport.send(audio(100, "r1"));
  transport.send(audio(100, "r2"));
  const result = await transport.interrupt();
  assert.equal(result.responseId, "r1", "the one queued to play");
  assert.equal(result.droppedMs, 200, "both dropped");
  await end(clock, transport);
});

Deno.test("`WebSocketTransport.interrupt` before the socket opens names a response held as less than a chunk", async () => {
  const { clock, transport } = session({ connecting: true });
  transport.send(audio(10, "r1")); // half a chunk: the chunker holds it
  const result = await transport.interrupt();
  assert.deepEqual(result, { responseId: "r1", heardMs: 0, droppedMs: 10, acknowledged: false });
  await end(clock, transport);
});

Deno.test("`WebSocketTransport.interrupt` before the socket opens names the response begun by startResponse", async () => {
  const { clock, transport } = session({ connecting: true });
  const id = transport.startResponse();
  transport.send(audio(100));
  const result = await transport.interrupt();
  assert.equal(result.responseId, id);
  assert.equal(result.droppedMs, 100);
  await end(clock, transport);
});

Deno.test("`WebSocketTransport.interrupt` before the far end's start (Twilio) names the queued response it drops", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new TwilioSerializer(),
    audioIn: { sampleRate: 8000 },
    audioOut: { sampleRate: 8000, chunkMs: 20 },
    clock,
  });
  transport.addEventListener("error", () => {});
  await clock.tick(1); // open and connected, but no start message: nothing may leave
  assert.equal(transport.connected, true);
  transport.send(audio(200, "r1", 8000));
  const result = await transport.interrupt();
  assert.deepEqual(result, { responseId: "r1", heardMs: 0, droppedMs: 200, acknowledged: false });
  assert.equal(transport.stats.audioBytesInterrupted, 200 * 16);
  await end(clock, transport);
});

Deno.test("`WebSocketTransport.interrupt` keeps `undefined` for untagged audio in play, with a tagged response queued behind it", async () => {
  const { clock, transport } = session(); // JSON clears the far end
  await clock.tick(1);
  transport.send(audio(40)); // untagged: leaves at once (two chunks), not heard yet
  transport.send(audio(200, "r2")); // waits for its slots: none of it has left
  assert.equal(transport.stats.audioBytesSent, 40 * 32);
  const result = await transport.interrupt();
  assert.deepEqual(result, {
    responseId: undefined,
    heardMs: 0,
    droppedMs: 240,
    acknowledged: false,
  });
  await end(clock, transport);
});

// ---- fields that are not what their types say ----------------------------------------------

const MALFORMED: [string, unknown, RegExp][] = [
  ["a mark whose name is a number", { type: "mark", name: 42 }, /mark frame's name is a number/],
  ["a mark whose name is an object", { type: "mark", name: {} }, /mark frame's name is a plain/],
  ["a mark with no name", { type: "mark" }, /mark frame's name is undefined/],
  [
    "audio whose responseId is a number",
    { ...audio(20), responseId: 7 },
    /audio frame's responseId is a number \(7\)/,
  ],
  [
    "audio whose responseId is an object",
    { ...audio(20), responseId: { id: "r1" } },
    /audio frame's responseId is a plain object/,
  ],
  ["an end whose reason is a number", { type: "end", reason: 3 }, /end frame's reason is a number/],
  [
    "an end whose reason is an object",
    { type: "end", reason: { why: "done" } },
    /end frame's reason is a plain object/,
  ],
  // An LLM stream's last chunk: its content is undefined.
  [
    "a text whose text is undefined",
    { type: "text", text: undefined },
    /text frame's text is undef/,
  ],
  ["a text whose text is a number", { type: "text", text: 5 }, /text frame's text is a number/],
  ["a dtmf whose digit is a number", { type: "dtmf", digit: 5 }, /dtmf frame's digit is a number/],
  // Its answer would be taken for a playout mark's: hidden from the bot, read as playback truth.
  [
    "a mark named as the transport's own playout marks are",
    { type: "mark", name: "__wst:done" },
    /a mark's name may not start with "__wst:"/,
  ],
  [
    "a transcription with no userId",
    { type: "transcription", text: "hi", timestamp: "2026-12-04T15:00:00Z" },
    /transcription frame's userId is undefined/,
  ],
];

for (const [name, frame, message] of MALFORMED) {
  Deno.test(`\`WebSocketTransport.send\` refuses ${name}: an encode error, nothing serialized, the session goes on`, async () => {
    const { clock, transport, serializer, errors } = session();
    await clock.tick(1);
    assert.equal(transport.send(frame as Frame), undefined);
    await clock.tick(100);
    assert.equal(transport.stats.encodeErrors, 1);
    assert.deepEqual(errors.map((e) => e.code), ["encode"]);
    assert.match(errors[0]!.message, message);
    assert.equal(errors[0]!.fatal, false);
    assert.equal(serializer.frames.length, 0, "never handed to the serializer");
    assert.equal(transport.stats.audioBytesSent, 0);
    assert.equal(transport.connected, true, "the session goes on");
    // What follows goes out as usual.
    transport.send(audio(20, "r1"));
    transport.send({ type: "mark", name: "after" });
    await clock.tick(100);
    assert.equal(transport.stats.audioBytesSent, 20 * 32);
    assert.deepEqual(serializer.frames.filter((f) => f.type === "mark"), [
      { type: "mark", name: "after" },
    ]);
    assert.equal(transport.stats.encodeErrors, 1);
    await end(clock, transport);
  });
}

Deno.test("`WebSocketTransport.send` of an end whose reason is not a string neither closes nor passes the value on", async () => {
  const { clock, transport, errors } = session();
  await clock.tick(1);
  let closed = false;
  void transport.closed.then(() => (closed = true));
  transport.send({ type: "end", reason: { why: "done" } } as unknown as Frame);
  await clock.tick(2000);
  assert.equal(closed, false, "refused: no goodbye");
  assert.deepEqual(errors.map((e) => e.code), ["encode"]);
  // A sound end still hangs up, with its reason.
  const ending = transport.send({ type: "end", reason: "bye" });
  await clock.tick(2000);
  await ending;
  const result = await transport.closed;
  assert.equal(result.reason, "bye");
  assert.equal(result.initiator, "local");
});

Deno.test("`WebSocketTransport.writable` refuses audio whose responseId is not a string behind a write waiting for room, never holding it as audio", async () => {
  const { clock, transport, errors } = session();
  await clock.tick(1);
  const writer = transport.writable.getWriter();
  const waiting = writer.write(audio(1000, "r1")); // past maxQueuedMs: waits for room
  const bad = writer.write({ ...audio(20), responseId: 7 } as unknown as Frame);
  await assert.doesNotReject(bad, "refused as send refuses it, not a failed stream");
  assert.deepEqual(errors.map((e) => e.code), ["encode"]);
  const { droppedMs, responseId } = await transport.interrupt();
  assert.equal(responseId, "r1");
  assert.equal(droppedMs, 1000, "all of r1, nothing of the refused frame");
  await waiting;
  await writer.write({ type: "message", message: "on" }); // the stream goes on
  assert.equal(transport.stats.encodeErrors, 1);
  assert.equal(transport.stats.audioBytesSent + transport.stats.audioBytesInterrupted, 1000 * 32);
  writer.releaseLock();
  await end(clock, transport);
});

Deno.test("`WebSocketTransport.writable` refuses a mark whose name is not a string behind a write waiting for room at once, not in its turn", async () => {
  const { clock, transport, errors } = session();
  await clock.tick(1);
  const writer = transport.writable.getWriter();
  const waiting = writer.write(audio(1000, "r1")); // past maxQueuedMs: waits for room
  const bad = writer.write({ type: "mark", name: 42 } as unknown as Frame);
  assert.deepEqual(errors.map((e) => e.code), ["encode"], "refused before r1 has room");
  await transport.interrupt();
  await Promise.all([waiting, bad]);
  writer.releaseLock();
  await end(clock, transport);
});
