/**
 * The checks a serializer's context makes of what a serializer hands it: a counter it adds to,
 * an error it reports.
 *
 * @module
 */

import { TransportError, type TransportErrorCode } from "./errors.ts";
import type { SendPauseOptions } from "./serializer.ts";
import type { InboundPacketInfo } from "./session_observer.ts";
import type { ObserverList } from "./_observer_list.ts";
import type { SerializerCounter } from "./transport_stats.ts";
import { thrownText } from "./_thrown_text.ts";

// Spelled as records so that the compiler says when a counter or a code is added and not here.
const SERIALIZER_COUNTERS: ReadonlySet<string> = new Set(
  Object.keys(
    {
      audioBytesInterrupted: true,
      audioBytesDroppedOnClose: true,
      framesDroppedOnClose: true,
      inboundMediaReordered: true,
      inboundMediaDuplicates: true,
      inboundMediaLate: true,
      inboundMediaGapsFilled: true,
      inboundMediaGapMs: true,
      inboundMediaResyncs: true,
      audioBytesRefused: true,
      inboundAfterEnd: true,
      decodeErrors: true,
      encodeErrors: true,
    } satisfies Record<SerializerCounter, true>,
  ),
);
/** The counters of what the far end sent (the rest count what the session sends). */
const INBOUND_COUNTERS: ReadonlySet<string> = new Set(
  [...SERIALIZER_COUNTERS].filter((name) => name.startsWith("inbound") || name === "decodeErrors"),
);

/** Whether `counter` counts what the far end sent (see {@linkcode INBOUND_COUNTERS}). */
export function isInboundCounter(counter: SerializerCounter): boolean {
  return INBOUND_COUNTERS.has(counter);
}

const ERROR_CODES: ReadonlySet<unknown> = new Set(
  Object.keys(
    {
      decode: true,
      encode: true,
      closed: true,
      timeout: true,
      backpressure: true,
      protocol: true,
      application: true,
    } satisfies Record<TransportErrorCode, true>,
  ),
);

/**
 * Throws at a serializer that counts what is not one of its counters, or by an amount that is not
 * a finite non-negative number.
 */
export function checkCount(counter: SerializerCounter, amount: number): void {
  // A serializer in plain JavaScript (or a typo) would otherwise add a key to the stats, or
  // make a counter negative or NaN for the rest of the session: thrown at the serializer.
  if (!SERIALIZER_COUNTERS.has(counter)) {
    throw new TypeError(
      `SerializerContext.count: ${thrownText(counter)} is not a counter a serializer adds to ` +
        `(a bug in the serializer): one of ${[...SERIALIZER_COUNTERS].join(", ")}`,
    );
  }
  if (!Number.isFinite(amount) || amount < 0) {
    throw new RangeError(
      `SerializerContext.count: ${counter} amount ${thrownText(amount)} is not a finite ` +
        `non-negative number (a bug in the serializer)`,
    );
  }
}

/**
 * Throws at a serializer that bounds a pause of sending with options that are not an object or
 * whose `reason` is not a string: the "timeout" error at the bound would say nothing true.
 */
export function checkSendPause(options: SendPauseOptions): void {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `SerializerContext.pauseSending: options ${thrownText(options)} is not an object ` +
        `(a bug in the serializer)`,
    );
  }
  const { reason } = options;
  if (reason !== undefined && typeof reason !== "string") {
    throw new TypeError(
      `SerializerContext.pauseSending: reason ${thrownText(reason)} is not a string ` +
        `(a bug in the serializer)`,
    );
  }
}

/**
 * Throws at a serializer that reports an inbound packet whose times are not finite numbers: one
 * NaN would make every figure made of it NaN for the rest of the session.
 */
export function checkInboundPacket(packet: Readonly<InboundPacketInfo>): void {
  const { arrivedAt, mediaMs } = packet;
  if (
    typeof arrivedAt !== "number" || !Number.isFinite(arrivedAt) ||
    typeof mediaMs !== "number" || !Number.isFinite(mediaMs)
  ) {
    throw new RangeError(
      `SerializerContext.inboundPacket: arrivedAt ${thrownText(arrivedAt)} and mediaMs ` +
        `${thrownText(mediaMs)} must be finite numbers (a bug in the serializer)`,
    );
  }
}

/**
 * What a serializer reported, as the "error" event's listeners expect it: anything with no known
 * `code` (a plain `Error` from a serializer in JavaScript, a thrown string) is wrapped, not fatal,
 * as a `"protocol"` error (what serializers report: the far end's session went wrong), with the
 * original as `cause`. A `TransportError` of another copy of this package passes by its `code`.
 */
export function asTransportError(error: unknown): TransportError {
  if (
    error instanceof TransportError ||
    (error instanceof Error && ERROR_CODES.has((error as Partial<TransportError>).code))
  ) return error as TransportError;
  const message = error instanceof Error ? error.message : thrownText(error);
  return new TransportError(
    "protocol",
    `a serializer reported an error that is not a TransportError: ${message}`,
    { cause: error },
  );
}

/**
 * The serializer's context's `inboundPacket` (`SerializerContext.inboundPacket`) for a session
 * watched by `observers`: each packet checked, then told to them as it is, no copy (the
 * serializer's object, reused: observers copy what they keep). Made once per session.
 */
export function tellingInboundPackets(
  observers: ObserverList,
): (packet: Readonly<InboundPacketInfo>) => void {
  return (packet) => {
    checkInboundPacket(packet);
    observers.inboundPacket(packet);
  };
}
