/**
 * With `fixedAudioPacketSize` and `lastPacket: "pad"`, a whole-frames serializer's (Vonage's,
 * Asterisk's) padded last frame at a stretch's end goes through the packetizer, whose partial
 * last packet leaves padded to a whole packet ("pad" fills it up: src/streams/packetizer.ts).
 * The far end plays every binary byte it gets, in order: both paddings are silence it plays after
 * the reply's speech, before the next reply (developer.vonage.com, Voice API tutorial "Play Audio
 * into a WebSocket": binary 16-bit 16 kHz audio, 320 samples a message, buffered by Vonage and
 * played in order; docs.asterisk.org, Configuration → Channel Drivers → WebSocket: BINARY frames
 * carry the media, of any length, broken up into frames by the driver). The timeline places
 * both, so that the next reply is heard to begin where it plays.
 */
import assert from "node:assert/strict";
import {
  binaryBytesOnWire,
  botAudio,
  openWholeFrameSession,
  WHOLE_FRAME_CALLS,
} from "./fixtures/whole_frame_calls.ts";
import type { SpeakingEvent } from "../../src/playback.ts";

// 9000 bytes (281.25 ms) written at once in 25 ms chunks: 14 frames of 640 bytes leave with
// their chunks, 40 bytes are held and padded with 600 at the stretch's end, as what has left
// runs out. In 500-byte packets that is 9600 bytes: 19 packets and 100 bytes, padded with 400.
// 10,000 bytes (312.5 ms at 32 bytes a millisecond) play before "b", written just after, and the
// 3.125 ms the far end waits for the third packet (the serializer's partial frame and the
// packetizer's remainder leave with the third chunk, at 50 ms, the second packet played out at
// 46.875): "b" begins at 315.625.
for (const call of WHOLE_FRAME_CALLS) {
  Deno.test(`${call.name} with 500-byte packets: the padding of a stretch end's last packet is placed, and the next reply begins after it`, async () => {
    const { clock, pair, transport } = await openWholeFrameSession(call, {
      fixedAudioPacketSize: 500,
      lastPacket: "pad",
    });
    const onWire = binaryBytesOnWire(pair);
    const starts: [string | undefined, number][] = [];
    transport.addEventListener("speakingstart", (event) => {
      starts.push([(event as SpeakingEvent).responseId, clock.now()]);
    });
    void transport.send(botAudio(9000, "a"));
    await clock.tick(266); // the stretch has ended: its last packets left at 265 ms
    assert.equal(onWire(), 10000, "a's packets, all padding included");
    void transport.send(botAudio(1600, "b"));
    await clock.tick(3000);
    await transport.close();
    await clock.tick(60_000);
    // Before: "b" began at 300 ms, the packet's 400 bytes (12.5 ms) placed nowhere.
    assert.deepEqual(starts, [["a", 0], ["b", 315.625]]);
  });
}
