// `CallDurableObject` hands its `ctx.waitUntil` to the session: a REST hang-up still under way
// when the call's socket drops runs on with no client connected, and "Promises passed to
// this.ctx.waitUntil() ... also receive this protection" from eviction, the default from
// compatibility date 2026-10-01
// (https://developers.cloudflare.com/changelog/post/2026-10-01-pending-io-keep-alive/).
import assert from "node:assert/strict";
import type { CloudflareUpgradeOptions } from "../../src/adapters/cloudflare.ts";
import { CallDurableObject } from "../../src/adapters/cloudflare_durable_object.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import type { TransportError } from "../../src/errors.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { withMemoryWorkers } from "./_memory_workers.ts";
import { TWILIO_START } from "../serializers/telephony/_hang_up_session.ts";

/** A `DurableObjectState` with `waitUntil`, faked: the promises handed to it. */
interface KeepingState {
  kept: Promise<unknown>[];
  waitUntil(promise: Promise<unknown>): void;
}

/** A Twilio call that hangs up on its first start; Twilio's API refuses 300 ms after asked. */
class TwilioCall extends CallDurableObject<undefined, KeepingState> {
  readonly clock = new FakeClock();
  readonly sessions: WebSocketTransport[] = [];
  readonly errors: TransportError[] = [];
  requests = 0;
  protected override upgradeOptions(): CloudflareUpgradeOptions {
    const fetch = (_url: string, init: RequestInit) => {
      this.requests++;
      return this.clock.sleep(300, init.signal!).then(() => new Response("busy", { status: 500 }));
    };
    const serializer = () => new TwilioSerializer({ accountSid: "AC1", authToken: "t", fetch });
    return { clock: this.clock, serializer, sendTimeoutMs: 5000 };
  }
  protected override onSession(transport: WebSocketTransport): void {
    this.sessions.push(transport);
    transport.addEventListener("error", (e) => this.errors.push(e.error));
    transport.receive(() => {});
  }
}

const UPGRADE = {
  upgrade: "websocket",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  "sec-websocket-version": "13",
};

Deno.test("`CallDurableObject` hands a hang-up that outlives the socket to `ctx.waitUntil`", async () => {
  await withMemoryWorkers(async (clients) => {
    const state: KeepingState = { kept: [], waitUntil: (p) => void state.kept.push(p) };
    const call = new TwilioCall(state, undefined);
    const request = new Request("https://example.com/ws/CA1", { headers: UPGRADE });
    assert.equal((await call.fetch(request)).status, 101);
    const [client] = clients;
    const [transport] = call.sessions;
    await call.clock.tick(0);
    client!.send(TWILIO_START);
    await call.clock.tick(0);
    transport!.send({ type: "end" });
    await call.clock.tick(100);
    assert.equal(call.requests, 1, "the hang-up was sent");
    client!.terminate(); // the media connection drops; the call is still up
    assert.equal((await transport!.closed).code, 1006);
    assert.equal(state.kept.length, 1, "the hang-up under way is the object's to wait for");
    let settled = false;
    void state.kept[0]!.then(() => (settled = true));
    await call.clock.tick(200);
    assert.deepEqual(call.errors.map((e) => e.code), ["protocol"], "refused, and reported");
    assert.equal(settled, true);
    assert.equal(call.clock.pendingTimers, 0);
  });
});
