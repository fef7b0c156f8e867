// The Node adapter writes a refusal itself, as a raw HTTP/1.1 reply, from the `Response` that
// refuses: one `authorize` returned may be an upstream's, handed back as it is (`return await
// fetch(authService)`; README, Security: "a refusal body of its (an upstream's response)"). Such a
// response keeps the upstream's connection-specific fields: `Transfer-Encoding: chunked` (what
// `node:http` sends for a body of no declared length, Node's http docs, response.write) and
// `Keep-Alive` (RFC 9110, 7.6.1: fields of that connection only). Copied beside the adapter's own
// `content-length` and `connection: close`, the refusal was no valid message: "A sender MUST NOT
// send a Content-Length header field in any message that contains a Transfer-Encoding header
// field" (RFC 9112, 6.1), and a client takes its unchunked content as chunks (6.3) or refuses it
// (Node's http client: "Parse Error: Content-Length can't be present with Transfer-Encoding").
// `fetch` hands the content over decoded and the `Content-Encoding` it came with as it was (RFC
// 9110, 8.4): written as read, the content was labelled gzip and was not. Deno's server frames the
// same response itself. Real servers on 127.0.0.1 port 0; the client is raw TCP.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { serveNodeUpgrades } from "./_node_upgrades.ts";
import { sendRawUpgrade } from "./_raw_upgrade.ts";

const REFUSAL = '{"error":"token expired"}';

/** An auth service that refuses every token, on `node:http` as Node's docs describe it. */
async function refusingUpstream() {
  const server = createServer((request, response) => {
    if (request.url === "/gzip") {
      response.writeHead(401, { "content-type": "application/json", "content-encoding": "gzip" });
      response.end(gzipSync(REFUSAL));
      return;
    }
    // No length given, written in two parts: sent chunked (Node's http docs, response.write).
    response.writeHead(401, { "content-type": "application/json" });
    response.write(REFUSAL.slice(0, 9));
    response.end(REFUSAL.slice(9));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Everything the server writes on `conn` until it closes the connection. */
async function readToEnd(conn: Deno.Conn): Promise<Uint8Array> {
  const parts: number[] = [];
  const buffer = new Uint8Array(4096);
  for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
    parts.push(...buffer.subarray(0, n));
  }
  return new Uint8Array(parts);
}

for (const path of ["/chunked", "/gzip"]) {
  Deno.test(`Node \`upgradeHandler\` writes an upstream's refusal (${path.slice(1)}) as one valid HTTP/1.1 message: its content, framed by the adapter alone`, async () => {
    const upstream = await refusingUpstream();
    const server = await serveNodeUpgrades({ authorize: () => fetch(upstream.url + path) });
    try {
      const conn = await sendRawUpgrade(server.port);
      const reply = await readToEnd(conn);
      conn.close();
      const end = new TextDecoder().decode(reply).indexOf("\r\n\r\n");
      const [status, ...lines] = new TextDecoder().decode(reply.subarray(0, end)).split("\r\n");
      const fields = lines.map((line) => {
        const colon = line.indexOf(":");
        return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as const;
      });
      const named = (name: string) => fields.filter(([n]) => n === name).map(([, v]) => v);
      assert.equal(status, "HTTP/1.1 401 Unauthorized");
      assert.deepEqual(named("transfer-encoding"), [], "framed by its content-length alone");
      assert.deepEqual(named("keep-alive"), [], "the upstream's connection is not this one");
      assert.deepEqual(named("connection"), ["close"]);
      assert.deepEqual(named("content-encoding"), [], "the content goes as fetch decoded it");
      assert.deepEqual(named("content-type"), ["application/json"], "the upstream's own fields go");
      const content = reply.subarray(end + 4);
      assert.deepEqual(named("content-length"), [String(content.length)]);
      assert.equal(new TextDecoder().decode(content), REFUSAL);
    } finally {
      await server.close();
      await upstream.close();
    }
  });
}
