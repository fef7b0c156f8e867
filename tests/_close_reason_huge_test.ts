// A close frame's reason is at most 123 bytes of UTF-8 (RFC 6455, 5.5: a control frame's payload is
// at most 125 bytes; 5.5.1: the first two are the code, the rest a UTF-8 reason). The reason may be
// a thrown error's message of any size (a failing listener's, passed on as the close reason):
// `capCloseReason` must cut it as a whole encoding would without encoding it whole.
import assert from "node:assert/strict";
import { capCloseReason, MAX_CLOSE_REASON_BYTES } from "../src/_close_reason.ts";

/** What a close frame carries of `reason`, found the plain way: all of it encoded, then cut. */
function cutWhole(reason: string): string {
  const bytes = new TextEncoder().encode(reason);
  if (bytes.length <= MAX_CLOSE_REASON_BYTES) return reason;
  let end = MAX_CLOSE_REASON_BYTES;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // back to the character's first byte
  return new TextDecoder().decode(bytes.subarray(0, end));
}

/** Runs `work`, returning the longest string `TextEncoder.encode` was handed meanwhile. */
function longestEncoded(work: () => void): number {
  const encode = TextEncoder.prototype.encode;
  let longest = 0;
  TextEncoder.prototype.encode = function (input = "") {
    longest = Math.max(longest, input.length);
    return encode.call(this, input);
  };
  try {
    work();
  } finally {
    TextEncoder.prototype.encode = encode;
  }
  return longest;
}

Deno.test("capCloseReason encodes no more of a huge reason than a close frame can carry", () => {
  const huge = "x" + "é".repeat(4_000_000); // 8 MB of UTF-8, as a thrown error's message might be
  let cut = "";
  const longest = longestEncoded(() => (cut = capCloseReason(huge)));
  assert.equal(cut, "x" + "é".repeat(61)); // 123 bytes: the 62nd "é" would split
  assert.ok(longest <= MAX_CLOSE_REASON_BYTES + 1, `encoded ${longest} UTF-16 units of it`);
});

/** Characters of every UTF-8 length, a surrogate pair, and lone surrogates of both halves. */
const PIECES = ["a", "é", "€", "😀", "\ud800", "\udc00"];

Deno.test("capCloseReason cuts as encoding the whole reason would, a pair split at any unit", () => {
  let seed = 7;
  const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n; // repeatable
  for (let i = 0; i < 5000; i++) {
    let reason = "";
    const units = 30 + next(180); // around the 41, 123 and 124 units where the paths part
    while (reason.length < units) reason += PIECES[next(PIECES.length)];
    const cut = capCloseReason(reason);
    assert.equal(cut, cutWhole(reason), JSON.stringify(reason));
    assert.ok(new TextEncoder().encode(cut).length <= MAX_CLOSE_REASON_BYTES);
  }
  // A pair straddling the 124th unit, the last the head keeps, behind ASCII and behind "é".
  for (const before of ["a".repeat(123), "a".repeat(122), "é".repeat(61) + "a"]) {
    const reason = before + "😀" + "tail";
    assert.equal(capCloseReason(reason), cutWhole(reason));
  }
});
