/**
 * With `fixedAudioPacketSize` and `lastPacket: "pad"`, where a reply's whole frames filled whole
 * packets, the partial frame a whole-frames serializer (Vonage, Asterisk) holds, padded and sent
 * as the stretch ends, begins a packet of its own. Nothing of the stretch comes to fill it: it
 * leaves padded ("pad" fills it up: src/streams/packetizer.ts) at once, as at any stretch's end,
 * not with the next reply, and its silence is placed: the far end plays every binary byte it
 * gets, in order (developer.vonage.com, Voice API tutorial "Play Audio into a WebSocket";
 * docs.asterisk.org, Channel Drivers → WebSocket: BINARY frames carry the media).
 */
import assert from "node:assert/strict";
import {
  binaryBytesOnWire,
  botAudio,
  openWholeFrameSession,
  WHOLE_FRAME_CALLS,
} from "./fixtures/whole_frame_calls.ts";
import type { SpeakingEvent } from "../../src/playback.ts";

// Both end with 25 frames of 640 bytes (16,000: 32 packets of 500) sent with their chunks and a
// partial frame held, padded to 640 as the stretch ends: 500 bytes leave, 140 begin a packet,
// padded with 360. 17,000 bytes (531.25 ms) play before "b", written at 520 ms, and the far end
// runs dry before the partial frame leaves, as the stretch ends: "b" begins that much later.
// - 16,040 bytes in 25 ms chunks, the last chunk short: the stretch ends as what has left runs
//   out (a source that wrote ahead), 40 bytes held, padded with 600. The far end waits 3.125 ms
//   for the third packet (it leaves with the third chunk, at 50 ms, the second played out at
//   46.875), and 1.25 ms for the held frame (the stretch ends at 504.375, when the 40 bytes
//   placed with their chunk have played by the estimate): "b" begins at 535.625.
// - 16,320 bytes in 30 ms chunks, 17 whole chunks: it ends at the quiet time after the queue ran
//   dry, 320 bytes held, padded with 320: the far end plays the last whole packet out at 500, the
//   held frame's packet from the quiet time, 510: "b" begins at 541.25.
const CASES = [
  { ends: "as what has left runs out", bytes: 16040, chunkMs: 25, bBegins: 535.625 },
  { ends: "at the quiet time", bytes: 16320, chunkMs: 30, bBegins: 541.25 },
];

for (const call of WHOLE_FRAME_CALLS) {
  for (const { ends, bytes, chunkMs, bBegins } of CASES) {
    Deno.test(`${call.name} with 500-byte packets: a reply's padded end that begins a packet ${ends} leaves at once, placed`, async () => {
      const { clock, pair, transport } = await openWholeFrameSession(call, {
        fixedAudioPacketSize: 500,
        lastPacket: "pad",
        audioOut: { sampleRate: 16000, chunkMs },
      });
      const onWire = binaryBytesOnWire(pair);
      const starts: [string | undefined, number][] = [];
      transport.addEventListener("speakingstart", (event) => {
        starts.push([(event as SpeakingEvent).responseId, clock.now()]);
      });
      void transport.send(botAudio(bytes, "a"));
      await clock.tick(520);
      // Before: 16,500, the packet's 140 bytes waiting for the next reply.
      assert.equal(onWire(), 17000, "a's packets, all padding included");
      void transport.send(botAudio(1600, "b"));
      await clock.tick(3000);
      await transport.close();
      await clock.tick(60_000);
      // Before: "b" began at 520 ms, the padding placed nowhere.
      assert.deepEqual(starts, [["a", 0], ["b", bBegins]]);
    });
  }
}
