/**
 * A voice echo on Cloudflare Workers: each `/ws/:id` call gets its own Durable Object, which
 * echoes what it hears, paced like a sound card. Run it with `npx wrangler dev`, deploy it with
 * `npx wrangler deploy` (see README.md beside this file).
 *
 * @module
 */

import {
  CallDurableObject,
  type CloudflareUpgradeOptions,
  type DurableObjectNamespaceLike,
} from "@x/ws-transport/cloudflare-durable-object";
import type { WebSocketTransport } from "@x/ws-transport";

/** The bindings wrangler.toml declares. */
export interface Env {
  /** The namespace of {@linkcode EchoCall} objects. */
  CALLS: DurableObjectNamespaceLike;
  /** Comma-separated browser origins allowed to connect; unset, any origin may. */
  ALLOWED_ORIGINS?: string;
}

/** One call: 16 kHz mono PCM16 in, the same back out; text messages echoed as text. */
export class EchoCall extends CallDurableObject<Env> {
  protected override upgradeOptions(_request: Request): CloudflareUpgradeOptions {
    return {
      audioIn: { sampleRate: 16000 },
      audioOut: { sampleRate: 16000, chunkMs: 40 },
      // Workers have no pings: a client whose network vanished sends no close, and its call would
      // refuse a reconnect (409) until this ends the connection it left. An echo's client streams
      // audio without pause, so a few seconds of nothing means it is gone.
      inactivityTimeoutMs: 10_000,
    };
  }

  protected override async onSession(transport: WebSocketTransport): Promise<void> {
    try {
      await transport.readable.pipeTo(transport.writable);
    } catch {
      // The call ended while frames were in flight (remote close): `transport.closed` says how.
    }
  }
}

/** The Worker: every upgrade on `/ws/:id` goes to that call's object; the rest is 404/426. */
export default {
  fetch(request: Request, env: Env): Promise<Response> {
    const origins = env.ALLOWED_ORIGINS?.split(",").map((origin) => origin.trim()).filter(Boolean);
    // Refused here, at the edge, a foreign browser never wakes a Durable Object.
    return CallDurableObject.route(
      request,
      env.CALLS,
      origins?.length ? { allowedOrigins: origins } : {},
    );
  },
};
