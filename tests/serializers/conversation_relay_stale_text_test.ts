// ConversationRelay's text is the bot's speech (twilio.com/docs/voice/conversationrelay/
// websocket-messages, "Text tokens message": the platform speaks each token; a talk cycle ends at
// `last: true`, and a token after it begins the next). So text of a reply interrupted before it
// was written is dropped as stale audio is, whichever side interrupted: the bot
// (`transport.interrupt()`) or the platform ("Interrupt message"). A far end that only shows text
// (the JSON serializer) gets every text frame as before.
import assert from "node:assert/strict";
import type { TransportError } from "../../src/errors.ts";
import type { Frame } from "../../src/frames.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import { ConversationRelaySerializer } from "../../src/serializers/conversation_relay.ts";
import { JsonSerializer } from "../../src/serializers/json.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { MemorySocketPair } from "../../src/testing/memory_socket.ts";
import { WebSocketTransport } from "../../src/transport.ts";

function session(serializer: FrameSerializer) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, { serializer, clock });
  const sent: unknown[] = [];
  pair.client.addEventListener("message", (e) => sent.push(JSON.parse((e as MessageEvent).data)));
  const stale: (string | undefined)[] = [];
  transport.addEventListener("staleaudio", (e) => stale.push(e.responseId));
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  const close = async () => {
    pair.client.close(1000);
    await transport.closed;
  };
  return { clock, pair, transport, sent, stale, errors, close };
}

const token = (text: string, last = false) => ({ type: "text", token: text, last });

Deno.test("ConversationRelay: after `transport.interrupt()`, tokens of the cut reply are dropped, counted and reported once; the next reply goes", async () => {
  const s = session(new ConversationRelaySerializer({ streamText: true }));
  const say = (text: string, responseId: string) =>
    s.transport.send({ type: "text", text, responseId });
  say("Well, ", "r1");
  await s.clock.tick(10);
  await s.transport.interrupt();
  say("let me ", "r1");
  say("think.", "r1");
  say("", "r1");
  say("Yes?", "r2");
  say("", "r2");
  await s.clock.tick(10);
  assert.deepEqual(s.sent, [token("Well, "), token("", true), token("Yes?"), token("", true)]);
  assert.equal(s.transport.stats.textFramesStale, 3);
  assert.deepEqual(s.stale, ["r1"]);
  assert.deepEqual(s.errors, []);
  await s.close();
});

Deno.test("ConversationRelay: the platform's `interrupt` makes the cut reply's later tokens stale, untagged ones of `startResponse` too", async () => {
  const s = session(new ConversationRelaySerializer({ streamText: true }));
  const say = (text: string) => s.transport.send({ type: "text", text });
  const first = s.transport.startResponse();
  say("Well, ");
  await s.clock.tick(10);
  s.pair.client.send(JSON.stringify({
    type: "interrupt",
    utteranceUntilInterrupt: "Well,",
    durationUntilInterruptMs: 300,
  }));
  await s.clock.tick(10);
  say("let me think.");
  say("");
  s.transport.startResponse();
  say("Yes?");
  say("");
  await s.clock.tick(10);
  assert.deepEqual(s.sent, [token("Well, "), token("", true), token("Yes?"), token("", true)]);
  assert.equal(s.transport.stats.textFramesStale, 2);
  assert.equal(s.transport.stats.interruptions, 0, "the transport interrupted nothing itself");
  assert.deepEqual(s.stale, [first]);
  await s.close();
});

Deno.test("ConversationRelay: untagged text with no `startResponse` is never gated (as untagged audio)", async () => {
  const s = session(new ConversationRelaySerializer());
  s.transport.send({ type: "text", text: "Hello." });
  await s.transport.interrupt();
  s.transport.send({ type: "text", text: "Again." });
  await s.clock.tick(10);
  assert.deepEqual(s.sent, [token("Hello.", true), token("Again.", true)]);
  assert.equal(s.transport.stats.textFramesStale, 0);
  await s.close();
});

Deno.test("JSON: text is shown, not spoken: text of an interrupted response still goes", async () => {
  const s = session(new JsonSerializer());
  s.transport.send({ type: "text", text: "a", responseId: "r1" });
  await s.transport.interrupt();
  s.transport.send({ type: "text", text: "b", responseId: "r1" });
  await s.clock.tick(10);
  const texts = (s.sent as Frame[]).filter((f) => f.type === "text").map((f) => f.text);
  assert.deepEqual(texts, ["a", "b"]);
  assert.equal(s.transport.stats.textFramesStale, 0);
  await s.close();
});

Deno.test("A text frame whose responseId is no string is refused, an encode error", async () => {
  const s = session(new ConversationRelaySerializer());
  s.transport.send({ type: "text", text: "a", responseId: 5 as unknown as string });
  await s.clock.tick(10);
  assert.deepEqual(s.sent, []);
  assert.equal(s.transport.stats.encodeErrors, 1);
  assert.match(s.errors[0]!.message, /text frame's responseId is a number/);
  await s.close();
});
