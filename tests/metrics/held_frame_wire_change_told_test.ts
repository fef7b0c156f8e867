// Asterisk's channel driver names the channel's format in `MEDIA_START` (docs.asterisk.org,
// Channel Drivers → WebSocket: `format` and `optimal_frame_size`; binary frames carry media in
// that format). Where a new one names another format, the partial frame `AsteriskSerializer`
// holds of the bot's speech, in the old format, cannot go in the new one: it is dropped, counted
// in `audioBytesRefused`. It was told to the observers with its chunk; they are told it was
// dropped (`outboundDropped`), so that `voice.outbound.audio` agrees with `stats.audioBytesSent`,
// with or without `fixedAudioPacketSize` (whose partial packet is dropped with it).
import assert from "node:assert/strict";
import { SessionMetrics } from "../../mod.ts";
import {
  ASTERISK_SLIN16,
  asteriskFormatChangeWhileHolding,
  wholeFrameSession,
} from "../serializers/fixtures/whole_frame_calls.ts";

/** 16 kHz mono PCM16. */
const BYTES_PER_MS = 32;

for (const packetBytes of [undefined, 1000]) {
  const packets = packetBytes === undefined ? "" : ` and ${packetBytes}-byte packets`;
  Deno.test(`AsteriskSerializer${packets}: the partial frame a new format drops is told dropped to the observers`, async () => {
    const session = wholeFrameSession(
      ASTERISK_SLIN16,
      packetBytes === undefined ? {} : { fixedAudioPacketSize: packetBytes },
    );
    const { clock, transport } = session;
    const metrics = SessionMetrics.attach(transport, { clock, speech: false });
    const dropped: number[] = [];
    transport.observe({ outboundDropped: (info) => dropped.push(info.position) });
    // 50 ms sent at slin16, 40 ms of it in whole frames (or 31.25 in a 1000-byte packet), then
    // the channel goes on in μ-law.
    await asteriskFormatChangeWhileHolding(session);
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
