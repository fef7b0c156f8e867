/**
 * A chunk's messages may mix text with the audio: Asterisk opens a bulk transfer with
 * `START_MEDIA_BUFFERING` (text) before the first media of a stretch (binary). Where the socket
 * refuses the binary message but takes the text, the chunk's bytes that did not leave are the
 * binary message's share of its audio: the text carries none of it.
 */
import assert from "node:assert/strict";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { botAudio, openWholeFrameSession, refuseBinary } from "./fixtures/whole_frame_calls.ts";
import { mediaStart } from "./fixtures/asterisk_channel_playout.ts";

/**
 * docs.asterisk.org, Configuration → Channel Drivers → WebSocket: `MEDIA_START` names the
 * channel's format (slin16: 16-bit signed linear at 16 kHz) and its `optimal_frame_size` (640
 * bytes, 20 ms); `START_MEDIA_BUFFERING` opens a bulk transfer of the media that follows.
 */
const MEDIA_START = mediaStart({ format: "slin16", frameBytes: 640 });

// Without packets both frames go as one message (refused: all of the chunk's audio lost); with
// 640-byte packets the first of two is.
for (const [packets, lostAudio] of [[undefined, 1280], [640, 640]] as const) {
  const how = packets === undefined ? "without packets" : `with ${packets}-byte packets`;
  Deno.test(`AsteriskSerializer ${how}: a refused media message beside an accepted START_MEDIA_BUFFERING counts only the media's audio dropped`, async () => {
    const call = {
      serializer: () => new AsteriskSerializer({ marks: "buffering" }),
      opening: MEDIA_START,
    };
    const { clock, pair, transport } = await openWholeFrameSession(call, {
      audioOut: { sampleRate: 16000, chunkMs: 40 },
      ...(packets === undefined ? {} : { fixedAudioPacketSize: packets, lastPacket: "pad" }),
    });
    const texts: string[] = [];
    pair.client.addEventListener("message", (event) => {
      const data = (event as MessageEvent).data;
      if (typeof data === "string") texts.push(data);
    });
    const refused = refuseBinary(pair, () => refused.length === 0);
    // One chunk of 40 ms: two whole frames, nothing held.
    void transport.send(botAudio(1280));
    await clock.tick(0);
    const stats = { ...transport.stats };
    await transport.close();
    await clock.tick(60_000);
    assert.ok(texts[0]?.startsWith("START_MEDIA_BUFFERING"), texts.join("|"));
    assert.deepEqual(
      refused.map((bytes) => bytes.length),
      [lostAudio],
      "the first media message was refused",
    );
    // Before, split by all the bytes (the text's 21 left): 21 sent and 1259 dropped without
    // packets, 650 and 630 with them.
    assert.equal(stats.audioBytesSent, 1280 - lostAudio, JSON.stringify(stats));
    assert.equal(stats.audioBytesDroppedOnClose, lostAudio, JSON.stringify(stats));
  });
}
