// The Node adapter hands `authorize` a standard `Request` built from the upgrade's request line and
// headers. A request target that is a path is that path on the host `Host` names (RFC 9112, 3.2.1,
// origin-form: "the target URI is reconstructed from the origin-form ... and the Host header"; a
// path's segments may be empty, so `//evil.example/ws` is a path). Resolved as a relative URL, a
// path beginning with "//" was read as a host: `authorize` saw http://evil.example/ws, neither the
// Host nor the path the request names (the path `onSession`'s request and the app route by),
// where Deno's own server gives http://voice.example//evil.example/ws.
import assert from "node:assert/strict";
import { readStatusLine } from "./_raw_upgrade.ts";
import { serveNodeUpgrades } from "./_node_upgrades.ts";
import { toRequest } from "../../src/adapters/_node_http.ts";

async function upgradeTo(port: number, target: string, host: string): Promise<string | undefined> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(
      `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    ));
    return await readStatusLine(conn);
  } finally {
    conn.close();
  }
}

Deno.test("Node `upgradeHandler`: `authorize` sees a target path beginning with // as a path on the Host, not as a host", async () => {
  const seen: string[] = [];
  const server = await serveNodeUpgrades({
    authorize: (request) => (seen.push(request.url), false),
  });
  try {
    const targets = ["//evil.example/ws?token=1", "/ws?token=1", "http://proxied.example/ws"];
    for (const target of targets) {
      assert.equal(
        await upgradeTo(server.port, target, "voice.example"),
        "HTTP/1.1 401 Unauthorized",
      );
    }
  } finally {
    await server.close();
  }
  assert.deepEqual(seen, [
    "http://voice.example//evil.example/ws?token=1",
    "http://voice.example/ws?token=1",
    "http://proxied.example/ws", // absolute-form, as a proxy sends it: the target URI itself
  ]);
});

Deno.test("Node `upgradeHandler`: a request over TLS (`node:https`) is an https URL, as Deno's", () => {
  // What `node:https` hands the upgrade listener: an IncomingMessage whose socket is a TLSSocket,
  // `encrypted` true (nodejs.org/api/tls.html, `tlsSocket.encrypted`).
  const over = (encrypted: boolean) =>
    toRequest({
      url: "/ws?token=1",
      method: "GET",
      headers: { host: "voice.example" },
      socket: { encrypted },
    }, "http://localhost").url;
  assert.equal(over(true), "https://voice.example/ws?token=1");
  assert.equal(over(false), "http://voice.example/ws?token=1");
});
