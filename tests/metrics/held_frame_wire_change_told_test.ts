// Asterisk's channel driver names the channel's format in `MEDIA_START` (docs.asterisk.org,
// Channel Drivers → WebSocket: `format` and `optimal_frame_size`; binary frames carry media in
// that format). Where a new one names another format, the partial frame `AsteriskSerializer`
// holds of the bot's speech, in the old format, cannot go in the new one: it is dropped, counted
// in `audioBytesRefused`. It was told to the observers with its chunk; they are told it was
// dropped (`outboundDropped`), so that `voice.outbound.audio` agrees with `stats.audioBytesSent`,
// with or without `fixedAudioPacketSize` (whose partial packet is dropped with it).
import assert from "node:assert/strict";
import { SessionMetrics } from "../../mod.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { mediaStart } from "../serializers/fixtures/asterisk_channel_playout.ts";
import { botAudio, wholeFrameSession } from "../serializers/fixtures/whole_frame_calls.ts";

/** 16 kHz mono PCM16. */
const BYTES_PER_MS = 32;

for (const packetBytes of [undefined, 1000]) {
  const packets = packetBytes === undefined ? "" : ` and ${packetBytes}-byte packets`;
  Deno.test(`AsteriskSerializer${packets}: the partial frame a new format drops is told dropped to the observers`, async () => {
    const { clock, pair, transport } = wholeFrameSession({
      serializer: () => new AsteriskSerializer(),
      opening: mediaStart({ format: "slin16", frameBytes: 640 }),
    }, packetBytes === undefined ? {} : { fixedAudioPacketSize: packetBytes });
    const metrics = SessionMetrics.attach(transport, { clock, speech: false });
    const dropped: number[] = [];
    transport.observe({ outboundDropped: (info) => dropped.push(info.position) });
    pair.client.send(mediaStart({ format: "slin16", frameBytes: 640 }));
    await clock.tick(0);
    // 1600 bytes (50 ms) in two 25 ms chunks: two 640-byte frames leave, 320 bytes are held
    // (with 1000-byte packets one packet leaves, 31.25 ms, and 280 bytes wait for the next).
    void transport.send(botAudio(1600, "a"));
    await clock.tick(30);
    // The channel goes on in μ-law at 8 kHz, 20 ms frames of 160 bytes.
    pair.client.send(mediaStart({ format: "ulaw", frameBytes: 160 }));
    await clock.tick(0);
    const stats = { ...transport.stats };
    const audioMs = metrics.snapshot().outbound.audioMs;
    await transport.close();
    await clock.tick(60_000);
    const leftMs = packetBytes === undefined ? 40 : 1000 / BYTES_PER_MS;
    assert.equal(stats.audioBytesSent, leftMs * BYTES_PER_MS, "what left");
    assert.equal(stats.audioBytesRefused, 50 * BYTES_PER_MS - stats.audioBytesSent);
    assert.deepEqual(dropped, [leftMs], "told dropped from where what left ends");
    assert.equal(audioMs, leftMs);
  });
}
