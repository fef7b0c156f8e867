// A message whose decode is under way when the session ends is counted once: in
// `stats.inboundMessagesDroppedOnClose` (what it held never reaches the bot). A serializer that
// finishes reading it afterwards and counts it too (a telephony serializer counts a message after
// its far end's stop in `inboundAfterEnd`) adds nothing: the inbound counters a serializer adds
// to are closed with the decoding, as the errors of a decode given up are.
import assert from "node:assert/strict";
import { type SerializerContext, WebSocketTransport } from "../mod.ts";
import type { FrameSerializer } from "../src/serializer.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

Deno.test("a decode under way at the end counts once, however the serializer counts it when it answers", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  let context: SerializerContext | undefined;
  let answer: (() => void) | undefined;
  const serializer: FrameSerializer = {
    bind: (c) => void (context = c),
    serialize: () => null,
    deserialize: (data) => {
      if (data !== "late") return { type: "message", message: data };
      // Read later: a message after the far end's own stop, counted as such when read.
      return new Promise((resolve) => {
        answer = () => {
          context!.count("inboundAfterEnd");
          context!.count("inboundMediaLate");
          resolve(null);
        };
      });
    },
  };
  const transport = new WebSocketTransport(pair.server, {
    clock,
    serializer,
    closeTimeoutMs: 100,
  });
  await clock.tick(0);
  pair.client.send("late");
  await clock.tick(0);
  pair.client.close(1000);
  await clock.tick(100); // read on for closeTimeoutMs, then the session settles
  await transport.closed;
  assert.equal(transport.stats.inboundMessagesDroppedOnClose, 1);
  answer!();
  await clock.tick(0);
  const stats = transport.stats;
  assert.equal(stats.inboundMessagesDroppedOnClose, 1, "the message under way, once");
  assert.equal(stats.inboundAfterEnd, 0, "not counted again when it was read");
  assert.equal(stats.inboundMediaLate, 0);
});
