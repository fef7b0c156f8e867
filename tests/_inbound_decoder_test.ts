import assert from "node:assert/strict";
import { InboundDecoder } from "../src/_inbound_decoder.ts";
import type { TransportError } from "../src/errors.ts";
import type { Frame } from "../src/frames.ts";
import type { FrameSerializer } from "../src/serializer.ts";
import { emptyStats } from "../src/transport_stats.ts";

/** Text "n" becomes message n; "slow n" answers a tick later; "bad" throws. */
const serializer: FrameSerializer = {
  serialize: () => null,
  deserialize(data) {
    if (typeof data !== "string") return { type: "message", message: `bytes:${[...data]}` };
    if (data === "bad") throw new Error("unreadable");
    if (data.startsWith("slow ")) {
      return new Promise((resolve) =>
        setTimeout(() => resolve({ type: "message", message: data.slice(5) }), 5)
      );
    }
    return { type: "message", message: data };
  },
};

function decoder(options: { maxMessageBytes?: number; initialMessages?: string[] } = {}) {
  const frames: unknown[] = [];
  const errors: TransportError[] = [];
  const stats = emptyStats();
  const d = new InboundDecoder({
    serializer,
    maxMessageBytes: options.maxMessageBytes ?? 100,
    stats,
    ...(options.initialMessages ? { initialMessages: options.initialMessages } : {}),
    onFrame: (f: Frame) => frames.push((f as { message: unknown }).message),
    onError: (e) => errors.push(e),
  });
  return { d, frames, errors, stats };
}

Deno.test("`InboundDecoder` holds messages until start, the initial ones first", () => {
  const { d, frames } = decoder({ initialMessages: ["a", "b"] });
  d.receive("c");
  assert.deepEqual(frames, []);
  d.start();
  assert.deepEqual(frames, ["a", "b", "c"]);
});

Deno.test("`InboundDecoder` keeps order through an asynchronous decode and a Blob", async () => {
  const { d, frames } = decoder();
  d.start();
  d.receive("slow 1");
  d.receive(new Blob([new Uint8Array([2])]));
  d.receive("3");
  d.receive(new Uint8Array([9, 4]).subarray(1));
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.deepEqual(frames, ["1", "bytes:2", "3", "bytes:4"]);
});

Deno.test("`InboundDecoder` reports a bad message, counts it, and reads on", () => {
  const { d, frames, errors, stats } = decoder();
  d.start();
  d.receive("bad");
  d.receive("ok");
  assert.deepEqual(frames, ["ok"]);
  assert.equal(errors[0]?.code, "decode");
  assert.equal(stats.decodeErrors, 1);
  assert.equal(stats.messagesIn, 2);
});

Deno.test("`InboundDecoder` refuses an oversized message fatally with 1009, text by UTF-8 bytes", () => {
  const { d, errors } = decoder({ maxMessageBytes: 10 });
  d.start();
  d.receive("é".repeat(5)); // 10 bytes: allowed
  d.receive("é".repeat(6)); // 12 bytes
  d.receive(new Uint8Array(11));
  assert.deepEqual(errors.map((e) => [e.code, e.closeCode, e.fatal]), [
    ["protocol", 1009, true],
    ["protocol", 1009, true],
  ]);
});

Deno.test("`InboundDecoder` reports an oversized text message's size in UTF-8 bytes", () => {
  const { d, errors } = decoder({ maxMessageBytes: 10 });
  d.start();
  d.receive("é".repeat(6)); // 6 UTF-16 units, 12 bytes
  d.receive("😀".repeat(3) + "\ud800"); // 7 units: three 4-byte code points, a lone surrogate (3)
  assert.deepEqual(errors.map((e) => e.message), [
    "message of 12 bytes is over maxMessageBytes (10)",
    "message of 15 bytes is over maxMessageBytes (10)",
  ]);
  assert.equal(new TextEncoder().encode("😀".repeat(3) + "\ud800").length, 15);
});

Deno.test("`InboundDecoder` ignores everything after stop, even a decode under way", async () => {
  const { d, frames } = decoder();
  d.start();
  d.receive("slow 1");
  d.stop();
  d.receive("2");
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(frames, []);
});

