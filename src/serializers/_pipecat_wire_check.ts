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
 * Guides → Encoding). Fields frames.proto lacks are skipped, as `fromBinary` skips them.
 */
export function checkRecords(data: Uint8Array): void {
  const reader = new BinaryReader(data);
  while (reader.pos < reader.len) {
    const [kind, wireType] = reader.tag();
    const fields = FRAME_KIND_WIRE_TYPES.get(kind);
    if (fields === undefined) {
      reader.skip(wireType, kind);
      continue;
    }
    if (wireType !== WireType.LengthDelimited) {
      throw new Error(`Frame field ${kind} has wire type ${wireType}, not a submessage's 2`);
    }
    const length = reader.uint32();
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
      reader.skip(type, field);
    }
    if (reader.pos > end) {
      throw new Error(`a record runs past the ${length} bytes of Frame field ${kind}`);
    }
  }
}
