// `CallDurableObject` drops a connection whose peer never answered the close by resetting itself
// (`ctx.abort()`), and refuses calls (409) from then until the reset. `abort()` came to
// `DurableObjectState` late (workerd's src/workerd/api/actor-state.h long declared only
// `waitUntil`, `id`, `storage` and `blockConcurrencyWhile`): where it is missing nothing resets
// the object, which refused every later call (409) for as long as it stayed in memory.
import assert from "node:assert/strict";
import type { CloudflareUpgradeOptions } from "../../src/adapters/cloudflare.ts";
import { CallDurableObject } from "../../src/adapters/cloudflare_durable_object.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { withMemoryWorkers } from "./_memory_workers.ts";
import { upgradeRequest } from "./_upgrade_request.ts";

/** A call that hangs up at once, on `clock`, in an object whose state has no `abort()`. */
class HangingUpCall extends CallDurableObject<undefined, Record<string, never>> {
  readonly clock = new FakeClock();
  readonly sessions: WebSocketTransport[] = [];
  protected override upgradeOptions(): CloudflareUpgradeOptions {
    return { clock: this.clock, closeTimeoutMs: 100 };
  }
  protected override onSession(transport: WebSocketTransport): void {
    this.sessions.push(transport);
    transport.addEventListener("error", () => {}); // the "timeout" of the unanswered close
    void transport.close(4000, "bye");
  }
}

Deno.test("`CallDurableObject` without `ctx.abort()` takes the next call once a peer never answered the close", async () => {
  await withMemoryWorkers(async () => {
    const call = new HangingUpCall({}, undefined);
    const upgrade = () => upgradeRequest({ url: "https://example.com/ws/CA1" });
    assert.equal((await call.fetch(upgrade())).status, 101);
    await call.clock.tick(100); // the close goes unanswered: the connection would be dropped
    const [first] = call.sessions;
    assert.equal((await first?.closed)?.code, 4000);
    assert.equal((await call.fetch(upgrade())).status, 101, "the next call is taken, not 409");
    await call.clock.tick(100);
    assert.equal(call.sessions.length, 2);
  }, false); // a peer that never answers the close
});

/** A `DurableObjectState` with `abort()`, faked: the resets asked for. */
class ResettableState {
  readonly resets: (string | undefined)[] = [];
  abort(reason?: string): void {
    this.resets.push(reason);
  }
}

/** A call that hangs up at once, its options naming `terminate` with nothing in it. */
class UnsetTerminateCall extends CallDurableObject<undefined, ResettableState> {
  readonly clock = new FakeClock();
  readonly sessions: WebSocketTransport[] = [];
  protected override upgradeOptions(): CloudflareUpgradeOptions {
    // As plain JavaScript's `{ ...defaults, terminate: custom ? reset : undefined }` would (the
    // type checker refuses it): left unset, as `waitUntil: undefined` is.
    return { clock: this.clock, closeTimeoutMs: 100, terminate: undefined as never };
  }
  protected override onSession(transport: WebSocketTransport): void {
    this.sessions.push(transport);
    transport.addEventListener("error", () => {}); // the "timeout" of the unanswered close
    void transport.close(4000, "bye");
  }
}

// A `terminate: undefined` in the options spread over the object's own, so that a peer that never
// answered the close kept its connection (Workers cannot drop one socket), and the object took the
// next call beside it, the old connection still up and billed.
Deno.test("`CallDurableObject` resets itself for an unanswered close when the options' `terminate` is undefined", async () => {
  await withMemoryWorkers(async () => {
    const state = new ResettableState();
    const call = new UnsetTerminateCall(state, undefined);
    const upgrade = () => upgradeRequest({ url: "https://example.com/ws/CA1" });
    assert.equal((await call.fetch(upgrade())).status, 101);
    await call.clock.tick(100); // the close goes unanswered: the connection is to be dropped
    assert.equal((await call.sessions[0]?.closed)?.code, 4000);
    await new Promise((resolve) => setTimeout(resolve, 0)); // the reset waits a task
    assert.deepEqual(state.resets, ["the peer never answered the close"]);
    assert.equal((await call.fetch(upgrade())).status, 409, "as good as reset: no call taken");
  }, false); // a peer that never answers the close
});
