// `checkRecords`, the pipecat wire check walked by hand over the bytes, gives every message the
// verdict the `BinaryReader` walk it replaced gave: the same acceptance, or a throw of the same
// class with the same text. The old walk is kept verbatim as the oracle
// (`bufbuildReaderCheckRecords`, tests/serializers/_pipecat_wire_check_oracle.ts),
// and both are run over messages drawn from a seeded generator: pipecat frames encoded with the
// real schema (src/serializers/_pipecat_frames_pb.ts), the same mutated byte by byte and cut
// short, and messages built record by record from the protobuf encoding (protobuf.dev,
// Programming Guides → Encoding: "Base 128 Varints", "Message Structure" for the tag and its six
// wire types 0 VARINT, 1 I64, 2 LEN, 3 SGROUP, 4 EGROUP, 5 I32, "Length-Delimited Records") with
// its edges: lengths of 2 GiB and more, varints of 10 bytes and of more, tags of 5 and 6 bytes,
// groups nested to and past the decoder's depth, fixed32 and fixed64 fields, known fields in the
// wrong wire type. A failure names its seed and case; SEED replays it.
import assert from "node:assert/strict";
import { create, toBinary } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import {
  AudioRawFrameSchema,
  type Frame,
  FrameSchema,
  InterruptionFrameSchema,
  MessageFrameSchema,
  TextFrameSchema,
  TranscriptionFrameSchema,
} from "../../src/serializers/_pipecat_frames_pb.ts";
import { checkRecords } from "../../src/serializers/_pipecat_wire_check.ts";
import { bufbuildReaderCheckRecords } from "./_pipecat_wire_check_oracle.ts";
import { Prng } from "../fuzz/prng.ts";

// --- The generator -----------------------------------------------------------------------------

/** Replays a failure: the seed its message names. */
const SEED = 0x5eed_2026;
const CASES = 20_000;

/** A varint of `value` in at least `bytes` bytes: padded with groups of zero bits past 10, too. */
function varint(out: number[], value: bigint, bytes = 1): void {
  assert.ok(value >= 0n, "a varint of an unsigned value");
  for (let i = 0;; i++) {
    const bits = Number(value & 0x7fn);
    value >>= 7n;
    if (value === 0n && i + 1 >= bytes) {
      out.push(bits);
      return;
    }
    out.push(bits | 0x80);
  }
}

const TEXTS = ["", "hello", "héllo wörld", "日本語", "😀", "x".repeat(200)];

/** A frame of every kind frames.proto has (or none), with fields at their edges. */
function randomFrame(r: Prng): Uint8Array {
  const id = r.pick([0n, 1n, 127n, 128n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n]);
  const name = r.pick(TEXTS);
  let frame: Frame["frame"];
  switch (r.int(6)) {
    case 0:
      frame = { case: "text", value: create(TextFrameSchema, { id, name, text: r.pick(TEXTS) }) };
      break;
    case 1: {
      const audio = new Uint8Array(r.pick([0, 2, 320, 640, 1920]));
      for (let i = 0; i < audio.length; i++) audio[i] = r.int(256);
      frame = {
        case: "audio",
        value: create(AudioRawFrameSchema, {
          id,
          name,
          audio,
          sampleRate: r.pick([0, 8000, 16000, 24000, 48000, 2 ** 32 - 1]),
          numChannels: r.pick([0, 1, 2]),
          ...(r.chance(0.5)
            ? { pts: r.pick([0n, 1_764_000_000_123_456_789n, 2n ** 64n - 1n]) }
            : {}),
        }),
      };
      break;
    }
    case 2:
      frame = {
        case: "transcription",
        value: create(TranscriptionFrameSchema, {
          id,
          name,
          text: r.pick(TEXTS),
          userId: r.pick(TEXTS),
          timestamp: "2026-12-07T07:00:00.000Z",
        }),
      };
      break;
    case 3:
      frame = {
        case: "message",
        value: create(MessageFrameSchema, {
          data: JSON.stringify({ label: "rtvi-ai", n: String(id) }),
        }),
      };
      break;
    case 4:
      frame = { case: "interruption", value: create(InterruptionFrameSchema, { id, name }) };
      break;
    default:
      frame = { case: undefined };
  }
  return toBinary(FrameSchema, create(FrameSchema, { frame }));
}

