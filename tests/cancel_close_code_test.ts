// A cancel frame may name the close it ends with (`closeCode`, `reason`): a server shutting down
// closes with 1001 "going away" (RFC 6455 §7.4.1: "an endpoint is going away, such as a server
// going down"), so that a client may reconnect elsewhere. A code that may not be sent (RFC 6455
// §7.4.2 reserves 1004–1006 and 1015) or a reason that is no string is refused as any bad frame
// is: an encode error, counted, and the session goes on.
import assert from "node:assert/strict";
import type { Frame } from "../mod.ts";
import { refusalSession as session } from "./_refusal_fixtures.ts";

Deno.test("cancel with closeCode 1001 and a reason: the peer and `closed` see that close", async () => {
  const { clock, pair, transport } = session();
  await clock.tick(1);
  const peerClosed = new Promise<CloseEvent>((resolve) =>
    pair.client.addEventListener("close", (event) => resolve(event as CloseEvent))
  );
  void transport.send({ type: "cancel", closeCode: 1001, reason: "going away" });
  await clock.tick(1000);
  const { code, reason } = await peerClosed;
  assert.deepEqual({ code, reason }, { code: 1001, reason: "going away" });
  const closed = await transport.closed;
  assert.deepEqual(
    { code: closed.code, reason: closed.reason, initiator: closed.initiator },
    { code: 1001, reason: "going away", initiator: "local" },
  );
});

Deno.test('cancel with no closeCode closes with 1000 "cancelled", as before', async () => {
  const { clock, transport } = session();
  await clock.tick(1);
  void transport.send({ type: "cancel" });
  await clock.tick(1000);
  const { code, reason } = await transport.closed;
  assert.deepEqual({ code, reason }, { code: 1000, reason: "cancelled" });
});

for (
  const [what, frame, message] of [
    ["a reserved code", { type: "cancel", closeCode: 1005 }, /close code 1005 may not be sent/],
    [
      "a code as a string",
      { type: "cancel", closeCode: "1001" },
      /close code "1001" may not be sent/,
    ],
    ["a reason that is no string", { type: "cancel", reason: 42 }, /cancel frame's reason/],
  ] as const
) {
  Deno.test(`cancel with ${what}: refused as an encode error, the session goes on`, async () => {
    const { clock, transport, errors } = session();
    await clock.tick(1);
    const messages: string[] = [];
    transport.addEventListener("error", (event) => messages.push(event.error.message));
    transport.send(frame as unknown as Frame);
    await clock.tick(100);
    assert.deepEqual(errors, ["encode"]);
    assert.match(messages[0]!, message);
    assert.equal(transport.stats.encodeErrors, 1);
    assert.equal(transport.connected, true);
    await transport.close();
  });
}
