// `waitUntil` is checked with the other options: a function, or absent. What is not (`ctx` itself
// given for `ctx.waitUntil`) is a `TypeError` naming it when the transport is made, not a throw
// inside the hang-up of some later call.
import assert from "node:assert/strict";
import { WebSocketTransport } from "../src/transport.ts";
import { MemorySocketPair } from "../src/testing/mod.ts";
import type { TransportOptions } from "../src/transport_options.ts";
import { checkSharedOptions } from "../src/adapters/_shared_options.ts";

Deno.test("`waitUntil` must be a function or absent, as transports and shared options are made", () => {
  const ctx = { waitUntil: (_promise: Promise<unknown>) => {} };
  const wrong = { waitUntil: ctx } as unknown as TransportOptions;
  const named = {
    name: "TypeError",
    message: "waitUntil must be a function, such as (promise) => ctx.waitUntil(promise), " +
      "got an object",
  };
  assert.throws(() => new WebSocketTransport(new MemorySocketPair().server, wrong), named);
  assert.throws(() => checkSharedOptions(wrong), named);
  const waitUntil = (promise: Promise<unknown>) => ctx.waitUntil(promise);
  assert.equal(checkSharedOptions({ waitUntil }).waitUntil, waitUntil);
  assert.equal(checkSharedOptions({}).waitUntil, undefined);
});
