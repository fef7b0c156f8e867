/**
 * A session's serializer before its first message: claimed for the one session it serves, then
 * set up with the session's audio settings, an asynchronous set-up bounded in time.
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import { TransportError } from "./errors.ts";
import type { FrameSerializer } from "./serializer.ts";
import { RawPcmSerializer } from "./serializers/raw_pcm.ts";
import {
  expectMethods,
  type ResolvedTransportOptions,
  type TransportOptions,
} from "./transport_options.ts";
import { thrownText } from "./_thrown_text.ts";

/** The serializers serving a live session: each keeps one call's state, so one session each. */
const serializersInUse = new WeakSet<FrameSerializer>();

/**
 * The session's serializer (made, where a function is given), taken for it until
 * {@linkcode releaseSerializer}. Throws a `TypeError` for one that serves a live session already.
 */
export function claimSerializer(option: TransportOptions["serializer"]): FrameSerializer {
  const serializer = typeof option === "function" ? option() : option ?? new RawPcmSerializer();
  // The option itself was checked with the others: this is what its function made.
  const name = "what the serializer function returned";
  expectMethods(serializer ?? null, name, ["serialize", "deserialize"], "a FrameSerializer");
  if (serializersInUse.has(serializer)) {
    throw new TypeError(
      "this serializer already serves a live session, and serializers keep one call's state " +
        "(stream ids, resampler filters): give each session its own, or, in options shared by " +
        "sessions, a function that makes one (serializer: () => new TwilioSerializer())",
    );
  }
  serializersInUse.add(serializer);
  return serializer;
}

/** The session is over: its serializer may serve another. */
export function releaseSerializer(serializer: FrameSerializer): void {
  serializersInUse.delete(serializer);
}

/** What bounds an asynchronous set-up. */
export interface SetUpBound {
  /** The session's clock. */
  clock: Clock;
  /** How long it may take (`sendTimeoutMs`). */
  timeoutMs: number;
  /** Aborted when the session ends. */
  signal: AbortSignal;
}

/**
 * Calls the serializer's `setup` with the session's audio settings. Returns `undefined` when it
 * finished at once, or a promise for one that runs on: `true` once it has finished, `false` when
 * the session ended first (nothing to report). A set-up that fails throws, or rejects, with a
 * fatal "protocol" `TransportError` (close code 1011); one that takes longer than the bound
 * likewise, since until it settles messages wait undecoded and nothing is sent.
 */
export function setUpSerializer(
  serializer: FrameSerializer,
  options: ResolvedTransportOptions,
  bound: SetUpBound,
): Promise<boolean> | undefined {
  let setup: unknown;
  let pending: boolean;
  try {
    setup = serializer.setup?.({
      inputSampleRate: options.inputSampleRate,
      inputChannels: options.inputChannels,
      outputSampleRate: options.outputSampleRate,
      outputChannels: options.outputChannels,
      outputChunkMs: options.chunkMs,
    });
    // Any thenable, not only a Promise: a serializer may return its own (whose `then` may throw).
    pending = typeof (setup as PromiseLike<void> | undefined)?.then === "function";
  } catch (cause) {
    throw setUpFailed(cause);
  }
  return pending ? bounded(Promise.resolve(setup), bound) : undefined;
}

function bounded(setup: Promise<unknown>, { clock, timeoutMs, signal }: SetUpBound) {
  return new Promise<boolean>((resolve, reject) => {
    const timer = clock.timer(() => {
      const message = `serializer setup did not finish within ${timeoutMs} ms`;
      reject(new TransportError("protocol", message, { closeCode: 1011, fatal: true }));
    });
    timer.arm(timeoutMs);
    // The session may end meanwhile (the peer hung up): the timer goes with it, and what waits
    // for the set-up (`interrupt()`) is let go.
    const ended = () => {
      timer.cancel();
      resolve(false);
    };
    signal.addEventListener("abort", ended, { once: true });
    setup.finally(() => {
      timer.cancel();
      signal.removeEventListener("abort", ended);
    }).then(() => resolve(true), (cause) => reject(setUpFailed(cause)));
  });
}

function setUpFailed(cause: unknown): TransportError {
  const message = `serializer setup failed: ${thrownText(cause)}`;
  return new TransportError("protocol", message, { cause, closeCode: 1011, fatal: true });
}
