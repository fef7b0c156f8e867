// `Packetizer.flush(emit, policy)` takes a last-packet policy for one flush. From JavaScript any
// string can be passed; one that is none of "pad", "short" or "drop" took the remainder and did
// nothing with it: the bytes vanished, and the count returned (`undefined`) turned a caller's
// dropped-bytes total into NaN. The constructor refuses such a policy; so must the flush, before
// it takes anything.
import assert from "node:assert/strict";
import { type LastPacketPolicy, Packetizer } from "../../src/streams/packetizer.ts";

Deno.test("`Packetizer.flush` refuses an unknown policy and keeps the remainder for a later flush", () => {
  const packetizer = new Packetizer({ packetSize: 4 });
  packetizer.push(Uint8Array.of(1, 2, 3), () => assert.fail("no whole packet yet"));
  const packets: Uint8Array[] = [];
  assert.throws(
    () => packetizer.flush((packet) => packets.push(packet), "padded" as LastPacketPolicy),
    (error) =>
      error instanceof RangeError &&
      error.message === 'lastPacket must be "pad", "short" or "drop", got padded',
  );
  assert.equal(packets.length, 0);
  assert.equal(packetizer.pendingBytes, 3);
  assert.equal(packetizer.flush((packet) => packets.push(packet), "short"), 0);
  assert.deepEqual(packets, [Uint8Array.of(1, 2, 3)]);
});
