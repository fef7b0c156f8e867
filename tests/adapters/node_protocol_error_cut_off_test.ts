// A peer that breaks the protocol (RFC 6455 §5.2: a reserved opcode; §8.1: a text message that is
// not UTF-8; §7.4.2: a close code out of range) is failed by `ws` itself: `receiverOnError` in ws
// 8's lib/websocket.js stops parsing what the peer sends, answers with a close frame (1002, 1007),
// ends its half of the connection and waits for the peer to hang up, bounded only by its own close
// timer (`closeTimeout`, 30 s). A peer that stays, silent, held the connection, and the session
// (told only a non-fatal "error", its bot still running), for those 30 s; Deno drops such a
// connection at once. README, Limits, "Ending a connection": the server waits `closeTimeoutMs` for
// the closing handshake, then drops the connection (Node: `terminate()`). The session then ends as
// on Deno: a dropped connection, 1006 from the peer's side.
//
// The far end is a raw client writing masked frames byte for byte (RFC 6455 §5.2, §5.3, a zero
// key); it reads the server's close frame and then neither answers nor hangs up. `ws` runs in
// Deno on a real socket on 127.0.0.1 port 0. The cut-off is a runtime timer (as `ws`'s own), so
// the bound is checked in real time with room on both sides: far under `ws`'s 30 s, and not before
// most of `closeTimeoutMs` has passed.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { upgradeHandler } from "../../src/adapters/node.ts";
import { RawPcmSerializer, type TransportClosed, type TransportError } from "../../mod.ts";
import { within } from "../_ws_client.ts";
import { closeBody, RawFrameReader } from "./_raw_frame_reader.ts";
import { sendRawUpgrade } from "./_raw_upgrade.ts";
import { watchUpgrades } from "./_node_upgrades.ts";

const CLOSE_TIMEOUT_MS = 1000;

/** Broken frames, masked with a zero key, and the close `ws` answers each with (RFC 6455 §7.4.1). */
const BROKEN: [what: string, frame: number[], code: number][] = [
  ["a text message that is not UTF-8", [0x81, 0x80 | 2, 0, 0, 0, 0, 0xff, 0xfe], 1007],
  ["a reserved opcode", [0x83, 0x80, 0, 0, 0, 0], 1002],
  // §7.4.2: 5000 is no close code; ws fails the connection rather than echo it.
  ["a close with a code no endpoint may send", [0x88, 0x82, 0, 0, 0, 0, 0x13, 0x88], 1002],
];

for (const [what, frame, code] of BROKEN) {
  Deno.test(`Node \`upgradeHandler\`: a peer that sent ${what} and then stays silent is dropped after closeTimeoutMs, not ws's 30 s`, async () => {
    const ended: Promise<TransportClosed>[] = [];
    const errors: TransportError[] = [];
    const server = createServer();
    const connections = watchUpgrades(server);
    server.on(
      "upgrade",
      upgradeHandler(new WebSocketServer({ noServer: true }) as never, (transport) => {
        transport.addEventListener("error", (e) => void errors.push(e.error));
        ended.push(transport.closed);
      }, { serializer: () => new RawPcmSerializer(), closeTimeoutMs: CLOSE_TIMEOUT_MS }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const conn = await sendRawUpgrade((server.address() as AddressInfo).port);
    try {
      const reader = new RawFrameReader(conn);
      assert.equal(await reader.statusLine(), "HTTP/1.1 101 Switching Protocols");
      const [connection] = connections;
      assert.ok(connection !== undefined, "the server saw the upgrade");
      const serverClosedAt = connection.closed.then(() => performance.now());
      await conn.write(new Uint8Array(frame));
      // ws fails the connection on this side's behalf: its close frame, then nothing from us.
      assert.equal(closeBody(await reader.frame())?.[0], code);
      const failedAt = performance.now();
      // Far under ws's own 30 s: the connection goes once closeTimeoutMs has passed.
      const heldMs = await within(
        serverClosedAt.then((at) => at - failedAt),
        CLOSE_TIMEOUT_MS + 3000,
        "drop of the connection",
      );
      assert.ok(
        heldMs >= CLOSE_TIMEOUT_MS * 0.8,
        `dropped ${heldMs.toFixed(0)} ms after the failure, before closeTimeoutMs`,
      );
      assert.equal(ended.length, 1);
      assert.deepEqual(await ended[0], { code: 1006, reason: "", initiator: "remote" });
      assert.deepEqual(errors.map((e) => [e.code, e.fatal]), [["closed", false]]);
    } finally {
      conn.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
}
