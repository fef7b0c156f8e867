/**
 * The pipecat wire check as it was before `checkRecords` walked the bytes by hand: a bufbuild
 * `BinaryReader` read the tags and skipped the records (src/serializers/_pipecat_wire_check.ts as
 * of commit 3cd2b93, verbatim but for its names). Kept as the oracle the new walk is held to
 * (tests/serializers/pipecat_wire_check_oracle_test.ts) and as the old cost beside it
 * (tests/bench/pipecat_wire_check_bench.ts).
 *
 * @module
 */

import { type DescField, ScalarType } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { FrameSchema } from "../../src/serializers/_pipecat_frames_pb.ts";

const ORACLE_FRAME_KIND_WIRE_TYPES: ReadonlyMap<number, ReadonlyMap<number, WireType>> = new Map(
  FrameSchema.fields.map((kind) => {
    if (kind.fieldKind !== "message") {
      throw new Error(`pipecat.Frame field ${kind.name}: no message`);
    }
    return [kind.number, new Map(kind.message.fields.map((f) => [f.number, oracleWireTypeOf(f)]))];
  }),
);

function oracleWireTypeOf(field: DescField): WireType {
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

/** The old `checkRecords`: a `BinaryReader` read the tags and skipped the records. */
export function bufbuildReaderCheckRecords(data: Uint8Array): void {
  const records = new OracleRecords(data);
  const reader = records.reader;
  while (reader.pos < reader.len) {
    const [kind, wireType] = reader.tag();
    const fields = ORACLE_FRAME_KIND_WIRE_TYPES.get(kind);
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

const ORACLE_MAX_RECORD_LENGTH = 0x7fff_ffff;
const ORACLE_MAX_GROUP_DEPTH = 100;

class OracleRecords {
  readonly #data: Uint8Array;
  readonly reader: BinaryReader;

  constructor(data: Uint8Array) {
    this.#data = data;
    this.reader = new BinaryReader(data);
  }

  length(): number {
    const reader = this.reader;
    let length = 0;
    for (let group = 0; group < 10; group++) {
      const byte = this.#data[reader.pos++];
      if (byte === undefined) throw new RangeError("premature EOF");
      const bits = byte & 0x7f;
      if (group < 4) length += bits * 2 ** (7 * group);
      else if (group === 4 && bits <= 0x07) length += bits * 2 ** 28;
      else if (bits !== 0) {
        throw new Error(
          `a record length of 2 GiB or more, over ${ORACLE_MAX_RECORD_LENGTH} bytes`,
        );
      }
      if ((byte & 0x80) === 0) return length;
    }
    throw new Error("invalid varint: more than 10 bytes");
  }

  skip(wireType: WireType, field: number, depth = 0): void {
    const reader = this.reader;
    switch (wireType) {
      case WireType.LengthDelimited: {
        const length = this.length();
        reader.pos += length;
        if (reader.pos > reader.len) throw new RangeError("premature EOF");
        return;
      }
      case WireType.StartGroup:
        if (depth >= ORACLE_MAX_GROUP_DEPTH) throw new Error("maximum recursion depth reached");
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
