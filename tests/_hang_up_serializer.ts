/**
 * Raw PCM whose `cancel` is a message of its own ("hang up"), as a telephony protocol's hang-up
 * is, recording what reached it; and a session on it whose cancel tests share.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Frame, FrameSerializer } from "../mod.ts";
import { observedSession } from "./_observed_session.ts";

/** How long the hang-up session waits for its socket to open. */
export const OPEN_TIMEOUT_MS = 200;
/** How long the hang-up session waits for the peer's answer to its close. */
export const CLOSE_TIMEOUT_MS = 500;
/** The bot's hang-up. */
export const CANCEL: Frame = { type: "cancel", closeCode: 4000, reason: "hung up" };

/**
 * The serializer, the frame types it was given (`serialized`), and `finishSetUp` / `failSetUp`
 * for one that is `slow` (its set-up runs until then); `peerCloses` for a far end that closes
 * after a cancel.
 */
export function hangUpSerializer(options: { slow?: boolean; peerCloses?: boolean } = {}) {
  const setUp = Promise.withResolvers<void>();
  const serialized: string[] = [];
  const serializer: FrameSerializer = {
    ...(options.slow ? { setup: () => setUp.promise } : {}),
    ...(options.peerCloses ? { peerCloses: true } : {}),
    serialize(frame) {
      serialized.push(frame.type);
      if (frame.type === "audio") return frame.audio;
      return frame.type === "cancel" ? "hang up" : null;
    },
    deserialize: () => null,
  };
  return {
    serializer,
    serialized,
    finishSetUp: () => setUp.resolve(),
    failSetUp: (error: unknown) => setUp.reject(error),
  };
}

/**
 * A session on the hang-up serializer (16 kHz audio in 20 ms chunks, the bounds above), open or
 * still connecting (`open`), with its events and what its client reads (`_observed_session.ts`).
 */
export function hangUpSession(options: { open: boolean; slow?: boolean; peerCloses?: boolean }) {
  const { open, ...serializerOptions } = options;
  const hangUp = hangUpSerializer(serializerOptions);
  const session = observedSession({
    serializer: hangUp.serializer,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    openTimeoutMs: OPEN_TIMEOUT_MS,
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
    open,
  });
  return { ...hangUp, ...session };
}

/**
 * The hang-up session ended by the bot's `CANCEL` before anything was said: closed with its code
 * and reason, the close the only thing its client read, no connected or disconnected event, no
 * error, and nothing reaching the serializer.
 */
export async function assertCancelledUnsaid(s: ReturnType<typeof hangUpSession>): Promise<void> {
  assert.deepEqual(await s.transport.closed, {
    code: 4000,
    reason: "hung up",
    initiator: "local",
  });
  assert.deepEqual(s.clientRead, ["close 4000 hung up"], "the close, nothing said before it");
  assert.deepEqual(s.seen, [], "no connected, no disconnected: the bot ended it");
  assert.deepEqual(s.errors, []);
  assert.deepEqual(s.serialized, [], "nothing reached the serializer");
}
