// Plivo's REST API authenticates a hang-up with the auth id and token as one Basic auth pair
// (Plivo API reference, "Authentication": "HTTP Basic Auth with your Auth ID and Auth Token").
// A serializer given one of the two could never hang up, and said nothing until a call that should
// have ended went on: the half-given pair is refused when the serializer is made.

import assert from "node:assert/strict";
import { PlivoSerializer } from "../../src/serializers/plivo.ts";

Deno.test("PlivoSerializer refuses an auth id without its token, and a token without its id", () => {
  assert.throws(() => new PlivoSerializer({ authId: "MA1" }), {
    name: "RangeError",
    message: /authId without authToken/,
  });
  assert.throws(() => new PlivoSerializer({ authToken: "T" }), {
    name: "RangeError",
    message: /authToken without authId/,
  });
});

Deno.test("PlivoSerializer takes both credentials, or neither", () => {
  assert.doesNotThrow(() => new PlivoSerializer({ authId: "MA1", authToken: "T" }));
  assert.doesNotThrow(() => new PlivoSerializer({}));
  assert.doesNotThrow(() =>
    new PlivoSerializer({ authId: "MA1", authToken: "T", autoHangUp: false })
  );
});
