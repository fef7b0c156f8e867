/**
 * The context a serializer is bound with (`FrameSerializer.bind`), reaching its session through a
 * weak hold (`heldWeakly`): a serializer kept after its call (to read its call ids) keeps none of
 * the ended session. Internal to `OutboundPath`, which makes the parts.
 *
 * @module
 */

import { checkCount } from "./_serializer_context_checks.ts";
import type { WeakHold } from "./_session_link.ts";
import type { TransportError } from "./errors.ts";
import type { Frame } from "./frames.ts";
import type { SendPauseOptions, SerializedMessage, SerializerContext } from "./serializer.ts";
import type { InboundPacketInfo } from "./session_observer.ts";
import type { SerializerCounter } from "./transport_stats.ts";

/** The parts of the serializer's context that reach into the session. */
export interface ContextParts {
  send(message: SerializedMessage): void;
  count(counter: SerializerCounter, amount: number, held: boolean): void;
  report(error: TransportError): void;
  inboundPacket(packet: Readonly<InboundPacketInfo>): void;
  inboundFrames(frames: Frame[]): void;
  pauseSending(paused: boolean, options?: SendPauseOptions): void;
  farEndInterrupted(): void;
  farEndHeld(held: boolean): void;
}

/**
 * The context a serializer is bound with, made outside the path's methods: a closure shares its
 * scope with every closure made beside it, so made there, these would keep the path (and the
 * inbound path) themselves, however they reach it. Made here, they hold only the link and the
 * session's fixed values.
 */
export function linkedContext(
  link: WeakHold<ContextParts>,
  fixed: Pick<
    SerializerContext,
    "clock" | "sendTimeoutMs" | "closeTimeoutMs" | "signal" | "waitUntil"
  >,
): SerializerContext {
  return {
    send: (message) => link.deref()?.send(message),
    count: (counter, amount = 1, held = false) => {
      checkCount(counter, amount);
      link.deref()?.count(counter, amount, held);
    },
    report: (error) => link.deref()?.report(error),
    inboundPacket: (packet) => link.deref()?.inboundPacket(packet),
    inboundFrames: (frames) => link.deref()?.inboundFrames(frames),
    pauseSending: (paused, options) => link.deref()?.pauseSending(paused, options),
    farEndInterrupted: () => link.deref()?.farEndInterrupted(),
    farEndHeld: (held) => link.deref()?.farEndHeld(held),
    ...fixed,
  };
}
