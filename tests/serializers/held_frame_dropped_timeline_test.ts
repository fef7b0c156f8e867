/**
 * With `fixedAudioPacketSize` and `lastPacket: "drop"`, the bot's speech of a whole-frames
 * serializer's padded last frame (Vonage, Asterisk) that falls in the partial packet dropped at
 * the stretch's end comes off the playout timeline as it never left: `playback.sentMs`
 * ("milliseconds of that response sent so far (handed to the socket)", src/playback.ts) and
 * `heardMs` count only what left, as `audioBytesSent` does (the dropped packet's PCM was taken
 * off the timeline but for the partial frame's share).
 */
import assert from "node:assert/strict";
import { dropPacketSession, WHOLE_FRAME_CALLS } from "./fixtures/whole_frame_calls.ts";

const CALLS = WHOLE_FRAME_CALLS;

for (const call of CALLS) {
  Deno.test(`${call.name}, 500-byte packets, lastPacket "drop": sentMs counts only the speech that left`, async () => {
    const { clock, pair, transport } = dropPacketSession(call);
    let speechOnWire = 0; // the bot's bytes are all 1s; the serializer pads with 0s
    pair.client.addEventListener("message", (event) => {
      const data = (event as MessageEvent).data;
      if (typeof data === "string") return;
      speechOnWire += new Uint8Array(data as ArrayBuffer).filter((b) => b === 1).length;
    });
    pair.client.send(call.opening);
    await clock.tick(0);
    // 1200 bytes (37.5 ms): one 640-byte frame, then 560 held, padded with 80 at the end. The
    // packets: 500, then 500; the 280 left (200 of speech, 80 of padding) are dropped.
    void transport.send({
      type: "audio",
      audio: new Uint8Array(1200).fill(1),
      sampleRate: 16000,
      channels: 1,
      responseId: "a",
    });
    await clock.tick(3000); // played out: the quiet time passes, the stretch ends
    const { sentMs, heardMs } = transport.playback;
    const stats = transport.stats;
    await transport.close();
    await clock.tick(60_000);
    assert.equal(speechOnWire, 1000);
    assert.equal(stats.audioBytesSent, 1000);
    // Now: 37.5 and 37.5, the 200 bytes dropped (6.25 ms) still counted as sent and heard.
    assert.equal(sentMs, 1000 / 32, "sentMs: the 31.25 ms that left");
    assert.equal(heardMs, 1000 / 32, "heardMs: the 31.25 ms that played");
  });
}
