// `observe` given what is no observer (plain JavaScript: a number, a string, null), or one with a
// method that is no function: refused with a TypeError at the call, and the session goes on and
// ends as any other, `closed` settled. Taken, a number or a string broke the telling of the
// session's end inside the socket's close listener (an uncaught TypeError there ends the process,
// and `closed` never settled); a method that is no function ended the session at its first event.
import assert from "node:assert/strict";
import type { SessionObserver } from "../mod.ts";
import { openRefusalSession as session } from "./_refusal_fixtures.ts";

const NOT_OBSERVERS: unknown[] = [
  42,
  "recorder",
  true,
  null,
  undefined,
  Symbol("o"),
  { observing: 5 },
  { inboundAudio: "yes" },
  { closed: null },
];

for (const observer of NOT_OBSERVERS) {
  Deno.test(`observe(${Deno.inspect(observer)}): a TypeError, and the session ends as any other`, async () => {
    const { clock, pair, transport, errors } = await session();
    assert.throws(() => transport.observe(observer as SessionObserver), TypeError);
    // Audio from the peer (an observer's inboundAudio would be told of it) and to it.
    pair.client.send(new Uint8Array(640));
    const audio = { type: "audio", audio: new Uint8Array(640), sampleRate: 16000, channels: 1 };
    void transport.send(audio as never);
    await clock.tick(40);
    assert.equal(transport.connected, true);
    pair.client.close(1000); // the peer's close: the end is told from its close listener
    await clock.tick(1);
    assert.deepEqual(await transport.closed, { code: 1000, reason: "", initiator: "remote" });
    assert.deepEqual(errors, []);
    assert.equal(clock.pendingTimers, 0);
  });
}

Deno.test("observe: an object, or a function with methods, is told the end", async () => {
  const { clock, transport } = await session();
  const told: string[] = [];
  transport.observe({ closed: () => told.push("object") });
  transport.observe(Object.assign(() => {}, { closed: () => told.push("function") }));
  await transport.close();
  await clock.tick(1);
  await transport.closed;
  assert.deepEqual(told, ["object", "function"]);
});
