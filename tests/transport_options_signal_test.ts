// The `signal` option as the README's options table gives it: "aborting it closes the session"
// (the option's own documentation: code 1000). A close of ours, so no "disconnected" (the events
// table: "never when we ended it"), and a signal shared by many sessions (a server's) keeps no
// listener of a session that has ended.
import assert from "node:assert/strict";
import { WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { countedAbort } from "./_counted_abort.ts";

Deno.test("`WebSocketTransport` closes with 1000 from this side when its `signal` aborts", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const { controller, listening } = countedAbort();
  const transport = new WebSocketTransport(pair.server, { clock, signal: controller.signal });
  let disconnected = 0;
  transport.addEventListener("disconnected", () => disconnected++);
  await clock.tick(0);
  assert.equal(transport.connected, true);
  assert.equal(listening(), 1);
  controller.abort();
  await clock.runAll();
  assert.deepEqual(await transport.closed, { code: 1000, reason: "", initiator: "local" });
  assert.equal(disconnected, 0, "we ended it: no disconnected");
  assert.equal(listening(), 0, "the session let go of the signal");
});

Deno.test("`WebSocketTransport` given an aborted `signal` closes at once with 1000", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, { clock, signal: AbortSignal.abort() });
  await clock.runAll();
  assert.deepEqual(await transport.closed, { code: 1000, reason: "", initiator: "local" });
});

Deno.test("`WebSocketTransport` lets go of its `signal` when the peer ends the session", async () => {
  const clock = new FakeClock();
  const { controller, listening } = countedAbort();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, { clock, signal: controller.signal });
  await clock.tick(0);
  pair.client.close(1000);
  assert.deepEqual(await transport.closed, { code: 1000, reason: "", initiator: "remote" });
  await clock.runAll();
  assert.equal(listening(), 0);
  controller.abort(); // after the end: nothing left to close, nothing thrown
});
