// After the peer's close, what it sent before is read on for up to the session's `closeTimeoutMs`
// (tests/inbound_read_on_after_peer_close_test.ts has the default's 500 ms).
import assert from "node:assert/strict";
import { slowSession } from "./_slow_serializer.ts";

Deno.test("the read-on after the peer's close is bounded by the session's closeTimeoutMs", async () => {
  const s = await slowSession({ closeTimeoutMs: 100 });
  s.transport.receive((frame) => s.frames.push((frame as { message: unknown }).message));
  s.pair.client.send("slow 1");
  s.pair.client.send("2");
  await s.clock.tick(0);
  s.pair.client.close(1000);
  await s.clock.tick(99);
  assert.equal(s.transport.stats.inboundMessagesDroppedOnClose, 0, "still read on");
  await s.clock.tick(1);
  await s.transport.closed;
  assert.equal(s.transport.stats.inboundMessagesDroppedOnClose, 2, "slow 1 (under way) and 2");
  assert.deepEqual(s.frames, []);
});
