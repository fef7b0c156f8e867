// `CallDurableObject.route` checks `idFrom` on every request, not only on those admitted: one that
// is no function used to pass every refused request and then fail the first real call as an
// unclear "is not a function".
import assert from "node:assert/strict";
import { CallDurableObject } from "../../src/adapters/cloudflare_durable_object.ts";

const namespace = {
  idFromName: (name: string) => name,
  get: () => ({ fetch: () => Promise.resolve(new Response("reached")) }),
};

Deno.test("CallDurableObject.route refuses an idFrom that is not a function", async () => {
  const upgrade = new Request("https://example.test/ws/call-1", {
    headers: {
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      "sec-websocket-version": "13",
    },
  });
  await assert.rejects(
    CallDurableObject.route(upgrade, namespace, { idFrom: "call-1" as never }),
    { name: "TypeError", message: "idFrom must be a function, got string" },
  );
  const reached = await CallDurableObject.route(upgrade, namespace, { idFrom: () => "call-1" });
  assert.equal(await reached.text(), "reached");
});
