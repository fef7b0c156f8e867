// Hono on Cloudflare Workers hands a route the request's `ExecutionContext` as `c.executionCtx`,
// "The ExecutionContext associated with the current request", whose getter "will throw an error
// if the context does not have an ExecutionContext"
// (https://hono.dev/docs/api/context#executionctx; hono's context.ts), as where the runtime
// passed none to `app.fetch` (Deno, Node, Bun). Workers cancel what a request left pending once
// its handling is over unless it went to `ctx.waitUntil`, which "extends the lifetime of your
// Worker" (https://developers.cloudflare.com/workers/runtime-apis/context/#waituntil): a REST
// hang-up under way as the call's socket closes is such work. `voiceSession` hands it the
// context's `waitUntil` unless the options have one of their own.
import assert from "node:assert/strict";
import type { HonoTransportOptions } from "../../src/adapters/hono.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { withMemoryWorkers } from "./_memory_workers.ts";
import { serveHonoVoiceRoute } from "./_hono_voice_route.ts";
import { TWILIO_START } from "../serializers/telephony/_hang_up_session.ts";

/** Workers' `ExecutionContext`, faked: the promises handed to its `waitUntil`. */
class FakeExecutionContext {
  readonly kept: Promise<unknown>[] = [];
  readonly props = {};
  waitUntil(promise: Promise<unknown>): void {
    this.kept.push(promise);
  }
  passThroughOnException(): void {}
}

/**
 * A Hono app on Workers whose Twilio session hangs up when told to, Twilio's API refusing 300 ms
 * after asked; `options` are the route's own. The call is up: its `start` has come.
 */
async function startedCall(
  executionCtx: FakeExecutionContext | undefined,
  options: HonoTransportOptions = {},
) {
  const clock = new FakeClock();
  let requests = 0;
  const fetch = (_url: string, init: RequestInit) => {
    requests++;
    return clock.sleep(300, init.signal!).then(() => new Response("busy", { status: 500 }));
  };
  const { sessions, errors } = await serveHonoVoiceRoute(
    {
      clock,
      serializer: () => new TwilioSerializer({ accountSid: "AC1", authToken: "t", fetch }),
      sendTimeoutMs: 5000,
      ...options,
    },
    (transport) => transport.receive(() => {}),
    executionCtx,
  );
  return { clock, sessions, errors, requests: () => requests };
}

/** Hangs the call up, then drops its media connection while Twilio is still being asked. */
async function hangUpAndDrop(
  call: Awaited<ReturnType<typeof startedCall>>,
  client: { send(data: string): void; terminate(): void },
): Promise<WebSocketTransport> {
  client.send(TWILIO_START); // Hono on Workers opens the session at the first message
  await call.clock.tick(0);
  const [transport] = call.sessions;
  transport!.send({ type: "end" });
  await call.clock.tick(100);
  assert.equal(call.requests(), 1, "the hang-up was sent");
  client.terminate();
  assert.equal((await transport!.closed).code, 1006);
  return transport!;
}

Deno.test("`voiceSession` on Workers hands a hang-up that outlives the socket to `c.executionCtx.waitUntil`", async () => {
  await withMemoryWorkers(async (clients) => {
    const executionCtx = new FakeExecutionContext();
    const call = await startedCall(executionCtx);
    await hangUpAndDrop(call, clients[0]!);
    assert.equal(executionCtx.kept.length, 1, "the hang-up under way is the runtime's to wait for");
    let settled = false;
    void executionCtx.kept[0]!.then(() => (settled = true));
    await call.clock.tick(200);
    assert.deepEqual(call.errors.map((e) => e.code), ["protocol"], "refused, and reported");
    assert.equal(settled, true);
    assert.equal(call.clock.pendingTimers, 0);
  });
});

Deno.test("`voiceSession`'s own `waitUntil` wins over `c.executionCtx`'s", async () => {
  await withMemoryWorkers(async (clients) => {
    const executionCtx = new FakeExecutionContext();
    const own: Promise<unknown>[] = [];
    const call = await startedCall(executionCtx, { waitUntil: (p) => void own.push(p) });
    await hangUpAndDrop(call, clients[0]!);
    assert.equal(own.length, 1);
    assert.equal(executionCtx.kept.length, 0);
    await call.clock.tick(200);
    assert.equal(call.clock.pendingTimers, 0);
  });
});

Deno.test("`voiceSession` where Hono has no `ExecutionContext` (Deno, Node, Bun) hangs up as before", async () => {
  await withMemoryWorkers(async (clients) => {
    const call = await startedCall(undefined); // `c.executionCtx` throws
    await hangUpAndDrop(call, clients[0]!);
    await call.clock.tick(200);
    assert.deepEqual(call.errors.map((e) => e.code), ["protocol"], "refused, and reported");
    assert.equal(call.clock.pendingTimers, 0);
  });
});
