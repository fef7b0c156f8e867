import assert from "node:assert/strict";
import type { AudioFrame, Frame } from "../src/frames.ts";
import type { FrameSerializer, SerializedMessage } from "../src/serializer.ts";
import { Packetizer } from "../src/streams/packetizer.ts";
import { MemorySocketPair } from "../src/testing/mod.ts";
import type { WebSocketLike } from "../src/socket.ts";
import { loneSender, type LoneSenderOptions } from "./_lone_sender.ts";

/**
 * Audio goes as its bytes plus a text note, except 13 bytes of it; a message as JSON; "bad"
 * messages cannot be written.
 */
const serializer: FrameSerializer = {
  serialize(frame: Frame): SerializedMessage[] | SerializedMessage | null {
    if (frame.type === "audio" && frame.audio.length === 13) throw new Error("cannot");
    if (frame.type === "audio") return [frame.audio, `note:${frame.audio.length}`];
    if (frame.type === "message" && frame.message === "bad") throw new Error("cannot");
    if (frame.type === "message") return JSON.stringify(frame.message);
    return null;
  },
  deserialize: () => null,
};

const chunk = (bytes: number): AudioFrame => ({
  type: "audio",
  audio: new Uint8Array(bytes).fill(1),
  sampleRate: 8000,
  channels: 1,
});

/** A sender on {@linkcode serializer}, `packetSize`-byte packets if given, `options` over that. */
function sender({ packetSize, ...options }: { packetSize?: number } & LoneSenderOptions = {}) {
  const { sender: s, ...rest } = loneSender({
    serializer,
    packetizer: packetSize === undefined ? undefined : new Packetizer({ packetSize }),
    ...options,
  });
  return { s, ...rest };
}

Deno.test("`OutboundSender` packetizes binary audio only, keeping the remainder", () => {
  const { s, pair, stats } = sender({ packetSize: 100 });
  s.sendAudio(chunk(250));
  assert.deepEqual(
    pair.server.sent.map((m) => typeof m === "string" ? m : (m as Uint8Array).length),
    [
      100,
      100,
      "note:250",
    ],
  );
  s.flushPackets();
  assert.equal((pair.server.sent.at(-1) as Uint8Array).length, 100, "padded by default");
  assert.equal(stats.audioChunksSent, 1);
  assert.equal(stats.audioBytesSent, 250);
  assert.equal(stats.messagesOut, 4);
});

Deno.test("`OutboundSender` counts what it cannot send once the socket has gone", () => {
  const { s, pair, stats } = sender();
  pair.server.readyState = 3;
  s.sendAudio(chunk(320));
  s.sendFrame({ type: "message", message: 1 });
  s.sendUrgent({ type: "message", message: 2 });
  assert.equal(pair.server.sent.length, 0);
  assert.equal(stats.audioBytesDroppedOnClose, 320);
  assert.equal(stats.framesDroppedOnClose, 2);
});

Deno.test("`OutboundSender` reports a frame it cannot encode, counts it, and goes on", () => {
  const { s, pair, stats, errors } = sender();
  s.sendFrame({ type: "message", message: "bad" });
  s.sendFrame({ type: "message", message: "good" });
  assert.deepEqual(pair.server.sent, ['"good"']);
  assert.equal(stats.encodeErrors, 1);
  assert.equal(errors[0]?.code, "encode");
});

Deno.test("`OutboundSender` waits while the socket holds too much, and gives up after sendTimeoutMs", async () => {
  const { s, pair, clock, errors, over } = sender({ maxBufferedBytes: 500 });
  pair.client.stall();
  assert.equal(s.sendAudio(chunk(400)), undefined);
  const waiting = s.sendAudio(chunk(400));
  assert.ok(waiting instanceof Promise, "over 500 bytes unsent: the send waits");
  await clock.tick(990);
  assert.equal(errors.length, 0);
  await clock.tick(20);
  await waiting;
  assert.equal(errors[0]?.code, "backpressure");
  assert.equal(errors[0]?.closeCode, 1008);
  assert.equal(errors[0]?.fatal, true);
  over.abort();
});

