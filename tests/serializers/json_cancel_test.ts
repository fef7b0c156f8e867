// JsonSerializer: "Every frame ⇄ one JSON text message shaped like the frame itself … Reading is
// strict: a field of the wrong type is a decode error naming it" (src/serializers/json.ts). A
// cancel frame has `closeCode` and `reason` (src/frames.ts, CancelFrame): they come back as they
// went, and read wrong they are decode errors naming them, not dropped without a word.
import assert from "node:assert/strict";
import { JsonSerializer, TransportError } from "../../mod.ts";
import type { Frame } from "../../src/frames.ts";

Deno.test("`JsonSerializer` carries a cancel frame's close code and reason both ways", () => {
  const json = new JsonSerializer();
  for (
    const cancel of [
      { type: "cancel" },
      { type: "cancel", closeCode: 1001, reason: "going away" },
      { type: "cancel", reason: "" },
      { type: "cancel", closeCode: 4000 },
    ] as Frame[]
  ) {
    assert.deepEqual(json.deserialize(json.serialize(cancel)), cancel);
  }
  for (
    const [text, field] of [
      ['{"type":"cancel","reason":5}', "reason"],
      ['{"type":"cancel","closeCode":"1000"}', "closeCode"],
      ['{"type":"cancel","closeCode":1005}', "closeCode"], // reserved: no endpoint sends it
      ['{"type":"cancel","closeCode":1000.5}', "closeCode"],
    ]
  ) {
    assert.throws(
      () => json.deserialize(text!),
      (e) => e instanceof TransportError && e.code === "decode" && e.message.includes(field!),
      text,
    );
  }
});
