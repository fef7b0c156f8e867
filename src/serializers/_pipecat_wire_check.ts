/**
 * {@linkcode checkRecords}: what `@bufbuild/protobuf`'s `fromBinary` lets through in a pipecat
 * `Frame`, refused before it reads one. Internal to `ProtobufSerializer`.
 *
 * @module
 */

import { type DescField, ScalarType } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { FrameSchema } from "./_pipecat_frames_pb.ts";

/**
 * For each field of `pipecat.Frame` (each a kind of frame, an embedded message), the wire type
 * each field of that message is written in, by field number: read from the descriptors, so that
 * it follows frames.proto (uint32 and uint64 are varints, string and bytes length-delimited).
 */
const FRAME_KIND_WIRE_TYPES: ReadonlyMap<number, ReadonlyMap<number, WireType>> = new Map(
  FrameSchema.fields.map((kind) => {
    if (kind.fieldKind !== "message") {
      throw new Error(`pipecat.Frame field ${kind.name}: no message`);
    }
    return [kind.number, new Map(kind.message.fields.map((f) => [f.number, wireTypeOf(f)]))];
  }),
);

function wireTypeOf(field: DescField): WireType {
  if (field.fieldKind === "scalar") {
    switch (field.scalar) {
      case ScalarType.UINT32:
      case ScalarType.UINT64:
        return WireType.Varint;
      case ScalarType.STRING:
      case ScalarType.BYTES:
        return WireType.LengthDelimited;
    }
  }
  throw new Error(`frames.proto field ${field.name} is of a type this check does not know`);
}

/**
 * Throws where `data`'s records break the protobuf wire format in two ways `fromBinary` does not
 * notice (`@bufbuild/protobuf` 2.17): a field of frames.proto in a wire type its declared type
 * does not have (it reads the record as the declared type anyway, a length from a varint's
 * value, a number from a length's bytes), and a frame's last record running past the length its
 * submessage declared (it stops only once past the end, then reads on in the `Frame`). Either way
 * it made a frame up from the bytes around the record; protobuf's encoding gives each declared
 * type its wire type and bounds an embedded message by its length (protobuf.dev, Programming
 * Guides → Encoding). And a third: a length-delimited record's length of 2 GiB or more (see
 * `Records.length`), which it reads as its low 32 bits. Fields frames.proto lacks are
 * skipped, as `fromBinary` skips them, their lengths checked too.
 */
export function checkRecords(data: Uint8Array): void {
  const records = new Records(data);
  const reader = records.reader;
  while (reader.pos < reader.len) {
    const [kind, wireType] = reader.tag();
    const fields = FRAME_KIND_WIRE_TYPES.get(kind);
    if (fields === undefined) {
      records.skip(wireType, kind);
      continue;
    }
    if (wireType !== WireType.LengthDelimited) {
      throw new Error(`Frame field ${kind} has wire type ${wireType}, not a submessage's 2`);
    }
    const length = records.length();
    const end = reader.pos + length;
    if (end > reader.len) throw new Error(`Frame field ${kind} of ${length} bytes: premature EOF`);
    while (reader.pos < end) {
      const [field, type] = reader.tag();
      const expected = fields.get(field);
      if (expected !== undefined && type !== expected) {
        throw new Error(
          `field ${field} of Frame field ${kind} has wire type ${type}, not ${expected}`,
        );
      }
      records.skip(type, field);
    }
    if (reader.pos > end) {
      throw new Error(`a record runs past the ${length} bytes of Frame field ${kind}`);
    }
  }
}

/**
 * The most bytes a length-delimited record may declare: any message is below 2 GiB, the most
 * every implementation reads (protobuf.dev, Programming Guides → Proto Limits).
 */
const MAX_RECORD_LENGTH = 0x7fff_ffff;

/** Nesting of groups in a field frames.proto lacks, as deep as `BinaryReader.skip` goes. */
const MAX_GROUP_DEPTH = 100;

/**
 * The records of one message, read with `reader` over `data` (its bytes: `BinaryReader` keeps
 * them private) where `BinaryReader` reads a length's low 32 bits alone.
 */
class Records {
  readonly #data: Uint8Array;
  readonly reader: BinaryReader;

  constructor(data: Uint8Array) {
    this.#data = data;
    this.reader = new BinaryReader(data);
  }

  /**
   * The length of the length-delimited record at the reader (the varint after its tag, up to 10
   * bytes of 7 bits, least significant first: protobuf.dev, Encoding, "Base 128 Varints",
   * "Length-Delimited Records"), read whole, the reader moved past it. `BinaryReader.uint32`
   * keeps a varint's low 32 bits and drops the rest, so that a record declaring 4 GiB, or
   * -2^32 + 11 (a negative int64, 10 bytes), was one of a few bytes; here any length over
   * {@linkcode MAX_RECORD_LENGTH} throws. Groups of zero bits padding a varint are its value.
   */
  length(): number {
    const reader = this.reader;
    let length = 0;
    for (let group = 0; group < 10; group++) {
      const byte = this.#data[reader.pos++];
      if (byte === undefined) throw new RangeError("premature EOF");
      const bits = byte & 0x7f;
      // Bits 0 to 30 are a length's: any from bit 31 on makes it 2 GiB or more.
      if (group < 4) length += bits * 2 ** (7 * group);
      else if (group === 4 && bits <= 0x07) length += bits * 2 ** 28;
      else if (bits !== 0) {
        throw new Error(`a record length of 2 GiB or more, over ${MAX_RECORD_LENGTH} bytes`);
      }
      if ((byte & 0x80) === 0) return length;
    }
    throw new Error("invalid varint: more than 10 bytes");
  }

  /**
   * Moves the reader past the record of `field` whose tag it just read, in `wireType`: a
   * length-delimited one's length read whole ({@linkcode length}), a group's records each
   * skipped so, to the end tag of its own field.
   */
  skip(wireType: WireType, field: number, depth = 0): void {
    const reader = this.reader;
    switch (wireType) {
      case WireType.LengthDelimited: {
        const length = this.length(); // read before `pos`, which it moves past the varint
        reader.pos += length;
        if (reader.pos > reader.len) throw new RangeError("premature EOF");
        return;
      }
      case WireType.StartGroup:
        if (depth >= MAX_GROUP_DEPTH) throw new Error("maximum recursion depth reached");
        for (;;) {
          const [inner, type] = reader.tag();
          if (type === WireType.EndGroup) {
            if (inner !== field) throw new Error("invalid end group tag");
            return;
          }
          this.skip(type, inner, depth + 1);
        }
      default:
        reader.skip(wireType, field);
    }
  }
}
