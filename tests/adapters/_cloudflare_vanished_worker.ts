/**
 * A Worker whose calls (`/ws/:id`, a `CallDurableObject` bound as `CALLS`) echo what they hear
 * and end a connection after 300 ms with nothing from its client, giving the close's answer
 * 200 ms, as the README's `VoiceCall` does with its seconds.
 *
 * @module
 */

import {
  CallDurableObject,
  type DurableObjectNamespaceLike,
} from "../../src/adapters/cloudflare_durable_object.ts";
import type { CloudflareUpgradeOptions } from "../../src/adapters/cloudflare.ts";
import type { WebSocketTransport } from "../../src/transport.ts";

/** A call whose client may vanish: ended once it has been silent for 300 ms. */
export class QuietCall extends CallDurableObject {
  protected override upgradeOptions(): CloudflareUpgradeOptions {
    return { inactivityTimeoutMs: 300, closeTimeoutMs: 200 };
  }
  protected override onSession(transport: WebSocketTransport): Promise<void> {
    return transport.readable.pipeTo(transport.writable).catch(() => {});
  }
}

export default {
  fetch(request: Request, env: { CALLS: DurableObjectNamespaceLike }): Promise<Response> {
    return CallDurableObject.route(request, env.CALLS);
  },
};
