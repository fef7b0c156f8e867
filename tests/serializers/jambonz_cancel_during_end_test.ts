// An `end` waits for the module's last batch to play before its goodbye (with an apiKey, the REST
// hang-up, then `disconnect`). A `cancel` in that wait says its own goodbye at once; the end's,
// when the wait ran out, went on the wire too: a second `disconnect`, neither dropped nor counted,
// while the socket waits for jambonz to close it. After a cancel, what the end would still send
// is too late, dropped and counted (framesDroppedOnClose), as the transport does for any frame
// after a cancel; and the end starts no hang-up of its own.
import assert from "node:assert/strict";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { forkAudio, startedForkCall } from "./fixtures/fork_serializers.ts";
import { fakeFetch } from "./fixtures/telephony_harness.ts";

for (const apiKey of [undefined, "KEY"]) {
  Deno.test(`\`JambonzSerializer\`${apiKey ? " with an apiKey" : ""}: a cancel during the end's wait for the last batch: one goodbye, the end's dropped and counted`, async () => {
    const hangUps = fakeFetch(() => new Response(null, { status: 204 }));
    const { clock, pair, transport, wire } = await startedForkCall(
      new JambonzSerializer(apiKey === undefined ? {} : { apiKey, fetch: hangUps.fetch }),
      { markIntervalMs: 0 },
    );
    let errors = 0;
    transport.addEventListener("error", () => errors++);
    transport.send(forkAudio(100, 7, "r")); // under the module's first batch: all of it held
    void transport.send({ type: "end" });
    // The end's flush silence (1280 - 800 samples) has left: the end now waits 180 ms.
    while (!wire.includes("binary 960B")) await clock.tick(5);
    await clock.tick(20);
    void transport.send({ type: "cancel" });
    await clock.tick(1000);
    pair.client.close(1000);
    await clock.tick(1000);
    await transport.closed;
    assert.equal(wire.filter((m) => m === '{"type":"disconnect"}').length, 1, wire.join("\n"));
    assert.equal(wire.at(-1), '{"type":"disconnect"}', wire.join("\n"));
    assert.equal(transport.stats.framesDroppedOnClose, 1, "the end's goodbye, too late");
    assert.equal(hangUps.calls.length, apiKey === undefined ? 0 : 1, "one hang-up, the cancel's");
    assert.equal(errors, 0);
  });
}

Deno.test("`JambonzSerializer` with an apiKey: a cancel during the end's REST hang-up: one disconnect, the end's dropped and counted", async () => {
  let answer: (response: Response) => void = () => {};
  const hangUps = fakeFetch(() => new Promise<Response>((resolve) => (answer = resolve)));
  const { clock, pair, transport, wire } = await startedForkCall(
    new JambonzSerializer({ apiKey: "KEY", fetch: hangUps.fetch }),
    { markIntervalMs: 0 },
  );
  transport.send(forkAudio(100, 7, "r"));
  void transport.send({ type: "end" });
  while (hangUps.calls.length === 0) await clock.tick(5); // the wait is over: hanging up
  void transport.send({ type: "cancel" });
  await clock.tick(20);
  answer(new Response(null, { status: 204 }));
  await clock.tick(1000);
  pair.client.close(1000);
  await clock.tick(1000);
  await transport.closed;
  assert.equal(wire.filter((m) => m === '{"type":"disconnect"}').length, 1, wire.join("\n"));
  assert.equal(transport.stats.framesDroppedOnClose, 1, "the end's goodbye, too late");
  assert.equal(hangUps.calls.length, 1);
});
