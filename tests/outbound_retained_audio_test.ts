// A transport kept after its session has ended (a list of recent sessions, their `stats`) holds
// none of the bot's audio, however the reply went: when a session is over, its memory is gone.
import assert from "node:assert/strict";
import { runWithGc } from "./_gc_script.ts";

Deno.test("an ended transport holds none of the audio the bot wrote, played out, interrupted or dropped", async () => {
  // In a process of its own, where a full garbage collection can be asked for before measuring.
  const report = await runWithGc(new URL("./_retained_script.ts", import.meta.url)) as {
    way: string;
    buffersKept: number;
    bytesPerTransport: number;
  }[];
  assert.equal(report.length, 12);
  for (const { way, buffersKept, bytesPerTransport } of report) {
    // The bot's own buffers, where they were sent as written (real-time frames are not copied).
    assert.equal(buffersKept, 0, `${way}: the bot's buffers are kept`);
    // The reply was 320 KB (10 s at 16 kHz), copied once where it waited in the queue; an ended
    // transport that wrote no audio holds about 16 KB (its state and counts).
    assert.ok(
      bytesPerTransport < 64 * 1024,
      `${way}: each ended transport holds ${(bytesPerTransport / 1024).toFixed(0)} KB`,
    );
  }
});
