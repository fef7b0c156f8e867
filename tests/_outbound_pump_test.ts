// The outbound pump's hold, through a whole transport: a serializer that is told by its far end to
// stop sending (Asterisk's MEDIA_XOFF) pauses the pump through its context, and resumes it.
import assert from "node:assert/strict";
import {
  type Frame,
  RawPcmSerializer,
  type SerializedMessage,
  type SerializerContext,
  type TransportError,
  WebSocketTransport,
} from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

/** Raw PCM whose far end says "XOFF" and "XON" in text; marks go as `mark:name`. */
class FlowControlledSerializer extends RawPcmSerializer {
  context: SerializerContext | undefined;
  bind(context: SerializerContext): void {
    this.context = context;
  }
  override serialize(frame: Frame): SerializedMessage | null {
    if (frame.type === "mark") return `mark:${frame.name}`;
    if (frame.type === "interruption") return "clear";
    return super.serialize(frame);
  }
  override deserialize(data: string | Uint8Array): ReturnType<RawPcmSerializer["deserialize"]> {
    if (data === "XOFF" || data === "XON") {
      this.context?.pauseSending?.(data === "XOFF");
      return null;
    }
    return super.deserialize(data);
  }
}

function session(
  options: { sendTimeoutMs?: number; serializer?: FlowControlledSerializer } = {},
) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: options.serializer ?? new FlowControlledSerializer(),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 10_000,
    clock,
    ...options,
  });
  const received: { at: number; data: string | Uint8Array }[] = [];
  pair.client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    received.push({
      at: clock.now(),
      data: typeof data === "string" ? data : new Uint8Array(data),
    });
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error));
  return { clock, pair, transport, received, errors };
}

/** 20 ms of 16 kHz PCM whose every sample is `n`, so chunks can be told apart. */
function chunk(n: number): Frame {
  const samples = new Int16Array(320).fill(n);
  return { type: "audio", audio: new Uint8Array(samples.buffer), sampleRate: 16000, channels: 1 };
}

const chunkNumbers = (received: { data: string | Uint8Array }[]) =>
  received.map((r): string | number =>
    typeof r.data === "string" ? r.data : new Int16Array(r.data.slice().buffer)[0]!
  );

