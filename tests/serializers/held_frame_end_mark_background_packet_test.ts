/**
 * With background audio filling the slots, `fixedAudioPacketSize` and a far end that answers
 * marks, a stretch of the bot's speech on Vonage or Asterisk ends right before its end-of-speech
 * mark: the serializer pads the partial frame it holds and sends it. In packets, the end of that
 * frame (its padding) goes into the packetizer's partial packet; left there for the next
 * background chunk to complete, it reached the far end after the mark, which was answered before
 * it played, and its padding was never placed: the next reply was heard to begin that padding
 * sooner than it played, and the end mark's answer read as the far end running ahead. The packet
 * goes with the padded frame, before the mark.
 *
 * The far end plays and answers as Vonage and Asterisk document (see
 * `fixtures/whole_frame_far_end.ts`).
 */
import assert from "node:assert/strict";
import { WHOLE_FRAME_CALLS, wholeFrameSession } from "./fixtures/whole_frame_calls.ts";
import { frameBackground, playingFarEnd, reply } from "./fixtures/whole_frame_far_end.ts";
import type { SpeakingEvent } from "../../src/playback.ts";

// 20 ms chunks in 500-byte packets. "a" (960 bytes of 1s, written at 100) ends on a partial frame
// of 320 bytes, completed by the next background chunk: 320 bytes of background are held at the
// quiet time, padded with 320 of silence (10 ms) as the stretch ends before the end mark. "b"
// (3s) follows a bot's mark at 1000.
for (const call of WHOLE_FRAME_CALLS) {
  for (const lastPacket of ["pad", "drop"] as const) {
    Deno.test(`${call.name}, 500-byte packets (${lastPacket}), background: the padded end goes before the end-of-speech mark, placed`, async () => {
      const { clock, pair, transport } = wholeFrameSession(call, {
        background: frameBackground(),
        audioOut: { sampleRate: 16000, chunkMs: 20 },
        markIntervalMs: 1000,
        fixedAudioPacketSize: 500,
        lastPacket,
      });
      const { plays, wire } = playingFarEnd(pair, clock);
      pair.client.send(call.opening);
      await clock.tick(0);
      const starts: [string | undefined, number][] = [];
      transport.addEventListener("speakingstart", (event) => {
        starts.push([(event as SpeakingEvent).responseId, clock.now()]);
      });
      const lags: number[] = [];
      transport.observe({ playoutLag: (info) => lags.push(info.lagMs) });
      await clock.tick(100);
      void transport.send(reply(960, "a", 1));
      await clock.tick(900);
      const endMark = wire.findIndex((name) => name.includes("end"));
      // Before: the end mark, then the packet holding the padding.
      assert.equal(wire[endMark - 1], "silence", `the padded frame, then the end mark: ${wire}`);
      assert.notEqual(wire[endMark + 1], "silence", `nothing of it after the mark: ${wire}`);
      void transport.send({ type: "mark", name: "after-a" });
      void transport.send(reply(960, "b", 3));
      await clock.tick(1000);
      await transport.close();
      await clock.tick(60_000);
      // Before ("pad"): "b" heard 13.125 ms before it played, the far end read 3.125 ms
      // ahead of the estimate.
      assert.deepEqual(starts, [["a", 140], ["b", plays.get(3)]]);
      assert.deepEqual(lags, [], "no lag: every end mark answered where it stands");
    });
  }
}
