import assert from "node:assert/strict";
import { TransportError } from "../../../src/errors.ts";
import { CallIds } from "../../../src/serializers/telephony/call_ids.ts";
import { JsonReader } from "../../../src/serializers/telephony/json_reader.ts";

Deno.test("`CallIds` keeps known ids when a start message leaves one out, and the call id it has when one names another call", () => {
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
  // The call id given (from a signed stream URL) stays: a start naming another call must not
  // turn the hang-up on that one.
  assert.deepEqual(ids.start({ callId: "c2", params: { a: "1" } }), {
    type: "start",
    params: { a: "1" },
    streamId: "s1",
    callId: "c0",
  });
  assert.equal(ids.streamIdJson(), '"s1"');
});

Deno.test("`CallIds.readStart` takes the stream id from start or beside event, and requires it", () => {
  const read = (json: string) =>
    new CallIds({ provider: "Acme", streamField: "streamSid" }).readStart(
      JsonReader.parse(json, "Acme"),
      { callField: "callSid", params: {} },
    );
  assert.deepEqual(read('{"event":"start","start":{"streamSid":"s1","callSid":"c1"}}'), {
    type: "start",
    params: {},
    streamId: "s1",
    callId: "c1",
  });
  assert.deepEqual(read('{"event":"start","streamSid":"s2","start":{}}'), {
    type: "start",
    params: {},
    streamId: "s2",
  });
  assert.throws(
    () => read('{"event":"start","start":{"callSid":"c1"}}'),
    (e) => e instanceof TransportError && e.message === "Acme: start message has no streamSid",
  );
  assert.throws(() => read('{"event":"start"}'), /start is not an object/);
  assert.throws(
    () => read('{"event":"start","start":{"streamSid":5}}'),
    /start\.streamSid is not a string: 5/,
  );
});

Deno.test("`CallIds.streamEvent` addresses the stream by the protocol's field, the fields after it", () => {
  const ids = new CallIds({ provider: "Acme", streamField: "stream_sid" });
  assert.throws(
    () => ids.streamEvent("clear"),
    (e) =>
      e instanceof TransportError && e.code === "encode" &&
      e.message === "Acme: no stream_sid yet (no start message received)",
  );
  ids.start({ streamId: 's"1', params: {} });
  assert.equal(ids.streamEvent("clear"), '{"event":"clear","stream_sid":"s\\"1"}');
  assert.equal(
    ids.streamEvent("mark", { mark: { name: "m1" } }),
    '{"event":"mark","stream_sid":"s\\"1","mark":{"name":"m1"}}',
  );
});
