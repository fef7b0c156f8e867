// The length of a length-delimited record (a frame's submessage, its `audio` bytes, a field
// frames.proto lacks) read whole: one of 2 GiB or more is a decode error, never its low 32 bits.
// The protobuf encoding guide (protobuf.dev, Programming Guides → Encoding, "Length-Delimited
// Records") gives a LEN record's length as the varint right after its tag, a varint being up to
// 10 bytes of 7 bits each, least significant group first, and a negative int32 or int64 taking all
// 10 ("Base 128 Varints", "Signed Integers"); its "Proto Limits" page bounds any message below 2
// GiB, the most every implementation reads. `@bufbuild/protobuf` 2.17's `BinaryReader.uint32`
// keeps a length's low 32 bits and drops the rest, so a record that declares 4 GiB (or a length
// of -2^32 + 11, as a 10-byte varint) was read as one of a few bytes, and the bytes it declared
// as its own read as a frame. A varint padded with groups of zero bits (not minimal, still the
// same value) is read as the value it is.
import assert from "node:assert/strict";
import { isDecode, serializer } from "./fixtures/protobuf_serializer.ts";

/**
 * An AudioRawFrame of 11 bytes: `audio` 16, -16 (4 bytes), sample_rate 16000, num_channels 1
 * (pipecat-ai/pipecat, src/pipecat/frames/frames.proto: `bytes audio = 3; uint32 sample_rate =
 * 4; uint32 num_channels = 5;`).
 */
const AUDIO = [0x1a, 0x04, 0x10, 0x00, 0xf0, 0xff, 0x20, 0x80, 0x7d, 0x28, 0x01];
const READ = {
  type: "audio",
  audio: new Uint8Array([0x10, 0x00, 0xf0, 0xff]),
  sampleRate: 16000,
  channels: 1,
};

Deno.test("`ProtobufSerializer` refuses a length-delimited record declaring 2 GiB or more, whatever its low 32 bits", () => {
  const overlong = {
    // Frame.audio (field 2, LEN) of 2^32 + 11 bytes: 5 varint bytes, the fifth 0x10 (bit 32).
    frameOf4GiB: [0x12, 0x8b, 0x80, 0x80, 0x80, 0x10, ...AUDIO],
    // Frame.audio of -2^32 + 11 bytes, as a negative int64 is written: 10 varint bytes.
    frameOfNegativeLength: [
      0x12,
      ...[0x8b, 0x80, 0x80, 0x80, 0xf0, 0xff, 0xff, 0xff, 0xff, 0x01],
      ...AUDIO,
    ],
    // Frame.audio of 2^31 bytes: over the 2 GiB - 1 any message may hold.
    frameOf2GiB: [0x12, 0x80, 0x80, 0x80, 0x80, 0x08, ...AUDIO],
    // AudioRawFrame.audio of 2^32 + 4 bytes in a well-bounded Frame.audio of 15 bytes.
    audioOf4GiB: [0x12, 0x0f, 0x1a, 0x84, 0x80, 0x80, 0x80, 0x10, ...AUDIO.slice(2)],
    // Frame field 15, which frames.proto lacks, of 2^32 bytes, then a well-formed Frame.audio:
    // what it declares covers the audio, read as its own were its length 0.
    unknownOf4GiB: [0x7a, 0x80, 0x80, 0x80, 0x80, 0x10, 0x12, 0x0b, ...AUDIO],
  };
  for (const [name, bytes] of Object.entries(overlong)) {
    assert.throws(() => serializer().deserialize(new Uint8Array(bytes)), isDecode, name);
  }
});

Deno.test("`ProtobufSerializer` reads a record length padded to 5 or 10 varint bytes as the length it is", () => {
  const padded = {
    fiveBytes: [0x12, 0x8b, 0x80, 0x80, 0x80, 0x00, ...AUDIO],
    tenBytes: [0x12, 0x8b, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, ...AUDIO],
    // The longest length there may be, 2^31 - 1, read whole: more bytes than the message has.
    unknownOfMost: [0x7a, 0xff, 0xff, 0xff, 0xff, 0x07, 0x12, 0x0b, ...AUDIO],
  };
  assert.deepEqual(serializer().deserialize(new Uint8Array(padded.fiveBytes)), READ);
  assert.deepEqual(serializer().deserialize(new Uint8Array(padded.tenBytes)), READ);
  assert.throws(
    () => serializer().deserialize(new Uint8Array(padded.unknownOfMost)),
    (e) => isDecode(e) && /premature EOF/.test((e as Error).message),
  );
});
