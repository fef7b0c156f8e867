// README, Security: on Node "a refusal body of its (an upstream's response)" is written by the
// adapter. Such a response keeps the upstream's `Transfer-Encoding: chunked` and, `fetch` having
// decoded the content, its `Content-Encoding`; copied beside the adapter's `content-length`, the
// refusal was no valid HTTP/1.1 message (RFC 9112, 6.1), and `ws`'s own client, under Node, failed
// with "Parse Error: Content-Length can't be present with Transfer-Encoding" in place of the 401
// (its "unexpected-response" event, ws's docs). The far end is that client, in the same Node.
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { bundleForNode } from "./node/child_runtime.ts";

Deno.test("`upgradeHandler` on Node: `ws`'s client reads an upstream's refusal handed back by `authorize` as the 401 it is", async () => {
  const bundle = await bundleForNode(import.meta.resolve("./node/upstream_refusal.ts"));
  try {
    const run = await new Deno.Command("node", { args: [bundle], stdin: "null" }).output();
    const out = new TextDecoder().decode(run.stdout);
    assert.equal(run.code, 0, out + new TextDecoder().decode(run.stderr));
    const refusal = [401, '{"error":"token expired"}'];
    assert.deepEqual(JSON.parse(out), { chunked: refusal, gzip: refusal });
  } finally {
    await Deno.remove(dirname(bundle), { recursive: true });
  }
});
