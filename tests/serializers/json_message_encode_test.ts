// A message frame's message "must survive `JSON.stringify`" (src/frames.ts, MessageFrame), and
// JsonSerializer's own shape for it is `{"type":"message","message":{…}}`, which its reader refuses
// without a `message` (src/serializers/json.ts). A message JSON cannot carry (undefined, a
// function, a symbol) is an "encode" error, as RawPcmSerializer and ProtobufSerializer make it,
// not a `{"type":"message"}` the far end cannot read.
import assert from "node:assert/strict";
import { JsonSerializer, RawPcmSerializer, TransportError } from "../../mod.ts";
import type { Frame } from "../../src/frames.ts";

const isEncode = (e: unknown) => e instanceof TransportError && e.code === "encode";

Deno.test("`JsonSerializer` refuses a message JSON cannot carry with an encode error, as the other serializers do", () => {
  const json = new JsonSerializer();
  const raw = new RawPcmSerializer();
  for (const message of [undefined, () => 1, Symbol("s")]) {
    const frame = { type: "message", message } as Frame;
    assert.throws(() => raw.serialize(frame), isEncode, String(message));
    assert.throws(() => json.serialize(frame), isEncode, String(message));
  }
  // What JSON can carry still goes, urgent or not, and reads back as it went.
  for (
    const frame of [
      { type: "message", message: null },
      { type: "message", message: { a: [1, "\ud800"] }, urgent: true },
    ] as Frame[]
  ) {
    assert.deepEqual(json.deserialize(json.serialize(frame)), frame);
  }
});
