// `FrameSerializer.peerCloses` says the far end closes the socket itself once it has our `end`. A
// serializer may say so once for the session (a fixed `true`); Genesys's turns true only once its
// closing transaction has begun, and from then on the partial packet held by
// `fixedAudioPacketSize` is dropped (no audio may follow that transaction). A fixed `true` read
// the same way dropped the end of every reply mid-call, whatever `lastPacket` said.
import assert from "node:assert/strict";
import type { Frame, FrameSerializer } from "../mod.ts";
import { packetCall, receivedBytes } from "./_packet_call.ts";
import { answer } from "./_caller_fixtures.ts";

/** Raw PCM to a far end that closes after our `end`, said once for the session. */
class FixedPeerCloses implements FrameSerializer {
  readonly peerCloses = true;
  readonly dropped: number[] = [];
  serialize(frame: Frame) {
    return frame.type === "audio" ? frame.audio : null;
  }
  partialPacketDropped(bytes: number) {
    this.dropped.push(bytes);
  }
  deserialize() {
    return null;
  }
}

Deno.test('a fixed `peerCloses: true` drops no reply\'s last packet mid-call: `lastPacket: "pad"` pads and sends it', async () => {
  const serializer = new FixedPeerCloses();
  const { clock, farEnd, transport } = packetCall({
    serializer,
    packetBytes: 1000,
    lastPacket: "pad",
  });
  await clock.tick(1);
  void transport.send(answer(100, "r1")); // 3,200 bytes: three packets and 200 bytes, padded
  await clock.tick(1000);
  // Before: 3,000 bytes arrived, the last 200 dropped and counted as if the call were closing.
  assert.equal(receivedBytes(farEnd), 4000);
  assert.deepEqual(serializer.dropped, []);
  assert.equal(transport.stats.audioBytesDroppedOnClose, 0);
  await transport.close();
});
