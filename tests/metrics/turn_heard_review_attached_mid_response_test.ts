// Metrics attached in the pause between two spells of one tagged response (a greeting in two
// sentences, the metrics attached as the caller first speaks). The response's second spell goes on
// from the first: its "speakingstart" counts the first spell in its `heardMs` (README, "Playback
// and barge-in": a response's `heardMs` and `sentMs` count all of its spells), which the metrics,
// attached after that spell's "speakingstop", never saw. The turn it answers runs to when the caller
// began to hear the second spell (README, "Metrics"), not back across the first. Figures worked out
// by hand.
import assert from "node:assert/strict";
import { SessionMetrics, type SpeakingEvent, WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";
import { sayReply } from "./_metered_call.ts";

Deno.test("metrics attached between a response's spells: the turn its next spell answers is measured from that spell's start", async () => {
  const clock = new FakeClock(0);
  const pair = new MemorySocketPair();
  // A far end that plays what it gets at once and answers each mark once the audio before it has
  // played (Twilio's Media Streams docs, "mark"): the events come on time.
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    playoutDelayMs: 0,
    clock,
  });
  new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: 32 });
  const starts: { at: number; heardMs: number }[] = [];
  transport.addEventListener("speakingstart", (event: SpeakingEvent) => {
    starts.push({ at: clock.now(), heardMs: event.heardMs });
  });
  await clock.tick(1000);
  sayReply(transport, "greeting", 400); // heard 1000–1400 ms
  await clock.tick(500);
  const metrics = SessionMetrics.attach(transport, { speech: false, clock }); // 1500 ms
  await clock.tick(500);
  metrics.callerTurnEnded(); // 2000 ms
  await clock.tick(200);
  sayReply(transport, "greeting", 400); // the greeting goes on, heard from 2200 ms
  await clock.tick(1000);
  assert.deepEqual(starts, [{ at: 1000, heardMs: 0 }, { at: 2200, heardMs: 400 }]);
  assert.equal(metrics.snapshot().turnLatency.last, 200); // 2200 − 2000
  pair.client.close(1000);
  await transport.closed;
});
