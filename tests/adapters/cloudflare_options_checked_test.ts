// Plain JavaScript has no type checker, and the Cloudflare adapters took two options unchecked:
//
// - `upgrade`'s `terminate` that is no function was found only once a peer left the close
//   unanswered, as a "closed" error ("terminate failed"), the connection left up;
// - `CallDurableObject.upgradeOptions` that answers with a promise (an `async` override) was spread
//   as the options: a promise has none, so the call ran with the defaults (raw PCM at 16/24 kHz, no
//   `inactivityTimeoutMs`) and nothing said so. It throws a `TypeError` from `fetch` now, as one
//   that throws does, and the call is not left claimed (the next is not refused 409).
import assert from "node:assert/strict";
import { type CloudflareUpgradeOptions, upgrade } from "../../src/adapters/cloudflare.ts";
import { CallDurableObject } from "../../src/adapters/cloudflare_durable_object.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { withMemoryWorkers } from "./_memory_workers.ts";
import { upgradeRequest } from "./_upgrade_request.ts";

const callRequest = () => upgradeRequest({ url: "https://example.com/ws/CA1" });

Deno.test("`upgrade` on Workers refuses a `terminate` that is no function, upgrading nothing", async () => {
  await withMemoryWorkers(async (clients) => {
    for (const [terminate, got] of [["drop", "string"], [true, "boolean"], [null, "object"]]) {
      await assert.rejects(upgrade(callRequest(), { terminate: terminate as never }), {
        name: "TypeError",
        message: `terminate must be a function, got ${got}`,
      });
    }
    assert.equal(clients.length, 0, "no WebSocketPair was made");
  });
});

/** A call whose `upgradeOptions` answers `answer`, holding every session it starts. */
class AnsweringCall extends CallDurableObject<undefined, Record<string, never>> {
  readonly sessions: WebSocketTransport[] = [];
  constructor(readonly answer: unknown) {
    super({}, undefined);
  }
  protected override upgradeOptions(): CloudflareUpgradeOptions {
    return this.answer as CloudflareUpgradeOptions;
  }
  protected override onSession(transport: WebSocketTransport): void {
    this.sessions.push(transport);
  }
}

Deno.test("`CallDurableObject` refuses options given as a promise or as nothing, and is not left claimed", async () => {
  await withMemoryWorkers(async () => {
    const cases = [
      [Promise.resolve({ audioIn: { sampleRate: 8000 } }), "a promise"],
      [undefined, "undefined"],
      [null, "null"],
    ] as const;
    for (const [answer, got] of cases) {
      const call = new AnsweringCall(answer);
      const message =
        `upgradeOptions must return the call's options as an object, at once, got ${got}`;
      await assert.rejects(call.fetch(callRequest()), { name: "TypeError", message });
      // Refused again for the same reason, not 409: the first did not leave the call claimed.
      await assert.rejects(call.fetch(callRequest()), { name: "TypeError", message });
      assert.equal(call.sessions.length, 0, "no session ran on options it was not given");
    }
  });
});
