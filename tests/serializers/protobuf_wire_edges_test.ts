// The protobuf wire at its edges, each vector built field by field from pipecat's frames.proto
// (pipecat-ai/pipecat, src/pipecat/frames/frames.proto: `Frame { oneof frame { TextFrame text = 1;
// AudioRawFrame audio = 2; TranscriptionFrame transcription = 3; MessageFrame message = 4;
// InterruptionFrame interruption = 5; } }`, `AudioRawFrame { uint64 id = 1; string name = 2;
// bytes audio = 3; uint32 sample_rate = 4; uint32 num_channels = 5; optional uint64 pts = 6; }`,
// `MessageFrame { string data = 1; }`) and the protobuf encoding rules (protobuf.dev,
// Programming Guides → Encoding): unknown fields of any wire type are skipped, a uint32 read from
// a wider varint keeps its low 32 bits, a varint has at most 10 bytes, a length may not pass the
// message's end, and a proto3 string is UTF-8 (pipecat's Python runtime refuses one that is not).
// Every malformed message is a decode error, never a frame made up nor another kind of throw.
import assert from "node:assert/strict";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { isDecode, serializer } from "./fixtures/protobuf_serializer.ts";

/** `Frame` field `kind` holding the message `body` writes. */
function frame(kind: number, body: (w: BinaryWriter) => void): Uint8Array {
  const w = new BinaryWriter().tag(kind, WireType.LengthDelimited).fork();
  body(w);
  return w.join().finish();
}

const PCM = new Uint8Array([0x10, 0x00, 0xf0, 0xff]); // two samples: 16, -16

Deno.test("`ProtobufSerializer` reads pipecat's audio frame with its id, name and pts", () => {
  // pipecat's ProtobufFrameSerializer.serialize copies every truthy dataclass field the proto
  // message has: an OutputAudioRawFrame's id, name and pts (nanoseconds) too.
  const wire = frame(2, (w) =>
    w.tag(1, WireType.Varint).uint64(2n ** 64n - 1n) // the widest uint64: 10 bytes
      .tag(2, WireType.LengthDelimited).string("OutputAudioRawFrame#7")
      .tag(3, WireType.LengthDelimited).bytes(PCM)
      .tag(4, WireType.Varint).uint32(16000)
      .tag(5, WireType.Varint).uint32(1)
      .tag(6, WireType.Varint).uint64(1_764_000_000_123_456_789n));
  assert.deepEqual(serializer().deserialize(wire), {
    type: "audio",
    audio: PCM,
    sampleRate: 16000,
    channels: 1,
  });
});

Deno.test("`ProtobufSerializer` skips unknown fields of every wire type, groups nested within", () => {
  const wire = frame(2, (w) =>
    w.tag(3, WireType.LengthDelimited).bytes(PCM)
      .tag(7, WireType.Varint).uint64(2n ** 63n)
      .tag(8, WireType.Bit64).fixed64(1n)
      .tag(9, WireType.StartGroup)
      .tag(1, WireType.Varint).uint32(1)
      .tag(10, WireType.StartGroup).tag(11, WireType.LengthDelimited).bytes(PCM)
      .tag(10, WireType.EndGroup)
      .tag(9, WireType.EndGroup)
      .tag(15, WireType.Bit32).fixed32(7)
      .tag(4, WireType.Varint).uint32(16000)
      .tag(16, WireType.LengthDelimited).bytes(new Uint8Array(3))
      .tag(5, WireType.Varint).uint32(1));
  // And one beside the frame's kind, at the Frame's own level.
  const tail = new BinaryWriter().tag(99, WireType.Varint).uint32(1).finish();
  const message = new Uint8Array([...wire, ...tail]);
  assert.deepEqual(serializer().deserialize(message), {
    type: "audio",
    audio: PCM,
    sampleRate: 16000,
    channels: 1,
  });
});

