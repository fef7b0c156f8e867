// `fixedAudioPacketSize` that is not a multiple of the channel's `optimal_frame_size`, on a JSON
// channel. chan_websocket.c (asterisk f0c1c1a7), `process_binary_message`: a BINARY message is cut
// into whole `optimal_frame_size` frames; what does not fill one is kept for the next message
// only while a bulk transfer is open (START_MEDIA_BUFFERING … STOP_MEDIA_BUFFERING), and dropped
// otherwise. docs.asterisk.org, Configuration → Channel Drivers → WebSocket, "Media Transfer": "If
// you send an oddly sized message though, the extra data that won't fill a frame will be dropped
// … the app can send Asterisk a START_MEDIA_BUFFERING command before sending the media". MARK_MEDIA
// opens no bulk transfer: with packets that cut frames, every packet's remainder was lost (500-byte
// packets on a 640-byte slin16 channel: nothing at all played). The far end below is
// `asteriskFarEnd`, built from that C source.
import assert from "node:assert/strict";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { asteriskFarEnd, mediaStart } from "./fixtures/asterisk_channel_playout.ts";
import { wholeFrameSession } from "./fixtures/whole_frame_calls.ts";
import { filledPcm16k, SETUP_16K } from "./fixtures/filled_pcm_16k.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

for (const packet of [500, 1000]) {
  Deno.test(`AsteriskSerializer, JSON channel, ${packet}-byte packets on 640-byte frames: all of a reply plays, its mark answered after it`, async () => {
    const { clock, pair, transport } = wholeFrameSession(
      { serializer: () => new AsteriskSerializer(), opening: "" },
      { fixedAudioPacketSize: packet, audioOut: { sampleRate: 16000, chunkMs: 20 } },
    );
    const log = asteriskFarEnd(clock, pair, { json: true, frameBytes: 640, format: "slin16" });
    const marks: Array<[string, number]> = [];
    transport.receive((frame) => {
      if (frame.type === "mark") marks.push([frame.name, clock.now()]);
    });
    await clock.tick(10);
    // One second of the bot's speech (50 frames of 20 ms), then its mark.
    void transport.send({ ...filledPcm16k(32_000, 0x11), responseId: "r1" });
    void transport.send({ type: "mark", name: "said" });
    await clock.tick(3000);
    const spoken = log.played.filter(([, first]) => first === 0x11);
    assert.ok(spoken.length >= 50, `${spoken.length} of 50 frames of the reply played`);
    assert.deepEqual(marks.map(([name]) => name), ["said"], "the bot's mark answered");
    // dequeue_frame sends an option frame at the tick after the frame before it played.
    assert.ok(marks[0]![1] > spoken.at(-1)![0], "answered after the reply's last frame played");
    await transport.close();
    await clock.tick(60_000);
  });
}

Deno.test('AsteriskSerializer: packets that cut frames resolve marks "auto" to buffering on a JSON channel, and an explicit "mark-media" is reported', () => {
  const setup = { ...SETUP_16K, outputPacketBytes: 500 };
  const start = mediaStart({ json: true, format: "slin16", frameBytes: 640 });
  const auto = new AsteriskSerializer();
  auto.setup(setup);
  auto.deserialize(start);
  const opened = auto.serialize(filledPcm16k(640, 1)) as unknown[];
  assert.deepEqual(JSON.parse(opened[0] as string), { command: "START_MEDIA_BUFFERING" });
  const chosen = new AsteriskSerializer({ marks: "mark-media" });
  const calls = recordingContext();
  chosen.bind(calls.context);
  chosen.setup(setup);
  chosen.deserialize(start);
  assert.equal(calls.reported.length, 1);
  assert.match(calls.reported[0]!.message, /fixedAudioPacketSize 500 .* optimal_frame_size 640/);
  // Whole frames in each packet: MARK_MEDIA as before, nothing reported.
  const aligned = new AsteriskSerializer();
  aligned.setup({ ...SETUP_16K, outputPacketBytes: 1280 });
  aligned.deserialize(start);
  assert.ok(aligned.serialize(filledPcm16k(640, 1)) instanceof Array);
  assert.deepEqual(JSON.parse(aligned.serialize({ type: "mark", name: "m" }) as string), {
    command: "MARK_MEDIA",
    correlation_id: "m",
  });
});