/** A tag: mostly well formed, sometimes padded to 5 or 6 bytes, field 0, wire type 6 or 7. */
function tag(out: number[], r: Prng, field: number, wireType: number): void {
  const roll = r.int(40);
  if (roll === 0) varint(out, BigInt(r.int(8)), 1); // field number 0
  else if (roll === 1) varint(out, BigInt(field) * 8n + BigInt(6 + r.int(2)));
  else if (roll === 2) varint(out, BigInt(field) * 8n + BigInt(wireType), 5);
  else if (roll === 3) varint(out, BigInt(field) * 8n + BigInt(wireType), 6);
  else if (roll === 4) varint(out, 2n ** 32n + BigInt(field * 8 + wireType), 1); // over 32 bits
  else if (roll === 5) varint(out, BigInt(field) * 8n + BigInt(wireType), 11); // over 10 bytes
  else varint(out, BigInt(field) * 8n + BigInt(wireType));
}

/** A varint value of any width, written in 1 to 12 bytes (10 the most a varint has). */
function varintRecordBody(out: number[], r: Prng): void {
  const value = r.pick([0n, 1n, 300n, 2n ** 31n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 70n]);
  varint(out, value, r.pick([1, 1, 1, 5, 9, 10, 10, 11, 12]));
}

/** A record length: mostly the true one, else off by a little, padded, or 2 GiB and more. */
function length(out: number[], r: Prng, actual: number): void {
  const roll = r.int(30);
  if (roll === 0) varint(out, 2n ** 31n - 1n);
  else if (roll === 1) varint(out, 2n ** 31n);
  else if (roll === 2) varint(out, 2n ** 32n + BigInt(actual)); // low 32 bits the true length
  else if (roll === 3) varint(out, 2n ** 64n - 2n ** 32n + BigInt(actual), 10); // negative int64
  else if (roll === 4) varint(out, BigInt(actual), 10);
  else if (roll === 5) varint(out, BigInt(actual), 11);
  else if (roll === 6) varint(out, BigInt(actual), 5);
  else if (roll === 7) varint(out, BigInt(Math.max(0, actual + r.int(7) - 3)));
  else varint(out, BigInt(actual));
}

/** One record of any wire type, its field `field`, groups holding records of their own. */
function record(out: number[], r: Prng, field: number, depth: number): void {
  const wireType = r.chance(0.03) ? WireType.EndGroup : r.pick([0, 0, 1, 2, 2, 3, 5]);
  tag(out, r, field, wireType);
  switch (wireType) {
    case WireType.Varint:
      varintRecordBody(out, r);
      return;
    case WireType.Bit64:
    case WireType.Bit32:
      for (let i = wireType === WireType.Bit64 ? 8 : 4; i > 0; i--) out.push(r.int(256));
      return;
    case WireType.LengthDelimited: {
      const body: number[] = [];
      for (let i = r.pick([0, 1, 4, 17]); i > 0; i--) body.push(r.int(256));
      length(out, r, body.length);
      out.push(...body);
      return;
    }
    case WireType.StartGroup: {
      if (depth < 4) {
        for (let i = r.int(3); i > 0; i--) record(out, r, randomField(r), depth + 1);
      }
      // Its end tag: its own field, mostly; sometimes another, or none at all.
      if (r.chance(0.9)) tag(out, r, r.chance(0.9) ? field : field + 1, WireType.EndGroup);
      return;
    }
    default:
      return;
  }
}

/** A field number: mostly the few frames.proto has, sometimes one it lacks, small or huge. */
function randomField(r: Prng): number {
  return r.chance(0.7) ? 1 + r.int(7) : r.pick([8, 15, 16, 99, 2047, 2 ** 29 - 1]);
}

/** A `Frame` built record by record: frame kinds holding their own records, and fields beside. */
function builtMessage(r: Prng): Uint8Array {
  const out: number[] = [];
  for (let n = 1 + r.int(3); n > 0; n--) {
    if (r.chance(0.3)) {
      record(out, r, randomField(r), 0); // a Frame field, any wire type
      continue;
    }
    const kind = 1 + r.int(5);
    const body: number[] = [];
    for (let i = r.int(6); i > 0; i--) record(body, r, randomField(r), 0);
    tag(out, r, kind, r.chance(0.95) ? WireType.LengthDelimited : r.int(6));
    length(out, r, body.length);
    out.push(...body);
  }
  return new Uint8Array(out);
}

/** Groups `depth` deep around an empty text frame, ended well or not. */
function nestedGroups(r: Prng): Uint8Array {
  const out: number[] = [];
  const depth = r.pick([99, 100, 101, 150]);
  const field = randomField(r) + 10;
  for (let i = 0; i < depth; i++) varint(out, BigInt(field * 8 + WireType.StartGroup));
  for (let i = r.chance(0.8) ? depth : depth - 1; i > 0; i--) {
    varint(out, BigInt(field * 8 + WireType.EndGroup));
  }
  out.push(0x0a, 0x00); // Frame.text, empty
  return new Uint8Array(out);
}

