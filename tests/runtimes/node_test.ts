import assert from "node:assert/strict";
import { dirname } from "node:path";
import { assertRefusesHugeMessage } from "./behaviour/huge_message.ts";
import { behaviourSuite } from "./behaviour/suite.ts";
import { bundleForNode, startChild } from "./node/child_runtime.ts";
import { resetDuringUpgrade } from "./node/resetting_client.ts";

Deno.test("`upgradeHandler` on Node (node:http + ws), bundled to JavaScript, passes the behavioural suite", async (t) => {
  const bundle = await bundleForNode(import.meta.resolve("./node/server.ts"));
  const server = await startChild("node", [bundle]);
  try {
    await behaviourSuite(t, { port: server.port, keepAlive: true, sessionCallback: true });
  } finally {
    await server.close();
    await Deno.remove(dirname(bundle), { recursive: true });
  }
});

Deno.test("`upgradeHandler` on Node refuses a 60 MB message with 1009 before `ws` buffers it", async () => {
  const bundle = await bundleForNode(import.meta.resolve("./node/server.ts"));
  const server = await startChild("node", [bundle]);
  try {
    await assertRefusesHugeMessage(server.port, server.pid);
  } finally {
    await server.close();
    await Deno.remove(dirname(bundle), { recursive: true });
  }
});

Deno.test("every entry point of the module loads and runs under Node as bundled JavaScript", async () => {
  const bundle = await bundleForNode(import.meta.resolve("./node/whole_module.ts"));
  try {
    const run = await new Deno.Command("node", { args: [bundle], stdin: "null" }).output();
    const out = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 0, out);
    assert.match(out, /^ok 9$/m);
  } finally {
    await Deno.remove(dirname(bundle), { recursive: true });
  }
});

Deno.test("`upgradeHandler` on Node: a client that resets its connection during admission or under a refusal leaves the server serving", async () => {
  const bundle = await bundleForNode(import.meta.resolve("./node/reset_server.ts"));
  const server = await startChild("node", [bundle]);
  const reset = (origin = "") => resetDuringUpgrade(server.port, "/?token=s3cret", origin);
  try {
    // Reset while `authorize` runs: the socket's error has no listener until ws takes it.
    await reset();
    const authorized = await fetch(`http://127.0.0.1:${server.port}/authorized`);
    assert.equal(authorized.status, 200, await authorized.text());
    // Reset under a refusal (a foreign origin: 403 written to a connection that is gone).
    for (let i = 0; i < 5; i++) await reset("https://evil.example");
    const reply = await fetch(`http://127.0.0.1:${server.port}/`);
    assert.equal(await reply.text(), "voice bot\n");
  } finally {
    await server.close();
    await Deno.remove(dirname(bundle), { recursive: true });
  }
});

Deno.test("`upgradeHandler` on Node writes a refusal's standard reason phrase, whatever its status", async () => {
  // An `authorize` that answers `new Response(null, { status: 503 })` gives no statusText; the
  // status line then carries the status's standard reason phrase (node:http's STATUS_CODES), and
  // one Node has no phrase for gets Node's own ("unknown", as `ServerResponse.writeHead` writes).
  const bundle = await bundleForNode(import.meta.resolve("./node/refusing_server.ts"));
  const server = await startChild("node", [bundle]);
  // The status line as the client reads it off the wire (`fetch` would hide the reason phrase).
  const statusLine = async (query: string) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    try {
      await conn.write(new TextEncoder().encode(
        `GET /ws?${query} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n` +
          "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
          "Sec-WebSocket-Version: 13\r\n\r\n",
      ));
      const bytes = new Uint8Array(4096);
      let text = "";
      while (!text.includes("\r\n")) {
        const n = await conn.read(bytes);
        if (n === null) break;
        text += new TextDecoder().decode(bytes.subarray(0, n));
      }
      return text.slice(0, text.indexOf("\r\n"));
    } finally {
      conn.close();
    }
  };
  try {
    assert.deepEqual(
      [
        await statusLine("status=503"),
        await statusLine("status=429"),
        await statusLine("status=401"),
        await statusLine("status=599"),
        await statusLine("status=503&text=Down%20for%20maintenance"),
      ],
      [
        "HTTP/1.1 503 Service Unavailable",
        "HTTP/1.1 429 Too Many Requests",
        "HTTP/1.1 401 Unauthorized",
        "HTTP/1.1 599 unknown",
        "HTTP/1.1 503 Down for maintenance",
      ],
    );
  } finally {
    await server.close();
    await Deno.remove(dirname(bundle), { recursive: true });
  }
});