Deno.test("`OutboundSender` resumes once a stalled peer reads again", async () => {
  const { s, pair, clock, errors } = sender({ maxBufferedBytes: 500 });
  pair.client.stall();
  s.sendAudio(chunk(400));
  const waiting = s.sendAudio(chunk(400));
  assert.ok(waiting instanceof Promise, "the second waits for the peer");
  let done = false;
  void waiting.then(() => (done = true));
  await clock.tick(100);
  assert.equal(done, false);
  pair.client.resume();
  await pair.client.waitFor(() => pair.server.bufferedAmount === 0);
  await clock.tick(10);
  assert.equal(done, true);
  assert.deepEqual(errors, []);
});

Deno.test("`OutboundSender` asks for `bufferedAmount` only once what it sent could pass the limit", async () => {
  const pair = new MemorySocketPair();
  let reads = 0;
  // The server end, with its `bufferedAmount` reads counted (each is a runtime call on a real socket).
  const socket = {
    get readyState() {
      return pair.server.readyState;
    },
    get bufferedAmount() {
      reads++;
      return pair.server.bufferedAmount;
    },
    send: (data: SerializedMessage) => pair.server.send(data),
    close: (code?: number, reason?: string) => pair.server.close(code, reason),
    addEventListener: () => {},
    removeEventListener: () => {},
  } as unknown as WebSocketLike;
  // 400 bytes of audio and its 8-character note: at most 400 + 3 × 8 + 2 × 14 = 452 bytes a send.
  const { s, clock, errors, over } = sender({ socket, maxBufferedBytes: 2000 });
  pair.client.stall();
  for (let i = 0; i < 4; i++) assert.equal(s.sendAudio(chunk(400)), undefined);
  assert.equal(reads, 0, "1,808 bytes at most: under the limit without asking");
  // The fifth could pass 2,000 bytes: the socket is asked, says 2,040 and the send waits.
  const waiting = s.sendAudio(chunk(400));
  assert.ok(waiting instanceof Promise);
  assert.equal(reads, 1);
  pair.client.resume();
  await pair.client.waitFor(() => pair.server.bufferedAmount === 0);
  await clock.tick(10);
  await waiting;
  // Drained: the figure read (0) is the new bound, and small sends go on without asking again.
  const before = reads;
  for (let i = 0; i < 4; i++) assert.equal(s.sendAudio(chunk(400)), undefined);
  assert.equal(reads, before);
  assert.deepEqual(errors, []);
  over.abort();
});

Deno.test("`OutboundSender.sendAudio` says false for a chunk that did not leave: refused, or the socket closed", async () => {
  const { s, pair, stats, errors } = sender();
  assert.equal(s.sendAudio(chunk(12)), undefined);
  assert.equal(s.sendAudio(chunk(13)), false);
  assert.equal(stats.encodeErrors, 1);
  assert.equal(errors[0]?.code, "encode");
  assert.equal(stats.audioChunksSent, 1);
  pair.server.close();
  assert.equal(s.sendAudio(chunk(12)), false);
  assert.equal(stats.audioBytesDroppedOnClose, 12);
  await pair.client.waitFor(() => pair.client.readyState === 3);
});

Deno.test("`OutboundSender`: a serializer whose promise brings `undefined` sends nothing, and nothing breaks", async () => {
  const { sender: s, stats, errors } = loneSender({
    serializer: {
      serialize: () => Promise.resolve(undefined as unknown as null),
      deserialize: () => null,
    },
  });
  await s.sendAudio(chunk(8));
  await s.sendFrame({ type: "message", message: 1 });
  assert.equal(s.sendUrgent({ type: "message", message: 2 }), true);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(stats.messagesOut, 0);
  // `undefined` is `null`: audio answered with no message is the serializer's to hold (whole
  // frames, a resampler filling up), counted sent; a message frame with none is dropped, counted
  // each time and reported once.
  assert.equal(stats.audioChunksSent, 1);
  assert.equal(stats.audioBytesSent, 8);
  assert.equal(stats.encodeErrors, 2);
  assert.equal(errors.length, 1, String(errors));
  assert.match(errors[0]!.message, /no message for a message frame/);
});

Deno.test("`OutboundSender` names what the socket last said it held when it gives a stalled peer up", async () => {
  const { s, pair, clock, errors, over } = sender({ maxBufferedBytes: 500 });
  pair.client.stall();
  s.sendAudio(chunk(400));
  const waiting = s.sendAudio(chunk(400));
  assert.ok(waiting instanceof Promise);
  await clock.tick(500);
  // An urgent message never waits: it piles up too, and the wait's next look sees it.
  assert.equal(s.sendUrgent({ type: "message", message: "x".repeat(100) }), true);
  await clock.tick(510);
  await waiting;
  assert.equal(errors.length, 1);
  assert.equal(
    errors[0]!.message,
    `peer read nothing for 1000 ms: ${pair.server.bufferedAmount} bytes unsent`,
  );
  assert.ok(pair.server.bufferedAmount > 816, "the urgent message's bytes are among them");
  over.abort();
});

