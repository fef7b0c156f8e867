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
