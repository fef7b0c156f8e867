// An asynchronous serializer's answer is bounded by `sendTimeoutMs`, as a send waiting for the
// socket is: one that never comes ends the session (1011) instead of stalling the outbound
// direction for good, every frame counted; an answer after that, or after the close, never leaves.
import assert from "node:assert/strict";
import {
  type Frame,
  type FrameSerializer,
  type SerializeResult,
  type TransportError,
  WebSocketTransport,
} from "../mod.ts";
import type { AudioFrame } from "../src/frames.ts";
import type { TransportStats } from "../src/transport_stats.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { loneSender } from "./_lone_sender.ts";

/**
 * Answers each frame later, when the test says (`answer(i)`), or never: audio with its bytes, a
 * message with its JSON.
 */
class LateSerializer implements FrameSerializer {
  readonly asked: { frame: Frame; answer: () => void }[] = [];
  serialize(frame: Frame): SerializeResult {
    const now: SerializeResult = frame.type === "audio"
      ? frame.audio
      : frame.type === "message"
      ? JSON.stringify(frame.message)
      : null;
    return new Promise((resolve) => this.asked.push({ frame, answer: () => resolve(now) }));
  }
  deserialize(): null {
    return null;
  }
}

/** 20 ms of PCM16 16 kHz mono: 640 bytes. */
function chunk(): AudioFrame {
  return { type: "audio", audio: new Uint8Array(640).fill(1), sampleRate: 16000, channels: 1 };
}

function session(serializer: FrameSerializer) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    markIntervalMs: 0,
    sendTimeoutMs: 5000,
    clock,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  const out: unknown[] = [];
  pair.client.addEventListener("message", (e) => out.push((e as MessageEvent).data));
  let closeCode = 0;
  pair.client.addEventListener("close", (e) => (closeCode = (e as CloseEvent).code));
  return { clock, pair, transport, errors, out, closeCode: () => closeCode };
}

/** Every PCM byte written is sent or counted where it was lost, once. */
function accountedBytes(stats: TransportStats): number {
  return stats.audioBytesSent + stats.audioBytesInterrupted + stats.audioBytesDroppedOnClose +
    stats.audioBytesStale + stats.audioBytesRefused;
}

Deno.test("`OutboundSender`: a serialize that never answers ends the session after sendTimeoutMs, every byte counted", async () => {
  const serializer = new LateSerializer();
  const s = session(serializer);
  await s.clock.tick(1);
  s.transport.send(chunk());
  await s.clock.tick(1);
  assert.equal(serializer.asked.length, 1, "the first chunk is being serialized");
  s.transport.send(chunk()); // queued behind it
  s.transport.send({ type: "message", message: "after" });
  await s.clock.tick(4990);
  assert.equal(s.errors.length, 0, "within sendTimeoutMs it may still answer");
  assert.equal(s.pair.server.readyState, 1);
  await s.clock.tick(20);
  assert.equal(s.errors.length, 1, s.errors.join("; "));
  const error = s.errors[0]!;
  assert.equal(error.code, "protocol");
  assert.equal(error.fatal, true);
  assert.equal(error.closeCode, 1011);
  assert.match(
    error.message,
    /LateSerializer: serialize did not answer an? audio frame within 5000 ms/,
  );
  await s.transport.closed;
  assert.equal(s.closeCode(), 1011);
  // The stuck one is the frame it could not encode; what was queued behind it is dropped at the close.
  const stats = s.transport.stats;
  assert.equal(stats.encodeErrors, 1);
  assert.equal(stats.audioBytesRefused, 640);
  assert.equal(accountedBytes(stats), 2 * 640);
  assert.equal(stats.audioBytesSent, 0);
  assert.equal(stats.framesDroppedOnClose, 1, "the message queued behind it");
  // Its answer, after all that, neither leaves nor is counted again.
  serializer.asked[0]!.answer();
  await s.clock.tick(100);
  assert.deepEqual(s.out, []);
  assert.equal(accountedBytes(s.transport.stats), 2 * 640);
  assert.equal(s.transport.stats.encodeErrors, 1);
  assert.equal(s.errors.length, 1);
  await s.clock.runAll();
});

