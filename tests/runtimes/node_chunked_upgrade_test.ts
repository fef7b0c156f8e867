// README, "Every adapter checks a request the same way": an upgrade "with a body" is refused with
// 405. A request has a body when it sends `Transfer-Encoding` (RFC 9112, 6.1); Node's server hands
// a chunked upgrade's body on as the upgrade's first bytes, which `ws` read as frames: it was
// upgraded (101). The far end writes the request byte for byte, in the same Node.
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { bundleForNode } from "./node/child_runtime.ts";

Deno.test("`upgradeHandler` on Node refuses a chunked GET upgrade with 405", async () => {
  const bundle = await bundleForNode(import.meta.resolve("./node/chunked_upgrade.ts"));
  try {
    const run = await new Deno.Command("node", { args: [bundle], stdin: "null" }).output();
    const out = new TextDecoder().decode(run.stdout);
    assert.equal(run.code, 0, out + new TextDecoder().decode(run.stderr));
    assert.deepEqual(JSON.parse(out), { status: "HTTP/1.1 405 Method Not Allowed" });
  } finally {
    await Deno.remove(dirname(bundle), { recursive: true });
  }
});
