// The README's Deno note: a session closed while its route holds back the 101 "is closed again if
// the socket opens after all, so the client gets a close frame, and its connection is dropped if
// it does not answer". Which bound that answer has depends on who closed it: the bot's close
// waits `closeTimeoutMs` (pinned in adapters/deno_close_before_late_upgrade_test.ts); the open
// bound's close (the session ended as the caller's drop) waits `openTimeoutMs`
// (`SocketEvents`' drop). Here the second, with the two bounds apart so that one is told from the
// other. A real server on 127.0.0.1 port 0; the client a raw TCP upgrade (RFC 6455 §4.1), as its
// 101 is late on purpose, reading the server's close frame as RFC 6455 §5.2 and §5.5.1 lay it
// out (unmasked, opcode 0x8, here with no body: the session ended as a drop, 1006, no code).
import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { within } from "../_ws_client.ts";
import { serveLateUpgrade } from "./_late_upgrade_server.ts";

const OPEN_TIMEOUT_MS = 400;
const CLOSE_TIMEOUT_MS = 100;

Deno.test("docs: Deno, a session the open bound ended, its 101 sent late: the close goes, and a silent caller is dropped openTimeoutMs later (not closeTimeoutMs)", async () => {
  const clock = new FakeClock();
  // A route awaiting something of its own between upgrade() and its 101.
  const late = await serveLateUpgrade({
    clock,
    openTimeoutMs: OPEN_TIMEOUT_MS,
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
  });
  try {
    const { transport } = late;
    assert(transport);
    await clock.tick(OPEN_TIMEOUT_MS);
    const closed = await within(transport.closed, 3000, "the session's end");
    assert.equal(closed.code, 1006);
    assert.equal(closed.initiator, "remote");
    assert.match(String(await late.send101()), /^HTTP\/1\.1 101 /);
    const frame = await within(late.reader.frame(), 3000, "the close");
    assert.notEqual(frame, null, "the connection still open");
    // 0x88 0x00: a whole close frame, no code.
    assert.deepEqual(
      [frame?.fin, frame?.opcode, frame?.payload.length],
      [true, 0x8, 0],
      "a close frame, no code",
    );
    // The caller does not answer. Past closeTimeoutMs the connection is still waited on...
    await clock.tick(CLOSE_TIMEOUT_MS);
    assert.equal(clock.pendingTimers, 1, "the answer's bound still armed past closeTimeoutMs");
    // ...and dropped at openTimeoutMs.
    await clock.tick(OPEN_TIMEOUT_MS - CLOSE_TIMEOUT_MS);
    assert.equal(clock.pendingTimers, 0);
    assert.equal(
      await within(late.reader.ended(), 3000, "the drop"),
      true,
      "the connection dropped",
    );
  } finally {
    await late.stop();
  }
});
