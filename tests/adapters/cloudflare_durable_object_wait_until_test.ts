// `CallDurableObject` hands its `ctx.waitUntil` to the session: a REST hang-up still under way
// when the call's socket drops runs on with no client connected, and "Promises passed to
// this.ctx.waitUntil() ... also receive this protection" from eviction, the default from
// compatibility date 2026-10-01
// (https://developers.cloudflare.com/changelog/post/2026-10-01-pending-io-keep-alive/).
//
// `CallDurableObject` drops a connection whose peer never answered the close by resetting itself:
// "`abort` is used to forcibly reset a Durable Object"
// (https://developers.cloudflare.com/durable-objects/api/state/#abort), and the code running in it
// goes with its in-memory state. A REST hang-up the session handed to `waitUntil`, still waiting
// for the provider, would be cut off with it and the call left up: the reset waits for what the
// session handed over, at most `sendTimeoutMs` (each hang-up is bounded by it already).
import assert from "node:assert/strict";
import type { CloudflareUpgradeOptions } from "../../src/adapters/cloudflare.ts";
import { CallDurableObject } from "../../src/adapters/cloudflare_durable_object.ts";
import type { SerializerContext } from "../../src/serializer.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import type { TransportError } from "../../src/errors.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { withMemoryWorkers } from "./_memory_workers.ts";
import { upgradeRequest } from "./_upgrade_request.ts";
import { TWILIO_START } from "../serializers/telephony/_hang_up_session.ts";

/** A `DurableObjectState` with `waitUntil` and `abort`, faked: the resets asked for. */
class ResettableState {
  readonly kept: Promise<unknown>[] = [];
  readonly resets: (string | undefined)[] = [];
  waitUntil(promise: Promise<unknown>): void {
    this.kept.push(promise);
  }
  abort(reason?: string): void {
    this.resets.push(reason);
  }
}

/** Twilio's serializer that also hands the session a promise that never settles. */
class NeverSettlingTwilio extends TwilioSerializer {
  override bind(context: SerializerContext): void {
    super.bind(context);
    context.waitUntil?.(new Promise(() => {}));
  }
}

/**
 * A Twilio call that closes with 4000 right after hanging up (its peer never answers the close,
 * given up after 100 ms); Twilio's API refuses 300 ms after asked. `serializer` makes the
 * session's serializer.
 */
class TwilioCall extends CallDurableObject<undefined, ResettableState> {
  readonly clock = new FakeClock();
  readonly sessions: WebSocketTransport[] = [];
  readonly errors: TransportError[] = [];
  requests = 0;
  constructor(state: ResettableState, readonly Serializer = TwilioSerializer) {
    super(state, undefined);
  }
  protected override upgradeOptions(): CloudflareUpgradeOptions {
    const fetch = (_url: string, init: RequestInit) => {
      this.requests++;
      return this.clock.sleep(300, init.signal!).then(() => new Response("busy", { status: 500 }));
    };
    const serializer = () => new this.Serializer({ accountSid: "AC1", authToken: "t", fetch });
    return { clock: this.clock, serializer, sendTimeoutMs: 1000, closeTimeoutMs: 100 };
  }
  protected override onSession(transport: WebSocketTransport): void {
    this.sessions.push(transport);
    transport.addEventListener("error", (e) => this.errors.push(e.error));
    transport.receive(() => {});
  }
}

/** A new upgrade for the call CA1 (the object's one call). */
const callRequest = () => upgradeRequest({ url: "https://example.com/ws/CA1" });

/** One task: the object's reset waits one (see `CallDurableObject`) once it is due. */
const aTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Starts the call, hangs it up and closes it while Twilio is asked; the close goes unanswered. */
async function closedWhileHangingUp(call: TwilioCall, client: { send(data: string): void }) {
  await call.clock.tick(0);
  client.send(TWILIO_START);
  await call.clock.tick(0);
  const [transport] = call.sessions;
  void transport!.send({ type: "end" });
  await call.clock.tick(0);
  assert.equal(call.requests, 1, "the hang-up was sent");
  void transport!.close(4000, "bye");
  await call.clock.tick(100); // the close goes unanswered: the connection is to be dropped
  assert.equal((await transport!.closed).code, 4000);
  await aTask();
}

Deno.test("`CallDurableObject` resets itself only once a hang-up under way has settled", async () => {
  await withMemoryWorkers(async (clients) => {
    const state = new ResettableState();
    const call = new TwilioCall(state);
    assert.equal((await call.fetch(callRequest())).status, 101);
    await closedWhileHangingUp(call, clients[0]!);
    assert.deepEqual(state.resets, [], "not while Twilio is still asked");
    assert.equal((await call.fetch(callRequest())).status, 409, "as good as reset: no call taken");
    await call.clock.tick(200); // Twilio refuses
    assert.deepEqual(call.errors.map((e) => e.code), ["timeout", "protocol"], "reported");
    await aTask();
    assert.deepEqual(state.resets, ["the peer never answered the close"]);
    assert.equal(call.clock.pendingTimers, 0);
  }, false); // a peer that never answers the close
});

Deno.test("`CallDurableObject` resets itself at `sendTimeoutMs` at most, whatever it waits for", async () => {
  await withMemoryWorkers(async (clients) => {
    const state = new ResettableState();
    const call = new TwilioCall(state, NeverSettlingTwilio);
    assert.equal((await call.fetch(callRequest())).status, 101);
    await closedWhileHangingUp(call, clients[0]!);
    await call.clock.tick(999);
    await aTask();
    assert.deepEqual(state.resets, [], "the hang-up settled; the other promise is waited for");
    await call.clock.tick(1);
    await aTask();
    assert.deepEqual(state.resets, ["the peer never answered the close"]);
    assert.equal(call.clock.pendingTimers, 0);
  }, false);
});

Deno.test("`CallDurableObject` hands a hang-up that outlives the socket to `ctx.waitUntil`", async () => {
  await withMemoryWorkers(async (clients) => {
    const state = new ResettableState();
    const call = new TwilioCall(state, undefined);
    assert.equal((await call.fetch(callRequest())).status, 101);
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
