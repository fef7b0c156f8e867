import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeBase64, encodeBase64 } from "../../../src/serializers/telephony/base64.ts";
import {
  decodeBase64Portable,
  encodeBase64Portable,
} from "../../../src/serializers/telephony/_base64_portable.ts";

Deno.test("`encodeBase64` and the portable encoder agree with btoa on any bytes", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 700 }), (bytes) => {
      const expected = btoa(String.fromCharCode(...bytes));
      assert.equal(encodeBase64(bytes), expected);
      assert.equal(encodeBase64Portable(bytes), expected);
      assert.deepEqual(decodeBase64(expected), bytes);
      assert.deepEqual(decodeBase64Portable(expected), bytes);
      assert.deepEqual(decodeBase64Portable(expected.replace(/=+$/, "")), bytes);
    }),
    { numRuns: 2000 },
  );
});

Deno.test("`decodeBase64Portable` rejects what is not base64", () => {
  for (const bad of ["A", "AAAAA", "AA*A", "ĀAAA", "AA=A", "\u0141AAA"]) {
    assert.throws(() => decodeBase64Portable(bad), SyntaxError, bad);
    assert.throws(() => decodeBase64(bad), SyntaxError, bad);
  }
});

Deno.test("`encodeBase64Portable` handles payloads larger than one internal chunk", () => {
  const bytes = new Uint8Array(30000).map((_, i) => (i * 7) & 255);
  assert.equal(encodeBase64Portable(bytes), btoa(String.fromCharCode(...bytes)));
});
