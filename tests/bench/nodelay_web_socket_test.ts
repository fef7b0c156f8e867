import assert from "node:assert/strict";
import { NoDelayWebSocket } from "./_nodelay_web_socket.ts";

/** An echo server on 127.0.0.1 port 0 (Deno's own WebSocket server: the other side of RFC 6455). */
function echoServer(closes: { code: number }[]) {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event) => socket.send(event.data);
    socket.onclose = (event) => closes.push({ code: event.code });
    return response;
  });
}

Deno.test("the no-delay client's messages round-trip through Deno's server: text, and binary of each length form", async () => {
  const closes: { code: number }[] = [];
  const server = echoServer(closes);
  const socket = new NoDelayWebSocket(`ws://127.0.0.1:${server.addr.port}/ws`);
  const received: (string | ArrayBuffer)[] = [];
  const closed = Promise.withResolvers<void>();
  const opened = Promise.withResolvers<void>();
  let expected = 0;
  const all = Promise.withResolvers<void>();
  socket.onopen = () => opened.resolve();
  socket.onmessage = (event) => {
    received.push(event.data);
    if (received.length === expected) all.resolve();
  };
  socket.onerror = (event) => closed.reject(new Error(event.message));
  socket.onclose = () => closed.resolve();
  const timeout = setTimeout(() => all.reject(new Error("no echo within 5 s")), 5000);
  try {
    await opened.promise;
    // 7-bit, 16-bit and 64-bit payload lengths (RFC 6455 §5.2), and a text message.
    const sizes = [100, 640, 70_000];
    const sent = sizes.map((n) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff));
    expected = sizes.length + 1;
    socket.send("mark:é1");
    for (const bytes of sent) socket.send(bytes);
    await all.promise;
    assert.equal(received[0], "mark:é1");
    for (let i = 0; i < sent.length; i++) {
      assert.ok(received[i + 1] instanceof ArrayBuffer);
      assert.deepEqual(new Uint8Array(received[i + 1] as ArrayBuffer), sent[i]);
    }
    socket.close(1000);
    await closed.promise;
  } finally {
    clearTimeout(timeout);
    await server.shutdown();
  }
  assert.deepEqual(closes, [{ code: 1000 }]);
});

Deno.test("the no-delay client reports a refused handshake as an error and a close", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("no", { status: 403 }),
  );
  const socket = new NoDelayWebSocket(`ws://127.0.0.1:${server.addr.port}/ws`);
  const errors: string[] = [];
  const closed = Promise.withResolvers<void>();
  socket.onerror = (event) => errors.push(event.message);
  socket.onclose = () => closed.resolve();
  try {
    await closed.promise;
  } finally {
    await server.shutdown();
  }
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /handshake refused: HTTP\/1\.1 403/);
});
