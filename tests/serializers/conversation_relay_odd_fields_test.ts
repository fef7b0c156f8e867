// A field of an odd type must not cost the session what the message is for.
//
// Twilio's "Getting and sending WebSocket messages" (twilio.com/docs/voice/conversationrelay/
// websocket-messages), "Setup message": `customParameters` holds the TwiML's `<Parameter>` names
// and values (strings). Telnyx's call command "Start Conversation Relay"
// (developers.telnyx.com/api-reference/call-commands/start-conversation-relay) takes
// `custom_parameters` as values of any JSON type (its SDKs type them `Hash{Symbol=>Object}`),
// forwarded to the session as the setup's `customParameters` ("ConversationRelay WebSocket
// channel", `telnyxSetup`). One nested value used to make the whole setup a decode error: the bot
// got no `start` frame, the call's ids were lost.
//
// "Interrupt message" (both platforms): the caller barged in; `utteranceUntilInterrupt` (a string)
// and `durationUntilInterruptMs` (a number) say what was heard. One of the wrong type used to make
// the whole message a decode error: no interruption, so the cut reply's stale text kept its place.
import assert from "node:assert/strict";
import type { Frame } from "../../src/frames.ts";
import type { TransportError } from "../../src/errors.ts";
import type { SerializerContext } from "../../src/serializer.ts";
import type { SerializerCounter } from "../../src/transport_stats.ts";
import { ConversationRelaySerializer } from "../../src/serializers/conversation_relay.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { MemorySocketPair } from "../../src/testing/memory_socket.ts";

/** A serializer bound to a context that records what it counts, reports and is told. */
function boundRelay() {
  const relay = new ConversationRelaySerializer({ streamText: true });
  const counted: SerializerCounter[] = [];
  const reported: TransportError[] = [];
  const sent: unknown[] = [];
  let interrupted = 0;
  const context: SerializerContext = {
    send: (message) => void sent.push(JSON.parse(message as string)),
    count: (counter) => void counted.push(counter),
    report: (error) => void reported.push(error),
    farEndInterrupted: () => void interrupted++,
  };
  relay.bind(context);
  return { relay, counted, reported, sent, interrupted: () => interrupted };
}

const asFrames = (result: Frame | Frame[] | null): Frame[] =>
  result === null ? [] : Array.isArray(result) ? result : [result];

Deno.test("`ConversationRelaySerializer`: a setup with a nested custom parameter still starts the call", () => {
  const { relay, counted, reported } = boundRelay();
  const setup = {
    type: "setup",
    sessionId: "VX1",
    callSid: "v3:abc",
    callControlId: "v3:abc",
    from: "+15550100001",
    customParameters: { customer_id: "c-123", tier: 2, profile: { plan: "gold" }, tags: ["a"] },
  };
  assert.deepEqual(relay.deserialize(JSON.stringify(setup)), {
    type: "start",
    streamId: "VX1",
    callId: "v3:abc",
    params: { customer_id: "c-123", tier: "2", profile: '{"plan":"gold"}', tags: '["a"]' },
  });
  assert.deepEqual(relay.setupMessage, setup, "the message as it came");
  assert.deepEqual(counted, ["decodeErrors"]);
  assert.equal(reported.length, 1);
  assert.equal(reported[0]!.code, "decode");
  assert.match(reported[0]!.message, /customParameters profile, tags are not a string/);
});

Deno.test("`ConversationRelaySerializer`: a setup whose customParameters is no object starts with none", () => {
  const { relay, counted, reported } = boundRelay();
  const setup = { type: "setup", sessionId: "VX2", callSid: "CA2", customParameters: "x=1" };
  assert.deepEqual(relay.deserialize(JSON.stringify(setup)), {
    type: "start",
    streamId: "VX2",
    callId: "CA2",
    params: {},
  });
  assert.deepEqual(counted, ["decodeErrors"]);
  assert.match(reported[0]!.message, /customParameters is not an object: "x=1"; none kept/);
  // Strings, numbers and booleans are no fault: nothing counted.
  const plain = boundRelay();
  const start = plain.relay.deserialize(
    '{"type":"setup","sessionId":"VX3","customParameters":{"a":"1","b":2,"c":true}}',
  );
  assert.deepEqual(start, {
    type: "start",
    streamId: "VX3",
    params: { a: "1", b: "2", c: "true" },
  });
  assert.deepEqual(plain.counted, []);
});

Deno.test("`ConversationRelaySerializer`: an interrupt with mistyped details still interrupts", () => {
  const { relay, counted, reported, sent, interrupted } = boundRelay();
  relay.serialize({ type: "text", text: "Your balance is " }); // a streamed reply, open
  const interrupt = {
    type: "interrupt",
    utteranceUntilInterrupt: 42,
    durationUntilInterruptMs: {},
  };
  const frames = asFrames(relay.deserialize(JSON.stringify(interrupt)));
  assert.deepEqual(frames, [{ type: "interruption" }, { type: "message", message: interrupt }]);
  assert.equal(interrupted(), 1, "the replies written so far are stale");
  assert.deepEqual(sent, [{ type: "text", token: "", last: true }], "the cut reply closed");
  assert.deepEqual(counted, ["decodeErrors", "decodeErrors"]);
  assert.deepEqual(reported.map((e) => e.code), ["decode", "decode"]);
  assert.match(reported[0]!.message, /utteranceUntilInterrupt is not a string: 42/);
  assert.match(reported[1]!.message, /durationUntilInterruptMs is not a number: \{\}/);
});

Deno.test("`ConversationRelaySerializer` through a transport: the odd setup's start reaches the bot, counted", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new ConversationRelaySerializer(),
    clock,
  });
  const frames: Frame[] = [];
  transport.receive((frame) => void frames.push(frame));
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  await clock.tick(10);
  pair.client.send(JSON.stringify({
    type: "setup",
    sessionId: "VX9",
    callSid: "CA9",
    customParameters: { order: { id: 7 } },
  }));
  pair.client.send(
    '{"type":"interrupt","utteranceUntilInterrupt":null,"durationUntilInterruptMs":"x"}',
  );
  await clock.tick(10);
  assert.deepEqual(frames.slice(0, 2), [
    { type: "start", streamId: "VX9", callId: "CA9", params: { order: '{"id":7}' } },
    { type: "interruption" },
  ]);
  assert.equal(transport.stats.decodeErrors, 2);
  assert.deepEqual(errors.map((e) => e.code), ["decode", "decode"]);
  await transport.close();
  await clock.tick(1000);
});

// Twilio's "Prompt message" carries `lang`, the language the caller's words were heard in: the
// bot's transcription frame keeps it (a multilingual bot answers in it); one that is no string is
// reported and the words still reach the bot.
Deno.test("ConversationRelay: a final prompt's lang is the transcription's language; a bad one is reported", () => {
  const { relay, counted, reported } = boundRelay();
  const heard = relay.deserialize(
    '{"type":"prompt","voicePrompt":"Hola","lang":"es-MX","last":true}',
  );
  assert.ok(heard !== null && !Array.isArray(heard) && heard.type === "transcription");
  assert.equal(heard.language, "es-MX");
  const odd = relay.deserialize('{"type":"prompt","voicePrompt":"Hi","lang":7,"last":true}');
  assert.ok(odd !== null && !Array.isArray(odd) && odd.type === "transcription");
  assert.equal(odd.text, "Hi");
  assert.equal(odd.language, undefined);
  assert.deepEqual(counted, ["decodeErrors"]);
  assert.match(reported[0]!.message, /lang/);
});
