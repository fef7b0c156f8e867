// `compression` on Workers agrees permessage-deflate only when it is `true`. Plain JavaScript has no
// type checker: a string such as "false" (from an environment variable) is truthy, and a reader
// would not know which way it went; it is refused with a `TypeError` when `upgrade` is called, as
// `terminate` and `protocol` are, before anything is upgraded.
import assert from "node:assert/strict";
import { upgrade } from "../../src/adapters/cloudflare.ts";
import { upgradeRequest } from "./_upgrade_request.ts";
import { withMemoryWorkers } from "./_memory_workers.ts";

Deno.test("`upgrade` on Workers refuses a `compression` that is no boolean, upgrading nothing", async () => {
  await withMemoryWorkers(async (clients) => {
    for (const [compression, got] of [["false", "string"], [1, "number"], [null, "object"]]) {
      await assert.rejects(upgrade(upgradeRequest(), { compression: compression as never }), {
        name: "TypeError",
        message: `compression must be a boolean, got ${got}`,
      });
    }
    assert.equal(clients.length, 0, "no WebSocketPair was made");
  });
});
