import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import fc from "fast-check";
import type { Frame } from "../../src/frames.ts";
import type { TransportError } from "../../src/errors.ts";
import {
  ConversationRelaySerializer,
  verifyTwilioSignature,
} from "../../src/serializers/conversation_relay.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { MemorySocketPair } from "../../src/testing/memory_socket.ts";
import {
  ANY_TIME,
  telnyxRelaySession,
  twilioRelaySession,
} from "./fixtures/conversation_relay_session.ts";
import { fuzzDeserializer, type ScriptStep } from "./fixtures/telephony_harness.ts";

/** Plays a documented session both ways; a transcription's time must be ISO 8601, any value. */
function playSession(serializer: ConversationRelaySerializer, script: ScriptStep[]): void {
  for (const [index, step] of script.entries()) {
    if ("from" in step) {
      const result = serializer.deserialize(JSON.stringify(step.wire));
      const frames = result === null ? [] : Array.isArray(result) ? result : [result];
      const seen = frames.map((frame) => {
        if (frame.type !== "transcription") return frame;
        assert.ok(!Number.isNaN(Date.parse(frame.timestamp)), frame.timestamp);
        return { ...frame, timestamp: ANY_TIME };
      });
      assert.deepEqual(seen, step.frames, `step ${index}`);
    } else {
      // Unbound, the serializer has no clock: an `end` is never held, so no promise.
      const sent = serializer.serialize(step.frame) as string | null;
      assert.deepEqual(sent === null ? null : JSON.parse(sent), step.wire, `step ${index}`);
    }
  }
}

Deno.test("`ConversationRelaySerializer` plays Twilio's documented session message by message both ways", () => {
  const relay = new ConversationRelaySerializer();
  playSession(relay, twilioRelaySession);
  assert.equal(relay.platform, "twilio");
  assert.equal(relay.setupMessage?.callStatus, "RINGING");
});

Deno.test("`ConversationRelaySerializer` plays Telnyx's documented frames, streaming text tokens", () => {
  const relay = new ConversationRelaySerializer({ streamText: true });
  playSession(relay, telnyxRelaySession);
  assert.equal(relay.platform, "telnyx");
});

Deno.test("`ConversationRelaySerializer` sends the token settings and handoff data it is given", () => {
  const relay = new ConversationRelaySerializer({
    lang: "sv-SE",
    interruptible: "speech",
    preemptible: true,
    handoffData: '{"reason":"agent"}',
  });
  assert.deepEqual(JSON.parse(relay.serialize({ type: "text", text: "Hej" })!), {
    type: "text",
    token: "Hej",
    last: true,
    lang: "sv-SE",
    interruptible: "speech",
    preemptible: true,
  });
  assert.deepEqual(JSON.parse(relay.serialize({ type: "cancel" })!), {
    type: "end",
    handoffData: '{"reason":"agent"}',
  });
});

Deno.test("`ConversationRelaySerializer` answers every fuzzed message with frames or a decode error", async () => {
  const relay = new ConversationRelaySerializer();
  const { frames, errors } = await fuzzDeserializer(relay, {
    key: "type",
    events: ["setup", "prompt", "interrupt", "dtmf", "error", "info", "text"],
    fields: {
      sessionId: fc.string(),
      callSid: fc.string(),
      customParameters: fc.dictionary(
        fc.string(),
        fc.oneof(fc.string(), fc.integer(), fc.object()),
      ),
      voicePrompt: fc.string(),
      last: fc.boolean(),
      digit: fc.oneof(fc.constantFrom("1", "#", "*", "D", "x", ""), fc.integer()),
      utteranceUntilInterrupt: fc.string(),
      durationUntilInterruptMs: fc.oneof(fc.integer(), fc.string()),
      description: fc.string(),
    },
  });
  assert.ok(frames > 1000 && errors > 1000, `frames ${frames}, errors ${errors}`);
});

Deno.test("`ConversationRelaySerializer` names the bad field in decode errors and refuses binary", () => {
  const relay = new ConversationRelaySerializer();
  assert.throws(() => relay.deserialize("{"), { name: "TransportError", code: "decode" });
  assert.throws(() => relay.deserialize('{"type":"prompt"}'), /voicePrompt is not a string/);
  assert.throws(() => relay.deserialize('{"type":"dtmf","digit":"x"}'), /digit is not a keypad/);
  assert.throws(() => relay.deserialize(new Uint8Array([1, 2])), /sends JSON text only/);
  const utf8 = new TextEncoder().encode('{"type":"dtmf","digit":"5"}');
  assert.deepEqual(relay.deserialize(utf8), { type: "dtmf", digit: "5" });
});

