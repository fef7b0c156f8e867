import assert from "node:assert/strict";
import { InboundDecoder } from "../src/_inbound_decoder.ts";
import type { TransportError } from "../src/errors.ts";
import type { Frame } from "../src/frames.ts";
import type { DeserializeResult, FrameSerializer } from "../src/serializer.ts";
import { FakeClock } from "../src/testing/mod.ts";
import { emptyStats } from "../src/transport_stats.ts";

/** Text "n" is message n at once; "later n" waits for `answer(n)`; bytes [n] wait likewise. */
function harness(options: { deserializeTimeoutMs?: number } = {}) {
  const waiting = new Map<string, (frames: Frame | null) => void>();
  const later = (name: string) =>
    new Promise<Frame | null>((resolve) => waiting.set(name, resolve));
  const serializer: FrameSerializer = {
    serialize: () => null,
    deserialize(data): DeserializeResult {
      if (typeof data !== "string") return later(`bytes ${data[0]}`);
      if (data.startsWith("later ")) return later(data.slice(6));
      return { type: "message", message: data };
    },
  };
  const clock = new FakeClock();
  const frames: unknown[] = [];
  const errors: TransportError[] = [];
  const stats = emptyStats();
  const decoder = new InboundDecoder({
    serializer,
    maxMessageBytes: 100,
    stats,
    clock,
    deserializeTimeoutMs: options.deserializeTimeoutMs ?? 5000,
    onFrame: (f: Frame) => frames.push((f as { message: unknown }).message),
    onError: (e) => errors.push(e),
  });
  decoder.start();
  const answer = async (name: string) => {
    waiting.get(name)!({ type: "message", message: name });
    await clock.tick(0);
  };
  return { decoder, clock, frames, errors, stats, answer };
}

/**
 * `stuck` never answers: within the bound the two messages behind it wait, in order; at the bound
 * it is given up (a decode error, the session going on) and they are read.
 */
async function givenUpAtTheBound(
  { decoder, clock, frames, errors }: ReturnType<typeof harness>,
  stuck: string | Blob,
  says: RegExp,
): Promise<void> {
  decoder.receive(stuck);
  decoder.receive("a");
  decoder.receive("b");
  await clock.tick(4999);
  assert.deepEqual(frames, [], "the messages behind it wait, in order, within the bound");
  assert.equal(errors.length, 0);
  await clock.tick(1);
  assert.deepEqual(frames, ["a", "b"]);
  assert.deepEqual(errors.map((e) => [e.code, e.fatal]), [["decode", false]]);
  assert.match(errors[0]!.message, says);
}

Deno.test("a deserialize that never settles is given up after the bound, and those behind it read", async () => {
  const h = harness();
  const { decoder, frames, errors, stats, answer } = h;
  await givenUpAtTheBound(h, "later stuck", /within 5000 ms/);
  assert.equal(stats.decodeErrors, 1);
  // Its late answer would come after later messages' frames: it is dropped, not delivered.
  await answer("stuck");
  decoder.receive("c");
  assert.deepEqual(frames, ["a", "b", "c"]);
  assert.equal(errors.length, 1);
});

Deno.test("a given-up decode answering while another waits does not let messages overtake it", async () => {
  const { decoder, clock, frames, errors, answer } = harness();
  decoder.receive("later 1");
  await clock.tick(5000); // "1" given up
  decoder.receive("later 2");
  decoder.receive("3");
  await answer("1"); // late: ignored, and "2" is still waited for
  assert.deepEqual(frames, []);
  await answer("2");
  assert.deepEqual(frames, ["2", "3"]);
  assert.equal(errors.length, 1);
});

Deno.test("a deserialize that answers within the bound is delivered and leaves no timer behind", async () => {
  const { decoder, clock, frames, errors, answer } = harness();
  decoder.receive("later 1");
  decoder.receive("2");
  await clock.tick(4000);
  await answer("1");
  assert.deepEqual(frames, ["1", "2"]);
  await clock.tick(60_000);
  assert.equal(errors.length, 0);
});

Deno.test("after stop, neither the bound nor a late answer reports or delivers anything", async () => {
  const { decoder, clock, frames, errors, answer } = harness();
  decoder.receive("later 1");
  decoder.stop(); // the decode under way is given up: counted and reported then, once
  assert.deepEqual(errors.map((e) => e.code), ["closed"]);
  await clock.tick(60_000);
  await answer("1");
  assert.deepEqual(frames, []);
  assert.equal(errors.length, 1);
});

Deno.test("a Blob whose bytes decode asynchronously keeps later messages behind it", async () => {
  const { decoder, clock, frames, answer } = harness();
  decoder.receive(new Blob([new Uint8Array([7])]));
  decoder.receive("after");
  for (let i = 0; i < 5; i++) await clock.tick(0); // the Blob read, then its async decode
  assert.deepEqual(frames, [], "the Blob's frame is still being decoded");
  await answer("bytes 7");
  assert.deepEqual(frames, ["bytes 7", "after"]);
});

/** A `Blob` whose bytes never come: a stream- or file-backed read that hangs. */
class HungBlob extends Blob {
  override arrayBuffer(): Promise<ArrayBuffer> {
    return new Promise<ArrayBuffer>(() => {});
  }
}

Deno.test("a Blob whose bytes never come is given up after the bound, and those behind it read", async () => {
  const h = harness();
  const { decoder, clock, errors, stats } = h;
  await givenUpAtTheBound(
    h,
    new HungBlob([new Uint8Array([7])]),
    /a Blob message's bytes were not read within 5000 ms/,
  );
  assert.deepEqual([stats.messagesIn, stats.decodeErrors], [3, 1]);
  // The session's end finds nothing under way: nothing more counted, no timer left.
  decoder.stop();
  assert.equal(stats.inboundMessagesDroppedOnClose, 0);
  assert.equal(errors.length, 1);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("a Blob read within the bound, then its asynchronous decode, are each bounded from their start", async () => {
  const { decoder, clock, frames, errors } = harness();
  let give!: () => void;
  const held = new (class extends Blob {
    override arrayBuffer(): Promise<ArrayBuffer> {
      return new Promise<ArrayBuffer>((resolve) => (give = () => resolve(new ArrayBuffer(1))));
    }
  })([new Uint8Array(1)]);
  decoder.receive(held);
  decoder.receive("after");
  await clock.tick(3000);
  give(); // read in time: its bytes' decode (asynchronous here) begins, bounded from now
  await clock.tick(4999);
  assert.deepEqual([frames, errors], [[], []]);
  await clock.tick(1);
  assert.deepEqual(frames, ["after"]);
  assert.deepEqual(errors.map((e) => e.message), [
    "serializer did not read a message within 5000 ms: given up",
  ]);
  assert.equal(clock.pendingTimers, 0);
});
