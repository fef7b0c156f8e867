// README, "Metrics": speech that ends while the bot is audible, the bot then playing on (a
// backchannel: "uh-huh"), is no turn, neither measured nor counted; speech the bot stops for is a
// turn. Metrics attached while a reply plays (the transport's `playback.speaking`) never saw that
// spell's "speakingstart": the bot is audible all the same, and speech over it is judged by it.
// The far end answers each mark once the audio before it has played (Twilio's Media Streams docs,
// "mark": sent back once the media sent before it has been played; "clear" empties the buffer).
import assert from "node:assert/strict";
import { SessionMetrics, WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";
import { sayReply } from "./_metered_call.ts";

/** A reply heard 1000–3000 ms, the metrics attached at 1500 ms, the bot marking turns itself. */
async function attachedMidReply() {
  const clock = new FakeClock(0);
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    playoutDelayMs: 0,
    clock,
  });
  new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: 32 });
  await clock.tick(1000);
  sayReply(transport, "r1", 2000);
  await clock.tick(500);
  const metrics = SessionMetrics.attach(transport, { speech: false, clock });
  const close = async () => {
    pair.client.close(1000);
    await transport.closed;
  };
  return { clock, transport, metrics, close };
}

Deno.test("attached mid-reply: an 'uh-huh' over it, the bot playing on, is no turn", async () => {
  const { clock, transport, metrics, close } = await attachedMidReply();
  await clock.tick(300);
  metrics.callerSpeechStarted(); // 1800 ms
  await clock.tick(300);
  metrics.callerTurnEnded(); // 2100 ms: r1 plays on to 3000 ms
  await clock.tick(2900);
  sayReply(transport, "r2", 400); // 5000 ms: the bot's next reply, no answer to the "uh-huh"
  await clock.tick(1000);
  const turns = metrics.snapshot().turnLatency;
  assert.equal(turns.count, 0, `measured ${turns.last} ms`);
  assert.equal(turns.unmeasured, 0);
  await close();
});

Deno.test("attached mid-reply: speech the bot stops for is a turn, measured to its answer", async () => {
  const { clock, transport, metrics, close } = await attachedMidReply();
  await clock.tick(300);
  metrics.callerSpeechStarted(); // 1800 ms
  await clock.tick(300);
  metrics.callerTurnEnded(); // 2100 ms
  await clock.tick(100);
  await transport.interrupt(); // 2200 ms: the bot stops for it
  await clock.tick(300);
  sayReply(transport, "r2", 400); // heard from 2500 ms
  await clock.tick(1000);
  const turns = metrics.snapshot().turnLatency;
  assert.equal(turns.count, 1);
  assert.equal(turns.last, 400); // 2500 − 2100
  await close();
});