Deno.test("`ConversationRelaySerializer` keeps no setup that failed to decode", () => {
  const relay = new ConversationRelaySerializer();
  // A setup without its `sessionId` is a decode error, and describes no session.
  const setup = { type: "setup", callControlId: "v3:abc", from: "+15550100001" };
  assert.throws(() => relay.deserialize(JSON.stringify(setup)), /sessionId is not a string/);
  assert.equal(relay.setupMessage, undefined);
  assert.equal(relay.platform, undefined);
  const heard = relay.deserialize('{"type":"prompt","voicePrompt":"Hi","last":true}');
  assert.equal(!Array.isArray(heard) && heard?.type === "transcription" && heard.userId, "caller");
  // The setup that follows, whole, is the one kept.
  const whole = { ...setup, sessionId: "VX1" };
  relay.deserialize(JSON.stringify(whole));
  assert.equal(relay.platform, "telnyx");
  assert.deepEqual(relay.setupMessage, whole);
});

function session(options: { clock?: FakeClock } = {}) {
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new ConversationRelaySerializer(),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const sent: string[] = [];
  pair.client.addEventListener("message", (e) => sent.push((e as MessageEvent).data));
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  return { pair, transport, sent, errors };
}

Deno.test("`ConversationRelaySerializer` refuses audio through a transport: counted, reported once, never sent", async () => {
  const clock = new FakeClock();
  const { pair, transport, sent, errors } = session({ clock });
  const audio: Frame = {
    type: "audio",
    audio: new Uint8Array(3200),
    sampleRate: 16000,
    channels: 1,
  };
  for (let i = 0; i < 3; i++) transport.send(audio);
  transport.send({ type: "text", text: "still here" });
  await clock.tick(500);
  assert.equal(transport.stats.audioBytesRefused, 3 * 3200);
  assert.deepEqual(errors.map((e) => e.code), ["encode"]);
  assert.match(errors[0]!.message, /takes no audio/);
  assert.deepEqual(sent.map((m) => JSON.parse(m)), [
    { type: "text", token: "still here", last: true },
  ]);
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("`ConversationRelaySerializer` sends text at once, with no pacing", async () => {
  const clock = new FakeClock();
  const { pair, transport, sent } = session({ clock });
  for (const token of ["One. ", "Two. ", "Three."]) transport.send({ type: "text", text: token });
  await clock.tick(0);
  assert.equal(sent.length, 3, "all three left without any time passing");
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("`ConversationRelaySerializer` reports the platform's error messages and goes on", async () => {
  const { pair, transport, errors } = session();
  const frames: Frame[] = [];
  transport.receive((frame) => frames.push(frame));
  pair.client.send('{"type":"error","description":"Invalid message received: { \\"foo\\" : 1 }"}');
  pair.client.send('{"type":"dtmf","digit":"4"}');
  await pair.server.waitFor(() => frames.length === 2);
  assert.deepEqual(errors.map((e) => [e.code, e.message]), [
    ["protocol", 'ConversationRelay: Invalid message received: { "foo" : 1 }'],
  ]);
  assert.deepEqual(frames[1], { type: "dtmf", digit: "4" });
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("`verifyTwilioSignature` accepts ConversationRelay's signed upgrade and refuses a forged one", async () => {
  // Twilio signs the upgrade to <ConversationRelay url> as any webhook: base64 HMAC-SHA1 of the
  // URL, keyed with the auth token ("Configure your WebSocket server", ConversationRelay
  // onboarding). The expected value is computed here with node:crypto, apart from our code.
  const token = "12345";
  const url = "wss://relay.example.com/conversation?call=CA123";
  const signature = createHmac("sha1", token).update(url).digest("base64");
  const upgrade = (sig: string) =>
    new Request("https://relay.example.com/conversation?call=CA123", {
      headers: { upgrade: "websocket", "x-twilio-signature": sig },
    });
  assert.equal(await verifyTwilioSignature(upgrade(signature), { authToken: token, url }), true);
  assert.equal(
    await verifyTwilioSignature(upgrade(signature), { authToken: "other", url }),
    false,
  );
  const forged = createHmac("sha1", token).update(`${url}&x=1`).digest("base64");
  assert.equal(await verifyTwilioSignature(upgrade(forged), { authToken: token, url }), false);
});

// A text-only protocol declares `carriesAudio: false`: the transport drops audio at `send`/`write`
// (counted in `audioBytesRefused`), with no pacing and nothing on the playout timeline, so it
// neither holds text back nor takes the refused audio for speech.
Deno.test("`WebSocketTransport` neither paces nor counts as heard the audio a text-only protocol refuses", async () => {
  const clock = new FakeClock();
  const { pair, transport, sent } = session({ clock });
  const speaking: string[] = [];
  transport.addEventListener("speakingstart", () => speaking.push("start"));
  transport.send({
    type: "audio",
    audio: new Uint8Array(32000), // 1 s at 16 kHz
    sampleRate: 16000,
    channels: 1,
    responseId: "r1",
  });
  transport.send({ type: "text", text: "after the audio" });
  await clock.tick(0);
  assert.equal(sent.length, 1, "the text is not held behind a second of paced audio");
  assert.equal(transport.stats.audioBytesRefused, 32000);
  assert.equal(transport.playback.speaking, false);
  await clock.tick(2000);
  assert.deepEqual(speaking, [], "no speakingstart for audio that never left");
  pair.client.close(1000);
  await transport.closed;
});
