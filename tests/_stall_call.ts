/**
 * A raw PCM session on a clock whose event loop can stall ({@linkcode StallClock}), with a far end
 * that plays what arrives as it arrives (no jitter buffer): the estimate of a protocol without
 * acknowledgements, against what the caller really heard, for the stall tests.
 *
 * @module
 */

import { RawPcmSerializer, WebSocketTransport } from "../mod.ts";
import { MemorySocketPair } from "../src/testing/mod.ts";
import { FakeFarEnd } from "./_fake_far_end.ts";
import { StallClock } from "./_stall_clock.ts";

/** 16 kHz mono PCM16. */
export const BYTES_PER_MS = 32;

/** The session's outbound settings (the transport's defaults where unset). */
export interface StallCallOptions {
  chunkMs: number;
  sendAheadMs?: number | undefined;
  endSilenceMs?: number | undefined;
}

/** The session, its far end, `say(ms, responseId?)` for the bot, and when the far end was closed. */
export function stallCall({ chunkMs, sendAheadMs, endSilenceMs }: StallCallOptions) {
  const clock = new StallClock(1000);
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new RawPcmSerializer(),
    audioOut: { sampleRate: 16000, chunkMs },
    maxQueuedMs: 60_000,
    clock,
    ...(sendAheadMs === undefined ? {} : { sendAheadMs }),
    ...(endSilenceMs === undefined ? {} : { endSilenceMs }),
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: BYTES_PER_MS });
  let closedAt = NaN;
  pair.client.addEventListener("close", () => (closedAt = clock.now()));
  transport.receive(() => {});
  const say = (ms: number, responseId?: string) =>
    transport.send({
      type: "audio",
      audio: new Uint8Array(BYTES_PER_MS * ms).fill(7),
      sampleRate: 16000,
      channels: 1,
      ...(responseId === undefined ? {} : { responseId }),
    });
  return { clock, pair, transport, farEnd, say, closedAt: () => closedAt };
}
