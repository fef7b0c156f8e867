/**
 * A background whose `fill` gives nothing for one slot, its stream short of a chunk for a read,
 * and wakes the transport 5 ms later with the next (`OutboundMixer.attach`'s `wake`): the far end
 * still plays what was sent ahead of it (`sendAheadMs`), and hears no gap. The partial frame a
 * whole-frames serializer holds (Vonage, Asterisk) and the packetizer's partial packet are
 * completed by the chunk that follows, as while the background flows: they are no stop's to pad,
 * nor to drop, in the middle of the music.
 *
 * The far end plays and answers as Vonage and Asterisk document (see
 * `fixtures/whole_frame_far_end.ts`).
 */
import assert from "node:assert/strict";
import type { OutboundMixer } from "../../mod.ts";
import { WHOLE_FRAME_CALLS, wholeFrameSession } from "./fixtures/whole_frame_calls.ts";
import { playingFarEnd, reply } from "./fixtures/whole_frame_far_end.ts";
import type { FakeClock } from "../../src/testing/mod.ts";

/**
 * Whole 20 ms frames of 2s, but none for the slot due at `stallAt` on the session's clock (`on`:
 * set once the session is made); data again 5 ms on.
 */
function stallingBackground(on: { clock?: FakeClock }, stallAt: number): OutboundMixer {
  const clock = () => on.clock!;
  let wake = () => {};
  let stalled = false;
  return {
    attach(_format, wakeUp) {
      wake = wakeUp;
    },
    mix: (chunk) => chunk,
    fill() {
      if (!stalled && clock().now() >= stallAt) {
        stalled = true;
        void clock().sleep(5).then(() => wake());
        return undefined;
      }
      return { type: "audio", audio: new Uint8Array(640).fill(2), sampleRate: 16000, channels: 1 };
    },
    detach() {},
  };
}

// 20 ms chunks; "a" (960 bytes of 1s, written at 100) ends on a partial frame of 320 bytes, and
// every background frame after it leaves 320 held (with 500-byte packets, a partial packet too).
// Before: the stall at 600 padded both there (0s sent mid-music), or dropped the packet.
const CASES = [
  { packet: undefined, lastPacket: "pad" },
  { packet: 500, lastPacket: "pad" },
  { packet: 500, lastPacket: "drop" },
] as const;

for (const call of WHOLE_FRAME_CALLS) {
  for (const { packet, lastPacket } of CASES) {
    const how = packet === undefined ? "no packets" : `${packet}-byte packets (${lastPacket})`;
    Deno.test(`${call.name}, ${how}: a background that stalls for one slot is no stop`, async () => {
      const on: { clock?: FakeClock } = {};
      const { clock, pair, transport } = wholeFrameSession(call, {
        background: stallingBackground(on, 600),
        audioOut: { sampleRate: 16000, chunkMs: 20 },
        ...(packet === undefined ? {} : { fixedAudioPacketSize: packet, lastPacket }),
      });
      on.clock = clock;
      const { wire } = playingFarEnd(pair, clock);
      pair.client.send(call.opening);
      await clock.tick(100);
      void transport.send(reply(960, "a", 1));
      await clock.tick(490); // a's end has gone (its packet padded, the background going on)
      const before = [...wire];
      const dropped = transport.stats.audioBytesDroppedOnClose;
      await clock.tick(410);
      assert.deepEqual(wire, before, "no silence sent at the stall: the music goes on");
      assert.equal(transport.stats.audioBytesDroppedOnClose, dropped, "none of it dropped");
      await transport.close();
      await clock.tick(60_000);
    });
  }
}
