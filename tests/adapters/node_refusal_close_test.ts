// A refusal written by the Node adapter closes the connection. `socket.end()` only half-closes
// ("Half-closes the socket. i.e., it sends a FIN packet", Node's net docs, socket.end), and a
// `node:http` server keeps its connections half-open (allowHalfOpen: a socket whose writable side
// has ended stays readable until the peer ends too, Node's net docs, event 'end'): a client that
// read the refusal and never hung up held its connection, a file descriptor, for good.
import assert from "node:assert/strict";
import { assertRefusalCloses, serveNodeUpgrades } from "./_node_upgrades.ts";
import { readStatusLine, sendRawUpgrade } from "./_raw_upgrade.ts";

Deno.test("Node `upgradeHandler` closes a refused connection once the refusal is written, whether or not the client hangs up", async () => {
  const server = await serveNodeUpgrades({ allowedOrigins: ["https://app.example.com"] });
  try {
    await assertRefusalCloses(server.port, server.connections);
  } finally {
    await server.close();
  }
});

// An `authorize` may hand back an upstream's refusal as it is (`return await fetch(authService)`);
// the adapter reads its body to write it on the connection itself, and a body that fails midway
// rejected the `upgrade` listener's promise: an unhandled rejection, which ends a Node process.
Deno.test("Node `upgradeHandler`: a refusal from `authorize` whose body fails is written without it, logged, and the server goes on", async () => {
  const logged: unknown[] = [];
  const log = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  const upstream = () => new ReadableStream({ pull: (c) => c.error(new Error("upstream reset")) });
  const server = await serveNodeUpgrades({
    authorize: () => new Response(upstream(), { status: 502 }),
  });
  try {
    for (const attempt of [1, 2]) {
      const conn = await sendRawUpgrade(server.port);
      assert.equal(await readStatusLine(conn), "HTTP/1.1 502 Bad Gateway", `attempt ${attempt}`);
      conn.close();
    }
    assert.match(String(logged.flat()), /upstream reset/);
  } finally {
    console.error = log;
    await server.close();
  }
});
