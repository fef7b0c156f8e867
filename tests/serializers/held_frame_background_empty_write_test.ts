/**
 * An empty audio write (0 bytes: a TTS stream's empty piece) while the background plays is no
 * speech: nothing of it ends a stretch. The packetizer's partial packet of background (and the
 * partial frame a whole-frames serializer holds behind it: Vonage, Asterisk) is completed by the
 * background's next chunk, as while it flows: not padded, nor dropped, in the middle of the music.
 *
 * The far end plays and answers as Vonage and Asterisk document (see
 * `fixtures/whole_frame_far_end.ts`).
 */
import assert from "node:assert/strict";
import { WHOLE_FRAME_CALLS, wholeFrameSession } from "./fixtures/whole_frame_calls.ts";
import { frameBackground, playingFarEnd, reply } from "./fixtures/whole_frame_far_end.ts";

// 20 ms chunks; "a" (960 bytes of 1s, written at 100) ends on a partial frame of 320 bytes, and
// every background frame after it leaves 320 held, with 500-byte packets a partial packet too.
// Before: the empty write at 600 began a spell of speech whose tail, the quiet time later, sent
// the background's partial packet padded ("silence" mid-music).
for (const call of WHOLE_FRAME_CALLS) {
  for (const lastPacket of ["pad", "drop"] as const) {
    Deno.test(`${call.name}, 500-byte packets (${lastPacket}): an empty write pads nothing of the background`, async () => {
      const { clock, pair, transport } = wholeFrameSession(call, {
        background: frameBackground(),
        audioOut: { sampleRate: 16000, chunkMs: 20 },
        fixedAudioPacketSize: 500,
        lastPacket,
      });
      const { wire } = playingFarEnd(pair, clock);
      pair.client.send(call.opening);
      await clock.tick(100);
      void transport.send(reply(960, "a", 1));
      await clock.tick(500); // a's end has gone (its packet padded, the background going on)
      const before = [...wire];
      const dropped = transport.stats.audioBytesDroppedOnClose;
      void transport.send(reply(0, "a", 1));
      await clock.tick(400);
      assert.deepEqual(wire, before, "no silence sent: the music goes on");
      assert.equal(transport.stats.audioBytesDroppedOnClose, dropped, "none of it dropped");
      await transport.close();
      await clock.tick(60_000);
    });
  }
}
