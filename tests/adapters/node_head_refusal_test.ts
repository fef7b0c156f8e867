// The Node adapter writes its refusals itself, on the raw connection. A reply to HEAD carries no
// content: RFC 9110, 9.3.2 ("the server MUST NOT send content in the response" to HEAD) and 8.6
// (its Content-Length is the one a GET would have had); RFC 9112, 6.3 ("Any response to a HEAD
// request ... is always terminated by the first empty line after the header fields"). The body
// written after it was read by the client as the start of a next response. Real server on
// 127.0.0.1 port 0, a raw TCP client that reads the reply until the server closes.
import assert from "node:assert/strict";
import { serveNodeUpgrades } from "./_node_upgrades.ts";
import { sendRawUpgrade } from "./_raw_upgrade.ts";

/** Everything the server writes on `conn` until it closes the connection. */
async function readToEnd(conn: Deno.Conn): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(4096);
  for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
    text += decoder.decode(buffer.subarray(0, n), { stream: true });
  }
  return text;
}

Deno.test("Node `upgradeHandler` answers a HEAD upgrade with a 405 that ends with its headers, its length that of the GET's", async () => {
  const server = await serveNodeUpgrades();
  try {
    const conn = await sendRawUpgrade(server.port, "", "", "HEAD");
    const reply = await readToEnd(conn);
    conn.close();
    const [head, content] = reply.split("\r\n\r\n");
    assert.match(head!, /^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    assert.match(head!, /\r\nallow: GET\r\n/);
    assert.match(head!, /\r\ncontent-length: 36(\r\n|$)/, "the GET's length: 'not HEAD'");
    assert.equal(content, "", "no content after the header section");
  } finally {
    await server.close();
  }
});

Deno.test("Node `upgradeHandler` still sends the refusal's content to a GET", async () => {
  const server = await serveNodeUpgrades({
    authorize: () => new Response("nope", { status: 403 }),
  });
  try {
    const conn = await sendRawUpgrade(server.port);
    const reply = await readToEnd(conn);
    conn.close();
    assert.match(reply, /^HTTP\/1\.1 403 Forbidden\r\n/);
    assert.equal(reply.split("\r\n\r\n")[1], "nope");
  } finally {
    await server.close();
  }
});
