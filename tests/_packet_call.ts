// A session whose binary audio is cut into fixed-size packets (`fixedAudioPacketSize`), on the
// fake clock, with a far end (tests/_fake_far_end.ts, no jitter buffer) that plays 16 kHz PCM16
// as it arrives: the tests of what becomes of a reply's partial last packet share it.
import { type FrameSerializer, type LastPacketPolicy, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { FakeFarEnd } from "./_fake_far_end.ts";

/** The session's serializer and packets; `acks`: the far end answers marks once played. */
export interface PacketCallOptions {
  serializer: FrameSerializer;
  packetBytes: number;
  lastPacket: LastPacketPolicy;
  acks?: boolean;
}

/** The session (20 ms chunks at 16 kHz), its clock, socket pair and far end. */
export function packetCall(
  { serializer, packetBytes, lastPacket, acks = false }: PacketCallOptions,
) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: 32, acks });
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    clock,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    fixedAudioPacketSize: packetBytes,
    lastPacket,
  });
  return { clock, pair, farEnd, transport };
}

/** The audio bytes that reached `farEnd`. */
export function receivedBytes(farEnd: FakeFarEnd): number {
  return farEnd.arrivals.reduce((bytes, arrival) => bytes + arrival.bytes, 0);
}
