/**
 * With background audio filling the slots, the partial frame a whole-frames serializer holds
 * (Vonage, Asterisk) and, with `fixedAudioPacketSize`, the packetizer's partial packet are
 * completed by the background's next chunk. When the background stops, nothing completes them:
 * they waited for the next reply, whose first message carried them, and the far end played them
 * at its start: the reply was heard to begin a frame's remainder (10 ms here) or a packet's
 * before it played. They go as the background stops, as at a stretch's end, and are placed.
 *
 * The far end plays and answers as Vonage and Asterisk document (see
 * `fixtures/whole_frame_far_end.ts`).
 */
import assert from "node:assert/strict";
import { WHOLE_FRAME_CALLS, wholeFrameSession } from "./fixtures/whole_frame_calls.ts";
import { frameBackground, playingFarEnd, reply } from "./fixtures/whole_frame_far_end.ts";
import type { SpeakingEvent } from "../../src/playback.ts";

// 20 ms chunks; the background's whole frames (640 bytes) stop at 600. "a" (960 bytes of 1s,
// written at 100) ends on a partial frame of 320 bytes, and every background frame after it
// leaves 320 held. By 1000 the far end has played all it had, and plays "b" (3s) as it arrives.
// Before: "b" played at 1010 without packets (the 320 bytes of background before it), at 1012.5
// with 500-byte packets and no marks, at 1005 ("pad") or 1009.375 ("drop") with end marks.
const CASES = [
  { markIntervalMs: 0, packet: undefined, lastPacket: "pad" },
  { markIntervalMs: 0, packet: 500, lastPacket: "pad" },
  { markIntervalMs: 0, packet: 500, lastPacket: "drop" },
  { markIntervalMs: 1000, packet: 500, lastPacket: "pad" },
  { markIntervalMs: 1000, packet: 500, lastPacket: "drop" },
] as const;

for (const call of WHOLE_FRAME_CALLS) {
  for (const { markIntervalMs, packet, lastPacket } of CASES) {
    const how = packet === undefined ? "no packets" : `${packet}-byte packets (${lastPacket})`;
    const marks = markIntervalMs === 0 ? "no marks" : "marks";
    Deno.test(`${call.name}, ${how}, ${marks}: what the stopped background left held goes as it stops`, async () => {
      let now = () => 0;
      const { clock, pair, transport } = wholeFrameSession(call, {
        background: frameBackground(() => now() >= 600),
        audioOut: { sampleRate: 16000, chunkMs: 20 },
        markIntervalMs,
        ...(packet === undefined ? {} : { fixedAudioPacketSize: packet, lastPacket }),
      });
      now = () => clock.now();
      const { plays } = playingFarEnd(pair, clock);
      pair.client.send(call.opening);
      await clock.tick(0);
      const starts: [string | undefined, number][] = [];
      transport.addEventListener("speakingstart", (event) => {
        starts.push([(event as SpeakingEvent).responseId, clock.now()]);
      });
      await clock.tick(100);
      void transport.send(reply(960, "a", 1));
      await clock.tick(900);
      void transport.send(reply(960, "b", 3));
      await clock.tick(1000);
      await transport.close();
      await clock.tick(60_000);
      assert.deepEqual([...plays], [[1, 140], [3, 1000]], "where the far end plays a, b");
      assert.deepEqual(starts, [["a", 140], ["b", 1000]]);
    });
  }
}
