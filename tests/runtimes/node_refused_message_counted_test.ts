// README, the stats table: a message over `maxMessageBytes` is "refused unread, 1009" and counted
// in `decodeErrors`, received in `messagesIn`, as Deno counts it. Under Node `ws` refuses it from
// its frame header before the transport sees it: it was counted nowhere (messagesIn 1, the message
// read before it, decodeErrors 0). The far end is `ws`'s client, in the same Node.
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { bundleForNode } from "./node/child_runtime.ts";

Deno.test("`upgradeHandler` on Node: a message `ws` refused over maxMessageBytes is counted in messagesIn and decodeErrors", async () => {
  const bundle = await bundleForNode(import.meta.resolve("./node/refused_message_counted.ts"));
  try {
    const run = await new Deno.Command("node", { args: [bundle], stdin: "null" }).output();
    const out = new TextDecoder().decode(run.stdout);
    assert.equal(run.code, 0, out + new TextDecoder().decode(run.stderr));
    assert.deepEqual(JSON.parse(out), { code: 1009, messagesIn: 2, decodeErrors: 1 });
  } finally {
    await Deno.remove(dirname(bundle), { recursive: true });
  }
});
