// A recorder detached and observed again is told nothing of the chunks in between: the positions
// of what it is told break there. The bot's track keeps its last chunks to replay a packet's
// joined spells through one resampler (src/recording/_kept_chunks.ts); at the break it let go of
// what it kept and put the chunk after it on the list it let go of, so a join from that chunk
// found it missing and was not replayed: at the join, the first spell's stretch ended with its
// resampler's tail from silence and the next began from silence, a dip the caller never heard.
import assert from "node:assert/strict";
import { CallRecorder } from "../../mod.ts";
import { Resampler } from "../../src/audio/resampler.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { concatSamples } from "../audio/_test_signals.ts";
import { sine } from "../audio/tone.ts";
import { pcmFrame, toldChunk } from "./_call.ts";
import { parseWav } from "./_wav.ts";

/** A 440 Hz tone at 16 kHz, 20 ms chunk `n` of it. */
const TONE = sine(440, 16000, 16000, 8000);
const chunk = (n: number) => pcmFrame(TONE.subarray(320 * n, 320 * (n + 1)), 16000);

Deno.test("`CallRecorder` observed again records a packet's joined spells after the break as one stretch", async () => {
  // Told as a transport tells an observer (see resampled_packet_joins_test.ts), but not the
  // chunk at 20 ms (detached then). From 40 ms: a chunk, then one late (a spell of its own by the
  // pacing estimate), both held by one packet that left at 580 ms and played back to back.
  const clock = new FakeClock();
  const recorder = new CallRecorder({ clock, sampleRate: 8000 });
  const wav = new Response(recorder.readable).arrayBuffer();
  await clock.tick(500);
  recorder.outboundAudio(chunk(0), toldChunk(0, 500));
  await clock.tick(47);
  recorder.outboundAudio(chunk(2), toldChunk(40, 547));
  await clock.tick(27);
  recorder.outboundAudio(chunk(3), toldChunk(60, 574));
  await clock.tick(6);
  recorder.playoutMoved({ at: 580, position: 40, playsAt: 580 });
  await clock.tick(1420);
  recorder.stop();
  const [, bot] = parseWav(new Uint8Array(await wav)).samples;
  const resampler = new Resampler({ inputRate: 16000, outputRate: 8000 });
  const joined = TONE.subarray(640, 1280); // 40-80 ms of the tone
  const expected = concatSamples([resampler.process(joined), resampler.flush()]);
  assert.deepEqual(bot!.subarray(580 * 8, 620 * 8), expected);
  assert.equal(recorder.stats.lateMs, 0);
});
