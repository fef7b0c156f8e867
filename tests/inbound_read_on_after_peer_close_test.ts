// The peer's close with messages it sent before still waiting behind an asynchronous decode (a
// slow `deserialize`, a `Blob` read): they are its last words (a `stop`, DTMF), so they are read
// on, for up to `closeTimeoutMs`, and the bot gets them before the end of its frames. What is
// still unread when that time is up is dropped, counted, and reported once, as at any end.
import assert from "node:assert/strict";
import type { TransportError } from "../mod.ts";
import { slowSession } from "./_slow_serializer.ts";

const dropReports = (errors: TransportError[]) =>
  errors.filter((e) => /inboundMessagesDroppedOnClose/.test(e.message)).length;

/** Whether a promise has settled by now (after the turns a fake clock's tick runs). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => done = true, () => done = true);
  await Promise.resolve();
  return done;
}

Deno.test("the peer's close behind a slow decode: what it sent before is read, then the readable ends", async () => {
  const s = await slowSession();
  const reading = (async () => {
    const got: unknown[] = [];
    for await (const frame of s.transport.readable) {
      got.push((frame as { message: unknown }).message);
    }
    return got;
  })();
  s.pair.client.send("0");
  s.pair.client.send("slow 1");
  s.pair.client.send("2");
  s.pair.client.send("3");
  await s.clock.tick(0);
  s.pair.client.close(1000);
  await s.clock.tick(0);
  // The session settles once it has read what the peer sent: its serializer is still in use.
  assert.equal(await settled(s.transport.closed), false, "closed waits for the read-on");
  s.held.push({ type: "message", message: "held" });
  s.answer("1");
  await s.clock.tick(0);
  assert.deepEqual(await reading, ["0", "1", "2", "3", "held"]);
  assert.equal((await s.transport.closed).initiator, "remote");
  assert.deepEqual(s.calls, [
    "deserialize 0",
    "deserialize slow 1",
    "deserialize 2",
    "deserialize 3",
    "finish",
  ]);
  const stats = s.transport.stats;
  assert.equal(stats.inboundMessagesDroppedOnClose, 0);
  assert.equal(stats.inboundFramesDroppedOnClose, 0);
  assert.equal(stats.framesIn, 5);
  assert.equal(stats.messagesIn, 4);
  assert.equal(dropReports(s.errors), 0);
});

Deno.test("the peer's close behind a slow decode, push surface: the handler gets the frames", async () => {
  const s = await slowSession();
  s.transport.receive((frame) => s.frames.push((frame as { message: unknown }).message));
  s.pair.client.send("slow 1");
  s.pair.client.send("2");
  await s.clock.tick(0);
  s.pair.client.close(1000);
  await s.clock.tick(0);
  s.answer("1");
  await s.clock.tick(0);
  assert.deepEqual(s.frames, ["1", "2"]);
  await s.transport.closed;
  assert.equal(s.transport.stats.inboundMessagesDroppedOnClose, 0);
});

Deno.test("the peer's close behind a decode that outlasts closeTimeoutMs: the rest is dropped, counted, then the end", async () => {
  const s = await slowSession(); // closeTimeoutMs: 500
  let ended = false;
  const reading = (async () => {
    const got: unknown[] = [];
    for await (const frame of s.transport.readable) {
      got.push((frame as { message: unknown }).message);
    }
    ended = true;
    return got;
  })();
  s.pair.client.send("0");
  s.pair.client.send("slow 1");
  s.pair.client.send("slow 2");
  s.pair.client.send("3");
  await s.clock.tick(0);
  s.pair.client.close(1000);
  await s.clock.tick(0);
  s.answer("1");
  await s.clock.tick(499);
  assert.equal(ended, false, "read on for closeTimeoutMs");
  assert.equal(await settled(s.transport.closed), false);
  await s.clock.tick(1);
  assert.deepEqual(await reading, ["0", "1"]);
  await s.transport.closed;
  const stats = s.transport.stats;
  assert.equal(stats.inboundMessagesDroppedOnClose, 2, "slow 2 (under way) and 3");
  assert.equal(stats.messagesIn, 4);
  assert.equal(dropReports(s.errors), 1);
  assert.deepEqual(s.calls, [
    "deserialize 0",
    "deserialize slow 1",
    "deserialize slow 2",
    "finish",
  ]);
  s.answer("2"); // too late: nothing more
  await s.clock.tick(0);
  assert.equal(stats.inboundMessagesDroppedOnClose, 2);
});

/** A session whose `receive` handler throws at the first frame, the peer closing first or not. */
async function throwingHandler(peerClosesFirst: boolean) {
  const s = await slowSession();
  s.transport.receive((frame) => {
    s.frames.push((frame as { message: unknown }).message);
    throw new Error("boom");
  });
  s.pair.client.send("slow 1");
  s.pair.client.send("2");
  s.pair.client.send("3");
  await s.clock.tick(0);
  if (peerClosesFirst) s.pair.client.close(1000);
  await s.clock.tick(0);
  s.answer("1");
  await s.clock.tick(1000);
  await s.transport.closed;
  return s;
}

Deno.test("a handler that threw gets no more frames in the read-on after the peer's close, as in a live session", async () => {
  for (const peerClosesFirst of [false, true]) {
    const s = await throwingHandler(peerClosesFirst);
    const when = peerClosesFirst ? "read-on" : "live";
    assert.deepEqual(s.frames, ["1"], `${when}: nothing after the failure`);
    const stats = s.transport.stats;
    assert.equal(stats.framesIn, 1, when);
    assert.equal(stats.inboundFramesDroppedOnClose, 2, `${when}: 2 and 3 dropped, counted`);
    assert.deepEqual(
      s.errors.filter((e) => e.code === "application").map((e) => e.fatal),
      [true],
      `${when}: the failure reported once`,
    );
  }
});