Deno.test("`ProtobufSerializer` refuses groups nested past the decoder's depth with a decode error", () => {
  const nested = (depth: number) => {
    const w = new BinaryWriter();
    for (let i = 0; i < depth; i++) w.tag(7, WireType.StartGroup);
    for (let i = 0; i < depth; i++) w.tag(7, WireType.EndGroup);
    return w.tag(1, WireType.LengthDelimited).bytes(new Uint8Array(0)).finish();
  };
  assert.deepEqual(serializer().deserialize(nested(50)), { type: "text", text: "" });
  // 20 000 levels in 40 KB: a decode error like any other malformed message.
  assert.throws(() => serializer().deserialize(nested(20_000)), isDecode);
  // An end group with no start, and a start never ended.
  assert.throws(() => serializer().deserialize(new Uint8Array([0x3c])), isDecode);
  assert.throws(() => serializer().deserialize(new Uint8Array([0x3b, 0x08, 0x01])), isDecode);
});

Deno.test("`ProtobufSerializer` reads uint32 fields from varints as protobuf does", () => {
  const audio = (rate: (w: BinaryWriter) => BinaryWriter) =>
    frame(
      2,
      (w) => rate(w.tag(3, WireType.LengthDelimited).bytes(PCM)).tag(5, WireType.Varint).uint32(1),
    );
  // A varint wider than 32 bits keeps its low 32 bits: 2^32 + 16000 is 16000.
  assert.deepEqual(
    serializer().deserialize(audio((w) => w.tag(4, WireType.Varint).uint64(2n ** 32n + 16000n))),
    { type: "audio", audio: PCM, sampleRate: 16000, channels: 1 },
  );
  // -1 as an int32 writes it (10 bytes) is 4294967295 as a uint32: no rate.
  assert.throws(
    () => serializer().deserialize(audio((w) => w.tag(4, WireType.Varint).int32(-1))),
    (e) => isDecode(e) && /4294967295/.test((e as Error).message),
  );
  // An 11-byte varint is none.
  const eleven = new Uint8Array([0x12, 0x0e, 0x20, ...new Array(10).fill(0xff), 0x01, 0x28, 0x01]);
  assert.throws(() => serializer().deserialize(eleven), isDecode);
});

Deno.test("`ProtobufSerializer` refuses lengths past the message's end with a decode error", () => {
  for (
    const bad of [
      [0x12, 0x05, 0x1a, 0x10, 1, 2, 3], // audio bytes of 16 in a 3-byte frame
      [0x12, 0x06, 0x1a, 0xff, 0xff, 0xff, 0xff, 0x0f], // audio bytes of 2^32 - 1
      [0x12, 0x40, 0x20, 0x80, 0x7d], // an AudioRawFrame of 64 bytes, 3 there
      [0x22, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0a, 0x00], // a MessageFrame of 2^32 - 1 bytes
      [0x12], // a tag and nothing after it
    ]
  ) {
    assert.throws(() => serializer().deserialize(new Uint8Array(bad)), isDecode, `${bad}`);
  }
});

Deno.test("`ProtobufSerializer` refuses proto3 strings that are not UTF-8 with a decode error", () => {
  const notUtf8 = [
    new Uint8Array([0xc3, 0x28]), // a lead byte whose continuation is "("
    new Uint8Array([0xff]),
    new Uint8Array([0xed, 0xa0, 0x80]), // a lone surrogate, as CESU-8 writes it
  ];
  for (const bytes of notUtf8) {
    const text = frame(1, (w) => w.tag(3, WireType.LengthDelimited).bytes(bytes));
    const data = frame(4, (w) => w.tag(1, WireType.LengthDelimited).bytes(bytes));
    const userId = frame(3, (w) => w.tag(4, WireType.LengthDelimited).bytes(bytes));
    for (const wire of [text, data, userId]) {
      assert.throws(() => serializer().deserialize(wire), isDecode, `${bytes}`);
    }
  }
});

Deno.test("`ProtobufSerializer` reads audio of no samples as nothing, its rate still checked", () => {
  const empty = (rate: number) =>
    frame(2, (w) => w.tag(4, WireType.Varint).uint32(rate).tag(5, WireType.Varint).uint32(1));
  assert.equal(serializer().deserialize(empty(16000)), null);
  assert.equal(serializer().deserialize(empty(48000)), null);
  assert.throws(() => serializer().deserialize(new Uint8Array([0x12, 0x00])), isDecode);
});
