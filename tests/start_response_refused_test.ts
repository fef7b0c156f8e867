// `startResponse` given an id that is no string (plain JavaScript, a parsed JSON field): refused
// with a TypeError at the call, as a frame's `responseId` of the kind is refused by `send`, and the
// session goes on. Taken, the id would tag every untagged frame after it, past `send`'s check, and
// reach the playback state, the events and the serializers as a number or an object.
import assert from "node:assert/strict";
import { openRefusalSession as session } from "./_refusal_fixtures.ts";

const NOT_IDS: unknown[] = [42, null, { id: "a" }, Symbol("r"), true];

for (const id of NOT_IDS) {
  Deno.test(`startResponse(${String(id)}): a TypeError, and the session goes on`, async () => {
    const { clock, pair, transport, errors } = await session();
    let binary = 0;
    pair.client.addEventListener("message", (e) => {
      if (typeof (e as MessageEvent).data !== "string") binary++;
    });
    assert.throws(() => transport.startResponse(id as string), TypeError);
    // Nothing was taken: untagged audio has no response, and a fresh one can still begin.
    const audio = { type: "audio", audio: new Uint8Array(640), sampleRate: 16000, channels: 1 };
    void transport.send(audio as never);
    await clock.tick(40);
    assert.equal(transport.playback.responseId, undefined);
    const fresh = transport.startResponse();
    assert.equal(typeof fresh, "string");
    void transport.send(audio as never);
    await clock.tick(40);
    assert.equal(transport.playback.responseId, fresh);
    assert.equal(binary, 2);
    assert.deepEqual(errors, []);
    assert.equal(transport.connected, true);
    await transport.close();
    await clock.tick(1000);
  });
}

Deno.test("startResponse with a string id, or none, takes it", async () => {
  const { clock, transport } = await session();
  assert.equal(transport.startResponse("r1"), "r1");
  assert.match(transport.startResponse(), /^response-\d+$/);
  assert.equal(transport.startResponse(""), "");
  await transport.close();
  await clock.tick(1000);
});
