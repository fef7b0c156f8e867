// chan_websocket's signed linear formats at the rates the resampler took last: `slin12`,
// `slin32`, `slin96` and `slin192` (Asterisk main/codec_builtin.c: codecs `slin12` … `slin192`,
// `sample_rate` 12000, 32000, 96000 and 192000, `minimum_bytes` 240, 640, 1920 and 3840 per 10 ms
// `minimum_ms`, `default_ms` 20; chan_websocket sends `optimal_frame_size` = default_ms ×
// minimum_bytes / minimum_ms in MEDIA_START: 480, 1280, 3840 and 7680 bytes). They were refused
// as "not one this serializer speaks", so a channel dialled c(slin32) could not be carried.
import assert from "node:assert/strict";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import type { AudioFrame } from "../../src/frames.ts";
import { asteriskFarEnd, mediaStart } from "./fixtures/asterisk_channel_playout.ts";
import { binaryToneRoundTrip } from "./fixtures/binary_tone.ts";
import { wholeFrameSession } from "./fixtures/whole_frame_calls.ts";
import { filledPcm16k, SETUP_16K } from "./fixtures/filled_pcm_16k.ts";

const CHANNELS = [
  { format: "slin12", rate: 12000, frameBytes: 480 },
  { format: "slin32", rate: 32000, frameBytes: 1280 },
  { format: "slin96", rate: 96000, frameBytes: 3840 },
  { format: "slin192", rate: 192000, frameBytes: 7680 },
];

function list<T>(result: T | T[] | null): T[] {
  return result === null ? [] : Array.isArray(result) ? result : [result];
}

for (const { format, rate, frameBytes } of CHANNELS) {
  Deno.test(`AsteriskSerializer follows MEDIA_START to ${format}: ${frameBytes}-byte frames, resampled both ways`, () => {
    const asterisk = new AsteriskSerializer();
    asterisk.setup(SETUP_16K);
    asterisk.deserialize(mediaStart({ format, frameBytes }));
    assert.equal(asterisk.format.sampleRate, rate);
    // 100 ms of the bot's 16 kHz speech: 100 ms at the channel's rate, in whole frames (the
    // resampler's few samples held back leave the fifth frame held until more comes).
    const media = list(asterisk.serialize(filledPcm16k(3200, 0x11)))
      .filter((m): m is Uint8Array => m instanceof Uint8Array);
    const sent = media.reduce((n, m) => n + m.length, 0);
    assert.ok(media.every((m) => m.length % frameBytes === 0), `${format}: whole frames`);
    assert.ok(sent >= 4 * frameBytes && sent <= 5 * frameBytes, `${format}: ${sent} bytes sent`);
    // 20 ms from the channel, at its rate: 20 ms at the transport's 16 kHz, less what the
    // inbound resampler holds back (under 1 ms).
    const inbound = list(asterisk.deserialize(new Uint8Array(frameBytes))) as AudioFrame[];
    assert.equal(inbound.length, 1);
    assert.equal(inbound[0]!.sampleRate, 16000);
    const bytes = inbound[0]!.audio.length;
    assert.ok(bytes > 640 - 32 && bytes <= 640, `${format}: ${bytes} bytes in`);
  });

  Deno.test(`AsteriskSerializer keeps a 1 kHz tone's frequency and level on ${format}`, async () => {
    const asterisk = new AsteriskSerializer({ format });
    asterisk.setup({ ...SETUP_16K, outputSampleRate: 24000 });
    // Asterisk streams the channel's audio back in the same format: an echo, 20 ms at a time.
    await binaryToneRoundTrip(asterisk, 20);
  });
}

for (const { format, frameBytes } of CHANNELS.slice(0, 3)) {
  Deno.test(`AsteriskSerializer, ${format} channel: all of a reply plays, its mark answered after it`, async () => {
    const { clock, pair, transport } = wholeFrameSession(
      { serializer: () => new AsteriskSerializer(), opening: "" },
      { audioOut: { sampleRate: 16000, chunkMs: 20 } },
    );
    const log = asteriskFarEnd(clock, pair, { json: true, frameBytes, format });
    const marks: Array<[string, number]> = [];
    transport.receive((frame) => {
      if (frame.type === "mark") marks.push([frame.name, clock.now()]);
    });
    await clock.tick(10);
    // One second of the bot's speech (50 frames of 20 ms), then its mark.
    void transport.send({ ...filledPcm16k(32_000, 0x11), responseId: "r1" });
    void transport.send({ type: "mark", name: "said" });
    await clock.tick(3000);
    // Every voice frame the channel played is the reply's (nothing else was sent): all 50 of
    // its 20 ms, the last one padded to a whole frame.
    const spoken = log.played;
    assert.ok(spoken.length >= 50, `${format}: ${spoken.length} of 50 frames of the reply played`);
    assert.deepEqual(marks.map(([name]) => name), ["said"], "the bot's mark answered");
    assert.ok(marks[0]![1] > spoken.at(-1)![0], "answered after the reply's last frame played");
    await transport.close();
    await clock.tick(60_000);
  });
}
