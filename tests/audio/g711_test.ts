import assert from "node:assert/strict";
import { alawDecode, alawEncode, mulawDecode, mulawEncode } from "@x/ws-transport/audio";

const fixture = (name: string) => Deno.readFile(new URL(`./fixtures/${name}`, import.meta.url));

/** Every 16-bit sample value, -32768 … 32767. */
const everySample = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
/** Every code, 0 … 255 (the same bytes as fixtures/g711_all_codes.raw). */
const everyCode = Uint8Array.from({ length: 256 }, (_, i) => i);

async function soxDecoded(name: string): Promise<Int16Array> {
  const bytes = await fixture(name);
  assert.equal(bytes.length, 512);
  return new Int16Array(bytes.buffer, bytes.byteOffset, 256); // sox wrote little-endian
}

/** The quantization step of the segment a decoded value lies in (16-bit scale). */
function mulawStep(code: number): number {
  return 8 << ((~code >> 4) & 7);
}
function alawStep(code: number): number {
  const segment = ((code ^ 0x55) >> 4) & 7;
  return segment <= 1 ? 16 : 16 << (segment - 1);
}

Deno.test("`mulawDecode` matches sox for all 256 codes", async () => {
  assert.deepEqual(await fixture("g711_all_codes.raw"), everyCode);
  assert.deepEqual(mulawDecode(everyCode), await soxDecoded("g711_mulaw_decoded_sox.raw"));
});

Deno.test("`alawDecode` matches sox for all 256 codes", async () => {
  assert.deepEqual(alawDecode(everyCode), await soxDecoded("g711_alaw_decoded_sox.raw"));
});

Deno.test("`mulawEncode` inverts `mulawDecode` for every code but the negative zero", () => {
  const again = mulawEncode(mulawDecode(everyCode));
  for (let code = 0; code < 256; code++) {
    assert.equal(again[code], code === 0x7f ? 0xff : code, `code 0x${code.toString(16)}`);
  }
});

Deno.test("`alawEncode` inverts `alawDecode` for every code", () => {
  assert.deepEqual(alawEncode(alawDecode(everyCode)), everyCode);
});

for (
  const [name, encode, decode, step] of [
    ["mulaw", mulawEncode, mulawDecode, mulawStep],
    ["alaw", alawEncode, alawDecode, alawStep],
  ] as const
) {
  Deno.test(`\`${name}\` round trip of all 65,536 samples stays within one step and is monotonic`, () => {
    const codes = encode(everySample);
    const decoded = decode(codes);
    for (let i = 0; i < everySample.length; i++) {
      const x = everySample[i]!, y = decoded[i]!;
      assert.ok(Math.abs(y - x) <= step(codes[i]!), `${x} → 0x${codes[i]!.toString(16)} → ${y}`);
      if (i > 0) assert.ok(y >= decoded[i - 1]!, `not monotonic at ${x}`);
    }
  });
}

Deno.test("G.711 encoders follow the G.191 reference on known values", () => {
  // Truncation and one's complement for negatives: −1 is μ-law's negative zero, A-law's 0x55.
  assert.deepEqual(
    [...mulawEncode(new Int16Array([0, 1, 3, 4, -1, -4, -5, 32767, -32768]))],
    [0xff, 0xff, 0xff, 0xfe, 0x7f, 0x7f, 0x7e, 0x80, 0x00],
  );
  assert.deepEqual(
    [...alawEncode(new Int16Array([0, 15, 16, -1, -16, -17, 32767, -32768]))],
    [0xd5, 0xd5, 0xd4, 0x55, 0x55, 0x54, 0xaa, 0x2a],
  );
});

Deno.test("G.711 codecs fill `out` and return a view of it", () => {
  const samples = new Int16Array([100, -100, 1000]);
  const codes = new Uint8Array(8).fill(0x11);
  const filled = mulawEncode(samples, codes);
  assert.equal(filled.buffer, codes.buffer);
  assert.equal(filled.length, 3);
  assert.equal(codes[3], 0x11);
  const pcm = new Int16Array(4);
  const decoded = alawDecode(alawEncode(samples, codes), pcm);
  assert.equal(decoded.buffer, pcm.buffer);
  assert.equal(decoded.length, 3);
  assert.equal(mulawDecode(new Uint8Array(0)).length, 0);
});

