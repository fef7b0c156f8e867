// A `Host` in brackets that holds no IPv6 address is refused with 400 by every adapter alike, as
// the README says ("brackets around anything but an IPv6 address"). RFC 3986, 3.2.2: "A host
// identified by an Internet Protocol literal address, version 6 [RFC3513] or later, is
// distinguished by enclosing the IP literal within square brackets"; `IP-literal = "[" (
// IPv6address / IPvFuture ) "]"`, IPv6address as 3.2.2 spells it (eight 16-bit pieces, `::` once,
// an IPv4 address last). RFC 9112, 3.2: "A server MUST respond with a 400 (Bad Request) status
// code to any HTTP/1.1 request message that ... contains a Host header field with an invalid
// field value". Node's adapter parses the Host with `new URL` and refuses these; the shared
// admission took any run of hex digits, dots and colons in brackets (`[abc]`, `[1.2.3.4]`,
// `[:::]`), so Deno admitted them and `authorize` got a `request.url` no `new URL` takes.
import assert from "node:assert/strict";
import { admit } from "../../src/adapters/_admission.ts";
import { upgrade } from "../../src/adapters/deno.ts";
import { readStatusLine } from "./_raw_upgrade.ts";
import { serveNodeUpgrades } from "./_node_upgrades.ts";

/** Brackets around no IPv6 address: hex letters alone, an IPv4 address, too many colons. */
const NOT_IPV6 = ["[abc]", "[1.2.3.4]", "[:::]", "[1:2:3:4:5:6:7:8:9]", "[::1]:80]"];

/** IPv6 addresses as RFC 4291, 2.2 writes them, which every adapter takes. */
const IPV6 = ["[::1]", "[::]", "[2001:db8::1]:8443", "[::ffff:127.0.0.1]", "[1:2:3:4:5:6:7:8]"];

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

Deno.test("Deno `upgrade` answers a bracketed Host that is no IPv6 address 400, as the Node adapter does, before `authorize`", async () => {
  const asked: string[] = [];
  const authorize = (request: Request) => (asked.push(request.url), true);
  const deno = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request, { authorize });
    void transport?.close();
    return response;
  });
  const node = await serveNodeUpgrades({ authorize });
  try {
    for (const host of NOT_IPV6) {
      for (const [name, port] of [["Node", node.port], ["Deno", deno.addr.port]] as const) {
        const status = await upgradeWithHost(port, host);
        assert.equal(status, "HTTP/1.1 400 Bad Request", `${name}: ${host}`);
      }
    }
  } finally {
    await node.close();
    await deno.shutdown();
  }
  assert.deepEqual(asked, []);
});

Deno.test("`admit` refuses brackets around no IPv6 address and takes every IPv6 form", async () => {
  for (const host of NOT_IPV6) {
    const refusal = await admit(upgradeRequest(host), {});
    assert.equal(refusal?.status, 400, host);
    await refusal?.body?.cancel();
  }
  for (const host of IPV6) {
    assert.equal(await admit(upgradeRequest(host), {}), null, host);
  }
});
