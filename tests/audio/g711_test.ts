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
