// A REST hang-up may run on after its session (see hang_up_peer_close_test.ts): the call outlives
// the media socket. Cloudflare Workers cancel what a request left pending once its handling is
// over, unless it was handed to `ctx.waitUntil`, which "extends the lifetime of your Worker ...
// [work] that may continue after a response is returned"
// (https://developers.cloudflare.com/workers/runtime-apis/context/#waituntil). So the transport's
// `waitUntil` is handed the hang-up as it is sent, through the failure's report, and the promise
// never rejects (its failure is the session's "error" event, not one for the runtime to log).
import assert from "node:assert/strict";
import { TwilioSerializer } from "../../../src/serializers/twilio.ts";
import type { FakeClock } from "../../../src/testing/mod.ts";
import { startedSession, TWILIO_START } from "./_hang_up_session.ts";

/** A Worker's `ctx`, faked: what it was handed, and what became of each. */
function fakeContext() {
  const settled: string[] = [];
  const kept: Promise<unknown>[] = [];
  const ctx = {
    waitUntil(promise: Promise<unknown>): void {
      kept.push(promise);
      promise.then(() => settled.push("resolved"), () => settled.push("rejected"));
    },
  };
  return { ctx, kept, settled };
}

/** Twilio's REST API answering `status` 300 ms after each request, on `clock` once it is set. */
function providerAnswering(status: number) {
  const provider = { clock: undefined as FakeClock | undefined, requests: 0 };
  const fetch = (_url: string, init: RequestInit) => {
    provider.requests++;
    return provider.clock!.sleep(300, init.signal!).then(() =>
      new Response(status === 200 ? "{}" : "busy", { status })
    );
  };
  return { provider, fetch };
}

Deno.test("Twilio: a hang-up under way when the socket drops is handed to `waitUntil`, held until its failure is reported", async () => {
  const { provider, fetch } = providerAnswering(500);
  const { ctx, kept, settled } = fakeContext();
  const serializer = new TwilioSerializer({ accountSid: "AC1", authToken: "token", fetch });
  const { clock, pair, transport, errors } = await startedSession(serializer, TWILIO_START, {
    waitUntil: (promise) => ctx.waitUntil(promise),
  });
  provider.clock = clock;
  transport.addEventListener("error", () => settled.push("error event"));
  transport.send({ type: "end" });
  await clock.tick(100);
  assert.equal(provider.requests, 1, "the hang-up was sent");
  assert.equal(kept.length, 1, "handed over as it was sent");
  pair.client.terminate(); // the media connection drops (1006); the call itself is still up
  assert.equal((await transport.closed).code, 1006);
  await clock.tick(0);
  assert.deepEqual(settled, [], "the session is over; the hang-up, kept, is not");
  await clock.tick(200); // the provider refuses: reported, then the kept promise settles
  assert.deepEqual(settled, ["error event", "resolved"]);
  assert.match(errors[0]!.message, /Twilio hang-up of call "CA1" failed: HTTP 500 busy/);
  assert.equal(kept.length, 1);
  assert.equal(clock.pendingTimers, 0, "nothing left behind");
});

Deno.test("Twilio: a hang-up answered while the session lives is handed to `waitUntil` too, and settles with it", async () => {
  const { provider, fetch } = providerAnswering(200);
  const { ctx, kept, settled } = fakeContext();
  const serializer = new TwilioSerializer({ accountSid: "AC1", authToken: "token", fetch });
  const { clock, pair, transport, errors } = await startedSession(serializer, TWILIO_START, {
    waitUntil: (promise) => ctx.waitUntil(promise),
  });
  provider.clock = clock;
  transport.send({ type: "end" });
  await clock.tick(300);
  assert.deepEqual([kept.length, settled], [1, ["resolved"]]);
  pair.client.close(1000);
  await transport.closed;
  await clock.runAll();
  assert.deepEqual(errors, []);
  assert.equal(kept.length, 1, "one hang-up a session, one promise");
});

Deno.test("Twilio: a `waitUntil` that throws is reported, and the hang-up goes on to its own outcome", async () => {
  const { provider, fetch } = providerAnswering(200);
  const serializer = new TwilioSerializer({ accountSid: "AC1", authToken: "token", fetch });
  const { clock, pair, transport, errors } = await startedSession(serializer, TWILIO_START, {
    waitUntil: () => {
      throw new Error("stale ctx");
    },
  });
  provider.clock = clock;
  transport.send({ type: "end" });
  await clock.tick(300);
  assert.equal(provider.requests, 1, "the hang-up was sent");
  assert.deepEqual(errors.map((e) => [e.code, e.message]), [[
    "application",
    "waitUntil threw: Error: stale ctx",
  ]]);
  pair.client.close(1000);
  await transport.closed;
  await clock.runAll();
  assert.equal(errors.length, 1, "the hang-up itself succeeded: nothing more to say");
});