Deno.test("`OutboundSender`: a stuck `end` frame ends the session after sendTimeoutMs instead of hanging the goodbye", async () => {
  const serializer = new LateSerializer();
  const s = session(serializer);
  await s.clock.tick(1);
  s.transport.send({ type: "end" });
  await s.clock.tick(6000);
  assert.equal(s.errors[0]?.code, "protocol", s.errors.join("; "));
  await s.transport.closed;
  assert.equal(s.closeCode(), 1011);
  await s.clock.runAll();
});

Deno.test("`OutboundSender`: a serialize still pending when the peer hangs up is dropped at the close, not reported", async () => {
  const serializer = new LateSerializer();
  const s = session(serializer);
  await s.clock.tick(1);
  s.transport.send(chunk());
  await s.clock.tick(1);
  s.pair.client.close(1000);
  await s.transport.closed;
  await s.clock.tick(10_000); // past the bound: no timeout is left behind
  assert.equal(s.errors.length, 0);
  const stats = s.transport.stats;
  assert.equal(stats.audioBytesDroppedOnClose, 640);
  assert.equal(accountedBytes(stats), 640);
  assert.equal(stats.encodeErrors, 0);
  serializer.asked[0]!.answer();
  await s.clock.tick(10);
  assert.equal(accountedBytes(s.transport.stats), 640, "a late answer is not counted again");
});

/** A sender on its own, with `sendTimeoutMs` 1000. */
function sender(serializer: FrameSerializer) {
  const { sender: s, ...rest } = loneSender({ serializer, sendTimeoutMs: 1000 });
  return { s, ...rest };
}

Deno.test("`OutboundSender`: each serialization has its own sendTimeoutMs, counted from when it began", async () => {
  const serializer = new LateSerializer();
  const { s, pair, clock, stats, errors, over } = sender(serializer);
  const first = s.sendFrame({ type: "message", message: 1 });
  await clock.tick(500);
  serializer.asked[0]!.answer(); // in time
  await first;
  await clock.tick(100);
  const second = s.sendFrame({ type: "message", message: 2 }); // begins at 600, never answers
  const urgent = s.sendUrgent({ type: "message", message: 3 }); // nor this one
  assert.equal(urgent, true);
  await clock.tick(400); // 1000: the first one's bound, which it met
  assert.equal(errors.length, 0);
  await clock.tick(599);
  assert.equal(errors.length, 0, "1599: the second is within its own bound");
  await clock.tick(1);
  await second;
  assert.equal(errors.length, 1, errors.join("; "));
  assert.match(errors[0]!.message, /did not answer a message frame within 1000 ms/);
  assert.equal(stats.encodeErrors, 2, "both given up, the same report once");
  assert.deepEqual(pair.server.sent, ["1"]);
  // Answers after the bound never leave: they would overtake nothing, but come out of order.
  serializer.asked[1]!.answer();
  serializer.asked[2]!.answer();
  await clock.tick(10);
  assert.deepEqual(pair.server.sent, ["1"]);
  assert.equal(stats.messagesOut, 1);
  over.abort();
});

Deno.test("`OutboundSender`: a serializer answering within sendTimeoutMs, frame after frame, is never cut off", async () => {
  const serializer = new LateSerializer();
  const { s, pair, clock, errors, over } = sender(serializer);
  for (let i = 0; i < 10; i++) {
    const sending = s.sendAudio(chunk());
    assert.ok(sending instanceof Promise);
    await clock.tick(900);
    serializer.asked[i]!.answer();
    await sending;
  }
  assert.equal(errors.length, 0);
  assert.equal(pair.server.sent.length, 10);
  over.abort();
  await clock.runAll();
});