/** A few bytes changed, inserted, removed; or the message cut short. */
function mutated(r: Prng, bytes: Uint8Array): Uint8Array {
  if (bytes.length > 0 && r.chance(0.3)) return bytes.slice(0, r.int(bytes.length));
  const out = [...bytes];
  for (let n = 1 + r.int(3); n > 0; n--) {
    const at = r.int(out.length + 1);
    const byte = r.chance(0.5)
      ? r.pick([0x00, 0x0f, 0x10, 0x7f, 0x80, 0xff, 0x0b, 0x0c, 0x13, 0x14, 0x0d, 0x09])
      : r.int(256);
    switch (r.int(3)) {
      case 0:
        if (at < out.length) out[at] = byte;
        break;
      case 1:
        out.splice(at, 0, byte);
        break;
      default:
        out.splice(at, 1);
    }
  }
  return new Uint8Array(out);
}

function randomMessage(r: Prng): Uint8Array {
  switch (r.int(8)) {
    case 0:
      return randomFrame(r);
    case 1:
    case 2:
      return mutated(r, randomFrame(r));
    case 3:
    case 4:
      return builtMessage(r);
    case 5:
      return mutated(r, builtMessage(r));
    case 6: {
      const [a, b] = [randomMessage(r), randomMessage(r)];
      return new Uint8Array([...a, ...b]);
    }
    default:
      return r.chance(0.1) ? nestedGroups(r) : new Uint8Array(r.int(12)).map(() => r.int(256));
  }
}

/** "accepted", or the class and text of what it threw. */
function verdict(check: (data: Uint8Array) => void, data: Uint8Array): string {
  try {
    check(data);
    return "accepted";
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

const hex = (data: Uint8Array) => Array.from(data, (b) => b.toString(16).padStart(2, "0")).join("");

Deno.test("`checkRecords` gives every generated message the verdict the `BinaryReader` walk gave", () => {
  const r = new Prng(SEED);
  const seen = new Map<string, number>();
  for (let n = 0; n < CASES; n++) {
    const data = randomMessage(r);
    const expected = verdict(bufbuildReaderCheckRecords, data);
    assert.equal(
      verdict(checkRecords, data),
      expected,
      `seed ${SEED}, case ${n}: ${data.length} bytes ${hex(data.subarray(0, 256))}`,
    );
    const shape = expected.replace(/\d+/g, "#");
    seen.set(shape, (seen.get(shape) ?? 0) + 1);
  }
  // Every verdict the oracle has was reached, each more than a few times: the generator went
  // down every path of both walks.
  const every = [
    "accepted",
    "RangeError: premature EOF",
    "Error: invalid varint",
    "Error: illegal tag: varint overflows uint#",
    "Error: illegal tag: field no # wire type #",
    "Error: Frame field # has wire type #, not a submessage's #",
    "Error: Frame field # of # bytes: premature EOF",
    "Error: field # of Frame field # has wire type #, not #",
    "Error: a record runs past the # bytes of Frame field #",
    "Error: a record length of # GiB or more, over # bytes",
    "Error: invalid varint: more than # bytes",
    "Error: maximum recursion depth reached",
    "Error: invalid end group tag",
    "Error: cant skip wire type #",
  ];
  for (const shape of every) {
    assert.ok((seen.get(shape) ?? 0) >= 50, `${shape}: ${seen.get(shape) ?? 0} cases`);
  }
  assert.deepEqual([...seen.keys()].sort(), [...every].sort());
});

Deno.test("`checkRecords` agrees with the `BinaryReader` walk on a message in a larger buffer", () => {
  // A message received as a view into a larger buffer (byteOffset > 0): the bytes around it are
  // not its own, and neither walk reads them.
  const r = new Prng(SEED + 1);
  for (let n = 0; n < 2_000; n++) {
    const data = randomMessage(r);
    const slab = new Uint8Array(data.length + 16).fill(0x80);
    slab.set(data, 8);
    const view = slab.subarray(8, 8 + data.length);
    assert.equal(
      verdict(checkRecords, view),
      verdict(bufbuildReaderCheckRecords, view),
      `seed ${SEED + 1}, case ${n}: ${hex(data.subarray(0, 256))}`,
    );
  }
});