Deno.test("`OutboundSender.audioEnds` reports an answer that is no message, naming `audioEnds`", () => {
  const answers: unknown[] = [7, ["end", {}]];
  const { s, pair, stats, errors } = sender({
    serializer: { ...serializer, audioEnds: () => answers.shift() as null },
  });
  s.audioEnds(true);
  s.audioEnds(true);
  assert.deepEqual(pair.server.sent, []);
  assert.equal(stats.encodeErrors, 2);
  assert.deepEqual(errors.map((e) => [e.code, e.message]), [
    [
      "encode",
      "serializer: audioEnds answered a number (7), not a string or a Uint8Array: dropped",
    ],
    [
      "encode",
      "serializer: audioEnds answered a list holding a plain object, not a string or a Uint8Array: dropped",
    ],
  ]);
});

Deno.test("`OutboundSender` holds urgent frames, unserialized, until `releaseUrgent`, then sends them in order; too late once closing", () => {
  const asked: string[] = [];
  const { sender: s, pair, stats } = loneSenderUnreleased((frame) => {
    asked.push(frame.type);
    return frame.type === "message" ? String(frame.message) : "clear";
  });
  assert.equal(s.urgentMayLeave, false);
  assert.equal(s.sendUrgent({ type: "message", message: "a" }), true, "still to come");
  assert.equal(s.sendUrgent({ type: "interruption" }), true);
  assert.equal(s.sendUrgent({ type: "message", message: "b" }), true);
  assert.deepEqual(asked, []);
  assert.deepEqual(pair.server.sent, []);
  s.releaseUrgent();
  assert.deepEqual(pair.server.sent, ["a", "clear", "b"]);
  s.sendUrgent({ type: "message", message: "c" });
  assert.deepEqual(pair.server.sent, ["a", "clear", "b", "c"], "at once from now on");
  assert.equal(stats.framesDroppedOnClose, 0);

  // Another, ended before sending began: what it held is counted, and what comes after too.
  const late = loneSenderUnreleased();
  late.sender.sendUrgent({ type: "message", message: "x" });
  late.over.abort();
  assert.equal(late.sender.sendUrgent({ type: "message", message: "y" }), false);
  late.sender.dropHeldUrgent();
  assert.equal(late.stats.framesDroppedOnClose, 2);
  assert.deepEqual(late.pair.server.sent, []);
});

/**
 * {@linkcode loneSender}'s sender before sending begins: nothing may leave until it is told
 * (`releaseUrgent`). Its serializer throws if asked, unless `serialize`.
 */
function loneSenderUnreleased(serialize?: FrameSerializer["serialize"]) {
  const asked = () => {
    throw new Error("asked after the end");
  };
  return loneSender({
    sendingBegun: false,
    serializer: { serialize: serialize ?? asked, deserialize: () => null },
  });
}

Deno.test("`OutboundSender.sendUrgent` says the far end is told alike whether an urgent answer is due or not: not for a clear answered with an empty list", async () => {
  let answerSlow!: (message: string) => void;
  const { sender: s, pair } = loneSender({
    serializer: {
      serialize(frame: Frame) {
        if (frame.type === "interruption") return []; // a list of none: nothing to send
        if (frame.type !== "message") return null;
        if (frame.message !== "slow") return String(frame.message);
        return new Promise<string>((resolve) => answerSlow = resolve);
      },
      deserialize: () => null,
    },
  });
  assert.equal(s.sendUrgent({ type: "interruption" }), false, "no message: not told");
  assert.equal(s.sendUrgent({ type: "message", message: "slow" }), true, "still to come");
  // Behind the slow answer: answered now, told in its turn; the clear's empty list tells nothing.
  assert.equal(s.sendUrgent({ type: "message", message: "a" }), true);
  assert.equal(s.sendUrgent({ type: "interruption" }), false, "no message behind the line either");
  answerSlow("slow");
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(pair.server.sent, ["slow", "a"]);
});
