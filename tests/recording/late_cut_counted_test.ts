// An interruption the recorder is told of only after the bot's audio past the heard position was
// written out (README, "Recording as heard": `holdMs` must cover the far end's buffer plus one
// acknowledgement interval; an interruption told later than that — a clear the serializer answers
// late, a short `holdMs` — cannot take back what is written). That audio stays in the recording,
// though the caller never heard it: it must be counted (`stats.lateMs`), never left unsaid.
// `InterruptionInfo.heardPosition` (src/session_observer.ts): "Outbound audio past this timeline
// position was never heard". The transport's word is given by hand (the observer calls a session
// makes, `SessionObserver`): a 1 s reply told at once, played from 0 with no lag, and cut at
// 300 ms, told at 800 ms.
import assert from "node:assert/strict";
import { CallRecorder } from "../../mod.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { collect, pcmFrame, speech, toldChunk } from "./_call.ts";
import { count, parseWav, sampleOf } from "./_wav.ts";

const PER_MS = 16;

Deno.test("`CallRecorder` counts the bot's audio an interruption told after its write-out could not cut", async () => {
  const clock = new FakeClock();
  const recorder = new CallRecorder({ clock, holdMs: 200, layout: "separate" });
  const bot = collect(recorder.bot);
  for (let position = 0; position < 1000; position += 20) {
    recorder.outboundAudio(speech(20, 1, "r1"), { ...toldChunk(position, position), sentAt: 0 });
  }
  while (clock.now() < 800) { // the caller's silence moves the write-out on: up to 600 ms
    await clock.tick(20);
    recorder.inboundAudio(pcmFrame(new Int16Array(320), 16000), clock.now());
  }
  recorder.interrupted({ at: 800, heardPosition: 300 });
  await clock.tick(500);
  recorder.stop();

  const { samples } = parseWav(await bot);
  // 300 ms heard, and 300 ms more written out before the cut was told: recorded, never heard.
  assert.equal(count(samples[0]!, sampleOf(1)), 600 * PER_MS, "what was written out stays");
  assert.equal(recorder.stats.lateMs, 300, "the 300 ms the caller never heard, counted");
});
