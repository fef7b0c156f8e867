/**
 * A background that stalls for one slot (its `fill` gives nothing, its stream short of a chunk for
 * a read, and the data wakes the transport within the slot: `OutboundMixer.attach`'s `wake`) is
 * no stop, whatever the packets and the lead: the far end still plays what was sent ahead of it
 * (`sendAheadMs`) and hears no gap; with packets
 * longer than `sendAheadMs`, what has left may run out at the far end as the slot that completes
 * the next packet is due (the held audio leaves then, in steady flow), and with a lead shorter
 * than a chunk the slot outlasts it. The partial frame a whole-frames serializer holds (Vonage,
 * Asterisk) and the packetizer's partial packet are completed by the chunk that follows, as while
 * the background flows: neither is padded, nor dropped, in the middle of the music.
 *
 * The far end plays and answers as Vonage and Asterisk document (see
 * `fixtures/whole_frame_far_end.ts`).
 */
import assert from "node:assert/strict";
import { WHOLE_FRAME_CALLS, wholeFrameSession } from "./fixtures/whole_frame_calls.ts";
import { playingFarEnd, reply } from "./fixtures/whole_frame_far_end.ts";
import { stallingBackground } from "./fixtures/stalling_background.ts";
import type { FakeClock } from "../../src/testing/mod.ts";

// The slots of a 100 ms packet, so the one that completes it too.
const ANY_SLOT = [600, 620, 640, 660, 680];

// 20 ms chunks; "a" (960 bytes of 1s, written at 100) ends on a partial frame of 320 bytes, and
// every background frame after it leaves 320 held (with packets, a partial packet too).
// Before: a 5 ms stall at 600 padded both there (0s sent mid-music), or dropped the packet, at the
// default lead; later, with 100 ms packets (3200 bytes) and a 20 ms lead, the stall at the slot
// due as what had left ran out (660) was still taken for a stop at once, its partial packet
// padded (or dropped); with no packets and a 10 ms lead, a stall of 15 ms at any slot, its
// partial frame padded.
const CASES = [
  { packet: undefined, lastPacket: "pad", sendAheadMs: undefined, stallMs: 5, stallsAt: [600] },
  { packet: 500, lastPacket: "pad", sendAheadMs: undefined, stallMs: 5, stallsAt: [600] },
  { packet: 500, lastPacket: "drop", sendAheadMs: undefined, stallMs: 5, stallsAt: [600] },
  { packet: 3200, lastPacket: "pad", sendAheadMs: 20, stallMs: 5, stallsAt: ANY_SLOT },
  { packet: 3200, lastPacket: "drop", sendAheadMs: 20, stallMs: 5, stallsAt: ANY_SLOT },
  { packet: undefined, lastPacket: "pad", sendAheadMs: 10, stallMs: 15, stallsAt: ANY_SLOT },
] as const;

for (const call of WHOLE_FRAME_CALLS) {
  for (const { packet, lastPacket, sendAheadMs, stallMs, stallsAt } of CASES) {
    const how = packet === undefined ? "no packets" : `${packet}-byte packets (${lastPacket})`;
    const lead = sendAheadMs === undefined ? "the default lead" : `${sendAheadMs} ms lead`;
    Deno.test(`${call.name}, ${how}, ${lead}: a ${stallMs} ms stall at ${stallsAt.join(", ")} is no stop`, async () => {
      for (const stallAt of stallsAt) {
        const on: { clock?: FakeClock } = {};
        const { clock, pair, transport } = wholeFrameSession(call, {
          background: stallingBackground(on, stallAt, stallMs),
          audioOut: { sampleRate: 16000, chunkMs: 20 },
          ...(sendAheadMs === undefined ? {} : { sendAheadMs }),
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
        assert.deepEqual(wire, before, `stall at ${stallAt}: no silence sent, the music goes on`);
        assert.equal(transport.stats.audioBytesDroppedOnClose, dropped, "none of it dropped");
        await transport.close();
        await clock.tick(60_000);
      }
    });
  }
}
