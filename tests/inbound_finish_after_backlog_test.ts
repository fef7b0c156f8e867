// `FrameSerializer.finish()` is the serializer's last word: what it still holds, once no message
// will come. At a local close the decoder may still be waiting on an asynchronous decode, with
// messages queued behind it: the serializer must read those first, and never a message after its
// finish (media pushed into a reorder window that was flushed is held there for good).
import assert from "node:assert/strict";
import { InboundDecoder } from "../src/_inbound_decoder.ts";
import type { Frame } from "../src/frames.ts";
import type { FrameSerializer } from "../src/serializer.ts";
import { emptyStats } from "../src/transport_stats.ts";

/** "slow n" answers when `answer()` is called; "n" at once; `finish()` hands on "held". */
function slowSerializer() {
  const calls: string[] = [];
  let answer = () => {};
  const serializer: FrameSerializer = {
    serialize: () => null,
    deserialize(data) {
      const text = data as string;
      calls.push(`deserialize ${text}`);
      if (!text.startsWith("slow ")) return { type: "message", message: text };
      return new Promise((resolve) => {
        answer = () => resolve({ type: "message", message: text.slice(5) });
      });
    },
    finish() {
      calls.push("finish");
      return [{ type: "message", message: "held" }];
    },
  };
  return { serializer, calls, answer: () => answer() };
}

function decoderOver(serializer: FrameSerializer) {
  const frames: unknown[] = [];
  const errors: string[] = [];
  const stats = emptyStats();
  const d = new InboundDecoder({
    serializer,
    maxMessageBytes: 100,
    stats,
    onFrame: (f: Frame) => frames.push((f as { message: unknown }).message),
    onError: (e) => errors.push(e.code),
  });
  d.start();
  return { d, frames, errors, stats };
}

Deno.test("finish() waits for the decode under way and the messages behind it", async () => {
  const { serializer, calls, answer } = slowSerializer();
  const { d, frames, errors } = decoderOver(serializer);
  d.receive("slow 1");
  d.receive("2");
  d.finish(); // the local close: the socket is still read until the peer answers
  answer();
  await Promise.resolve();
  await Promise.resolve();
  assert.deepEqual(calls, ["deserialize slow 1", "deserialize 2", "finish"]);
  assert.deepEqual(frames, ["1", "2", "held"]);
  d.finish(); // once only
  assert.equal(calls.filter((c) => c === "finish").length, 1);
  assert.deepEqual(errors, []);
});

Deno.test("stop() while a finish waits on a decode still hands on what the serializer held", () => {
  const { serializer, calls } = slowSerializer();
  const { d, frames, errors, stats } = decoderOver(serializer);
  d.receive("slow 1");
  d.receive("2");
  d.finish();
  d.stop(); // the session is over: the decode under way and the message behind it are given up
  assert.deepEqual(calls, ["deserialize slow 1", "finish"]);
  assert.deepEqual(frames, ["held"]);
  assert.equal(stats.inboundMessagesDroppedOnClose, 2, "given up: counted, and reported once");
  assert.deepEqual(errors, ["closed"]);
});
