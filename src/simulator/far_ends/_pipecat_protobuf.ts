/**
 * The few messages of pipecat's `frames.proto` (package `pipecat`, proto3) a client exchanges,
 * encoded and decoded by hand from the protobuf wire format (varints and length-delimited
 * fields), apart from the serializer under test (`InterruptionFrame` is the server's since pipecat
 * 1.3.0; the JS client's schema has none, see `pipecat.ts`):
 *
 * ```proto
 * message TextFrame { uint64 id = 1; string name = 2; string text = 3; }
 * message AudioRawFrame { uint64 id = 1; string name = 2; bytes audio = 3; uint32 sample_rate = 4;
 *                         uint32 num_channels = 5; optional uint64 pts = 6; }
 * message TranscriptionFrame { uint64 id = 1; string name = 2; string text = 3; string user_id = 4;
 *                              string timestamp = 5; }
 * message MessageFrame { string data = 1; }
 * message InterruptionFrame { uint64 id = 1; string name = 2; }
 * message Frame { oneof frame { TextFrame text = 1; AudioRawFrame audio = 2;
 *   TranscriptionFrame transcription = 3; MessageFrame message = 4; InterruptionFrame interruption = 5; } }
 * ```
 *
 * @module
 */

const VARINT = 0;
const FIXED64 = 1;
const BYTES = 2;
const FIXED32 = 5;

/** A decoded `pipecat.Frame`. */
export type PipecatFrame =
  | { kind: "audio"; audio: Uint8Array; sampleRate: number; channels: number }
  | { kind: "message"; data: string }
  | { kind: "text"; text: string }
  | { kind: "transcription"; text: string }
  | { kind: "interruption" }
  | { kind: "unknown"; field: number };

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** A `Frame` holding an `AudioRawFrame`, as `@pipecat-ai/websocket-transport` sends audio. */
export function encodeAudioFrame(pcm: Uint8Array, sampleRate: number): Uint8Array {
  const audio = [
    ...field(2, encoder.encode("audio")),
    ...field(3, pcm),
    ...varintField(4, sampleRate),
    ...varintField(5, 1),
  ];
  return new Uint8Array(field(2, new Uint8Array(audio)));
}

/** A `Frame` holding a `MessageFrame` whose `data` is `json`. */
export function encodeMessageFrame(json: string): Uint8Array {
  return new Uint8Array(field(4, new Uint8Array(field(1, encoder.encode(json)))));
}

/** Decodes a `Frame`; throws a `TypeError` when the bytes are not one. */
export function decodeFrame(bytes: Uint8Array): PipecatFrame {
  const fields = readFields(bytes);
  const [first] = fields;
  // Each says what is wrong: the caller prefixes "not a pipecat.Frame".
  if (!first) throw new TypeError("an empty message, no frame in it");
  if (first.wire !== BYTES) {
    throw new TypeError(
      `field ${first.number} has wire type ${first.wire}, not a length-delimited frame`,
    );
  }
  const inner = readFields(first.bytes!);
  const bytesOf = (n: number) => inner.find((f) => f.number === n && f.wire === BYTES)?.bytes;
  const numberOf = (n: number) => inner.find((f) => f.number === n && f.wire === VARINT)?.value;
  const text = (n: number) => decoder.decode(bytesOf(n) ?? new Uint8Array(0));
  switch (first.number) {
    case 1:
      return { kind: "text", text: text(3) };
    case 2:
      return {
        kind: "audio",
        audio: bytesOf(3) ?? new Uint8Array(0),
        sampleRate: numberOf(4) ?? 0,
        channels: numberOf(5) ?? 0,
      };
    case 3:
      return { kind: "transcription", text: text(3) };
    case 4:
      return { kind: "message", data: text(1) };
    case 5:
      return { kind: "interruption" };
    default:
      return { kind: "unknown", field: first.number };
  }
}

interface Field {
  number: number;
  wire: number;
  value?: number;
  bytes?: Uint8Array;
}

function readFields(bytes: Uint8Array): Field[] {
  const fields: Field[] = [];
  let at = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (at >= bytes.length) throw new TypeError("truncated varint");
      const b = bytes[at++]!;
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new TypeError("varint too long");
  };
  while (at < bytes.length) {
    const key = varint();
    const number = Math.floor(key / 8);
    const wire = key & 7;
    // The client's reader (protobuf-ts `BinaryReader.tag()`) throws at field 0, which no message
    // has: read as a field, all-zero bytes (PCM silence) went on as one empty field per 2 bytes.
    if (number === 0) throw new TypeError(`illegal tag: field no 0 wire type ${wire}`);
    if (wire === VARINT) fields.push({ number, wire, value: varint() });
    else if (wire === BYTES) {
      const length = varint();
      if (at + length > bytes.length) throw new TypeError("truncated field");
      fields.push({ number, wire, bytes: bytes.subarray(at, at + length) });
      at += length;
    } else if (wire === FIXED64 || wire === FIXED32) {
      at += wire === FIXED64 ? 8 : 4;
      if (at > bytes.length) throw new TypeError("truncated field");
    } else {
      throw new TypeError(`wire type ${wire} is not one proto3 uses here`);
    }
  }
  return fields;
}

function varintBytes(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function varintField(number: number, value: number): number[] {
  return value === 0 ? [] : [...varintBytes(number * 8 + VARINT), ...varintBytes(value)];
}

function field(number: number, bytes: Uint8Array): number[] {
  return [...varintBytes(number * 8 + BYTES), ...varintBytes(bytes.length), ...bytes];
}
