// JsonSerializer: every frame as one JSON text shaped like the frame itself (README, "Telephony
// and pipecat clients"), so a start frame comes back as it went, its probe flag included.
import assert from "node:assert/strict";
import { JsonSerializer, TransportError } from "../../mod.ts";
import type { Frame } from "../../src/frames.ts";

Deno.test("`JsonSerializer` carries a start frame both ways, ids, params and probe alike", () => {
  const json = new JsonSerializer();
  const start: Frame = {
    type: "start",
    streamId: "s1",
    callId: "c1",
    params: { lang: "en" },
    probe: true,
  };
  const text = json.serialize(start) as string;
  assert.deepEqual(json.deserialize(text), start);
  assert.throws(
    () => json.deserialize('{"type":"start","probe":"yes"}'),
    (e) => e instanceof TransportError && e.code === "decode" && /probe/.test(e.message),
  );
});
