// The hang-up tests' common ground: a request to hang up a test call, Twilio's `start` message
// (its Media Streams "start" message, as documented), and a session on a serializer that has
// received its start, ready to send `end`, with its errors collected.
import { type TransportError, type TransportOptions, WebSocketTransport } from "../../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../../src/testing/mod.ts";
import type { HangUpRequest } from "../../../src/serializers/telephony/hang_up.ts";
import type { FrameSerializer } from "../../../src/serializer.ts";

/** A hang-up request for call "c1" of provider "Test" that never reads as ended already. */
export const TEST_HANG_UP: HangUpRequest = {
  provider: "Test",
  callId: "c1",
  url: "https://api.example.com/calls/c1",
  init: { method: "DELETE" },
  alreadyEnded: () => false,
};

/** Twilio's `start` for stream MZ1 of call CA1, μ-law 8 kHz. */
export const TWILIO_START = JSON.stringify({
  event: "start",
  sequenceNumber: "1",
  streamSid: "MZ1",
  start: {
    streamSid: "MZ1",
    accountSid: "AC1",
    callSid: "CA1",
    tracks: ["inbound"],
    mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
  },
});

/**
 * A session on `serializer` (8 kHz out, `sendTimeoutMs` 5000, and `options`) that has received
 * `start`.
 */
export async function startedSession(
  serializer: FrameSerializer,
  start: string,
  options: TransportOptions = {},
) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    audioOut: { sampleRate: 8000, chunkMs: 20 },
    sendTimeoutMs: 5000,
    clock,
    ...options,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  transport.receive(() => {});
  await clock.tick(0);
  pair.client.send(start);
  await clock.tick(0);
  return { clock, pair, transport, errors };
}
