// A session that could not start (its `serializer` function threw) on a socket still connecting
// is closed once the socket opens (Deno's, during the upgrade's response). A caller gone
// meanwhile leaves that socket connecting for ever, no event to come (see `openTimeoutMs`): it
// was kept, with its listener, for good. It is dropped after `openTimeoutMs`, as a transport
// drops a socket that never opened.
import assert from "node:assert/strict";
import { startSession } from "../../src/adapters/_session.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

const failing = () => {
  throw new Error("factory failed");
};

async function quietly<T>(run: () => Promise<T>): Promise<T> {
  const original = console.error;
  console.error = () => {};
  try {
    return await run();
  } finally {
    console.error = original;
  }
}

Deno.test("a session that could not start on a socket that never opens drops it after openTimeoutMs", async () => {
  await quietly(async () => {
    const clock = new FakeClock();
    const pair = new MemorySocketPair({ connecting: true });
    assert.equal(
      startSession(pair.server, { serializer: failing, clock, openTimeoutMs: 3000 }),
      null,
    );
    await clock.tick(2999);
    assert.equal(pair.server.readyState, 0, "still given its time to open");
    await clock.tick(1);
    assert.equal(pair.server.readyState, 3, "dropped: nothing holds it any more");
    assert.equal(clock.nextDue, undefined, "no timer left");
  });
});

Deno.test("a session that could not start on a socket that opens in time is closed with 1011, no timer left", async () => {
  await quietly(async () => {
    const clock = new FakeClock();
    const pair = new MemorySocketPair({ connecting: true });
    const closed = new Promise<CloseEvent>((resolve) =>
      pair.client.addEventListener("close", (e) => resolve(e as CloseEvent))
    );
    assert.equal(startSession(pair.server, { serializer: failing, clock }), null);
    await clock.tick(100);
    pair.open();
    assert.equal((await closed).code, 1011);
    assert.equal(clock.nextDue, undefined, "the open bound went with the open");
  });
});
