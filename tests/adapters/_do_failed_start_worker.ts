/**
 * A Worker whose calls (`/ws/:id`, a `CallDurableObject` bound as `CALLS`) echo what they hear,
 * except a connection asked for with `?start=fail`, whose session cannot start (its `serializer`
 * function throws, as one given a provider it does not know would). A close's answer is waited for
 * 1 s at most.
 *
 * @module
 */

import {
  CallDurableObject,
  type DurableObjectNamespaceLike,
} from "../../src/adapters/cloudflare_durable_object.ts";
import type { CloudflareUpgradeOptions } from "../../src/adapters/cloudflare.ts";
import { RawPcmSerializer } from "../../src/serializers/raw_pcm.ts";
import type { WebSocketTransport } from "../../src/transport.ts";

/** A call that echoes, or whose session cannot start when asked so. */
export class FailingStartCall extends CallDurableObject {
  protected override upgradeOptions(request: Request): CloudflareUpgradeOptions {
    const fails = new URL(request.url).searchParams.get("start") === "fail";
    const serializer = () => {
      if (fails) throw new Error("no such provider");
      return new RawPcmSerializer();
    };
    return { serializer, closeTimeoutMs: 1000 };
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
