// A recorder the application keeps once its call is over (for `wavHeader()` or `stats`) holds
// neither the session nor the recording's buffers: when a session is over, its memory is gone.
import assert from "node:assert/strict";
import { runWithGc } from "../_gc_script.ts";

Deno.test("`CallRecorder` kept after its call has ended holds neither the session nor its buffers", async () => {
  // In a process of its own, where a full garbage collection can be asked for before measuring.
  const report = await runWithGc(new URL("./_finished_calls.ts", import.meta.url)) as {
    sessionsCollected: number;
    bytesPerRecorder: number;
  };
  assert.equal(report.sessionsCollected, 20, "every ended session can be collected");
  // Its two rings alone hold 256 KB at 16 kHz (the session, more); what an ended recorder must
  // keep (its counts, the header's sizes) is a few KB.
  assert.ok(
    report.bytesPerRecorder < 64 * 1024,
    `each ended recorder holds ${(report.bytesPerRecorder / 1024).toFixed(0)} KB`,
  );
});
