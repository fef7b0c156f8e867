// `FrameSerializer.partialPacketDropped`: with `fixedAudioPacketSize` and `lastPacket: "drop"`,
// the transport tells the serializer how many of the bytes it returned never left, where it drops
// them (a reply's partial last packet), before the frame after the reply is serialized; never
// where the packet leaves (`"pad"`). A hook that throws is an "encode" error; the session goes on.
// The wire is raw PCM16, played by a far end as it arrives (tests/_fake_far_end.ts).
import assert from "node:assert/strict";
import type { Frame, FrameSerializer, LastPacketPolicy, TransportError } from "../../mod.ts";
import { packetCall, receivedBytes } from "../_packet_call.ts";
import { answer } from "../_caller_fixtures.ts";

/** 1000-byte packets: 31.25 ms of 16 kHz mono PCM16. */
const PACKET_BYTES = 1000;

/** Raw PCM out, with a log of what it serialized and what it was told was dropped. */
class LoggingSerializer implements FrameSerializer {
  readonly log: string[] = [];
  #throws: boolean;
  constructor(throws = false) {
    this.#throws = throws;
  }
  serialize(frame: Frame) {
    this.log.push(frame.type === "audio" ? `audio ${frame.audio.length}` : frame.type);
    return frame.type === "audio" ? frame.audio : null;
  }
  partialPacketDropped(bytes: number): void {
    this.log.push(`dropped ${bytes}`);
    if (this.#throws) throw new Error("bookkeeping bug");
  }
  deserialize() {
    return null;
  }
}

function call(lastPacket: LastPacketPolicy, serializer: LoggingSerializer) {
  const { clock, farEnd, transport } = packetCall({
    serializer,
    packetBytes: PACKET_BYTES,
    lastPacket,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  return { clock, farEnd, transport, errors };
}

Deno.test("partialPacketDropped: told the bytes of the partial packet dropped, before the end is serialized", async () => {
  const serializer = new LoggingSerializer();
  const s = call("drop", serializer);
  await s.clock.tick(1);
  void s.transport.send(answer(100, "r1")); // 3200 bytes: three packets, 200 bytes dropped
  void s.transport.send({ type: "end" });
  await s.clock.tick(1000);
  assert.deepEqual(serializer.log.slice(-3), ["audio 640", "dropped 200", "end"]);
  assert.equal(receivedBytes(s.farEnd), 3 * PACKET_BYTES);
  assert.deepEqual(s.errors, []);
  await s.transport.closed;
});

Deno.test("partialPacketDropped: not called where the partial packet leaves (lastPacket pad)", async () => {
  const serializer = new LoggingSerializer();
  const s = call("pad", serializer);
  await s.clock.tick(1);
  void s.transport.send(answer(100, "r1"));
  await s.clock.tick(1000);
  assert.equal(serializer.log.filter((line) => line.startsWith("dropped")).length, 0);
  assert.equal(receivedBytes(s.farEnd), 4 * PACKET_BYTES);
  await s.transport.close();
});

Deno.test("partialPacketDropped: a throw is an encode error, counted, and the session goes on", async () => {
  const serializer = new LoggingSerializer(true);
  const s = call("drop", serializer);
  await s.clock.tick(1);
  void s.transport.send(answer(100, "r1"));
  await s.clock.tick(1000);
  assert.deepEqual(s.errors.map((e) => [e.code, e.message]), [[
    "encode",
    "serializer failed to take back a dropped packet (partialPacketDropped): Error: bookkeeping bug",
  ]]);
  assert.equal(s.transport.stats.encodeErrors, 1);
  // The next reply goes as before.
  void s.transport.send(answer(125, "r2")); // 4000 bytes: four whole packets
  await s.clock.tick(1000);
  assert.equal(receivedBytes(s.farEnd), 3 * PACKET_BYTES + 4 * PACKET_BYTES);
  await s.transport.close();
});
