import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import bunPackage from "@oven/bun-linux-x64/package.json" with { type: "json" };
import { assertRefusesHugeMessage } from "./behaviour/huge_message.ts";
import { behaviourSuite } from "./behaviour/suite.ts";
import { startChild } from "./node/child_runtime.ts";
import { BUN } from "./bun/_bun_binary.ts";

/**
 * The `bun` binary from npm. The `bun` package's launcher is written by an install script Deno
 * does not run; the platform package it depends on carries the binary itself.
 */

Deno.test(`\`upgrade\` on Bun ${bunPackage.version} passes the behavioural suite`, async (t) => {
  const server = await startChild(BUN, [
    "run",
    fromFileUrl(import.meta.resolve("./bun/server.ts")),
  ]);
  try {
    await behaviourSuite(t, { port: server.port });
  } finally {
    await server.close();
  }
});

Deno.test(`\`upgrade\` on Bun ${bunPackage.version} refuses a 60 MB message with 1009 before Bun buffers it`, async () => {
  const server = await startChild(BUN, [
    "run",
    fromFileUrl(import.meta.resolve("./bun/server.ts")),
  ]);
  try {
    await assertRefusesHugeMessage(server.port, server.pid);
  } finally {
    await server.close();
  }
});

/**
 * A compliant client as quick as one can be: sends `text` (or, without it, leaves) in the same
 * turn in which it reads the 101, and returns what the server answered, if anything.
 */
async function atOnce(port: number, text?: string): Promise<string | undefined> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(
      "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    ));
    let received = new Uint8Array(0);
    const read = async () => {
      const chunk = new Uint8Array(1024);
      const n = await conn.read(chunk);
      if (n === null) throw new Error("the server hung up");
      received = new Uint8Array([...received, ...chunk.subarray(0, n)]);
    };
    const headEnd = () => new TextDecoder().decode(received).indexOf("\r\n\r\n");
    while (headEnd() < 0) await read();
    assert.match(new TextDecoder().decode(received), /^HTTP\/1\.1 101/);
    if (text === undefined) return undefined;
    const payload = new TextEncoder().encode(text); // under 126 bytes; masked with a zero key
    await conn.write(new Uint8Array([0x81, 0x80 | payload.length, 0, 0, 0, 0, ...payload]));
    received = received.subarray(headEnd() + 4);
    while (received.length < 2 || received.length < 2 + received[1]!) await read();
    return new TextDecoder().decode(received.subarray(2, 2 + received[1]!)); // an unmasked text frame
  } finally {
    conn.close();
  }
}

Deno.test(`\`upgrade\` on Bun ${bunPackage.version} is "connected" before a client's first frame or its leaving, even at once`, async () => {
  const server = await startChild(BUN, [
    "run",
    fromFileUrl(import.meta.resolve("./bun/first_event_server.ts")),
  ]);
  const sessions = 20;
  try {
    // Half send as soon as they read the 101, half leave: Bun hears either within the task in
    // which the adapter's "open" waits, most times.
    const answers = await Promise.all(
      Array.from({ length: sessions / 2 }, () => atOnce(server.port, '{"hello":true}')),
    );
    await Promise.all(Array.from({ length: sessions / 2 }, () => atOnce(server.port)));
    const logs: string[][] =
      await (await fetch(`http://127.0.0.1:${server.port}/log?sessions=${sessions}`))
        .json();
    assert.equal(logs.length, sessions);
    const isFrame = (event: string) => event.startsWith("frame");
    assert.deepEqual({
      answeredUnconnected: answers.filter((answer) => answer !== '{"connected":true}'),
      framedUnconnected: logs.filter((events) => events.some(isFrame) && events[0] !== "connected"),
      leftUnconnected: logs.filter((events) =>
        !events.some(isFrame) && events.join() !== "connected,disconnected"
      ),
    }, { answeredUnconnected: [], framedUnconnected: [], leftUnconnected: [] });
  } finally {
    await server.close();
  }
});
