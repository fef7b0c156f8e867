import assert from "node:assert/strict";
import { TransportError } from "../../../src/errors.ts";
import { CallIds } from "../../../src/serializers/telephony/call_ids.ts";

Deno.test("`CallIds` keeps known ids when a start message leaves one out", () => {
  const ids = new CallIds({ provider: "Acme", streamField: "stream_id", callId: "c0" });
  assert.throws(
    () => ids.requireStreamId(),
    (e) =>
      e instanceof TransportError && e.code === "encode" &&
      e.message === "Acme: no stream_id yet (no start message received)",
  );
  assert.deepEqual(ids.start({ streamId: "s1", params: {} }), {
    type: "start",
    params: {},
    streamId: "s1",
    callId: "c0",
  });
  assert.deepEqual(ids.start({ callId: "c2", params: { a: "1" } }), {
    type: "start",
    params: { a: "1" },
    streamId: "s1",
    callId: "c2",
  });
  assert.equal(ids.streamIdJson(), '"s1"');
});
