// Frames queued before `receive()` (counted in framesIn as they are queued), then a handler that
// throws at the first: the session ends (a fatal "application" error), and the frames still queued
// behind that one are the bot's, never handed on: counted in inboundFramesDroppedOnClose, so that
// every frame framesIn counts is handed on or counted as dropped.
import assert from "node:assert/strict";
import { slowSession } from "./_slow_serializer.ts";

Deno.test("frames queued before a receive handler that throws at the first: the rest counted as dropped", async () => {
  const s = await slowSession();
  s.pair.client.send("1");
  s.pair.client.send("2");
  s.pair.client.send("3");
  await s.clock.tick(0);
  assert.equal(s.transport.stats.framesIn, 3, "queued, counted");
  s.transport.receive((frame) => {
    s.frames.push((frame as { message: unknown }).message);
    throw new Error("boom");
  });
  await s.clock.tick(1000);
  await s.transport.closed;
  assert.deepEqual(s.frames, ["1"]);
  assert.equal(s.transport.stats.inboundFramesDroppedOnClose, 2);
  assert.deepEqual(s.errors.map((e) => [e.code, e.fatal]), [["application", true]]);
});
