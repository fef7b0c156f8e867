/**
 * With `fixedAudioPacketSize`, a whole-frames serializer's (Vonage's, Asterisk's) padded last
 * frame at a stretch's end goes in several packets: the bot's speech first, its padding last.
 * Where the socket refuses the packet that carries mostly padding, only the speech in it was
 * lost: the bytes counted sent are those the far end got, as at a bot's mark.
 */
import assert from "node:assert/strict";
import {
  botAudio,
  botBytesIn,
  openWholeFrameSession,
  refuseBinary,
  WHOLE_FRAME_CALLS,
} from "./fixtures/whole_frame_calls.ts";

// 1000 bytes in 25 ms chunks (800 bytes): one 640-byte frame leaves with the first chunk, 360
// bytes are held and padded with 280 at the stretch's end: in 320-byte packets, one of speech
// and one of 40 bytes of speech and 280 of padding, the one refused.
for (const call of WHOLE_FRAME_CALLS) {
  Deno.test(`${call.name} with 320-byte packets: a refused packet of a stretch end's padding drops only the speech in it`, async () => {
    const { clock, pair, transport } = await openWholeFrameSession(call, {
      fixedAudioPacketSize: 320,
      lastPacket: "pad",
    });
    let speechOnWire = 0;
    pair.client.addEventListener("message", (event) => {
      const data = (event as MessageEvent).data;
      if (typeof data !== "string") speechOnWire += botBytesIn(new Uint8Array(data));
    });
    const refused = refuseBinary(pair, (bytes) => bytes.includes(0));
    void transport.send(botAudio(1000));
    await clock.tick(3000); // the quiet time passes: the stretch ends
    const stats = { ...transport.stats };
    await transport.close();
    await clock.tick(60_000);
    assert.deepEqual(
      refused.map(botBytesIn),
      [40],
      "the refused packet carried 40 bytes of speech",
    );
    assert.equal(speechOnWire, 960);
    // Before: split by all its bytes, padding too: 820 sent and 180 dropped.
    assert.equal(stats.audioBytesSent, 960, JSON.stringify(stats));
    assert.equal(stats.audioBytesDroppedOnClose, 40, JSON.stringify(stats));
  });
}
