// `transport.close(code, reason)` from plain JavaScript with a reason that is no string (a `null`
// where no reason was meant, a number). The WebSocket API converts its `close`'s reason to a
// string (WebIDL `USVString`: `null` goes as "null"), and the session closes as for any reason.
// Since the reason was cut before the handshake began, outside what reports `close`'s failures,
// `null` threw there: `close()` rejected, nothing was sent, and the session never settled
// (`closed` pending, a shutdown's `sessionsEnded` with it).
import assert from "node:assert/strict";
import { JsonSerializer, WebSocketTransport } from "../mod.ts";
import type { TransportError } from "../src/errors.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

function session() {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new JsonSerializer(),
    closeTimeoutMs: 500,
    clock,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => void errors.push(event.error));
  let settled: { code: number; reason: string } | undefined;
  void transport.closed.then(({ code, reason }) => (settled = { code, reason }));
  return { clock, pair, transport, errors, settled: () => settled };
}

for (const [reason, sent] of [[null, "null"], [42, "42"]] as const) {
  Deno.test(`\`transport.close(4000, ${reason})\` closes the session, the reason as the WebSocket API converts it`, async () => {
    const s = session();
    await s.clock.tick(1); // connected
    const closing = s.transport.close(4000, reason as unknown as string);
    await s.clock.tick(0);
    await closing; // was: rejected with a TypeError, nothing sent
    assert.deepEqual(s.settled(), { code: 4000, reason: sent });
    assert.deepEqual(s.errors, []);
    await s.clock.runAll();
  });
}

Deno.test("`transport.close` with a reason that cannot be made a string closes with none, reported", async () => {
  const s = session();
  await s.clock.tick(1);
  const unprintable = {
    toString(): string {
      throw new Error("no text");
    },
  };
  const closing = s.transport.close(4000, unprintable as unknown as string);
  await s.clock.tick(0);
  await closing;
  assert.deepEqual(s.settled(), { code: 4000, reason: "" });
  assert.deepEqual(s.errors.map((e) => e.code), ["closed"]);
  assert.match(s.errors[0]!.message, /close reason cannot be made a string \(.*no text.*\)/);
  await s.clock.runAll();
});
