// A signal given to many `simulateCall`s (a load script's, a test run's), never aborted and kept,
// must not keep each ended call, its caller's socket and what the call held (its recording's
// buffers, the far end's queue): the call stops listening to it once its report is in.
import assert from "node:assert/strict";
import { runWithGc } from "./_gc_script.ts";

Deno.test("a shared abort signal kept after `simulateCall`s holds none of their sockets", async () => {
  // In a process of its own, where a full garbage collection can be asked for before measuring.
  const report = await runWithGc(new URL("./_leaks_simulate_call_script.ts", import.meta.url));
  assert.deepEqual(report, {
    twilio: { socketsKept: 0, ended: ["caller"] },
    asterisk: { socketsKept: 0, ended: ["caller"] },
  });
});
