import assert from "node:assert/strict";
import { WAV_HEADER_BYTES, wrapWav, writeWavHeader } from "../../src/audio/wav.ts";

/**
 * Headers written by Python's `wave` module, as pipecat's `add_wav_header` uses it
 * (`setsampwidth(2)`, `setnchannels`, `setframerate`, `writeframes`). Regenerate with:
 *
 * ```sh
 * python3 -c 'import io, wave
 * for rate, ch, n in [(16000, 1, 4), (8000, 2, 8), (24000, 1, 0), (44100, 2, 12), (16000, 1, 5)]:
 *     b = io.BytesIO()
 *     with wave.open(b, "wb") as w:
 *         w.setsampwidth(2); w.setnchannels(ch); w.setframerate(rate); w.writeframes(bytes(n))
 *     print(rate, ch, n, b.getvalue()[:44].hex())'
 * ```
 */
const PYTHON_WAVE_HEADERS: [number, number, number, string][] = [
  [
    16000,
    1,
    4,
    "524946462800000057415645666d74201000000001000100803e0000007d0000020010006461746104000000",
  ],
  [
    8000,
    2,
    8,
    "524946462c00000057415645666d74201000000001000200401f0000007d0000040010006461746108000000",
  ],
  [
    24000,
    1,
    0,
    "524946462400000057415645666d74201000000001000100c05d000080bb0000020010006461746100000000",
  ],
  [
    44100,
    2,
    12,
    "524946463000000057415645666d7420100000000100020044ac000010b1020004001000646174610c000000",
  ],
  // An odd byte count (half a sample): `wave` counts the bytes as given, RIFF size 36 + n, and
  // writes no RIFF pad byte after them (49 bytes in all); `wrapWav` does the same.
  [
    16000,
    1,
    5,
    "524946462900000057415645666d74201000000001000100803e0000007d0000020010006461746105000000",
  ],
];

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("`wrapWav` writes the header Python's `wave` module writes", () => {
  for (const [sampleRate, channels, dataBytes, expected] of PYTHON_WAVE_HEADERS) {
    const pcm = Uint8Array.from({ length: dataBytes }, (_, i) => i + 1);
    const wav = wrapWav(pcm, { sampleRate, channels });
    assert.equal(wav.length, WAV_HEADER_BYTES + dataBytes);
    assert.equal(hex(wav.subarray(0, WAV_HEADER_BYTES)), expected, `${sampleRate}/${channels}`);
    assert.deepEqual(wav.subarray(WAV_HEADER_BYTES), pcm);
  }
});

Deno.test("`writeWavHeader` writes at an offset inside a larger buffer, touching nothing else", () => {
  const [sampleRate, channels, dataBytes, expected] = PYTHON_WAVE_HEADERS[1]!;
  const backing = new Uint8Array(100).fill(0xaa);
  const target = backing.subarray(4);
  writeWavHeader(target, dataBytes, { sampleRate, channels }, 6);
  assert.equal(hex(backing.subarray(10, 10 + WAV_HEADER_BYTES)), expected);
  assert.ok(backing.subarray(0, 10).every((b) => b === 0xaa));
  assert.ok(backing.subarray(10 + WAV_HEADER_BYTES).every((b) => b === 0xaa));
});

Deno.test("`writeWavHeader` refuses what its fields cannot hold instead of wrapping it", () => {
  // RIFF sizes are 32-bit counts; WAVEFORMATEX's nChannels and nBlockAlign are WORDs (16 bits),
  // nSamplesPerSec and nAvgBytesPerSec DWORDs (learn.microsoft.com/en-us/windows/win32/api/
  // mmeapi/ns-mmeapi-waveformatex). Python's `wave` (pipecat's add_wav_header) refuses a value
  // past them with struct.error; a wrapped one makes a header that lies about the audio.
  const mono = { sampleRate: 8000, channels: 1 };
  const header = new Uint8Array(WAV_HEADER_BYTES);
  const view = new DataView(header.buffer);
  writeWavHeader(header, 0xffffffff - 36, mono); // the largest: RIFF size 0xFFFFFFFF
  assert.deepEqual([view.getUint32(4, true), view.getUint32(40, true)], [0xffffffff, 0xffffffdb]);
  for (const dataBytes of [0xffffffff - 35, 2 ** 32, 2 ** 32 + 4, -2, 1.5]) {
    assert.throws(() => writeWavHeader(header, dataBytes, mono), RangeError, `${dataBytes} bytes`);
  }
  writeWavHeader(header, 0, { sampleRate: 0x7fffffff, channels: 1 }); // 0xFFFFFFFE bytes/s
  writeWavHeader(header, 0, { sampleRate: 8000, channels: 0x7fff }); // block align 0xFFFE
  for (
    const format of [
      { sampleRate: 2 ** 31, channels: 1 }, // 2^32 bytes/s
      { sampleRate: 2 ** 32 + 8000, channels: 1 }, // would read 8000 Hz
      { sampleRate: 8000, channels: 0x8000 }, // block align 0x10000 would read 0
      { sampleRate: 8000, channels: 40000 },
      { sampleRate: 0, channels: 1 },
    ]
  ) {
    assert.throws(() => wrapWav(new Uint8Array(2), format), RangeError, JSON.stringify(format));
  }
});

Deno.test("`writeWavHeader` refuses an offset that leaves less than 44 bytes of `target`, writing nothing outside it", () => {
  // A DataView is bounded by the buffer, not by the view it is made from: a 20-byte view of a
  // 100-byte slab took the header's last 24 bytes out of its neighbour, and a negative offset
  // wrote before the view's start.
  const mono = { sampleRate: 8000, channels: 1 };
  for (
    const [start, length, offset] of [
      [0, 20, 0], // target too short for a header at all
      [0, 50, 7], // 44 bytes from 7 run past 50
      [10, 60, -10], // before the view's start
      [0, 60, 1.5],
      [0, 60, NaN],
    ] as const
  ) {
    const backing = new Uint8Array(100).fill(0xaa);
    const target = backing.subarray(start, start + length);
    assert.throws(() => writeWavHeader(target, 4, mono, offset), /offset must be an integer/);
    assert.ok(backing.every((b) => b === 0xaa), `${start}+${length} at ${offset}: bytes changed`);
  }
  // The last place a header fits is still taken.
  const exact = new Uint8Array(50);
  writeWavHeader(exact, 4, mono, 6);
  assert.equal(new TextDecoder().decode(exact.subarray(6, 10)), "RIFF");
});
