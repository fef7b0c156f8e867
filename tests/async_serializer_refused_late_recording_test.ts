// An asynchronous serializer that refuses a chunk late, after the observers were told of it as it
// was sent (`outboundAudio`, with its place on the playout timeline): it never left, so a
// recording "as heard" must not keep it. They are told it was dropped (`outboundDropped`, as for a
// partial packet dropped at a stretch's end). The far end (`tests/_fake_far_end.ts`) plays what
// arrives and answers a mark once the audio before it has played, as Twilio's Media Streams
// documents "mark" (its `MarkingSerializer`).
import assert from "node:assert/strict";
import { CallRecorder } from "../mod.ts";
import { FakeClock } from "../src/testing/mod.ts";
import { markingCall, refusesLate } from "./_marking_call.ts";

/** Milliseconds of the recording's bot channel (stereo, 16 kHz, the bot's on the right) not silent. */
function botAudioMs(wav: ArrayBuffer): number {
  const samples = new Int16Array(wav, 44);
  let count = 0;
  for (let i = 1; i < samples.length; i += 2) if (samples[i] !== 0) count++;
  return count / 16;
}

Deno.test("`CallRecorder` keeps nothing of a chunk the asynchronous serializer refused late", async () => {
  const clock = new FakeClock(1000);
  const { transport, farEnd, errors, say } = await markingCall(
    clock,
    refusesLate(clock, 5, 30, "rejects"),
    { markIntervalMs: 100 },
  );
  const recorder = new CallRecorder({ clock, sampleRate: 16000 });
  transport.observe(recorder);
  const dropped: number[] = [];
  transport.observe({ outboundDropped: (info) => dropped.push(info.position) });
  const wav = new Response(recorder.readable).arrayBuffer();
  say(400, "r");
  await clock.tick(1000);
  await transport.close();
  assert.equal(errors.length, 1, "the refusal is reported once");
  assert.equal(farEnd.playedMs(7), 380, "the far end played the rest of the reply");
  assert.deepEqual(dropped, [80], "told dropped from the refused chunk's place");
  assert.equal(botAudioMs(await wav), 380, "recorded as heard: what played");
});
