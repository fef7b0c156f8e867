/**
 * A session's serializer before its first message: claimed for the one session it ever serves,
 * then set up with the session's audio settings, an asynchronous set-up bounded in time.
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import { TransportError } from "./errors.ts";
import type { FrameSerializer, SerializerAudioSetup } from "./serializer.ts";
import { RawPcmSerializer } from "./serializers/raw_pcm.ts";
import {
  expectMethods,
  type ResolvedTransportOptions,
  type TransportOptions,
} from "./transport_options.ts";
import { sessionBegins, sessionEnded } from "./_session_end.ts";
import { thrownText } from "./_thrown_text.ts";

/**
 * Where each serializer is in its one session: claimed by a transport being built, serving the
 * session that transport began, or done, having served it. Serializers keep one call's state (its
 * ids, sequence numbers, a hang-up already sent, resampler filters) with no way to reset it, so one
 * that has served a session serves no other: the next call would start as the last one.
 */
const serializerSessions = new WeakMap<FrameSerializer, "claimed" | "serving" | "served">();

/**
 * The session's serializer (made, where a function is given), taken for it for good. Throws a
 * `TypeError` for one that serves a session, or has served one.
 */
export function claimSerializer(option: TransportOptions["serializer"]): FrameSerializer {
  const serializer = typeof option === "function" ? option() : option ?? new RawPcmSerializer();
  // The option itself was checked with the others: this is what its function made.
  const name = "what the serializer function returned";
  expectMethods(serializer ?? null, name, ["serialize", "deserialize"], "a FrameSerializer");
  const session = serializerSessions.get(serializer);
  if (session !== undefined) {
    const served = session === "served"
      ? "this serializer has served a session already, and keeps that call's state (call and " +
        "stream ids, sequence numbers, a hang-up already sent)"
      : "this serializer already serves a live session, and serializers keep one call's state " +
        "(stream ids, resampler filters)";
    throw new TypeError(
      `${served}: give each session a new instance, or, in options shared by sessions, a ` +
        "function that makes one (serializer: () => new TwilioSerializer())",
    );
  }
  serializerSessions.set(serializer, "claimed");
  return serializer;
}

/**
 * The session is over, or never began (its transport's constructor threw): a serializer that
 * served it serves no other, and one that never served may serve the next session.
 */
export function releaseSerializer(serializer: FrameSerializer): void {
  if (serializerSessions.get(serializer) === "claimed") {
    serializerSessions.delete(serializer);
    return;
  }
  serializerSessions.set(serializer, "served");
  sessionEnded(serializer); // its audio helpers let go of their state (_session_end.ts)
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
 * Calls the serializer's `setup` with the session's audio settings as the session begins (from
 * then on it serves no other: {@linkcode releaseSerializer}). Returns `undefined` when it
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
  // The transport is built: its session begins, and the serializer is the session's for good.
  serializerSessions.set(serializer, "serving");
  let setup: unknown;
  let pending: boolean;
  const packetBytes = options.fixedAudioPacketSize;
  const audio: SerializerAudioSetup = {
    inputSampleRate: options.inputSampleRate,
    inputChannels: options.inputChannels,
    outputSampleRate: options.outputSampleRate,
    outputChannels: options.outputChannels,
    outputChunkMs: options.chunkMs,
    ...(packetBytes === undefined ? {} : { outputPacketBytes: packetBytes }),
  };
  sessionBegins(serializer, audio);
  try {
    setup = serializer.setup?.(audio);
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
