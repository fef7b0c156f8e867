// `CallDurableObject.route` checks `idFrom` on every request, not only on those admitted: one that
// is no function used to pass every refused request and then fail the first real call as an
// unclear "is not a function". And it checks `idFrom`'s answer before handing it to the
// namespace's `idFromName`, which in workerd takes any value as a name, written as a string
// (measured with Miniflare 4, workerd 1.20260730.1: `idFromName(undefined)`,
// `idFromName(Promise.resolve("x"))` and `idFromName(42)` reach objects named "undefined",
// "[object Promise]" and "42"). An async `idFrom` sent every call to one object, which takes one
// connection at a time: all but one were refused 409, unexplained; one that returns `undefined`
// for "no id" (plain JavaScript: `match(…)?.[1]`) woke an object "undefined" for each request
// without one, where `null` is refused 404.
import assert from "node:assert/strict";
import { CallDurableObject } from "../../src/adapters/cloudflare_durable_object.ts";
import { upgradeRequest } from "./_upgrade_request.ts";

const reached: string[] = [];
const namespace = {
  idFromName: (name: unknown) => String(name), // as workerd names it
  get: (id: never) => ({
    fetch: () => {
      reached.push(id);
      return Promise.resolve(new Response("reached"));
    },
  }),
};

const upgrade = upgradeRequest({ url: "https://example.test/ws/call-1" });

Deno.test("CallDurableObject.route refuses an idFrom that is not a function", async () => {
  await assert.rejects(
    CallDurableObject.route(upgrade, namespace, { idFrom: "call-1" as never }),
    { name: "TypeError", message: "idFrom must be a function, got string" },
  );
  assert.deepEqual(reached, [], "no call reached an object");
});

Deno.test("CallDurableObject.route refuses an idFrom whose answer is no string nor null, and routes none", async () => {
  const answers = [Promise.resolve("call-1"), undefined, 42];
  const named = ["[object Promise]", "undefined", "42"];
  for (const [i, answer] of answers.entries()) {
    await assert.rejects(
      CallDurableObject.route(upgrade, namespace, { idFrom: () => answer as never }),
      {
        name: "TypeError",
        message: `idFrom must return the call's id as a string, or null (404), got ${named[i]}`,
      },
    );
  }
  assert.deepEqual(reached, [], "no call reached an object");
  const refused = await CallDurableObject.route(upgrade, namespace, { idFrom: () => null });
  assert.equal(refused.status, 404);
  const routed = await CallDurableObject.route(upgrade, namespace, { idFrom: () => "call-1" });
  assert.equal(await routed.text(), "reached");
  assert.deepEqual(reached, ["call-1"]);
});
