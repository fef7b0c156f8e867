/**
 * A 16 kHz session over memory sockets on a fake clock, with 20 ms chunks and a far end
 * (`tests/_fake_far_end.ts`) that plays what arrives and answers a mark once the audio before it
 * has played, as Twilio's Media Streams documents "mark": for tests of a serializer of the test's
 * own making (one that answers late, or refuses late) on that far end.
 *
 * @module
 */

import type { FrameSerializer, TransportError, TransportOptions } from "../mod.ts";
import { WebSocketTransport } from "../mod.ts";
import { type FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { FakeFarEnd } from "./_fake_far_end.ts";
import { BYTES_PER_MS, replyAudio } from "./_stall_call.ts";

/** The session started (the clock ticked once), its errors gathered as they come. */
export async function markingCall(
  clock: FakeClock,
  serializer: FrameSerializer,
  options: Omit<TransportOptions, "serializer" | "clock" | "audioOut">,
) {
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
    clock,
    ...options,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: BYTES_PER_MS });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error));
  transport.receive(() => {});
  await clock.tick(0);
  /** The bot's reply of `ms`, every byte 7 (`farEnd.playedMs(7)`), tagged `responseId` if given. */
  const say = (ms: number, responseId?: string) => transport.send(replyAudio(ms, responseId));
  return { pair, transport, farEnd, errors, say };
}
