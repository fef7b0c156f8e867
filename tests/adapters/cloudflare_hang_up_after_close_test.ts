// workerd cancels what a request left pending once its handling is over (its WebSocket closed),
// unless it was handed to `ctx.waitUntil`, which "extends the lifetime of your Worker ... [for
// work] that may continue after a response is returned"
// (https://developers.cloudflare.com/workers/runtime-apis/context/#waituntil). A REST hang-up
// still waiting for the provider when the call's socket closes is such work: with the session's
// `waitUntil` it runs to its own bound and its failure is reported. Without it (and before the
// transport took `waitUntil`), workerd cuts it off with the session: no report ever comes, and
// this test fails at its bound (seen: none within 3 s, where the hang-up's own bound is 1 s).
import assert from "node:assert/strict";
import { miniflareSanitizers } from "../runtimes/miniflare_sanitizers.ts";
import { hostWorker } from "../runtimes/cloudflare/hosted_worker.ts";
import { within, WsClient } from "../_ws_client.ts";
import { TWILIO_START } from "../serializers/telephony/_hang_up_session.ts";

/**
 * Twilio's REST API on 127.0.0.1, answering no hang-up until it closes: the hang-up's request,
 * and what the Worker posts to `/reported`, are told as they come.
 */
function silentProvider() {
  const closing = Promise.withResolvers<void>();
  const hangUp = Promise.withResolvers<string>();
  const report = Promise.withResolvers<string>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/reported") {
      report.resolve(await request.text());
      return new Response(null, { status: 204 });
    }
    hangUp.resolve(path);
    await closing.promise;
    return new Response(null, { status: 500 });
  });
  return {
    origin: `http://127.0.0.1:${server.addr.port}`,
    hangUp: hangUp.promise,
    report: report.promise,
    /** Ends every request still waiting for an answer, and stops serving. */
    async close() {
      closing.resolve();
      await server.shutdown();
    },
  };
}

/**
 * Opens a call at `path` of the test Worker (the provider's origin appended), hangs it up, and
 * closes its socket while the provider is asked: the hang-up's timeout must still be reported.
 */
async function hangUpOutlivesTheSocket(
  path: string,
  more: Parameters<typeof hostWorker>[2] = {},
): Promise<void> {
  const provider = silentProvider();
  const worker = await hostWorker(
    new URL("./_cloudflare_hang_up_worker.ts", import.meta.url),
    undefined,
    more,
  );
  const origin = `127.0.0.1:${worker.url.port}`;
  try {
    const client = await WsClient.open(
      `ws://${origin}${path}${encodeURIComponent(provider.origin)}`,
    );
    client.send(TWILIO_START);
    const hungUp = await within(provider.hangUp, 5000, "hang-up request");
    assert.equal(hungUp, "/2010-04-01/Accounts/AC1/Calls/CA1.json");
    await client.close(1000); // the far end closes while the provider is asked
    const timedOut = 'timeout: Twilio hang-up of call "CA1" got no answer within 1000 ms';
    assert.equal(await within(provider.report, 5000, "report of the hang-up's end"), timedOut);
    const log = await (await fetch(`http://${origin}/log`)).json();
    assert.deepEqual(log, ["closed", timedOut], "reported after the session's end");
  } finally {
    await worker.hosted.dispose();
    await provider.close();
  }
}

Deno.test({
  name: "On workerd, a hang-up under way when the call's socket closes runs on with `waitUntil`",
  ...miniflareSanitizers,
  fn: () => hangUpOutlivesTheSocket("/call?keep&api="),
});

// Hono's Workers helper on workerd: the route's options name no `waitUntil`, and `voiceSession`
// takes the request's own, `c.executionCtx.waitUntil` (without it the report never came).
Deno.test({
  name: "On workerd, Hono's `voiceSession` lets a hang-up outlive the socket by itself",
  ...miniflareSanitizers,
  fn: () => hangUpOutlivesTheSocket("/hono?api="),
});

// `CallDurableObject` passes its own `ctx.waitUntil` (README, "A hang-up that outlives the
// socket"): checked on a real `DurableObjectState`, where the other tests fake it.
Deno.test({
  name: "On workerd, `CallDurableObject` lets a hang-up outlive the socket by itself",
  ...miniflareSanitizers,
  fn: () =>
    hangUpOutlivesTheSocket("/object?api=", {
      durableObjects: { CALLS: { className: "HangUpCall", useSQLite: true } },
    }),
});
