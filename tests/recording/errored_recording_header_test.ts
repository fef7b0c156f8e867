// A recording whose stream errors (audio it cannot resample) after a reader fell behind: the
// blocks waiting for that reader are never delivered. Its true header and `stats.durationMs`
// counted them all the same, so a sink that kept what it read and wrote the true header over it
// claimed seconds past the end of its file.
import assert from "node:assert/strict";
import { CallRecorder, type RecordingLayout } from "../../mod.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { pcmFrame, toldChunk } from "./_call.ts";

for (const layout of ["stereo", "separate"] as const satisfies RecordingLayout[]) {
  Deno.test(`\`CallRecorder\` (${layout}) counts in its true header what its reader got before the stream errored`, async () => {
    const clock = new FakeClock();
    const recorder = new CallRecorder({ clock, sampleRate: 16000, layout });
    const stream = layout === "separate" ? recorder.caller : recorder.readable;
    const reader = stream.getReader();
    let pcmRead = -44; // the streaming header comes first
    const readOne = async () => (pcmRead += (await reader.read()).value!.length);
    await readOne();
    // 3 s of the caller, written out behind the 1 s hold; the reader takes one block, then none.
    for (let t = 20; t <= 3000; t += 20) {
      await clock.tick(20);
      recorder.inboundAudio(pcmFrame(new Int16Array(320).fill(257), 16000), t);
      if (t === 1200) await readOne();
    }
    assert.ok(pcmRead > 0);
    // The bot speaks at a rate no resampler takes: the recording fails there.
    recorder.outboundAudio(pcmFrame(new Int16Array(220), 11025), toldChunk(0, 3000));
    await assert.rejects(reader.read(), /bot audio at 11025 Hz cannot be resampled/);
    const stereoFactor = layout === "stereo" ? 2 : 1;
    const header = new DataView(
      recorder.wavHeader(...(layout === "separate" ? ["caller" as const] : [])).buffer,
    );
    assert.equal(header.getUint32(40, true), pcmRead, "the data size: what was read");
    assert.equal(header.getUint32(4, true), 36 + pcmRead, "the RIFF size");
    assert.equal(recorder.stats.durationMs, pcmRead / (32 * stereoFactor));
  });
}
