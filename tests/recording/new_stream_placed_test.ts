// A caller's second stream on the same socket (README, "Telephony": "a new `start` on the same
// socket opens a new stream and lets its media through"), recorded where it was spoken. Twilio's
// "Media Streams - WebSocket Messages" (https://www.twilio.com/docs/voice/media-streams/websocket-messages),
// "Start message" and "Media message": `media.timestamp` is "Presentation Timestamp in
// Milliseconds from the start of the stream" and `media.chunk` counts from 1, so a new `start`
// begins both again. Read by the first stream's anchor, the second stream's first frames fell
// where the first began: laid over it (counted overrun) and 300 ms before they were spoken.
import assert from "node:assert/strict";
import { CallRecorder, WebSocketTransport } from "../../mod.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { twilioMedia, twilioStart } from "../serializers/fixtures/twilio_call.ts";
import { collect } from "./_call.ts";
import { runs } from "./_wav.ts";
import { samplesOf, sox } from "./_sox.ts";

const RATE = 8000;
const PER_MS = RATE / 1000;

Deno.test("`CallRecorder` records a caller's new stream (a `start` again) where it was spoken, after the first", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new TwilioSerializer(),
    audioIn: { sampleRate: RATE },
    audioOut: { sampleRate: RATE, chunkMs: 20 },
    clock,
  });
  const recorder = new CallRecorder({ clock, sampleRate: RATE, layout: "separate" });
  transport.observe(recorder);
  const caller = collect(recorder.caller);
  pair.client.send(JSON.stringify({ event: "connected", protocol: "Call", version: "1.0.0" }));
  pair.client.send(twilioStart());
  // μ-law 0x10 and 0x90: the same level, of opposite signs (ITU-T G.711: the top bit is the sign).
  const first = new Uint8Array(160).fill(0x10);
  const second = new Uint8Array(160).fill(0x90);
  for (let chunk = 1; chunk <= 15; chunk++) { // 300 ms, in real time
    await clock.tick(20);
    pair.client.send(twilioMedia(first, chunk));
  }
  pair.client.send(twilioStart()); // right after: its media, from timestamp 0 again, follows on
  for (let chunk = 1; chunk <= 50; chunk++) { // 1 s
    await clock.tick(20);
    pair.client.send(twilioMedia(second, chunk));
  }
  await clock.tick(500);
  pair.client.close(1000);
  await transport.closed;

  // Read by sox (its own WAV reader), with the true header written over the streaming one.
  const wav = await caller;
  wav.set(recorder.wavHeader("caller"));
  const raw = await sox(["-t", "wav", "-", "-t", "raw", "-e", "signed", "-b", "16", "-"], wav);
  const heard = runs(samplesOf(raw));
  const loud = heard.filter((run) => run.value !== 0);
  assert.equal(loud.length, 2, "the two streams, one after the other");
  const [one, two] = loud as [typeof loud[0], typeof loud[0]];
  assert.equal(one.value, -two.value);
  assert.deepEqual([one.start, one.length], [0, 300 * PER_MS], "the first stream, whole");
  assert.deepEqual([two.start, two.length], [300 * PER_MS, 1000 * PER_MS], "the second, after it");
  assert.equal(recorder.stats.overrunMs, 0, "nothing written over");
});
