// A recorder the application keeps once its call is over (for `wavHeader()` or `stats`) holds
// neither the session nor the recording's buffers: when a session is over, its memory is gone.
import assert from "node:assert/strict";
import { runWithGc } from "../_gc_script.ts";

Deno.test("`CallRecorder` kept after its call has ended holds neither the session nor its buffers", async () => {
  // In a process of its own, where a full garbage collection can be asked for before measuring.
  const report = await runWithGc(new URL("./_finished_calls.ts", import.meta.url)) as {
    sampleRate: number;
    sessionsCollected: number;
    bytesPerRecorder: number;
  }[];
  assert.deepEqual(report.map((r) => r.sampleRate), [16000, 48000]);
  for (const { sampleRate, sessionsCollected, bytesPerRecorder } of report) {
    assert.equal(sessionsCollected, 20, `${sampleRate} Hz: every ended session can be collected`);
    // Its two rings alone hold 256 KB at 16 kHz (the session, more), and a call resampled to
    // 48 kHz held its resamplers, 80 KB or more; what an ended recorder must keep (its counts, the
    // header's sizes) is a few KB.
    assert.ok(
      bytesPerRecorder < 64 * 1024,
      `${sampleRate} Hz: each ended recorder holds ${(bytesPerRecorder / 1024).toFixed(0)} KB`,
    );
  }
});
