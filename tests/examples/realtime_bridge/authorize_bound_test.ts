// The bridge's `authorize` hook is the user's code (a signature check, a lookup in a database of
// allowed numbers): one that never answers must not hold the caller's connection for ever. The
// request is the WebSocket upgrade a provider sends (RFC 6455 §4.1: GET with `Upgrade:
// websocket`), handed to the fetch handler as `deno serve` would.
import assert from "node:assert/strict";
import { realtimeBridge } from "../../../examples/realtime-bridge/bridge.ts";
import type { RealtimeModel } from "../../../examples/realtime-bridge/realtime_model.ts";
import { FakeClock } from "../../../src/testing/fake_clock.ts";
import { within } from "../../_ws_client.ts";

/** An upgrade request as a provider opens its media stream (RFC 6455 §4.1). */
function upgradeRequest(path: string): Request {
  return new Request(`http://bridge.example${path}`, {
    headers: {
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      "sec-websocket-version": "13",
    },
  });
}

for (const path of ["/twilio", "/media"]) {
  Deno.test(`the realtime bridge refuses (401) a call on ${path} whose authorize hook never answers, once authorizeTimeoutMs has passed`, async () => {
    const clock = new FakeClock();
    const logs: string[] = [];
    let models = 0;
    const handler = realtimeBridge({
      model: () => {
        models++;
        return {} as RealtimeModel; // never reached: the call is refused first
      },
      authorize: () => new Promise<boolean>(() => {/* a lookup that hangs */}),
      authorizeTimeoutMs: 3000,
      transport: { clock },
      log: (...data) => logs.push(data.map(String).join(" ")),
    });
    let answered = false;
    const answer = handler(upgradeRequest(path)).finally(() => (answered = true));
    await clock.tick(2999);
    assert.equal(answered, false, "refused before the hook's time was up");
    await clock.tick(1);
    const response = await within(answer, 3000, "answer to the upgrade");
    assert.equal(response.status, 401);
    assert.equal(models, 0, "no model session was made for it");
    assert.ok(
      logs.some((line) => line.includes("authorize did not answer within 3000 ms")),
      logs.join("\n"),
    );
    assert.equal(clock.pendingTimers, 0, "nothing left armed for the refused call");
  });
}

Deno.test("the realtime bridge's authorize bound is disarmed once the hook answers", async () => {
  const clock = new FakeClock();
  const handler = realtimeBridge({
    model: () => ({}) as RealtimeModel,
    authorize: () => Promise.resolve(false),
    transport: { clock },
  });
  const response = await within(handler(upgradeRequest("/twilio")), 3000, "answer");
  assert.equal(response.status, 401);
  assert.equal(clock.pendingTimers, 0, "the bound outlived the answer");
});
