/**
 * With `fixedAudioPacketSize` and `lastPacket: "drop"`, a reply's partial packet is dropped where
 * the stretch of speech ends: nothing follows it there, and a packet short of its size is not
 * sent. With background audio filling the slots the stream goes on past the reply's end, and the
 * background's next chunk completes that packet: dropped, it cut the reply's last bytes (and the
 * background's with them) out of the middle of what the far end plays, counted in
 * `audioBytesDroppedOnClose`. The end-of-speech mark's flush pads it there (the stream goes on);
 * the flush at the reply's quiet time does the same now.
 *
 * The far end plays and answers as Vonage and Asterisk document (see
 * `fixtures/whole_frame_far_end.ts`).
 */
import assert from "node:assert/strict";
import { botBytesIn, WHOLE_FRAME_CALLS, wholeFrameSession } from "./fixtures/whole_frame_calls.ts";
import { frameBackground, playingFarEnd, reply } from "./fixtures/whole_frame_far_end.ts";

// 20 ms chunks in 500-byte packets, the background's whole frames going on. "a" (960 bytes of 1s,
// written at 100) ends on a partial packet holding its last bytes. Before: 260 of the bot's bytes
// dropped, marks or not.
for (const call of WHOLE_FRAME_CALLS) {
  for (const markIntervalMs of [0, 1000]) {
    const marks = markIntervalMs === 0 ? "no marks" : "marks";
    Deno.test(`${call.name}, 500-byte packets ("drop"), ${marks}, background going on: a reply's end is not dropped`, async () => {
      const { clock, pair, transport } = wholeFrameSession(call, {
        background: frameBackground(),
        audioOut: { sampleRate: 16000, chunkMs: 20 },
        markIntervalMs,
        fixedAudioPacketSize: 500,
        lastPacket: "drop",
      });
      playingFarEnd(pair, clock);
      let botBytes = 0;
      pair.client.addEventListener("message", (event) => {
        const data = (event as MessageEvent).data;
        if (typeof data !== "string") botBytes += botBytesIn(new Uint8Array(data as ArrayBuffer));
      });
      pair.client.send(call.opening);
      await clock.tick(100);
      void transport.send(reply(960, "a", 1));
      await clock.tick(1900);
      assert.equal(transport.stats.audioBytesDroppedOnClose, 0, "none of the stream dropped");
      assert.equal(botBytes, 960, "all of a on the wire");
      await transport.close();
      await clock.tick(60_000);
    });
  }
}
