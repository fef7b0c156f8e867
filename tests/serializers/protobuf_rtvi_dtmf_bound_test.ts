// How many keys one RTVI `dtmf` message may make frames of. Neither end bounds it:
// `PipecatClient.sendDTMF` checks only `/^[0-9*#]+$/` (pipecat-client-web, client-js
// `client/client.ts`) and pipecat's `DTMFInputData` only `min_length=1` (`processors/frameworks/
// rtvi/models.py`). Each key is a frame handed on at once, all of them held until the bot reads
// them (a 40 kB message of 10,000 keys: 10,000 frames; the inbound queue's stuck-reader bound lets
// one message's own frames pass, so only memory bounds them). No one types that many at once (a
// card number is 19 keys): the serializer refuses such a message whole, as a decode error counted
// and reported, and the session goes on.
import assert from "node:assert/strict";
import type { Frame } from "../../src/frames.ts";
import { dtmfKeys, pipecatSession } from "./fixtures/pipecat_session.ts";
import { isDecode, serializer } from "./fixtures/protobuf_serializer.ts";

Deno.test("`ProtobufSerializer` makes frames of up to 100 keys of one RTVI dtmf message, and refuses more as a decode error", () => {
  const ours = serializer();
  const frames = ours.deserialize(dtmfKeys(100));
  assert.ok(Array.isArray(frames));
  assert.equal(frames.length, 100);
  assert.deepEqual(frames.slice(10, 13), [
    { type: "dtmf", digit: "*" },
    { type: "dtmf", digit: "#" },
    { type: "dtmf", digit: "0" },
  ]);
  assert.throws(
    () => ours.deserialize(dtmfKeys(101)),
    (e) =>
      isDecode(e) && /dtmf/.test((e as Error).message) && /101 keys/.test((e as Error).message),
  );
});

Deno.test("`ProtobufSerializer` through a transport read by `readable`: a dtmf message of 10,000 keys is refused, and the session goes on", async () => {
  const { clock, pair, transport, errors } = pipecatSession();
  const frames: Frame[] = [];
  const reader = transport.readable.getReader();
  const reading = (async () => {
    for (;;) {
      const next = await reader.read();
      if (next.done) return;
      frames.push(next.value);
    }
  })();
  await clock.tick(10);
  pair.client.send(dtmfKeys(10_000));
  await clock.tick(10);
  pair.client.send(dtmfKeys(2));
  await clock.tick(10);
  assert.deepEqual(errors.map((e) => [e.code, e.fatal]), [["decode", false]]);
  assert.equal(transport.stats.decodeErrors, 1);
  assert.deepEqual(frames, [{ type: "dtmf", digit: "0" }, { type: "dtmf", digit: "1" }]);
  await transport.close();
  await clock.tick(1000);
  await reading;
});
