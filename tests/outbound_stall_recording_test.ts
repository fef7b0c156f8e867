// A bot's `speakingstart` listener works 300 ms synchronously as its reply begins: the reply's
// first chunk leaves only once the listener is done, and observers (a call recorder) are told of
// it after the listener: where it plays is not before then. The estimate keeps it in its slot (the
// tracker placed it there before the listener ran), and what follows is placed after it as it
// plays (see outbound_stall_test.ts); what observers are told must agree with the far end.
import assert from "node:assert/strict";
import { CallRecorder, RawPcmSerializer, WebSocketTransport } from "../mod.ts";
import { MemorySocketPair } from "../src/testing/mod.ts";
import { FakeFarEnd } from "./_fake_far_end.ts";
import { StallClock } from "./_stall_clock.ts";

Deno.test("after 300 ms of work in speakingstart, the recording has the reply where it played, in one piece", async () => {
  const clock = new StallClock(1000);
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new RawPcmSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
  });
  const recorder = new CallRecorder({ clock, sampleRate: 16000 });
  transport.observe(recorder);
  const early: string[] = [];
  transport.observe({
    outboundAudio: (_chunk, info) => {
      if (info.playsAt < info.sentAt) early.push(`sent ${info.sentAt}, plays ${info.playsAt}`);
    },
  });
  const wav = new Response(recorder.readable).arrayBuffer();
  new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: 32 });
  transport.addEventListener("speakingstart", () => clock.block(300));
  transport.receive(() => {});
  await clock.tick(0);
  transport.send({
    type: "audio",
    audio: new Uint8Array(32 * 1000).fill(7),
    sampleRate: 16000,
    channels: 1,
  });
  await clock.tick(3000);
  pair.client.close(1000);
  await transport.closed;
  assert.deepEqual(early, [], "no chunk is told to observers as playing before it left");
  const samples = new Int16Array(new Uint8Array(await wav).buffer, 44);
  const runs: string[] = [];
  let start = -1;
  for (let i = 1; i < samples.length; i += 2) { // the bot: the right channel
    const ms = (i - 1) / 2 / 16;
    if (samples[i] !== 0 && start < 0) start = ms;
    if (samples[i] === 0 && start >= 0) runs.push(`${start}-${ms}`), start = -1;
  }
  if (start >= 0) runs.push(`${start}-end`);
  // The caller heard the reply from 300 ms (when it left) to 1300 ms, in one piece.
  assert.deepEqual(runs, ["300-1300"]);
});
