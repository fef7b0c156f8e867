/**
 * With `fixedAudioPacketSize`, a reply's audio waiting for its packet is placed when the packet
 * leaves. On a whole-frames serializer (Vonage, Asterisk) what waits is not only the packetizer's
 * partial packet: behind it the serializer holds the chunk's share short of a frame, which goes
 * into packets with the next chunk. Both reach the far end no earlier than that packet, and the
 * far end plays every binary byte it gets, in order, as it arrives (developer.vonage.com, Voice
 * API tutorial "Play Audio into a WebSocket"; docs.asterisk.org, Channel Drivers → WebSocket:
 * BINARY frames carry the media): a reply's `speakingstart` and `heardMs` follow its first packet.
 */
import assert from "node:assert/strict";
import {
  botAudio,
  openWholeFrameSession,
  WHOLE_FRAME_CALLS,
} from "./fixtures/whole_frame_calls.ts";

const BYTES_PER_MS = 32; // 16-bit linear PCM at 16 kHz

// 30 ms chunks (960 bytes) written in real time, 1280-byte packets (two 640-byte frames): the
// first chunk leaves a frame in the packetizer and 320 bytes in the serializer, and nothing on
// the wire; the second completes the first packet (the reply's first 40 ms), which leaves at 31.
for (const call of WHOLE_FRAME_CALLS) {
  Deno.test(`${call.name} with packets of two frames: a reply begins, and is heard, from its first packet`, async () => {
    const { clock, pair, transport } = await openWholeFrameSession(call, {
      fixedAudioPacketSize: 1280,
      audioOut: { sampleRate: 16000, chunkMs: 30 },
    });
    // The far end: each packet plays when it arrives, or once what came before it has played.
    let playsUntil = 0;
    const spans: { at: number; ms: number }[] = [];
    pair.client.addEventListener("message", (event) => {
      const data = (event as MessageEvent).data;
      if (typeof data === "string") return;
      const at = Math.max(clock.now(), playsUntil);
      playsUntil = at + (data as ArrayBuffer).byteLength / BYTES_PER_MS;
      spans.push({ at, ms: playsUntil - at });
    });
    const played = () =>
      spans.reduce((ms, s) => ms + Math.max(0, Math.min(s.ms, clock.now() - s.at)), 0);
    const starts: number[] = [];
    transport.addEventListener("speakingstart", () => starts.push(clock.now()));
    await clock.tick(1);
    const heard: [number, number][] = [];
    const farEnd: [number, number][] = [];
    for (let n = 0; n < 6; n++) {
      void transport.send(botAudio(960, "a"));
      await clock.tick(30);
      heard.push([clock.now(), transport.playback.heardMs]);
      farEnd.push([clock.now(), played()]);
    }
    assert.equal(spans[0]?.at, 31, "the far end begins to play at 31");
    // Before: at 1, as the first chunk went to the serializer, 10 ms heard at 31.
    assert.deepEqual(starts, [31]);
    assert.deepEqual(heard, farEnd);
    await transport.close();
    await clock.tick(60_000);
  });
}
