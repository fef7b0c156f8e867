// A session's parts made on first use (6fa8d1e), first used late. A timer (the pause bound, the
// decoder's stuck timer) first wanted after the session's end must not be armed then, or left
// armed by it: it would outlive the session and fire into it. The peer's last words, read on
// after its close behind a slow decode, may be a pause (Asterisk's MEDIA_XOFF, which a serializer
// turns into `SerializerContext.pauseSending(true)`) or another slow message. The observers'
// closed set, first made by an observer given after the end, still tells it the end once.
import assert from "node:assert/strict";
import { type TransportError, WebSocketTransport } from "../mod.ts";
import type { FrameSerializer, SerializerContext } from "../src/serializer.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { slowSerializer, slowSession } from "./_slow_serializer.ts";

/** A slow serializer (`_slow_serializer.ts`) that reads text "xoff" as a pause asked for. */
async function pausingSession() {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const slow = slowSerializer();
  let context: SerializerContext | undefined;
  const serializer: FrameSerializer = {
    ...slow.serializer,
    bind(c) {
      context = c;
    },
    deserialize(data) {
      if (data !== "xoff") return slow.serializer.deserialize(data);
      slow.calls.push("deserialize xoff");
      context!.pauseSending!(true);
      return null;
    },
  };
  const transport = new WebSocketTransport(pair.server, {
    clock,
    serializer,
    sendTimeoutMs: 2000,
    closeTimeoutMs: 500,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error));
  await clock.tick(0);
  return { clock, pair, transport, errors, ...slow };
}

Deno.test("a pause read on after the peer's close arms no bound: nothing fires after the end", async () => {
  const s = await pausingSession();
  s.transport.receive(() => {});
  s.pair.client.send("slow 1");
  s.pair.client.send("xoff");
  await s.clock.tick(0);
  s.pair.client.close(1000);
  await s.clock.tick(0);
  s.answer("1"); // the read-on goes on: "xoff" is read after the session's end
  await s.clock.tick(0);
  await s.transport.closed;
  assert.deepEqual(s.calls, ["deserialize slow 1", "deserialize xoff", "finish"]);
  assert.equal(s.transport.stats.sendPauses, 0, "a pause after the end is no pause");
  assert.equal(s.clock.pendingTimers, 0, "no timer outlives the session");
  await s.clock.tick(2000);
  assert.deepEqual(s.errors.map((e) => e.code), []);
});

Deno.test("a slow message read on after the peer's close: the stuck timer ends with the read-on", async () => {
  const s = await pausingSession();
  s.transport.receive(() => {});
  s.pair.client.send("slow 1");
  s.pair.client.send("slow 2"); // its decode, and its stuck timer, begin during the read-on
  await s.clock.tick(0);
  s.pair.client.close(1000);
  await s.clock.tick(0);
  s.answer("1");
  await s.clock.tick(0);
  assert.ok(s.calls.includes("deserialize slow 2"), "read on after the close");
  await s.clock.tick(500); // closeTimeoutMs: the read-on gives "2" up
  await s.transport.closed;
  assert.equal(s.clock.pendingTimers, 0, "the stuck timer was cancelled with the read-on");
  assert.equal(s.transport.stats.inboundMessagesDroppedOnClose, 1);
});

Deno.test("a session that had no observer: one given twice after its end is told the end once", async () => {
  const s = await slowSession();
  s.pair.client.close(1000);
  await s.transport.closed;
  const told: unknown[] = [];
  const late = { closed: (closed: unknown) => void told.push(closed) };
  s.transport.observe(late);
  s.transport.observe(late);
  await s.clock.runAll();
  assert.deepEqual(told, [{ code: 1000, reason: "", initiator: "remote" }]);
});
