// A session that could not start (a `serializer` function that threw) still has its socket: it is
// closed with 1011, and dropped if the peer has not answered within `closeTimeoutMs`. In a
// `CallDurableObject` dropping it is the object's reset, "`abort` is used to forcibly reset a
// Durable Object" (https://developers.cloudflare.com/durable-objects/api/state/#abort), which
// takes every socket of the object with it. The object let the call go at once, so a reconnect
// within that bound was accepted (101) and then cut off by the reset: it is refused (409) until
// the bound has passed, as a call whose own close goes unanswered is.
import assert from "node:assert/strict";
import type { CloudflareUpgradeOptions } from "../../src/adapters/cloudflare.ts";
import { CallDurableObject } from "../../src/adapters/cloudflare_durable_object.ts";
import { RawPcmSerializer } from "../../src/serializers/raw_pcm.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { withMemoryWorkers } from "./_memory_workers.ts";
import { upgradeRequest } from "./_upgrade_request.ts";

/** A `DurableObjectState` with `abort()`, faked: the resets asked for. */
class ResettableState {
  readonly resets: (string | undefined)[] = [];
  abort(reason?: string): void {
    this.resets.push(reason);
  }
}

/** A call whose first connection cannot start (its serializer throws); the next ones can. */
class FailingFirstCall extends CallDurableObject<undefined, ResettableState> {
  readonly clock = new FakeClock();
  readonly sessions: WebSocketTransport[] = [];
  #upgrades = 0;
  protected override upgradeOptions(): CloudflareUpgradeOptions {
    const fails = this.#upgrades++ === 0;
    const serializer = () => {
      if (fails) throw new Error("no such provider");
      return new RawPcmSerializer();
    };
    return { clock: this.clock, serializer, closeTimeoutMs: 100 };
  }
  protected override onSession(transport: WebSocketTransport): void {
    this.sessions.push(transport);
  }
}

/** A new upgrade for the call CA1 (the object's one call). */
const callRequest = () => upgradeRequest({ url: "https://example.com/ws/CA1" });

/** One task: the object's reset waits one once it is due. */
const aTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Runs `body` with `console.error` (where the failed start is logged) kept quiet. */
async function quietly(body: () => Promise<void>): Promise<void> {
  const { error } = console;
  console.error = () => {};
  try {
    await body();
  } finally {
    console.error = error;
  }
}

Deno.test("`CallDurableObject` takes no call beside a failed start whose close is unanswered, then resets", async () => {
  await quietly(() =>
    withMemoryWorkers(async () => {
      const state = new ResettableState();
      const call = new FailingFirstCall(state, undefined);
      assert.equal((await call.fetch(callRequest())).status, 101, "upgraded, then closed: 1011");
      assert.equal(call.sessions.length, 0);
      assert.equal(
        (await call.fetch(callRequest())).status,
        409,
        "not accepted only to be cut off by the reset to come",
      );
      await call.clock.tick(100); // the 1011 goes unanswered: the connection is to be dropped
      await aTask();
      assert.deepEqual(state.resets, ["the peer never answered the close"]);
      assert.equal((await call.fetch(callRequest())).status, 409, "as good as reset");
      assert.equal(call.clock.pendingTimers, 0);
    }, false) // a peer that never answers the close
  );
});

Deno.test("`CallDurableObject` takes the next call once a failed start's answered close is past its bound", async () => {
  await quietly(() =>
    withMemoryWorkers(async (clients) => {
      const state = new ResettableState();
      const call = new FailingFirstCall(state, undefined);
      assert.equal((await call.fetch(callRequest())).status, 101);
      await aTask(); // the peer answers the 1011
      assert.equal(clients[0]?.readyState, 3, "closed");
      await call.clock.tick(100);
      assert.equal((await call.fetch(callRequest())).status, 101, "the call is taken again");
      assert.equal(call.sessions.length, 1);
      assert.deepEqual(state.resets, [], "nothing to reset");
      void call.sessions[0]!.close(1000);
      await call.clock.tick(0);
      await aTask();
      assert.equal((await call.sessions[0]!.closed).code, 1000);
      assert.equal(call.clock.pendingTimers, 0);
    })
  );
});