/** A decoder over a serializer whose `finish` answers `held` (a function: it may throw). */
function finishing(held: () => unknown) {
  const frames: unknown[] = [];
  const errors: TransportError[] = [];
  const stats = emptyStats();
  let calls = 0;
  const d = new InboundDecoder({
    serializer: {
      ...serializer,
      finish: () => {
        calls++;
        return held() as Frame[];
      },
    },
    maxMessageBytes: 100,
    stats,
    onFrame: (f: Frame) => frames.push((f as { message: unknown }).message),
    onError: (e) => errors.push(e),
  });
  d.start();
  return { d, frames, errors, stats, calls: () => calls };
}

Deno.test("`InboundDecoder.finish` hands on what the serializer still holds, once, and never after stop", () => {
  const held = finishing(() => [{ type: "message", message: "held" }]);
  held.d.receive("a");
  held.d.finish();
  held.d.finish();
  held.d.stop();
  assert.deepEqual(held.frames, ["a", "held"]);
  assert.equal(held.calls(), 1);
  const stopped = finishing(() => [{ type: "message", message: "held" }]);
  stopped.d.stop();
  stopped.d.finish();
  assert.equal(stopped.calls(), 0, "the session is over: nothing is asked");
  assert.deepEqual(stopped.frames, []);
});

Deno.test("`InboundDecoder.finish`: a throwing finish, or one answering what is no frame, is a decode error", () => {
  const throwing = finishing(() => {
    throw new Error("broken");
  });
  throwing.d.finish();
  assert.equal(throwing.stats.decodeErrors, 1);
  assert.equal(throwing.errors[0]?.code, "decode");
  // Said as what failed: no message was being read.
  assert.equal(
    throwing.errors[0]?.message,
    "serializer failed to hand on what it held at the end (finish): Error: broken",
  );
  const wrong = finishing(() => [42, { type: "message", message: "kept" }]);
  wrong.d.finish();
  assert.deepEqual(wrong.frames, ["kept"]);
  assert.equal(wrong.stats.decodeErrors, 1);
  assert.match(wrong.errors[0]?.message ?? "", /number/);
});

/** A `Blob` whose bytes come when `give()` is called. */
function heldBlob(bytes: number[]) {
  let give = () => {};
  const blob = new (class extends Blob {
    override arrayBuffer(): Promise<ArrayBuffer> {
      return new Promise((resolve) => give = () => resolve(new Uint8Array(bytes).buffer));
    }
  })([new Uint8Array(bytes)]);
  return { blob, give: () => give() };
}

Deno.test("`InboundDecoder.readOn`: a Blob read and the messages behind it are read, the serializer finishes, then done", async () => {
  const held = finishing(() => [{ type: "message", message: "held" }]);
  const { blob, give } = heldBlob([7]);
  held.d.receive(blob);
  held.d.receive("last");
  let done = 0;
  assert.equal(held.d.readOn(() => done++), true);
  assert.equal(done, 0);
  give();
  await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(held.frames, ["bytes:7", "last", "held"]);
  assert.equal(done, 1);
  assert.equal(held.calls(), 1);
  held.d.stop();
  assert.equal(held.stats.inboundMessagesDroppedOnClose, 0);
  assert.deepEqual(held.errors, []);
});

Deno.test("`InboundDecoder.readOn` declines when nothing waits or before start; a stop meanwhile drops what waits and calls nothing", () => {
  const idle = finishing(() => []);
  idle.d.receive("a");
  assert.equal(idle.d.readOn(() => assert.fail("nothing to read on")), false);
  const stats = emptyStats();
  const unstarted = new InboundDecoder({
    serializer,
    maxMessageBytes: 100,
    stats,
    onFrame: () => assert.fail("nothing is read"),
    onError: () => {},
  });
  unstarted.receive("a");
  assert.equal(unstarted.readOn(() => assert.fail("not started")), false);
  const given = finishing(() => [{ type: "message", message: "held" }]);
  given.d.receive(heldBlob([1]).blob);
  given.d.receive("b");
  assert.equal(given.d.readOn(() => assert.fail("stopped first")), true);
  given.d.stop();
  assert.deepEqual(given.frames, ["held"], "the serializer still hands on what it held");
  assert.equal(given.stats.inboundMessagesDroppedOnClose, 2);
  assert.equal(given.errors.filter((e) => e.code === "closed").length, 1);
});
