import assert from "node:assert/strict";
import { type MemorySocket, MemorySocketPair } from "../../src/testing/memory_socket.ts";

/** Every close event an end dispatches, as "code reason". */
function closes(end: MemorySocket): string[] {
  const seen: string[] = [];
  end.addEventListener("close", (e) => {
    const { code, reason } = e as CloseEvent;
    seen.push(`${code} ${reason}`);
  });
  return seen;
}

/** Every message an end dispatches (text, as these tests send). */
function messages(end: MemorySocket): string[] {
  const got: string[] = [];
  end.addEventListener("message", (e) => got.push((e as MessageEvent).data));
  return got;
}

/**
 * Lets every delivery still on its way happen: a `MemorySocket` delivers on microtasks, a few
 * turns each, so many more turns than that leave none behind (no real time passes).
 */
async function drain(): Promise<void> {
  for (let turn = 0; turn < 50; turn++) await undefined;
}

Deno.test("`MemorySocket` closed by one end: the other end closes first, each once, with its code", async () => {
  const { server, client } = new MemorySocketPair();
  const order: string[] = [];
  server.addEventListener("close", () => order.push("server"));
  client.addEventListener("close", () => order.push("client"));
  const serverSaw = closes(server);
  const clientSaw = closes(client);
  client.close(4000, "done");
  assert.equal(client.readyState, 2);
  await client.waitFor(() => client.readyState === 3);
  await drain();
  assert.deepEqual(order, ["server", "client"]);
  assert.deepEqual(serverSaw, ["4000 done"]);
  assert.deepEqual(clientSaw, ["4000 done"], "the answer echoes the code, as real peers do");
});

Deno.test("`MemorySocket` closed by both ends at once: one close event each, with the code the other sent", async () => {
  const { server, client } = new MemorySocketPair();
  const serverSaw = closes(server);
  const clientSaw = closes(client);
  client.close(1000, "bye");
  server.close(1011, "err");
  await client.waitFor(() => client.readyState === 3 && server.readyState === 3);
  await drain();
  // RFC 6455 §7.1.5: the close code is the one in the close frame received; each received the
  // other's, and neither answers a close frame after sending its own.
  assert.deepEqual(serverSaw, ["1000 bye"]);
  assert.deepEqual(clientSaw, ["1011 err"]);
});

Deno.test("`MemorySocket`: a stalled end reads a close after the messages sent before it, and nothing after", async () => {
  const { server, client } = new MemorySocketPair();
  const seen: string[] = [];
  client.addEventListener("message", (e) => seen.push(`message ${(e as MessageEvent).data}`));
  client.addEventListener("close", (e) => seen.push(`close ${(e as CloseEvent).code}`));
  client.stall();
  server.send("a");
  server.send("b");
  server.close(1000);
  await drain();
  // Not reading, it has not read the close either (it waits behind the messages, as on TCP), so
  // the closing handshake waits too.
  assert.deepEqual(seen, []);
  assert.equal(client.readyState, 1);
  assert.equal(server.readyState, 2);
  client.resume();
  await server.waitFor(() => server.readyState === 3);
  await drain();
  assert.deepEqual(seen, ["message a", "message b", "close 1000"]);
  assert.equal(server.bufferedAmount, 0);
});

Deno.test("`MemorySocket`: a stalled end that is dropped gets its 1006 and none of what it had not read", async () => {
  const { server, client } = new MemorySocketPair();
  const seen: string[] = [];
  client.addEventListener("message", (e) => seen.push(`message ${(e as MessageEvent).data}`));
  client.addEventListener("close", (e) => seen.push(`close ${(e as CloseEvent).code}`));
  client.stall();
  server.send("a");
  await drain();
  server.terminate();
  await client.waitFor(() => seen.length > 0);
  client.resume();
  await drain();
  assert.deepEqual(seen, ["close 1006"]);
});

Deno.test("`MemorySocket`: a peer that ignores a close gets no close event, and the closer waits", async () => {
  const { server, client } = new MemorySocketPair();
  const clientSaw = closes(client);
  const serverSaw = closes(server);
  client.answersClose = false;
  server.close(1000);
  await drain();
  assert.deepEqual(clientSaw, []);
  assert.equal(client.readyState, 1);
  assert.equal(server.readyState, 2);
  server.terminate();
  await server.waitFor(() => serverSaw.length === 1);
  await drain();
  assert.deepEqual(serverSaw, ["1006 "]);
  assert.deepEqual(clientSaw, ["1006 "]);
});

Deno.test("`MemorySocket`: a peer that ignored a close and closes later ends both, each with the other's code", async () => {
  const { server, client } = new MemorySocketPair();
  const clientSaw = closes(client);
  const serverSaw = closes(server);
  client.answersClose = false;
  server.close(1000, "bye");
  await drain();
  client.close(4001, "late");
  await server.waitFor(() => server.readyState === 3);
  await client.waitFor(() => client.readyState === 3);
  await drain();
  assert.deepEqual(serverSaw, ["4001 late"]);
  assert.deepEqual(clientSaw, ["1000 bye"]);
});

Deno.test("`MemorySocket`: an end that has called close() dispatches no message read after it; the other end sees its own sent, and the close", async () => {
  const { server, client } = new MemorySocketPair();
  const serverGot = messages(server);
  const clientGot = messages(client);
  const clientSaw = closes(client);
  server.send("before");
  server.close(1000, "bye");
  // Still open: it has not read the close frame, so it may send (RFC 6455 §5.5.1), and does.
  client.send("late 1");
  client.send("late 2");
  await client.waitFor(() => client.readyState === 3);
  await drain();
  // The WebSockets Standard, "Feedback from the protocol": a message is dispatched only while the
  // ready state is OPEN, and close() made it CLOSING.
  assert.deepEqual(serverGot, []);
  assert.equal(server.readyState, 3);
  assert.deepEqual(clientGot, ["before"], "what was sent before the close still arrives");
  assert.deepEqual(client.sent, ["late 1", "late 2"]);
  assert.equal(client.bufferedAmount, 0, "sent and read, if not dispatched");
  assert.deepEqual(clientSaw, ["1000 bye"]);
});

Deno.test("`MemorySocket`: a stalled end that calls close() dispatches none of what waited for it", async () => {
  const { server, client } = new MemorySocketPair();
  const serverGot = messages(server);
  server.stall();
  client.send("a");
  await drain();
  server.close(1000);
  server.resume();
  await server.waitFor(() => server.readyState === 3);
  await drain();
  assert.deepEqual(serverGot, []);
  assert.equal(client.bufferedAmount, 0);
});
