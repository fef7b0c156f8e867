// JsonSerializer: every frame as one JSON text shaped like the frame itself (README, "Telephony
// and pipecat clients"), so a start frame comes back as it went, its probe flag included.
import assert from "node:assert/strict";
import { JsonSerializer, TransportError } from "../../mod.ts";
import type { Frame } from "../../src/frames.ts";

Deno.test("`JsonSerializer` carries a start frame both ways, ids, params and probe alike", () => {
  const json = new JsonSerializer();
  const start: Frame = {
    type: "start",
    streamId: "s1",
    callId: "c1",
    params: { lang: "en" },
    probe: true,
  };
  const text = json.serialize(start) as string;
  assert.deepEqual(json.deserialize(text), start);
  assert.throws(
    () => json.deserialize('{"type":"start","probe":"yes"}'),
    (e) => e instanceof TransportError && e.code === "decode" && /probe/.test(e.message),
  );
});

Deno.test("`JsonSerializer` refuses an audio frame's rate or channel count beyond any audio format's, or of any other kind, as a decode error", () => {
  const json = new JsonSerializer();
  const bad = [
    "9007199254740991", // buffers sized from it could not be allocated
    "384001",
    '{"toString":1}', // String() of it throws a TypeError
    "[".repeat(50_000) + "]".repeat(50_000), // JSON.stringify of it overflows the stack
  ];
  for (const field of ["sampleRate", "channels"]) {
    for (const value of field === "channels" ? [...bad, "33"] : bad) {
      const text = `{"type":"audio","audio":"AAA=","${field}":${value}}`;
      assert.throws(
        () => json.deserialize(text),
        (e) => e instanceof TransportError && e.code === "decode" && e.message.includes(field),
        `${field}: ${value.slice(0, 20)}`,
      );
    }
  }
  const frame = json.deserialize('{"type":"audio","audio":"AAA=","sampleRate":384000}');
  assert.equal(frame?.type === "audio" && frame.sampleRate, 384000);
  assert.throws(
    () => json.deserialize(`{"type":${"[".repeat(50_000)}${"]".repeat(50_000)}}`),
    (e) => e instanceof TransportError && e.code === "decode",
  );
});

// The class's promise: "Reading is strict: a field of the wrong type is a decode error naming it"
// (src/serializers/json.ts); a message frame's `urgent` is a boolean (src/frames.ts).
Deno.test("`JsonSerializer` refuses a message frame's urgent of the wrong type as a decode error naming it", () => {
  const json = new JsonSerializer();
  for (const urgent of ['"yes"', "1", "null", "{}"]) {
    assert.throws(
      () => json.deserialize(`{"type":"message","message":{"a":1},"urgent":${urgent}}`),
      (e) => e instanceof TransportError && e.code === "decode" && /urgent/.test(e.message),
      urgent,
    );
  }
  const urgent: Frame = { type: "message", message: { a: 1 }, urgent: true };
  assert.deepEqual(json.deserialize(json.serialize(urgent)), urgent);
  assert.deepEqual(json.deserialize('{"type":"message","message":2,"urgent":false}'), {
    type: "message",
    message: 2,
  });
});

Deno.test("JsonSerializer: a transcription's language goes both ways; one that is no string is refused", () => {
  const json = new JsonSerializer();
  const frame = {
    type: "transcription" as const,
    text: "Hola",
    userId: "caller",
    timestamp: "2026-12-07T05:00:00.000Z",
    language: "es-MX",
  };
  assert.deepEqual(json.deserialize(json.serialize(frame) as string), frame);
  assert.throws(
    () => json.deserialize(JSON.stringify({ ...frame, language: 7 })),
    (e) => e instanceof TransportError && e.code === "decode" && /language/.test(e.message),
  );
});
