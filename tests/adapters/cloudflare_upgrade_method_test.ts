// workerd hands a Worker a POST or PUT upgrade as a GET (keeping its body) and fails the 101 it is
// answered with itself (a 500, "WebSocket must be initiated with a GET request"): the Cloudflare
// adapter tells such a request by its body's length and refuses it with 405, as the other adapters
// refuse a POST. A real GET that says `Content-Length: 0` is upgraded (workerd gives it an empty
// body stream: the stream is not what tells). One that says `Transfer-Encoding` has a body (RFC
// 9112, 6.1), whose length no header tells, empty or not: refused with 405 as on every adapter
// (Node hands a chunked body on as the upgrade's first bytes, which `ws` read as frames).
import assert from "node:assert/strict";
import { admit } from "../../src/adapters/_admission.ts";
import { miniflareSanitizers } from "../runtimes/miniflare_sanitizers.ts";
import { hostWorker } from "../runtimes/cloudflare/hosted_worker.ts";
import { readStatusLine, sendRawUpgrade } from "./_raw_upgrade.ts";
import { UPGRADE_HEADERS } from "./_upgrade_request.ts";

/** The status line workerd answers a raw GET upgrade with, `extra` headers and `body` added. */
async function statusOf(url: URL, extra: string, body = ""): Promise<string | undefined> {
  const conn = await sendRawUpgrade(Number(url.port), extra, body);
  const status = await readStatusLine(conn);
  conn.close();
  return status;
}

Deno.test({
  name:
    "Cloudflare `upgrade` refuses a POST or PUT upgrade in workerd with 405, not a 500, and a chunked GET; takes a GET saying Content-Length: 0",
  ...miniflareSanitizers,
  async fn() {
    const { url, hosted } = await hostWorker(
      new URL("./_cloudflare_upgrade_worker.ts", import.meta.url),
      "2026-04-07",
    );
    try {
      for (const [method, body] of [["POST", "{}"], ["PUT", "x"]] as const) {
        const response = await fetch(new URL("/ws", url), {
          method,
          headers: UPGRADE_HEADERS,
          body,
        });
        assert.equal(response.status, 405, method);
        assert.equal(response.headers.get("allow"), "GET", method);
        assert.equal(
          await response.text(),
          "WebSocket upgrades use GET, with no body: this request has one",
          method,
        );
      }
      assert.equal(await statusOf(url, ""), "HTTP/1.1 101 Switching Protocols");
      assert.equal(
        await statusOf(url, "Content-Length: 0\r\n"),
        "HTTP/1.1 101 Switching Protocols",
        "Content-Length: 0",
      );
      assert.equal(
        await statusOf(url, "Transfer-Encoding: chunked\r\n", "0\r\n\r\n"),
        "HTTP/1.1 405 Method Not Allowed",
        "a chunked body, empty",
      );
    } finally {
      await hosted.dispose();
    }
  },
});

Deno.test("`admit` refuses an upgrade that carries a body as it refuses another method: 405, Allow GET", async () => {
  // As workerd hands a POST over: a GET with a body, which `new Request` would not make.
  const headers = new Headers({ ...UPGRADE_HEADERS, "content-length": "2" });
  const told = { method: "GET", headers, body: new ReadableStream() };
  const refusal = await admit(told as unknown as Request, {});
  assert.equal(refusal?.status, 405);
  assert.equal(refusal?.headers.get("allow"), "GET");
  await refusal?.body?.cancel();
  const post = await admit(
    new Request("http://x/ws", { method: "POST", headers: UPGRADE_HEADERS }),
    {},
  );
  assert.equal(post?.status, 405);
  assert.equal(await post?.text(), "WebSocket upgrades use GET, not POST");
});
