// README, Limits, "Message size" (and Security, "Message sizes"): Deno has no setting that refuses
// a message from its frame header; "it reads each message whole, up to its own cap of 64 MiB,
// before the transport can refuse it ..., and drops the connection without a close frame above
// 64 MiB". Nothing tested it on Deno. Measured here on a real socket (127.0.0.1 port 0), the cap
// takes a message of exactly 64 MiB already: 64 MiB − 1 bytes is read whole and refused by the
// transport (1009), 64 MiB is dropped from its header ("Frame too large"), no close frame sent.
//
// The far end is a raw client (RFC 6455 §5.2): one binary frame with a 64-bit length, masked
// (§5.3) with a zero key so that the payload goes as it is, written 1 MiB at a time. A write may
// take part of what it is given (`Deno.Conn.write` returns the count), so every byte is written.
import assert from "node:assert/strict";
import type { TransportError, WebSocketTransport } from "../../mod.ts";
import { upgrade } from "../../src/adapters/deno.ts";
import { within } from "../_ws_client.ts";
import { binaryHead } from "./_raw_client_frame.ts";
import { describeFrame, RawFrameReader } from "./_raw_frame_reader.ts";
import { sendRawUpgrade } from "./_raw_upgrade.ts";

const MiB = 1024 * 1024;

/** Writes `bytes` whole; `false` once the server has dropped the connection. */
async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<boolean> {
  try {
    for (let done = 0; done < bytes.length;) done += await conn.write(bytes.subarray(done));
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.ConnectionReset || error instanceof Deno.errors.BrokenPipe) {
      return false;
    }
    throw error;
  }
}

/**
 * Sends one binary message of `length` zero bytes to a Deno `upgrade` server with the default
 * `maxMessageBytes` (1 MiB); resolves with what the client read after the 101 (the server's
 * first frame, or "end of stream") and how the session ended.
 */
async function sendMessageOf(length: number) {
  const sessions: WebSocketTransport[] = [];
  const errors: TransportError[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request);
    if (transport) {
      sessions.push(transport);
      transport.addEventListener("error", (event) => void errors.push(event.error));
    }
    return response;
  });
  const conn = await sendRawUpgrade(server.addr.port);
  try {
    const reader = new RawFrameReader(conn);
    assert.equal(await reader.statusLine(), "HTTP/1.1 101 Switching Protocols");
    const read = reader.frame().then(describeFrame, (error) => {
      if (error instanceof Deno.errors.ConnectionReset) return "end of stream";
      throw error;
    });
    const chunk = new Uint8Array(MiB);
    let open = await writeAll(conn, binaryHead(length));
    for (let sent = 0; open && sent < length; sent += MiB) {
      open = await writeAll(conn, chunk.subarray(0, Math.min(MiB, length - sent)));
    }
    const first = await within(read, 10_000, "the server's answer to the message");
    assert.equal(sessions.length, 1);
    const closed = await within(sessions[0]!.closed, 10_000, "the session's end");
    return { first, closed, errors: errors.map((e) => [e.code, e.fatal] as const) };
  } finally {
    conn.close();
    await server.shutdown();
  }
}

Deno.test("Deno: a message of 64 MiB − 1 bytes is read whole, then refused by the transport with 1009", async () => {
  const { first, closed, errors } = await sendMessageOf(64 * MiB - 1);
  assert.match(first, /^close 1009 message of 67108863 bytes is over maxMessageBytes/);
  assert.equal(closed.code, 1009);
  assert.equal(closed.initiator, "local");
  assert.deepEqual(errors[0], ["protocol", true]);
});

Deno.test("Deno: a message of 64 MiB (not only above it) is dropped from its header, with no close frame", async () => {
  const { first, closed, errors } = await sendMessageOf(64 * MiB);
  assert.equal(first, "end of stream", "Deno sent something: update the README's Limits");
  // Deno tells the session the connection went (1006, with an error event saying "Frame too
  // large"), as a peer's drop is told: not the fatal "protocol" refusal Node, Bun and workerd's
  // own refusals are told as.
  assert.equal(closed.code, 1006);
  assert.equal(closed.initiator, "remote");
  assert.deepEqual(errors, [["closed", false]]);
});
