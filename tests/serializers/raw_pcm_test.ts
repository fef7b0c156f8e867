// `RawPcmSerializer` at its edges: a binary message is PCM16 little-endian, channels interleaved
// (src/frames.ts `AudioFrame`), at the transport's input rate and channel count, so only whole
// sample frames (2 bytes × channels) are audio; text is JSON.
import assert from "node:assert/strict";
import { RawPcmSerializer } from "../../src/serializers/raw_pcm.ts";
import { TransportError } from "../../src/errors.ts";
import type { Frame } from "../../src/frames.ts";

const isDecode = (e: unknown) => e instanceof TransportError && e.code === "decode";

function serializer(inputSampleRate: number, inputChannels: number): RawPcmSerializer {
  const s = new RawPcmSerializer();
  s.setup({ inputSampleRate, inputChannels, outputSampleRate: 24000, outputChannels: 1 });
  return s;
}

Deno.test("`RawPcmSerializer` reads whole sample frames at the input's rate and channels, as views", () => {
  const message = new Uint8Array(13).subarray(1, 13); // an odd offset, as a socket may hand it
  const stereo = serializer(48000, 2).deserialize(message);
  assert.deepEqual(stereo, { type: "audio", audio: message, sampleRate: 48000, channels: 2 });
  assert.equal(stereo?.type === "audio" && stereo.audio, message, "the message's bytes, no copy");
  assert.deepEqual(serializer(8000, 3).deserialize(new Uint8Array(6)), {
    type: "audio",
    audio: new Uint8Array(6),
    sampleRate: 8000,
    channels: 3,
  });
});

Deno.test("`RawPcmSerializer` refuses bytes that are not whole sample frames with a decode error", () => {
  for (
    const [channels, length] of [[1, 1], [1, 641], [2, 2], [2, 6], [3, 4], [2, 1]] as const
  ) {
    assert.throws(
      () => serializer(16000, channels).deserialize(new Uint8Array(length)),
      isDecode,
      `${length} bytes of ${channels} channels`,
    );
  }
});

Deno.test("`RawPcmSerializer` reads an empty binary message as nothing", () => {
  assert.equal(serializer(16000, 1).deserialize(new Uint8Array(0)), null);
  assert.equal(serializer(16000, 2).deserialize(new Uint8Array(0)), null);
});

Deno.test("`RawPcmSerializer` reads text as JSON and refuses what is not", () => {
  const s = serializer(16000, 1);
  assert.deepEqual(s.deserialize('{"a":[1,"b"]}'), { type: "message", message: { a: [1, "b"] } });
  assert.deepEqual(s.deserialize("null"), { type: "message", message: null });
  for (const bad of ["", "{nope", "\ud800"]) assert.throws(() => s.deserialize(bad), isDecode);
});

Deno.test("`RawPcmSerializer` sends audio as its bytes, messages as JSON, and nothing else", () => {
  const s = serializer(16000, 1);
  const audio = new Uint8Array([1, 2, 3, 4]);
  assert.equal(
    s.serialize({ type: "audio", audio, sampleRate: 24000, channels: 1 }),
    audio,
    "the frame's own bytes",
  );
  assert.equal(s.serialize({ type: "message", message: { ok: true } }), '{"ok":true}');
  assert.throws(
    () => s.serialize({ type: "message", message: { big: 1n } }),
    (e) => e instanceof TransportError && e.code === "encode",
  );
  const others: Frame[] = [
    { type: "text", text: "hi" },
    { type: "interruption" },
    { type: "mark", name: "m" },
    { type: "dtmf", digit: "1" },
    { type: "end" },
    { type: "cancel" },
  ];
  for (const frame of others) assert.equal(s.serialize(frame), null, frame.type);
});
