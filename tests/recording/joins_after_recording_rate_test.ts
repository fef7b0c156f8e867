// A reply whose audio changes rate mid-way, to the recording's own and back: the recording
// resamples only what is not at its rate, and keeps (to replay a packet's joined spells through
// one resampler: src/recording/_kept_chunks.ts) only that; a chunk at its rate lets go of what was
// kept. A move that began at such a chunk found the kept chunks starting after it, and replayed
// none of what it moved: the spells after it, joined back to back by the move, kept each its own
// stretch from silence, the first ending with its resampler's tail from silence and the next
// beginning from silence, a dip and a ring at the join that the caller never heard.
import assert from "node:assert/strict";
import { CallRecorder } from "../../mod.ts";
import { Resampler } from "../../src/audio/resampler.ts";
import { KeptChunks } from "../../src/recording/_kept_chunks.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { concatSamples } from "../audio/_test_signals.ts";
import { sine } from "../audio/tone.ts";
import { pcmFrame, toldChunk } from "./_call.ts";
import { parseWav } from "./_wav.ts";

/** A 440 Hz tone at 16 kHz and at 8 kHz (the recording's rate), 20 ms chunk `n` of each. */
const TONE = sine(440, 16000, 16000, 8000);
const TONE_8K = sine(440, 8000, 8000, 8000);
const chunk = (n: number) => pcmFrame(TONE.subarray(320 * n, 320 * (n + 1)), 16000);
const chunk8k = (n: number) => pcmFrame(TONE_8K.subarray(160 * n, 160 * (n + 1)), 8000);

Deno.test("`CallRecorder` records a packet's joined spells as one stretch where the moved audio begins at the recording's rate", async () => {
  // Told as a transport tells an observer (see resampled_packet_joins_test.ts): 16 kHz, then a
  // chunk at 8 kHz, then two 16 kHz chunks each a spell of its own by the pacing estimate (written
  // late); a packet held all from 20 ms on, which left at 580 ms and played back to back.
  const clock = new FakeClock();
  const recorder = new CallRecorder({ clock, sampleRate: 8000 });
  const wav = new Response(recorder.readable).arrayBuffer();
  await clock.tick(500);
  recorder.outboundAudio(chunk(0), toldChunk(0, 500));
  await clock.tick(20);
  recorder.outboundAudio(chunk8k(1), toldChunk(20, 520));
  await clock.tick(27);
  recorder.outboundAudio(chunk(2), toldChunk(40, 547));
  await clock.tick(27);
  recorder.outboundAudio(chunk(3), toldChunk(60, 574));
  await clock.tick(6);
  recorder.playoutMoved({ at: 580, position: 20, playsAt: 580 });
  await clock.tick(1420);
  recorder.stop();
  const [, bot] = parseWav(new Uint8Array(await wav)).samples;
  // The 8 kHz chunk as it is, then 40-80 ms of the tone through one resampler, from silence.
  assert.deepEqual(bot!.subarray(580 * 8, 600 * 8), TONE_8K.subarray(160, 320));
  const resampler = new Resampler({ inputRate: 16000, outputRate: 8000 });
  const joined = TONE.subarray(640, 1280);
  const expected = concatSamples([resampler.process(joined), resampler.flush()]);
  assert.deepEqual(bot!.subarray(600 * 8, 640 * 8), expected);
  assert.equal(recorder.stats.lateMs, 0);
});

Deno.test("`KeptChunks.replayStart` starts no replay inside a stretch begun before the chunks kept", () => {
  // Kept for 1.6 s with a 1 s hold: after 2 s of one stretch, the first chunk kept is part-way
  // through it, and a replay from it would restart the resampler from silence in continuous audio.
  const kept = new KeptChunks(8000, 1000);
  for (let n = 0; n < 100; n++) kept.keep(chunk(n % 50), 20 * n, 20, 320 * n);
  assert.ok(kept.chunks[0]!.position > 0);
  assert.equal(kept.replayStart(0, 2000), -1);
  // One that began a stretch of its own (a spell after a break) is where a replay may start.
  kept.keep(chunk(0), 2100, 20, 0);
  kept.keep(chunk(1), 2120, 20, 320);
  assert.equal(kept.replayStart(2060, 2140), 0);
});
