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
import type { WebSocketTransport } from "../../mod.ts";
import { upgrade } from "../../src/adapters/deno.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { within } from "../_ws_client.ts";
import { sendRawUpgrade } from "./_raw_upgrade.ts";

const OPEN_TIMEOUT_MS = 400;
const CLOSE_TIMEOUT_MS = 100;

/** Reads from `conn` until `enough` says what came is enough; `false` if the stream ended first. */
async function readUntil(conn: Deno.Conn, enough: (bytes: Uint8Array) => boolean) {
  let bytes = new Uint8Array(0);
  while (!enough(bytes)) {
    const chunk = new Uint8Array(4096);
    const n = await conn.read(chunk);
    if (n === null) return { bytes, ended: true };
    const joined = new Uint8Array(bytes.length + n);
    joined.set(bytes);
    joined.set(chunk.subarray(0, n), bytes.length);
    bytes = joined;
  }
  return { bytes, ended: false };
}

/** The reply's head, then a whole close frame with no body (RFC 6455 §5.5.1): 0x88 0x00. */
function headAndBareClose(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes).indexOf("\r\n\r\n");
  return head >= 0 && bytes.length >= head + 4 + 2;
}

Deno.test("docs: Deno, a session the open bound ended, its 101 sent late: the close goes, and a silent caller is dropped openTimeoutMs later (not closeTimeoutMs)", async () => {
  const clock = new FakeClock();
  const made = Promise.withResolvers<WebSocketTransport | null>();
  const hold = Promise.withResolvers<void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request, {
      clock,
      openTimeoutMs: OPEN_TIMEOUT_MS,
      closeTimeoutMs: CLOSE_TIMEOUT_MS,
    });
    made.resolve(transport);
    await hold.promise; // a route awaiting something of its own between upgrade() and its 101
    return response;
  });
  const conn = await sendRawUpgrade(server.addr.port);
  try {
    const transport = await within(made.promise, 3000, "the session");
    assert(transport);
    await clock.tick(OPEN_TIMEOUT_MS);
    const closed = await within(transport.closed, 3000, "the session's end");
    assert.equal(closed.code, 1006);
    assert.equal(closed.initiator, "remote");
    hold.resolve();
    const read = await within(readUntil(conn, headAndBareClose), 3000, "the 101 and the close");
    assert.equal(read.ended, false);
    const text = new TextDecoder().decode(read.bytes);
    assert.match(text, /^HTTP\/1\.1 101 /);
    const frame = read.bytes.subarray(text.indexOf("\r\n\r\n") + 4);
    assert.deepEqual([...frame.subarray(0, 2)], [0x88, 0x00], "a close frame, no code");
    // The caller does not answer. Past closeTimeoutMs the connection is still waited on...
    await clock.tick(CLOSE_TIMEOUT_MS);
    assert.equal(clock.pendingTimers, 1, "the answer's bound still armed past closeTimeoutMs");
    // ...and dropped at openTimeoutMs.
    await clock.tick(OPEN_TIMEOUT_MS - CLOSE_TIMEOUT_MS);
    assert.equal(clock.pendingTimers, 0);
    const rest = await within(readUntil(conn, () => false), 3000, "the drop");
    assert.equal(rest.ended, true, "the connection dropped");
  } finally {
    hold.resolve();
    try {
      conn.close();
    } catch {
      // closed already
    }
    await within(server.shutdown(), 3000, "the server's shutdown");
  }
});
