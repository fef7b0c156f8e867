// examples/twilio and examples/realtime-bridge each carry public_host.ts, so that each example
// folder stands alone when copied: the two copies must stay one file.
import assert from "node:assert/strict";

Deno.test("the examples' two copies of public_host.ts are the same file", async () => {
  const read = (example: string) =>
    Deno.readTextFile(new URL(`../../examples/${example}/public_host.ts`, import.meta.url));
  assert.equal(await read("realtime-bridge"), await read("twilio"));
});
