/**
 * The one piece of RTVI (the pipecat clients' message protocol) a transport-level bot must speak:
 * the `client-ready` → `bot-ready` handshake that `PipecatClient.connect()` waits for.
 *
 * @module
 */

import type { Frame, MessageFrame } from "../frames.ts";

/** Options for {@linkcode rtviBotReady}. */
export interface RtviBotReadyOptions {
  /**
   * The RTVI protocol version the bot announces. Clients 1.x warn when its major is below 2.
   *
   * @default {"2.1.0"}
   */
  version?: string;
  /**
   * Extra fields of the `bot-ready` data (e.g. `about: { library: "my-bot" }`); `version`
   * wins over a `version` given here.
   *
   * @default {{}}
   */
  data?: Record<string, unknown>;
}

/**
 * The reply to an RTVI `client-ready`, or `null` for any other frame.
 *
 * A function, not a stream, on purpose: the bot reads frames from `transport.readable` and
 * writes to `transport.writable`, and only the bot owns both ends. It calls this on each inbound
 * frame and, when a reply comes back, writes it (the reply is `urgent`, so it goes out ahead of
 * any queued audio). The reply carries the request's `id`, `label: "rtvi-ai"`, `type:
 * "bot-ready"` and `data: { version: "2.1.0" }`, which is what `@pipecat-ai/client-js` 1.x
 * resolves `connect()` on. It works with any serializer that turns the client's messages into
 * `message` frames (`ProtobufSerializer` does).
 *
 * @example In a bot's read loop
 * ```ts
 * import { rtviBotReady } from "@x/ws-transport/protobuf";
 * import assert from "node:assert/strict";
 *
 * const inbound = {
 *   type: "message" as const,
 *   message: { id: "a1b2", label: "rtvi-ai", type: "client-ready", data: { version: "2.1.0" } },
 * };
 * assert.deepEqual(rtviBotReady(inbound), {
 *   type: "message",
 *   urgent: true,
 *   message: { id: "a1b2", label: "rtvi-ai", type: "bot-ready", data: { version: "2.1.0" } },
 * });
 * assert.equal(rtviBotReady({ type: "text", text: "hello" }), null);
 * // In the bot: const reply = rtviBotReady(frame); if (reply) await writer.write(reply);
 * ```
 */
export function rtviBotReady(frame: Frame, options: RtviBotReadyOptions = {}): MessageFrame | null {
  if (frame.type !== "message") return null;
  const request = frame.message;
  if (typeof request !== "object" || request === null) return null;
  const { label, type, id } = request as Record<string, unknown>;
  if (label !== "rtvi-ai" || type !== "client-ready") return null;
  return {
    type: "message",
    urgent: true,
    message: {
      id: typeof id === "string" || typeof id === "number" ? id : "",
      label: "rtvi-ai",
      type: "bot-ready",
      data: { ...options.data, version: options.version ?? "2.1.0" },
    },
  };
}
