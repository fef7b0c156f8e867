// A caller whose client stops sending for over a minute (muted, on hold) while the bot is silent
// too: the recorder is told nothing meanwhile, so its first frame after the pause lies further
// ahead of what is written out than the rings hold (`holdMs` + 60.1 s), and writing it makes room
// first. That commit ended the caller's open stretch, the one the frame was being written into:
// its resampler was flushed in the middle of the frame (the held-back samples laid where the
// frame's own went, counted `overrunMs` though nothing came faster than real time), and the next
// frame started a stretch of its own from silence, after a hole: a click in continuous speech.
// The recorder is driven as a transport drives an observer (`SessionObserver`), on a fake clock.
import assert from "node:assert/strict";
import { type AudioFrame, CallRecorder } from "../../mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { parseWav } from "./_wav.ts";
import { collect } from "./_call.ts";

/**
 * 20 ms of the caller at 16 kHz, every sample `value` (the recording at 8 kHz resamples it),
 * stamped with its media time `timestampMs` where the protocol has one.
 */
function callerFrame(value: number, timestampMs?: number): AudioFrame {
  const samples = new Int16Array(320).fill(value);
  const audio = new Uint8Array(samples.buffer);
  const frame: AudioFrame = { type: "audio", audio, sampleRate: 16000, channels: 1 };
  return timestampMs === undefined ? frame : { ...frame, timestampMs };
}

/**
 * The caller speaks 200 ms, sends nothing for `pauseMs`, and speaks 200 ms again; `stamped`: its
 * frames carry their media time (the media clock running on through the pause).
 */
async function record(
  pauseMs: number,
  stamped: boolean,
): Promise<{ left: Int16Array; overrunMs: number }> {
  const clock = new FakeClock();
  const recorder = new CallRecorder({ clock, sampleRate: 8000 });
  recorder.observing({ clock });
  const wav = collect(recorder.readable);
  const speak = async () => {
    for (let i = 0; i < 10; i++) {
      await clock.tick(20);
      const mediaMs = stamped ? clock.now() - 20 : undefined; // the call began at 0
      recorder.inboundAudio(callerFrame(1000, mediaMs), clock.now());
    }
  };
  await speak();
  await clock.tick(pauseMs);
  await speak();
  await clock.tick(2000);
  recorder.stop();
  return { left: parseWav(await wav).samples[0]!, overrunMs: recorder.stats.overrunMs };
}

for (const pauseMs of [30_000, 70_000]) {
  for (const stamped of [false, true]) {
    Deno.test(`\`CallRecorder\` records a caller resumed after ${pauseMs / 1000} s of nothing as one stretch from silence, as at the call's start${stamped ? " (media timestamps)" : ""}`, async () => {
      const { left, overrunMs } = await record(pauseMs, stamped);
      assert.equal(overrunMs, 0, "nothing came faster than real time");
      // Both stretches are the same 200 ms from silence through the same resampler: sample for
      // sample alike (at 8 kHz, 1600 samples each, and the silence after).
      const resumed = (200 + pauseMs) * 8;
      assert.deepEqual(
        [...left.subarray(resumed, resumed + 1700)],
        [...left.subarray(0, 1700)],
        "the resumed stretch as the first: no hole, no restart inside it",
      );
    });
  }
}
