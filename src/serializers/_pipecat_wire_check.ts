/**
 * {@linkcode checkRecords}: what `@bufbuild/protobuf`'s `fromBinary` lets through in a pipecat
 * `Frame`, refused before it reads one. Internal to `ProtobufSerializer`.
 *
 * @module
 */

import { type DescField, ScalarType } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import { FrameSchema } from "./_pipecat_frames_pb.ts";

/** No wire type is expected of a field: one frames.proto lacks. */
const ANY_WIRE_TYPE = -1;

/**
 * For each field of `pipecat.Frame` (each a kind of frame, an embedded message), the wire type
 * each field of that message is written in, indexed by field number ({@linkcode ANY_WIRE_TYPE}
 * for a number it lacks): read from the descriptors, so that it follows frames.proto (uint32 and
 * uint64 are varints, string and bytes length-delimited). A table, not a map, as it is looked up
 * for every record of every inbound message.
 */
const FRAME_KIND_WIRE_TYPES: ReadonlyMap<number, Int8Array> = new Map(
  FrameSchema.fields.map((kind) => {
    if (kind.fieldKind !== "message") {
      throw new Error(`pipecat.Frame field ${kind.name}: no message`);
    }
    const fields = kind.message.fields;
    const table = new Int8Array(Math.max(0, ...fields.map((f) => f.number)) + 1);
    table.fill(ANY_WIRE_TYPE);
    for (const field of fields) table[field.number] = wireTypeOf(field);
    return [kind.number, table];
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
 *
 * Every inbound pipecat message (each 20 ms of the caller's audio) passes here, so the walk is
 * by hand over `data` with offsets: nothing is allocated per record, and only a refusal throws.
 * Its errors are word for word those of the `BinaryReader` walk it replaced (its `tag` and
 * `skip`, and the same refusals in the same order), so a decode error reads as it did.
 */
export function checkRecords(data: Uint8Array): void {
  const records = new Records(data);
  const len = data.length;
  while (records.pos < len) {
    const tag = records.tag();
    const kind = tag >>> 3;
    const wireType = tag & 7;
    const fields = FRAME_KIND_WIRE_TYPES.get(kind);
    if (fields === undefined) {
      records.skip(wireType, kind, 0);
      continue;
    }
    if (wireType !== WireType.LengthDelimited) {
      throw new Error(`Frame field ${kind} has wire type ${wireType}, not a submessage's 2`);
    }
    const length = records.length();
    const end = records.pos + length;
    if (end > len) throw new Error(`Frame field ${kind} of ${length} bytes: premature EOF`);
    while (records.pos < end) {
      // A tag is read on past `end` (to the message's end) as `BinaryReader` read it: a record
      // that does so is refused below, once skipped, unless it is refused first.
      const inner = records.tag();
      const field = inner >>> 3;
      const type = inner & 7;
      const expected = field < fields.length ? fields[field]! : ANY_WIRE_TYPE;
      if (expected !== ANY_WIRE_TYPE && type !== expected) {
        throw new Error(
          `field ${field} of Frame field ${kind} has wire type ${type}, not ${expected}`,
        );
      }
      records.skip(type, field, 0);
    }
    if (records.pos > end) {
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

/** The most bytes of a varint (protobuf.dev, Encoding, "Base 128 Varints"). */
const MAX_VARINT_BYTES = 10;

/**
 * The records of one message: `data` read at `pos`, which never passes `data.length` (a read
 * that would throws). Varints are 7 bits a byte, least significant first, the top bit set on
 * every byte but the last (protobuf.dev, Encoding, "Base 128 Varints").
 */
class Records {
  readonly #data: Uint8Array;
  pos = 0;

  constructor(data: Uint8Array) {
    this.#data = data;
  }

  /**
   * The tag at `pos` (field number × 8 + wire type; `>>> 3` and `& 7` part them), `pos` moved
   * past it. As `BinaryReader.tag` (`@bufbuild/protobuf` 2.17): a varint of up to 10 bytes (over
   * that an "invalid varint"), then one over 32 bits, a field number 0 or a wire type over 5
   * refused. A 5-byte tag's top bits are the fifth byte's low 4, so its value is read as an
   * int32 whose `>>> 3` and `& 7` are the uint32's.
   */
  tag(): number {
    const data = this.#data;
    const start = this.pos;
    let tag = 0;
    let last = 0;
    for (let group = 0;; group++) {
      if (this.pos >= data.length) throw new RangeError("premature EOF");
      last = data[this.pos++]!;
      if (group < 5) tag |= (last & (group < 4 ? 0x7f : 0x0f)) << (7 * group);
      if ((last & 0x80) === 0) break;
      if (group === MAX_VARINT_BYTES - 1) throw new Error("invalid varint");
    }
    const bytesRead = this.pos - start;
    if (bytesRead > 5 || (bytesRead === 5 && last > 0x0f)) {
      throw new Error("illegal tag: varint overflows uint32");
    }
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field <= 0 || wireType > 5) {
      throw new Error("illegal tag: field no " + field + " wire type " + wireType);
    }
    return tag;
  }

  /**
   * The length of the length-delimited record at `pos` (the varint after its tag, up to 10
   * bytes: protobuf.dev, Encoding, "Length-Delimited Records"), read whole, `pos` moved past it.
   * `BinaryReader.uint32` keeps a varint's low 32 bits and drops the rest, so that a record
   * declaring 4 GiB, or -2^32 + 11 (a negative int64, 10 bytes), was one of a few bytes; here any
   * length over {@linkcode MAX_RECORD_LENGTH} throws. Groups of zero bits padding a varint are
   * its value.
   */
  length(): number {
    const data = this.#data;
    let length = 0;
    for (let group = 0; group < MAX_VARINT_BYTES; group++) {
      if (this.pos >= data.length) throw new RangeError("premature EOF");
      const byte = data[this.pos++]!;
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
   * Moves `pos` past the record of `field` whose tag it just read, in `wireType`, `depth` groups
   * in, as `BinaryReader.skip` moved past it: a varint to its last byte however many bytes it
   * has, a fixed64 or fixed32 its 8 or 4 bytes, and an end group with no start refused; but a
   * length-delimited one's length read whole ({@linkcode length}), and a group's records each
   * skipped so, to the end tag of its own field.
   */
  skip(wireType: number, field: number, depth: number): void {
    const data = this.#data;
    switch (wireType) {
      case WireType.Varint:
        // Not bounded at 10 bytes: `BinaryReader.skip` reads on to a byte without the top bit.
        for (;;) {
          if (this.pos >= data.length) throw new RangeError("premature EOF");
          if ((data[this.pos++]! & 0x80) === 0) return;
        }
      case WireType.Bit64:
      case WireType.Bit32: {
        const end = this.pos + (wireType === WireType.Bit64 ? 8 : 4);
        if (end > data.length) throw new RangeError("premature EOF");
        this.pos = end;
        return;
      }
      case WireType.LengthDelimited: {
        const length = this.length(); // read before `pos`, which it moves past the varint
        const end = this.pos + length;
        if (end > data.length) throw new RangeError("premature EOF");
        this.pos = end;
        return;
      }
      case WireType.StartGroup:
        if (depth >= MAX_GROUP_DEPTH) throw new Error("maximum recursion depth reached");
        for (;;) {
          const tag = this.tag();
          const inner = tag >>> 3;
          const type = tag & 7;
          if (type === WireType.EndGroup) {
            if (inner !== field) throw new Error("invalid end group tag");
            return;
          }
          this.skip(type, inner, depth + 1);
        }
      default: // WireType.EndGroup, whose group never started (`tag` refuses 6 and 7)
        throw new Error("cant skip wire type " + wireType);
    }
  }
}
