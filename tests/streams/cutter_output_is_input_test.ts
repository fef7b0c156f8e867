// Whatever sizes the bytes come in, what a packetizer (its `FixedSizeCutter`) hands out must be
// exactly what went in, cut at every `packetSize`, the last piece as the flush's policy says — for
// piece sizes under the 64 KiB a remainder's buffer is allocated whole at, and over it, where that
// buffer grows as bytes come (copied on each growth). And no piece handed out from a buffer of the
// cutter's own may change afterwards: a grown buffer emitted while it is still written to would
// rewrite audio already queued.

import assert from "node:assert/strict";
import fc from "fast-check";
import { FixedSizeCutter } from "../../src/streams/_fixed_size_cutter.ts";
import { type LastPacketPolicy, Packetizer } from "../../src/streams/packetizer.ts";
import { concatBytes } from "../_bytes.ts";

/** The size a remainder's buffer is allocated whole at (see `_fixed_size_cutter.ts`). */
const WHOLE_AT_ONCE_BYTES = 64 * 1024;

/** Piece sizes both sides of the whole-at-once size, and right at it. */
const pieceSize = fc.oneof(
  fc.integer({ min: 1, max: 700 }),
  fc.integer({ min: WHOLE_AT_ONCE_BYTES - 2, max: WHOLE_AT_ONCE_BYTES + 2 }),
  fc.integer({ min: WHOLE_AT_ONCE_BYTES + 3, max: 3 * WHOLE_AT_ONCE_BYTES }),
);

/** Write sizes from a byte to past a large piece, zero-length writes included. */
const writeSizes = fc.array(
  fc.oneof(
    fc.integer({ min: 0, max: 64 }),
    fc.integer({ min: 0, max: 5_000 }),
    fc.integer({ min: 30_000, max: 200_000 }),
  ),
  { maxLength: 12 },
);

/** Bytes numbered from `from`, so that a byte out of place shows. */
function numbered(length: number, from: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (from + i * 7 + (i >> 8)) & 0xff;
  return bytes;
}

/**
 * Asserts `actual` is `expected`, naming the first byte that differs: `deepEqual` of two arrays of
 * 100 KB builds a diff for minutes, and shrinking a counterexample calls it many times.
 */
function sameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const at = actual.findIndex((b, i) => b !== expected[i]);
  assert.equal(at, -1, `${what}: byte ${at} differs`);
}

/** A piece handed out, as it was then, and whether it lies in a buffer the caller wrote. */
interface Seen {
  piece: Uint8Array;
  copy: Uint8Array;
  callers: boolean;
}

Deno.test("a packetizer hands out exactly the bytes written, under any write sizes, piece sizes and flush policy", () => {
  fc.assert(
    fc.property(
      pieceSize,
      writeSizes,
      fc.constantFrom<LastPacketPolicy>("pad", "short", "drop"),
      fc.integer({ min: 0, max: 255 }),
      (size, writes, policy, padByte) => {
        const packetizer = new Packetizer({ packetSize: size, lastPacket: policy, padByte });
        const written: Uint8Array[] = [];
        const seen: Seen[] = [];
        let callerBuffer: ArrayBufferLike | undefined;
        const emit = (piece: Uint8Array) => {
          seen.push({
            piece,
            copy: new Uint8Array(piece),
            callers: piece.buffer === callerBuffer,
          });
        };
        let total = 0;
        for (const length of writes) {
          const bytes = numbered(length, total);
          written.push(new Uint8Array(bytes));
          callerBuffer = bytes.buffer;
          packetizer.push(bytes, emit);
          // The caller may reuse its buffer once push returns: pieces of the cutter's own must
          // not change with it (those inside the write are views of it, as documented).
          bytes.fill(0xee);
          total += length;
          assert.equal(packetizer.pendingBytes, total % size);
        }
        callerBuffer = undefined;
        const dropped = packetizer.flush(emit);
        // Nothing the cutter owns was written after it was handed out.
        for (const { piece, copy, callers } of seen) {
          if (!callers) sameBytes(piece, copy, "a piece handed out");
        }
        const input = concatBytes(written);
        const rest = total % size;
        const whole = total - rest;
        for (const [i, { copy }] of seen.entries()) {
          const last = i === seen.length - 1 && rest > 0 && policy === "short";
          assert.equal(copy.length, last ? rest : size, `piece ${i} of ${seen.length}`);
        }
        const output = concatBytes(seen.map((s) => s.copy));
        if (policy === "drop") {
          assert.equal(dropped, rest);
          sameBytes(output, input.subarray(0, whole), "output");
        } else {
          assert.equal(dropped, 0);
          const padded = policy === "pad" && rest > 0 ? size - rest : 0;
          assert.equal(output.length, total + padded);
          sameBytes(output.subarray(0, total), input, "output");
          assert.ok(output.subarray(total).every((b) => b === padByte), "padding");
        }
        assert.equal(packetizer.pendingBytes, 0);
      },
    ),
    { numRuns: 150, endOnFailure: true },
  );
});

Deno.test("a cutter's held remainder and the pieces it completes are the bytes written, its buffer never past one piece", () => {
  fc.assert(
    fc.property(pieceSize, writeSizes, (size, writes) => {
      const cutter = new FixedSizeCutter();
      const pieces: Uint8Array[] = [];
      const written: Uint8Array[] = [];
      let total = 0;
      for (const length of writes) {
        const bytes = numbered(length, total);
        written.push(new Uint8Array(bytes));
        cutter.push(bytes, size, (p) => pieces.push(new Uint8Array(p)));
        total += length;
      }
      const rest = cutter.take();
      assert.equal(rest?.bytes ?? 0, total % size);
      if (rest !== null) {
        assert.ok(rest.buffer.length >= rest.bytes && rest.buffer.length <= size);
        pieces.push(rest.buffer.slice(0, rest.bytes));
      }
      sameBytes(concatBytes(pieces), concatBytes(written), "output");
      assert.equal(cutter.take(), null);
    }),
    { numRuns: 150, endOnFailure: true },
  );
});
