/**
 * The pieces of RTVI (the pipecat clients' message protocol) a transport-level bot needs: the
 * `client-ready` → `bot-ready` handshake that `PipecatClient.connect()` waits for, and the
 * client's keypresses (`sendDTMF`), which are the bot's `dtmf` frames as pipecat makes them.
 *
 * @module
 */

import type { DtmfFrame, Frame, MessageFrame } from "../frames.ts";
import { TransportError } from "../errors.ts";
import { kindOf } from "../_kind_of.ts";

/** Options for {@linkcode rtviBotReady}. */
export interface RtviBotReadyOptions {
  /**
   * The RTVI protocol version the bot announces: three numbers, as pipecat's and the client's
   * own are. Clients 1.x warn when its major is below 2, and then refuse `sendDTMF`; to a 2.0.x
   * bot they send one `dtmf` message a key. One that is no such string is refused when the reply
   * is made (a `TypeError`, or a `RangeError` for a string of another shape): the client splits it
   * on its dots, and one that is no string threw in its `bot-ready` handler, which the client
   * logs and drops, so `connect()` never resolved.
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
      data: { ...options.data, version: announcedVersion(options.version ?? "2.1.0") },
    },
  };
}

/** An RTVI protocol version: pipecat's `PROTOCOL_VERSION`, the client's `RTVI_PROTOCOL_VERSION`. */
const RTVI_VERSION = /^\d+\.\d+\.\d+$/;

/**
 * `version`, checked: `@pipecat-ai/client-js` reads a bot's as `data.version.split(".")
 * .map(Number)` (client.ts, `handleMessage`, `BOT_READY`), and pipecat takes a client's only as
 * three integers (`_handle_client_ready`).
 */
function announcedVersion(version: unknown): string {
  if (typeof version !== "string") {
    throw new TypeError(`RTVI version must be a string such as "2.1.0", got ${kindOf(version)}`);
  }
  if (!RTVI_VERSION.test(version)) {
    const shown = JSON.stringify(version.slice(0, 40));
    throw new RangeError(`RTVI version must be three numbers such as "2.1.0", got ${shown}`);
  }
  return version;
}

/**
 * The keys an RTVI `dtmf` message may carry: pipecat's `KeypadEntry` (0-9, `*`, `#`), which is
 * also all `PipecatClient.sendDTMF` lets through (`/^[0-9*#]+$/`): no keypad letters.
 */
const RTVI_KEYS = /^[0-9*#]$/;

/**
 * The most keys one RTVI `dtmf` message may carry. Neither end bounds them (the client checks
 * only its pattern, pipecat's `DTMFInputData` only `min_length=1`), but each key is a frame
 * handed on at once: a bot reading through `readable` takes them one at a time, and past four
 * times `maxInboundFrames` waiting (2,000 by default) the inbound queue, which drops no message,
 * takes the reader to be stuck and ends the session. No one types that many at once (a card
 * number is 19 keys, a phone number and its extension some 25): 100 is far above what a person
 * enters and far below that bound.
 */
const MAX_RTVI_KEYS = 100;

/**
 * The client's keypresses in an RTVI message, as the `dtmf` frames pipecat makes of them; `null`
 * for any other message. `PipecatClient.sendDTMF("12#")` (pipecat-client-web, client-js
 * `client.ts`) sends `{label: "rtvi-ai", type: "dtmf", id, data: {buttons: ["1", "2", "#"]}}` to a
 * bot on protocol 2.1.0 (the version `rtviBotReady` announces), and one `{button: "1"}` message
 * per key to a bot that announced 2.0.x; pipecat's `RTVIProcessor` (`processors/frameworks/rtvi/
 * processor.py`, `_handle_dtmf`) pushes one `InputDTMFFrame` per key, in order, "exactly as a
 * telephony transport's keypresses would", so a bot reads a browser's keys as a caller's. A `dtmf`
 * message whose keys are not that (none, or one that is no key) is no keypress: `null`, and it
 * goes on as the message it is (pipecat answers such a one with an `error-response`). One of more
 * than 100 keys is a decode error (see `MAX_RTVI_KEYS`): thrown, the transport counts it in
 * `decodeErrors` and reports it, and the session goes on.
 */
export function rtviDtmfFrames(message: unknown): DtmfFrame[] | null {
  if (typeof message !== "object" || message === null) return null;
  const { label, type, data } = message as Record<string, unknown>;
  if (label !== "rtvi-ai" || type !== "dtmf") return null;
  if (typeof data !== "object" || data === null) return null;
  const { buttons, button } = data as Record<string, unknown>;
  const keys: unknown[] | undefined = Array.isArray(buttons)
    ? buttons
    : buttons === undefined
    ? [button]
    : undefined;
  if (keys === undefined || keys.length === 0) return null;
  if (keys.length > MAX_RTVI_KEYS) {
    // Refused whole, not cut short: the first 100 keys of a sequence are a wrong entry.
    throw new TransportError(
      "decode",
      `RTVI dtmf message of ${keys.length} keys, over ${MAX_RTVI_KEYS}: ` +
        "more than anyone types at once, refused",
    );
  }
  if (!keys.every((key) => typeof key === "string" && RTVI_KEYS.test(key))) return null;
  return (keys as string[]).map((digit) => ({ type: "dtmf", digit }));
}
