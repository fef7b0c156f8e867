// When a session is over, its memory is gone too: a transport kept once its session has ended (as
// an application keeps its recent sessions, to read their `stats`) held every observer it had told
// the end, and all they held (a recorder's buffers, a custom observer's state), for good.
import assert from "node:assert/strict";
import { runWithGc } from "./_gc_script.ts";

Deno.test("an ended transport that is kept holds none of its observers", async () => {
  // In a process of its own, where a full garbage collection can be asked for before measuring.
  const report = await runWithGc(new URL("./_ended_observers_script.ts", import.meta.url)) as {
    observersCollected: number;
    transportsKept: number;
  };
  assert.equal(report.transportsKept, 20);
  assert.equal(report.observersCollected, 20, "every ended session's observer can be collected");
});
