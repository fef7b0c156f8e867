// `SessionMetrics` mirrors the transport's stale-response counters: audio of an interrupted
// response (`bytesStale`) and, where the far end speaks the bot's text, its text
// (`textFramesStale`). ConversationRelay's far end is built from twilio.com/docs/voice/
// conversationrelay/websocket-messages ("Text tokens message": each token is spoken; "Interrupt
// message": the caller talked over the speech).
import assert from "node:assert/strict";
import { SessionMetrics } from "../../src/metrics/session_metrics.ts";
import { ConversationRelaySerializer } from "../../src/serializers/conversation_relay.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { MemorySocketPair } from "../../src/testing/memory_socket.ts";
import { WebSocketTransport } from "../../src/transport.ts";

function session() {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const serializer = new ConversationRelaySerializer({ streamText: true });
  const transport = new WebSocketTransport(pair.server, { serializer, clock });
  const metrics = SessionMetrics.attach(transport, { clock, speech: false });
  return { clock, pair, transport, metrics };
}

Deno.test("`SessionMetrics` counts text of an interrupted reply dropped as stale, beside stale audio", async () => {
  const s = session();
  const say = (text: string) => s.transport.send({ type: "text", text, responseId: "r1" });
  say("Well, ");
  await s.clock.tick(10);
  s.pair.client.send(JSON.stringify({ type: "interrupt", utteranceUntilInterrupt: "Well," }));
  await s.clock.tick(10);
  say("let me think.");
  say("");
  await s.clock.tick(10);
  assert.equal(s.transport.stats.textFramesStale, 2);
  const snapshot = s.metrics.snapshot();
  assert.equal(snapshot.outbound.textFramesStale, 2);
  assert.equal(snapshot.outbound.bytesStale, 0);
  assert.match(s.metrics.summary(), / stale_bytes=0 stale_texts=2 /);
  const instrument = SessionMetrics.instruments.find((i) =>
    i.snapshot === "outbound.textFramesStale"
  );
  assert.equal(instrument?.name, "voice.outbound.stale_text");
  s.pair.client.close(1000);
  await s.transport.closed;
});

Deno.test("`SessionMetrics`' summary line leaves stale text out while there is none", async () => {
  const s = session();
  s.transport.send({ type: "text", text: "Hello.", responseId: "r1" });
  await s.clock.tick(10);
  assert.equal(s.metrics.snapshot().outbound.textFramesStale, 0);
  assert.doesNotMatch(s.metrics.summary(), /stale_texts/);
  s.pair.client.close(1000);
  await s.transport.closed;
});
