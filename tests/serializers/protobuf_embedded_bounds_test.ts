// Records that break the protobuf wire format inside a well-bounded message: every one a decode
// error, never a frame made up from the bytes around it. The rules, from the protobuf encoding
// guide (protobuf.dev, Programming Guides → Encoding): "Message Structure" gives each declared
// type its wire type (uint32 and uint64 are VARINT, wire type 0; string, bytes and embedded
// messages are LEN, wire type 2), and "Embedded Messages"/"Length-Delimited Records" make a
// submessage exactly the `len` bytes its LEN record declares, so its fields end within them. The
// fields are pipecat's frames.proto (pipecat-ai/pipecat, src/pipecat/frames/frames.proto):
// `Frame { oneof frame { TextFrame text = 1; AudioRawFrame audio = 2; …; MessageFrame message = 4;
// … } }`, `AudioRawFrame { uint64 id = 1; string name = 2; bytes audio = 3; uint32 sample_rate = 4;
// uint32 num_channels = 5; optional uint64 pts = 6; }`, `MessageFrame { string data = 1; }`.
// `@bufbuild/protobuf` 2.17 checks neither: it reads a field as its declared type whatever wire
// type the record has, and stops reading a submessage only once past its end, so each vector
// below read as a frame before `ProtobufSerializer` checked the records itself.
import assert from "node:assert/strict";
import { isDecode, serializer } from "./fixtures/protobuf_serializer.ts";

Deno.test("`ProtobufSerializer` refuses a submessage whose last field runs past its declared length", () => {
  const overruns = {
    // An AudioRawFrame of 7 bytes (sample_rate 16000, num_channels 1, the tag and length of
    // `audio`) whose 4 audio bytes lie past its end, in the Frame.
    audio: [0x12, 0x07, 0x20, 0x80, 0x7d, 0x28, 0x01, 0x1a, 0x04, 0x10, 0x00, 0xf0, 0xff],
    // A MessageFrame of 2 bytes (the tag and length of `data`) whose "{}" lies past its end.
    message: [0x22, 0x02, 0x0a, 0x02, 0x7b, 0x7d],
  };
  for (const [name, bytes] of Object.entries(overruns)) {
    assert.throws(() => serializer().deserialize(new Uint8Array(bytes)), isDecode, name);
  }
  // The same fields inside their submessages' bounds read as ever.
  assert.deepEqual(
    serializer().deserialize(
      new Uint8Array([
        0x12,
        0x0b,
        0x20,
        0x80,
        0x7d,
        0x28,
        0x01,
        0x1a,
        0x04,
        0x10,
        0x00,
        0xf0,
        0xff,
      ]),
    ),
    {
      type: "audio",
      audio: new Uint8Array([0x10, 0x00, 0xf0, 0xff]),
      sampleRate: 16000,
      channels: 1,
    },
  );
  assert.deepEqual(
    serializer().deserialize(new Uint8Array([0x22, 0x04, 0x0a, 0x02, 0x7b, 0x7d])),
    { type: "message", message: {} },
  );
});

Deno.test("`ProtobufSerializer` refuses a field of frames.proto in a wire type its declared type does not have", () => {
  const mismatched = {
    // Frame.text (an embedded message: LEN) as the VARINT 0: read as an empty TextFrame, "".
    textAsVarint: [0x08, 0x00],
    // AudioRawFrame.pts (uint64: VARINT) as a LEN record of 2 bytes that hold num_channels 2:
    // read as pts 2 and then 2 channels, the sender's mono audio taken for stereo and mixed down.
    ptsAsLen: [
      0x12,
      0x0f,
      ...[0x1a, 0x04, 0x10, 0x00, 0xf0, 0xff], // audio: 16, -16
      ...[0x20, 0x80, 0x7d], // sample_rate 16000
      ...[0x28, 0x01], // num_channels 1
      ...[0x32, 0x02, 0x28, 0x02], // "pts"
    ],
    // MessageFrame.data (string: LEN) as the VARINT 2: read as a length, the 2 bytes after it,
    // "{}", taken for the data.
    dataAsVarint: [0x22, 0x04, 0x08, 0x02, 0x7b, 0x7d],
  };
  for (const [name, bytes] of Object.entries(mismatched)) {
    assert.throws(() => serializer().deserialize(new Uint8Array(bytes)), isDecode, name);
  }
});