Deno.test("`OutboundPump` holds queued audio while the far end pauses sending, loses none, counts the pause", async () => {
  const s = session();
  for (let n = 1; n <= 10; n++) s.transport.send(chunk(n));
  s.transport.send({ type: "mark", name: "m" });
  await s.clock.tick(0);
  assert.deepEqual(chunkNumbers(s.received), [1, 2], "one chunk ahead");
  await s.clock.tick(40);
  assert.deepEqual(chunkNumbers(s.received), [1, 2, 3, 4]);
  s.pair.client.send("XOFF");
  await s.clock.tick(0);
  assert.equal(s.transport.stats.sendPauses, 1);
  // Two seconds pass: nothing leaves, not even the slot reserved before the pause.
  await s.clock.tick(2000);
  assert.deepEqual(chunkNumbers(s.received), [1, 2, 3, 4]);
  s.pair.client.send("XON");
  await s.clock.tick(0);
  // The chunk whose slot was reserved goes at once. That slot (from 80 ms) is long past: the far
  // end, by the estimate, played all it had by 100 ms, and plays this chunk as it arrives. So it
  // begins a new spell now, and the rest is paced from it (the one-chunk lead goes with it), not
  // burst to catch up with a schedule the far end has run out of, nor placed in the past.
  assert.deepEqual(chunkNumbers(s.received), [1, 2, 3, 4, 5, 6]);
  assert.equal(s.transport.playback.heardMs, 80, "chunk 5 has not played yet");
  await s.clock.tick(20);
  assert.deepEqual(chunkNumbers(s.received), [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(s.transport.playback.heardMs, 100);
  await s.clock.tick(200);
  assert.deepEqual(chunkNumbers(s.received), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, "mark:m"]);
  assert.equal(s.transport.stats.sendPauses, 1);
  assert.ok(
    s.transport.stats.sendPausedMs >= 2000 && s.transport.stats.sendPausedMs <= 2010,
    `${s.transport.stats.sendPausedMs} ms paused`,
  );
  assert.equal(s.transport.stats.audioBytesInterrupted, 0);
  assert.deepEqual(s.errors, []);
  await s.transport.close();
  await s.clock.runAll();
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("`OutboundPump` keeps the schedule through a pause shorter than what the far end holds", async () => {
  const s = session();
  for (let n = 1; n <= 6; n++) s.transport.send(chunk(n));
  await s.clock.tick(40);
  assert.deepEqual(chunkNumbers(s.received), [1, 2, 3, 4]);
  // Chunk 5 is due at 60 and plays from 80: a pause until 70 holds it past its deadline only.
  s.pair.client.send("XOFF");
  await s.clock.tick(30);
  assert.deepEqual(chunkNumbers(s.received), [1, 2, 3, 4]);
  s.pair.client.send("XON");
  await s.clock.tick(0);
  assert.deepEqual(chunkNumbers(s.received), [1, 2, 3, 4, 5]);
  // The next keeps its deadline (80), not one a chunk after the late one: it catches up.
  await s.clock.tick(9);
  assert.deepEqual(chunkNumbers(s.received), [1, 2, 3, 4, 5]);
  await s.clock.tick(1);
  assert.deepEqual(chunkNumbers(s.received), [1, 2, 3, 4, 5, 6]);
  await s.transport.close();
  await s.clock.runAll();
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("`OutboundPump` lets an interruption's clear overtake a pause, which outlives the clear", async () => {
  const s = session();
  for (let n = 1; n <= 10; n++) s.transport.send(chunk(n));
  await s.clock.tick(0);
  s.pair.client.send("XOFF");
  await s.clock.tick(100);
  await s.transport.interrupt();
  await s.clock.tick(0);
  assert.deepEqual(chunkNumbers(s.received), [1, 2, "clear"]);
  // New audio after the interruption waits for the far end's go-ahead.
  s.transport.send(chunk(42));
  await s.clock.tick(100);
  assert.deepEqual(chunkNumbers(s.received), [1, 2, "clear"]);
  s.pair.client.send("XON");
  await s.clock.tick(0);
  assert.deepEqual(chunkNumbers(s.received), [1, 2, "clear", 42]);
  await s.transport.close();
  await s.clock.runAll();
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("`OutboundPump` ends a pause that outlasts sendTimeoutMs, with a timeout error", async () => {
  const s = session({ sendTimeoutMs: 1000 });
  for (let n = 1; n <= 5; n++) s.transport.send(chunk(n));
  await s.clock.tick(0);
  s.pair.client.send("XOFF");
  await s.clock.tick(999);
  assert.deepEqual(chunkNumbers(s.received), [1, 2]);
  assert.equal(s.errors.length, 0);
  await s.clock.tick(1);
  assert.deepEqual(s.errors.map((e) => e.code), ["timeout"]);
  await s.clock.tick(100);
  assert.deepEqual(chunkNumbers(s.received), [1, 2, 3, 4, 5]);
  assert.equal(s.transport.stats.sendPausedMs, 1000);
  assert.ok(s.transport.connected, "the session goes on");
  await s.transport.close();
  await s.clock.runAll();
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("a chunk the serializer refuses is neither sent nor heard, and gives its slot to the next", async () => {
  class RefusesSeven extends FlowControlledSerializer {
    override serialize(frame: Frame): SerializedMessage | null {
      if (frame.type === "audio" && new Int16Array(frame.audio.slice().buffer)[0] === 7) {
        throw new RangeError("cannot encode chunk 7");
      }
      return super.serialize(frame);
    }
  }
  const s = session({ serializer: new RefusesSeven() });
  const stops: { sentMs: number; heardMs: number }[] = [];
  s.transport.addEventListener("speakingstop", (event) => stops.push(event));
  for (let n = 1; n <= 10; n++) s.transport.send({ ...chunk(n), responseId: "r" } as Frame);
  await s.clock.tick(1000);
  const audio = s.received.filter((r) => typeof r.data !== "string");
  assert.deepEqual(chunkNumbers(audio), [1, 2, 3, 4, 5, 6, 8, 9, 10]);
  assert.equal(s.errors.length, 1);
  assert.equal(s.errors[0]!.code, "encode");
  assert.equal(s.transport.stats.encodeErrors, 1);
  assert.equal(s.transport.stats.audioChunksSent, 9);
  // Chunk 8 takes 7's slot: each chunk leaves 20 ms after the one before, no 20 ms hole.
  const gaps = audio.slice(2).map((a, i) => a.at - audio[i + 1]!.at);
  assert.deepEqual(gaps, [20, 20, 20, 20, 20, 20, 20]);
  assert.equal(stops.length, 1);
  assert.equal(stops[0]!.sentMs, 180, "nine chunks sent, not ten");
  assert.equal(stops[0]!.heardMs, 180);
  await s.transport.close();
});
