// A WAV header counts at most 0xFFFFFFFF − 36 bytes of PCM (its RIFF size, 36 + the data's, is 32
// bits wide): 6.2 hours of 48 kHz stereo. A recording that reaches that ends there, a stream of
// exactly the most whole sample frames a header can count, its true header exact, and counts the
// call that went on unrecorded (`stats.pastLimitMs`). It wrote on before: a file given its true
// header (the README's file example) held PCM past its RIFF chunk, which a reader that follows the
// header never plays, and nothing counted it.
// The recorder is driven as a transport drives an observer (`SessionObserver`), on a fake clock:
// the caller speaks, falls silent for 6.4 hours (silence is written as a count, not allocated),
// and speaks again.
import assert from "node:assert/strict";
import { type AudioFrame, CallRecorder } from "../../mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";

/** 20 ms of the caller (16 kHz mono), every sample `value`. */
function callerFrame(value: number): AudioFrame {
  return { type: "audio", audio: new Uint8Array(640).fill(value), sampleRate: 16000, channels: 1 };
}

for (const layout of ["stereo", "separate"] as const) {
  Deno.test(`\`CallRecorder\` ends at the most a WAV can count, its header exact, and counts the rest of the call (${layout})`, async () => {
    const clock = new FakeClock();
    const recorder = new CallRecorder({ clock, sampleRate: 48000, layout });
    recorder.observing({ clock });
    const streams = layout === "stereo" ? [recorder.readable] : [recorder.caller, recorder.bot];
    const frameBytes = layout === "stereo" ? 4 : 2;
    const read = streams.map(() => 0);
    const reading = streams.map((stream, i) =>
      stream.pipeTo(new WritableStream({ write: (chunk) => void (read[i]! += chunk.length) }))
    );
    await clock.tick(20);
    recorder.inboundAudio(callerFrame(5), clock.now());
    await clock.tick(layout === "stereo" ? 23_000_000 : 45_000_000); // 6.4 (12.5) hours on
    recorder.inboundAudio(callerFrame(5), clock.now());
    assert.equal(recorder.stopped, true, "ended at the limit, the call going on");
    await Promise.all(reading); // the streams ended
    // The most PCM bytes, in whole sample frames, a WAV header can count.
    const limitBytes = Math.floor((0xffffffff - 36) / frameBytes) * frameBytes;
    for (
      const [i, stream] of (layout === "stereo" ? [undefined] : ["caller", "bot"] as const)
        .entries()
    ) {
      assert.equal(read[i]! - 44, limitBytes, "exactly the most a header can count");
      const header = new DataView(recorder.wavHeader(stream).buffer);
      assert.equal(header.getUint32(40, true), limitBytes);
      assert.equal(header.getUint32(4, true), 36 + limitBytes);
    }
    const limitAt = limitBytes / (48 * frameBytes); // ms into the call (its timeline starts at 0)
    await clock.tick(60_000);
    recorder.closed({ code: 1000, reason: "", initiator: "remote" }); // the call ends
    const endedAt = clock.now();
    await clock.tick(1000);
    const stats = recorder.stats;
    assert.equal(stats.durationMs, limitAt);
    assert.equal(stats.pastLimitMs, endedAt - limitAt, "the call after the limit, counted");
    assert.equal(stats.droppedMs, 0);
  });
}
