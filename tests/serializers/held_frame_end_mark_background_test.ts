/**
 * With background audio filling the slots, a stretch of the bot's speech that ends on a partial
 * frame (Vonage, Asterisk hold it back) leaves that frame held, completed by the background's
 * chunks, until the transport's end-of-speech mark at the quiet time, which makes the serializer
 * pad it with silence and send it. That silence plays (the far end plays what it is sent in
 * order) right after what was sent before it: it is placed there, before the mark, whose answer
 * comes once it has played. Before, it was told as a bot's mark's padding and left until the next
 * bot's mark took it: a reply after that mark, where the far end had run dry, was heard to begin
 * a padding later than it played; where the background went on, the end mark's answer read the
 * far end as a padding behind, learned as lag.
 *
 * The far end plays and answers as Vonage and Asterisk document (see
 * `fixtures/whole_frame_far_end.ts`).
 */
import assert from "node:assert/strict";
import { WHOLE_FRAME_CALLS, wholeFrameSession } from "./fixtures/whole_frame_calls.ts";
import { frameBackground, playingFarEnd, reply } from "./fixtures/whole_frame_far_end.ts";
import type { SpeakingEvent } from "../../src/playback.ts";

// 20 ms chunks, the background's whole frames: a partial frame is held only where a reply ends.
// The far end plays the background from its first frame at 0, the pacing keeping up to 40 ms of
// it queued there (its 20 ms lead, and the frame in the slot): "a", written at 100, plays at 140.
// "a" is 960 bytes: one frame, then 320 held, which its end-of-speech mark pads with 320 of
// silence (10 ms). A bot's mark at 1000 finds nothing held, and "b" (960 bytes of 3s) follows.
// Background stopped at 600: by 1000 the far end has played all it had and plays "b" as it
// arrives, at 1000 (before: at 1010 by the transport, the end mark's padding placed at the bot's
// mark). Background going on: the far end has played without a pause since the first frame at 0,
// and "b"'s first byte comes after 1040 ms of audio (33,280 bytes): it plays at 1040.
const CASES = [
  { stopsAt: 600, bPlaysAt: 1000 },
  { stopsAt: Infinity, bPlaysAt: 1040 },
];

for (const call of WHOLE_FRAME_CALLS) {
  for (const { stopsAt, bPlaysAt } of CASES) {
    const how = stopsAt === Infinity ? "going on" : "stopped";
    Deno.test(`${call.name}, background ${how}: an end-of-speech mark's padding is placed where it plays`, async () => {
      let now = () => 0;
      const { clock, pair, transport } = wholeFrameSession(call, {
        background: frameBackground(() => now() >= stopsAt),
        audioOut: { sampleRate: 16000, chunkMs: 20 },
        markIntervalMs: 1000,
      });
      now = () => clock.now();
      // The far end, from its opening on: the background fills from there.
      const { plays } = playingFarEnd(pair, clock);
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
      void transport.send({ type: "mark", name: "after-a" });
      void transport.send(reply(960, "b", 3));
      await clock.tick(1000);
      await transport.close();
      await clock.tick(60_000);
      assert.deepEqual([...plays], [[1, 140], [3, bPlaysAt]], "where the far end plays a, b");
      assert.deepEqual(starts, [["a", 140], ["b", bPlaysAt]]);
      // Before, going on: b's end mark's answer read as 10 ms late (its padding placed after it).
      assert.deepEqual(lags, [], "no lag: every end mark answered where it stands");
    });
  }
}
