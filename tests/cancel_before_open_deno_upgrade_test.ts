// Deno: a bot that writes its `cancel` (close code 4000) while the route still holds back the
// upgrade's 101 and its serializer's asynchronous set-up still runs. The cancel waited for the
// set-up, and the open bound (`openTimeoutMs`) ended the session as the caller's drop (1006,
// `initiator` "remote"): the cancel's code was lost, and a late 101 got a close with no code. The
// cancel now closes at once, as `close()` does: a 101 within `closeTimeoutMs` of it (past the open
// bound) opens the socket and the caller reads the cancel's close; a 101 later still finds the
// session ended with the cancel's code (`initiator` "local"), and the caller is sent that close. A
// real server on 127.0.0.1 port 0; the client a raw TCP upgrade (RFC 6455 §4.1), as its 101 is
// late on purpose, reading the server's frames as RFC 6455 §5.2 lays them out (a server's
// unmasked).
import assert from "node:assert/strict";
import type { FrameSerializer } from "../mod.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { within } from "./_ws_client.ts";
import { serveLateUpgrade } from "./adapters/_late_upgrade_server.ts";
import { clientClose, describeFrame } from "./adapters/_raw_frame_reader.ts";

const OPEN_TIMEOUT_MS = 200;
const CLOSE_TIMEOUT_MS = 500;

/**
 * A server whose route makes a session on a serializer whose set-up runs until the test ends,
 * writes the bot's cancel at once, and holds the 101 until `send101`.
 */
async function cancelBeforeLateUpgrade() {
  const setUp = Promise.withResolvers<void>();
  const serializer: FrameSerializer = {
    setup: () => setUp.promise,
    serialize: (frame) => frame.type === "cancel" ? "hang up" : null,
    deserialize: () => null,
  };
  const late = await serveLateUpgrade(
    {
      clock: new FakeClock(),
      serializer,
      openTimeoutMs: OPEN_TIMEOUT_MS,
      closeTimeoutMs: CLOSE_TIMEOUT_MS,
    },
    (transport) => void transport.send({ type: "cancel", closeCode: 4000, reason: "hung up" }),
  );
  const { transport } = late;
  assert(transport);
  return {
    ...late,
    transport,
    async stop() {
      setUp.resolve();
      await late.stop();
    },
  };
}

Deno.test("Deno: a cancel written before a 101 that goes out past the open bound, within closeTimeoutMs, closes with the cancel's code", async () => {
  const late = await cancelBeforeLateUpgrade();
  try {
    await late.clock.tick(OPEN_TIMEOUT_MS + 100);
    assert.equal(late.errors.length, 0, "the open bound left the session to the cancel's close");
    assert.equal(await late.send101(), "HTTP/1.1 101 Switching Protocols");
    const first = describeFrame(await within(late.reader.frame(), 3000, "the first frame"));
    assert.equal(first, "close 4000 hung up", "the cancel's close, nothing said before it");
    await late.conn.write(clientClose(4000, "hung up"));
    const closed = await within(late.transport.closed, 3000, "the session's end");
    assert.deepEqual(closed, { code: 4000, reason: "hung up", initiator: "local" });
    assert.deepEqual(late.errors, []);
    assert.deepEqual(late.seen, [], "no disconnected: the bot ended it");
    assert.equal(late.transport.stats.framesDroppedOnClose, 1, "the cancel, never said");
  } finally {
    await late.stop();
  }
});

Deno.test("Deno: a cancel written before a 101 that never went out in time ends with its code; a later 101 gets its close", async () => {
  const late = await cancelBeforeLateUpgrade();
  try {
    await late.clock.tick(OPEN_TIMEOUT_MS);
    assert.equal(late.errors.length, 0, "the open bound left the session to the cancel's close");
    await late.clock.tick(2 * CLOSE_TIMEOUT_MS - OPEN_TIMEOUT_MS); // to open, then the answer
    const closed = await within(late.transport.closed, 3000, "the session's end");
    assert.deepEqual(closed, { code: 4000, reason: "hung up", initiator: "local" });
    assert.deepEqual(late.errors.map((e) => [e.code, e.closeCode, e.fatal]), [
      ["timeout", 4000, false],
    ]);
    assert.deepEqual(late.seen, []);
    assert.equal(await late.send101(), "HTTP/1.1 101 Switching Protocols");
    const first = describeFrame(await within(late.reader.frame(), 3000, "the first frame"));
    assert.equal(first, "close 4000 hung up", "the cancel's close, not one with no code");
    await late.clock.tick(CLOSE_TIMEOUT_MS); // the caller never answers: dropped
    assert.equal(await within(late.reader.ended(), 3000, "the drop"), true);
  } finally {
    await late.stop();
  }
});
