// A `Host` that names no host is refused with 400 by every adapter alike. RFC 9110, 7.2: `Host =
// uri-host [ ":" port ]`, the host as RFC 3986, 3.2.2 writes it (a reg-name's `%` begins a
// pct-encoded octet, two hex digits); RFC 9110, 4.2.1: "A sender MUST NOT generate an "http" URI
// with an empty host identifier"; RFC 9112, 3.2: "A server MUST respond with a 400 (Bad Request)
// status code to any HTTP/1.1 request message that ... contains a Host header field with an
// invalid field value". Node's adapter parses the Host with `new URL` and refused these 400;
// Deno's server put them in `request.url` as they came (`http://:80/ws`, which no `new URL`
// takes), and the upgrade was admitted: `authorize`'s `new URL(request.url)` threw.
import assert from "node:assert/strict";
import { admit } from "../../src/adapters/_admission.ts";
import { upgrade } from "../../src/adapters/deno.ts";
import { readStatusLine } from "./_raw_upgrade.ts";
import { serveNodeUpgrades } from "./_node_upgrades.ts";
import { upgradeRequest } from "./_upgrade_request.ts";

/**
 * Hosts that name no host: an empty host with a port, a `%` that is no escape, no TCP port, and
 * brackets around no IPv6 address (RFC 3986, 3.2.2: `IP-literal = "[" ( IPv6address /
 * IPvFuture ) "]"`) — hex letters alone, an IPv4 address, too many colons or pieces. The shared
 * admission once took any run of hex digits, dots and colons in brackets, and Deno admitted them.
 */
const NO_HOSTS = [
  ":80",
  "%zz.example",
  "voice.example:65536",
  "[zz::1]",
  "[abc]",
  "[1.2.3.4]",
  "[:::]",
  "[1:2:3:4:5:6:7:8:9]",
  "[::1]:80]",
];

/** Hosts as RFC 3986 writes them, in the forms a client may send. */
const HOSTS = [
  "", // no authority: the server's own name (RFC 9112, 3.3)
  "VOICE.Example",
  "voice.example.",
  "voice.example.:443",
  "voice.example:65535",
  "127.0.0.1:",
  "%76oice.example",
  "[::1]",
  "[::]",
  "[2001:db8::1]:8443",
  "[1:2:3:4:5:6:7:8]",
  "[::ffff:127.0.0.1]:8080",
];

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

Deno.test("Deno `upgrade` answers a Host that names no host 400, as the Node adapter does, before `authorize`", async () => {
  const asked: string[] = [];
  const authorize = (request: Request) => (asked.push(request.url), true);
  const deno = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request, { authorize });
    void transport?.close();
    return response;
  });
  const node = await serveNodeUpgrades({ authorize });
  try {
    for (const host of NO_HOSTS) {
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

Deno.test("`admit` takes every form of host RFC 3986 writes, upper-case, a trailing dot, IPv6", async () => {
  for (const host of HOSTS) {
    assert.equal(
      await admit(upgradeRequest({ headers: { host } }), {}),
      null,
      JSON.stringify(host),
    );
  }
  for (const host of NO_HOSTS) {
    const refusal = await admit(upgradeRequest({ headers: { host } }), {});
    assert.equal(refusal?.status, 400, host);
    await refusal?.body?.cancel();
  }
});

// A `Host` with userinfo is refused with 400. RFC 9110, 7.2: `Host = uri-host [ ":" port ]`, a
// host (RFC 3986, 3.2.2) with no userinfo; RFC 9112, 3.2: "A server MUST respond with a 400 (Bad
// Request) status code to any HTTP/1.1 request message that ... contains a Host header field
// with an invalid field value". The Node adapter resolved `Host: user@voice.example` with
// `new URL`, which drops the userinfo: the upgrade was admitted on the bare host, and `authorize`
// saw a URL the request never named.
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
    const refusal = await admit(upgradeRequest({ headers: { host } }), {});
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
    assert.equal(await admit(upgradeRequest({ headers: { host } }), {}), null, host);
  }
});
