// A `MemorySocket` sends text as a WebSocket does. The WebSockets Standard, `send(data)`: the
// method takes `(BufferSource or Blob or USVString)`, so a lone surrogate in a string is sent as
// U+FFFD (WebIDL's USVString conversion); "If data is a string: ... increase the bufferedAmount
// attribute by the number of bytes needed to express the argument as UTF-8". The socket counted
// UTF-16 code units instead, so a bot's backpressure test (the transport bounds `bufferedAmount`
// in bytes) saw a third of what a Japanese text reply holds on the wire, and a lone surrogate
// arrived intact where a real peer reads U+FFFD.

import assert from "node:assert/strict";
import { MemorySocketPair } from "../../src/testing/memory_socket.ts";

Deno.test("`MemorySocket.bufferedAmount` counts text sent to a stalled peer in UTF-8 bytes, as a WebSocket does", async () => {
  const { server, client } = new MemorySocketPair();
  client.stall();
  server.send("héllo"); // é: 2 bytes
  server.send("こんにちは"); // 3 bytes each
  server.send("😀"); // one code point past the BMP: 4 bytes, 2 UTF-16 units
  server.send("\ud800"); // a lone surrogate, sent as U+FFFD: 3 bytes
  server.send(new Uint8Array(7));
  await Promise.resolve();
  // was: 5 + 5 + 2 + 1 + 7 = 20 (UTF-16 code units)
  assert.equal(server.bufferedAmount, 6 + 15 + 4 + 3 + 7);
  const got: unknown[] = [];
  client.addEventListener("message", (e) => got.push((e as MessageEvent).data));
  client.resume();
  assert.equal(server.bufferedAmount, 0);
  assert.equal(got.length, 5);
});

Deno.test("`MemorySocket` delivers a lone surrogate as U+FFFD, as a WebSocket sends a USVString", async () => {
  const { server, client } = new MemorySocketPair();
  const got: string[] = [];
  client.addEventListener("message", (e) => got.push((e as MessageEvent).data));
  server.send("a\ud83db\ude00"); // two lone halves, apart
  server.send("\ud83d\ude00"); // a pair: sent as it is
  await client.waitFor(() => got.length === 2);
  // was: ["a\ud83db\ude00", "😀"]
  assert.deepEqual(got, ["a\ufffdb\ufffd", "😀"]);
  assert.deepEqual(server.sent, ["a\ud83db\ude00", "\ud83d\ude00"], "`sent` keeps what was given");
});
