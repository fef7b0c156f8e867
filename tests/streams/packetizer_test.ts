import assert from "node:assert/strict";
import fc from "fast-check";
import { type LastPacketPolicy, Packetizer } from "../../src/streams/packetizer.ts";
import { ramp } from "../_bytes.ts";

function run(
  packetizer: Packetizer,
  inputs: Uint8Array[],
): { packets: Uint8Array[]; dropped: number } {
  const packets: Uint8Array[] = [];
  for (const input of inputs) packetizer.push(input, (p) => packets.push(p));
  const dropped = packetizer.flush((p) => packets.push(p));
  return { packets, dropped };
}

Deno.test("`Packetizer` keeps the remainder across pushes", () => {
  const packetizer = new Packetizer({ packetSize: 640 });
  const packets: Uint8Array[] = [];
  packetizer.push(ramp(500), (p) => packets.push(p));
  assert.equal(packets.length, 0);
  packetizer.push(ramp(500, 500), (p) => packets.push(p));
  assert.equal(packets.length, 1);
  assert.deepEqual(packets[0], ramp(640));
  assert.equal(packetizer.pendingBytes, 360);
});

Deno.test("`Packetizer` emits views of whole packets inside one push", () => {
  const input = ramp(1300);
  const { packets } = run(new Packetizer({ packetSize: 640, lastPacket: "drop" }), [input]);
  assert.equal(packets.length, 2);
  for (const packet of packets) assert.equal(packet.buffer, input.buffer);
});

Deno.test("`Packetizer` pads the last packet with padByte by default policy", () => {
  const { packets, dropped } = run(new Packetizer({ packetSize: 8, padByte: 0xff }), [ramp(11)]);
  assert.deepEqual(packets.map((p) => [...p]), [
    [0, 1, 2, 3, 4, 5, 6, 7],
    [8, 9, 10, 0xff, 0xff, 0xff, 0xff, 0xff],
  ]);
  assert.equal(dropped, 0);
});

Deno.test("`Packetizer` pads with 0 when no padByte is given", () => {
  const { packets } = run(new Packetizer({ packetSize: 4 }), [ramp(5, 1)]);
  assert.deepEqual(packets.map((p) => [...p]), [[1, 2, 3, 4], [5, 0, 0, 0]]);
});

Deno.test("`Packetizer` sends the last packet short with the `short` policy", () => {
  const { packets, dropped } = run(new Packetizer({ packetSize: 8, lastPacket: "short" }), [
    ramp(11),
  ]);
  assert.deepEqual(packets.map((p) => p.length), [8, 3]);
  assert.deepEqual(packets[1], ramp(3, 8));
  assert.equal(dropped, 0);
});

Deno.test("`Packetizer` drops the last packet with the `drop` policy, counted", () => {
  const { packets, dropped } = run(new Packetizer({ packetSize: 8, lastPacket: "drop" }), [
    ramp(11),
  ]);
  assert.deepEqual(packets.map((p) => p.length), [8]);
  assert.equal(dropped, 3);
});

Deno.test("`Packetizer.flush` does nothing when nothing is held", () => {
  for (const lastPacket of ["pad", "short", "drop"] as const) {
    const { packets, dropped } = run(new Packetizer({ packetSize: 4, lastPacket }), [ramp(8)]);
    assert.equal(packets.length, 2);
    assert.equal(dropped, 0);
  }
});

Deno.test("`Packetizer.clear` drops the remainder (interruption mid-packet)", () => {
  const packetizer = new Packetizer({ packetSize: 640 });
  const packets: Uint8Array[] = [];
  packetizer.push(ramp(1000), (p) => packets.push(p));
  assert.equal(packetizer.clear(), 360);
  packetizer.push(ramp(640, 9), (p) => packets.push(p));
  assert.deepEqual(packets[1], ramp(640, 9));
  assert.equal(packetizer.flush(() => assert.fail("nothing held")), 0);
});

Deno.test("`Packetizer` rejects bad options, naming the value", () => {
  assert.throws(() => new Packetizer({ packetSize: 0 }), /packetSize.*0/);
  assert.throws(() => new Packetizer({ packetSize: 1.5 }), RangeError);
  assert.throws(
    () => new Packetizer({ packetSize: 4, lastPacket: "nope" as LastPacketPolicy }),
    /nope/,
  );
  assert.throws(() => new Packetizer({ packetSize: 4, padByte: 256 }), /padByte.*256/);
});

Deno.test("`Packetizer` gives the same bytes for any chunking of the input", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 20 }),
      fc.integer({ min: 1, max: 100 }),
      fc.constantFrom<LastPacketPolicy>("pad", "short", "drop"),
      (sizes, packetSize, lastPacket) => {
        const total = sizes.reduce((a, b) => a + b, 0);
        const whole = ramp(total);
        let offset = 0;
        const inputs = sizes.map((n) => whole.subarray(offset, offset += n));
        const { packets, dropped } = run(
          new Packetizer({ packetSize, lastPacket, padByte: 0xee }),
          inputs,
        );
        const rest = total % packetSize;
        const whole_packets = Math.floor(total / packetSize);
        for (const [i, packet] of packets.entries()) {
          const expected = whole.subarray(i * packetSize, (i + 1) * packetSize);
          if (i < whole_packets || lastPacket === "short") {
            assert.deepEqual(packet, expected);
          } else {
            assert.deepEqual(packet.subarray(0, rest), expected);
            assert.ok(packet.subarray(rest).every((b) => b === 0xee));
          }
          if (i < whole_packets || lastPacket === "pad") assert.equal(packet.length, packetSize);
        }
        const expectedCount = whole_packets + (rest > 0 && lastPacket !== "drop" ? 1 : 0);
        assert.equal(packets.length, expectedCount);
        assert.equal(dropped, lastPacket === "drop" ? rest : 0);
      },
    ),
  );
});