Deno.test("G.711 codecs reject an `out` that is too short", () => {
  assert.throws(() => mulawEncode(new Int16Array(4), new Uint8Array(3)), RangeError);
  assert.throws(() => alawEncode(new Int16Array(4), new Uint8Array(3)), RangeError);
  assert.throws(() => mulawDecode(new Uint8Array(4), new Int16Array(3)), /at least 4, got 3/);
  assert.throws(() => alawDecode(new Uint8Array(4), new Int16Array(3)), RangeError);
});

/**
 * One sign of a G.711 law as the Recommendation tabulates it (ITU-T G.711 (11/88), Table 1a
 * A-law, Table 2a μ-law): 8 segments of 16 intervals, each segment's first decision value, its
 * step, and the scale from the table's units to PCM16's (the 13-bit A-law table × 8, the 14-bit
 * μ-law table × 4). Written from the tables, not from the codec, to check both directions.
 */
interface G711Table {
  /** The decision values bounding the 128 intervals, 0 first (129 values). */
  decision: number[];
  /** Each interval's reconstruction value (the decoder's output, in the table's units). */
  value: number[];
  scale: number;
}

/** Builds a table from each segment's first decision value and step (its 16 intervals'). */
function g711Table(segments: { starts: number[]; steps: number[]; scale: number }): G711Table {
  const { starts, steps, scale } = segments;
  const decision: number[] = [];
  for (let segment = 0; segment < 8; segment++) {
    for (let i = 0; i < 16; i++) decision.push(starts[segment]! + i * steps[segment]!);
  }
  decision.push(starts[7]! + 16 * steps[7]!);
  const value = decision.slice(0, 128).map((low, n) => (low + decision[n + 1]!) / 2);
  return { decision, value, scale };
}

/**
 * Table 2a: steps of 2 up to 31, 4 up to 95, …, 256 up to 8159; the first interval is [0, 1],
 * value 0 (a step of 2 from −1, cut at 0).
 */
const MU_LAW_TABLE = g711Table({
  starts: [-1, 31, 95, 223, 479, 991, 2015, 4063],
  steps: [2, 4, 8, 16, 32, 64, 128, 256],
  scale: 4,
});
MU_LAW_TABLE.decision[0] = 0;
/** Table 1a: steps of 2 up to 64 (segments 1 and 2), then 4 up to 128, …, 128 up to 4096. */
const A_LAW_TABLE = g711Table({
  starts: [0, 32, 64, 128, 256, 512, 1024, 2048],
  steps: [2, 2, 4, 8, 16, 32, 64, 128],
  scale: 8,
});

/** The interval holding `magnitude` (table units; the top one for an overload). */
function intervalOf(table: G711Table, magnitude: number): number {
  let n = 0;
  while (n < 127 && magnitude >= table.decision[n + 1]!) n++;
  return n;
}

for (
  const [name, encode, decode, table, character] of [
    // μ-law: the interval's number inverted, the sign bit 1 for positive (0xFF is +0).
    [
      "mulaw",
      mulawEncode,
      mulawDecode,
      MU_LAW_TABLE,
      (positive: boolean, n: number) => (positive ? 0x80 : 0) | (127 - n),
    ],
    // A-law: sign bit 1 for positive, then segment and step, the even bits inverted (0x55).
    [
      "alaw",
      alawEncode,
      alawDecode,
      A_LAW_TABLE,
      (positive: boolean, n: number) => ((positive ? 0x80 : 0) | n) ^ 0x55,
    ],
  ] as const
) {
  Deno.test(`\`${name}\` codes every sample by G.711's decision values and decodes to its reconstruction values`, () => {
    // G.711 quantizes a continuous input; where an integer sample sits on a decision value is the
    // coder's choice. The G.191 reference reads a negative sample by its one's complement, which
    // is deciding on x + 0.5: symmetric about −0.5, never on a boundary.
    const codes = encode(everySample);
    for (let i = 0; i < everySample.length; i++) {
      const x = everySample[i]! + 0.5;
      const n = intervalOf(table, Math.abs(x) / table.scale);
      const expected = character(x > 0, n);
      assert.equal(codes[i], expected, `${everySample[i]}: 0x${codes[i]!.toString(16)}`);
    }
    const decoded = decode(everyCode);
    for (let n = 0; n < 128; n++) {
      const value = table.value[n]! * table.scale;
      assert.equal(decoded[character(true, n)], value, `+interval ${n}`);
      assert.equal(decoded[character(false, n)], -value || 0, `−interval ${n}`);
    }
  });
}
