// A `Host` with userinfo is refused with 400. RFC 9110, 7.2: `Host = uri-host [ ":" port ]`, a
// host (RFC 3986, 3.2.2) with no userinfo; RFC 9112, 3.2: "A server MUST respond with a 400 (Bad
// Request) status code to any HTTP/1.1 request message that ... contains a Host header field
// with an invalid field value". The Node adapter resolved `Host: user@voice.example` with
// `new URL`, which drops the userinfo: the upgrade was admitted on the bare host, and `authorize`
// saw a URL the request never named.
import assert from "node:assert/strict";
import { admit } from "../../src/adapters/_admission.ts";
import { readStatusLine } from "./_raw_upgrade.ts";
import { serveNodeUpgrades } from "./_node_upgrades.ts";

/** Asks `port` for an upgrade of `/ws` with `host` as the `Host` line; the reply's status line. */
async function upgradeWithHost(port: number, host: string): Promise<string | undefined> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(
      `GET /ws HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    ));
    return await readStatusLine(conn);
  } finally {
    conn.close();
  }
}

/** An upgrade request to http://127.0.0.1/ws whose `Host` header says `host`. */
function upgradeRequest(host: string): Request {
  return new Request("http://127.0.0.1/ws", {
    headers: {
      host,
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      "sec-websocket-version": "13",
    },
  });
}

Deno.test("Node `upgradeHandler` answers a Host with userinfo 400, before `authorize` is asked", async () => {
  const asked: string[] = [];
  const server = await serveNodeUpgrades({
    authorize: (request) => (asked.push(request.url), true),
  });
  try {
    for (const host of ["user@voice.example", "user:secret@voice.example:443"]) {
      assert.equal(await upgradeWithHost(server.port, host), "HTTP/1.1 400 Bad Request", host);
    }
  } finally {
    await server.close();
  }
  assert.deepEqual(asked, []);
});

Deno.test("`admit` refuses a Host that is no host and port (400), and takes every form of one", async () => {
  for (const host of ["user@voice.example", "@voice.example", "voice.example/ws", "a b:80"]) {
    const refusal = await admit(upgradeRequest(host), {});
    assert.equal(refusal?.status, 400, host);
    await refusal?.body?.cancel();
  }
  const hosts = [
    "voice.example",
    "voice.example:8443",
    "127.0.0.1:3000",
    "[::1]:8080",
    "xn--bcher-kva.example",
  ];
  for (const host of hosts) {
    assert.equal(await admit(upgradeRequest(host), {}), null, host);
  }
});
