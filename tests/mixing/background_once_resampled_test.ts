// A track played once (`loop: false`) in another format than the transport's is resampled as it
// plays, between silences: not as a loop, whose filter runs the track's end into its start.
import assert from "node:assert/strict";
import { type AudioFrame, BackgroundAudio } from "../../mod.ts";

const samplesOf = (f: AudioFrame) =>
  new Int16Array(f.audio.buffer, f.audio.byteOffset, f.audio.length / 2);

/** 500 ms of digital silence, then 500 ms of a loud 440 Hz tone cut off at its loudest. */
function silenceThenLoudEnd(rate: number): Int16Array {
  const track = new Int16Array(rate);
  for (let i = rate / 2; i < rate; i++) {
    track[i] = Math.round(20000 * Math.sin((2 * Math.PI * 440 * i) / rate));
  }
  return track;
}

/** Everything `track` plays at `outRate`, chunk by chunk until it has ended. */
function played(track: Int16Array, inRate: number, outRate: number, loop: boolean): number[] {
  let ended = false;
  const background = new BackgroundAudio(track, {
    sampleRate: inRate,
    volume: 1,
    fadeMs: 0,
    loop,
    onEnded: () => ended = true,
  });
  background.attach({ sampleRate: outRate, channels: 1, chunkMs: 20 }, () => {});
  const out: number[] = [];
  for (let chunk = 0; chunk < 100 && !ended; chunk++) out.push(...samplesOf(background.fill()!));
  return out;
}

const peak = (samples: number[]) => samples.reduce((max, s) => Math.max(max, Math.abs(s)), 0);

Deno.test("`BackgroundAudio` with loop: false resampled begins in its own silence, not with a ring of its loud end", () => {
  for (const [inRate, outRate] of [[48000, 8000], [8000, 24000], [44100, 16000], [16000, 8000]]) {
    const track = silenceThenLoudEnd(inRate!);
    // The same track object looped first: its converted loop is cached, and must not be the one
    // played once (nor the other way round).
    const looped = played(track, inRate!, outRate!, true);
    const once = played(track, inRate!, outRate!, false);
    const silentMs = 400; // of the track's 500 ms of silence, clear of any filter's lead
    const head = once.slice(0, (outRate! * silentMs) / 1000);
    assert.ok(peak(head) <= 1, `${inRate} → ${outRate} Hz: its silence begins at ${peak(head)}`);
    assert.equal(once.length, outRate!, "played once, whole");
    assert.ok(peak(once.slice(outRate! * 0.6)) > 15000, "the tone plays");
    // Looped, the end does run into the start: that is the seam, heard as the loop goes round.
    assert.ok(peak(looped.slice(0, outRate! * 0.005)) > 100, "the loop's seam is its own");
  }
});
