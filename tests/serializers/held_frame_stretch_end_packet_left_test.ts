/**
 * With `fixedAudioPacketSize`, the padded partial frame a whole-frames serializer (Vonage,
 * Asterisk) sends as a stretch ends may complete the packet the packetizer held the reply's last
 * audio in: that packet leaves then, not at that audio's slot. The far end plays every binary
 * byte it gets, in order, as it arrives (developer.vonage.com, Voice API tutorial "Play Audio
 * into a WebSocket"; docs.asterisk.org, Channel Drivers → WebSocket: BINARY frames carry the
 * media): what it held is placed where it plays, and `heardMs` is what the far end played.
 */
import assert from "node:assert/strict";
import {
  botAudio,
  openWholeFrameSession,
  WHOLE_FRAME_CALLS,
} from "./fixtures/whole_frame_calls.ts";

const BYTES_PER_MS = 32; // 16-bit linear PCM, 16 kHz

for (const call of WHOLE_FRAME_CALLS) {
  Deno.test(`${call.name} with 900-byte packets: a packet completed by the stretch's padded end is placed as it leaves`, async () => {
    const { clock, pair, transport } = await openWholeFrameSession(call, {
      fixedAudioPacketSize: 900,
      lastPacket: "pad",
      audioOut: { sampleRate: 16000, chunkMs: 25 },
    });
    // A far end that plays what it receives as it arrives, back to back.
    const spans: { at: number; bytes: number }[] = [];
    let playsUntil = 0;
    pair.client.addEventListener("message", (event) => {
      const data = (event as MessageEvent).data;
      if (typeof data === "string") return;
      const bytes = (data as ArrayBuffer).byteLength;
      const at = Math.max(clock.now(), playsUntil);
      playsUntil = at + bytes / BYTES_PER_MS;
      spans.push({ at, bytes });
    });
    /** Milliseconds of the reply's 1700 bytes of speech played by `time` (then its padding). */
    const played = (time: number) => {
      let bytes = 0;
      for (const span of spans) {
        bytes += Math.max(0, Math.min(span.bytes, (time - span.at) * BYTES_PER_MS));
      }
      return Math.min(bytes, 1700) / BYTES_PER_MS;
    };
    // Three chunks written at once (800, 800, 100 bytes): one packet leaves at 0; the stretch
    // ends as what has left runs out (50), its padded frame completing the next two packets.
    void transport.send(botAudio(1700, "a"));
    await clock.tick(50);
    assert.deepEqual(spans.map((s) => s.at), [0, 50, 78.125]);
    for (const time of [55, 60, 70]) {
      await clock.tick(time - clock.now());
      assert.equal(transport.playback.heardMs, played(time), `at ${time}`);
    }
    await transport.close();
    await clock.tick(60_000);
  });
}
