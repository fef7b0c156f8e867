// jambonz's and FreeSWITCH's outbound converters (the bot's audio resampled to the rate it goes
// back at) are made apart from the transport's set-up: jambonz's when the first message names
// the rate, or from `streamSampleRate` in its constructor. Each lets go of its resampler (some
// 40 KB of filter history) and slab once the session is over, as the inbound one does: a
// transport kept after the call, for its `stats`, holds neither (measured in
// serializer_retained_more_audio_test.ts).
import assert from "node:assert/strict";
import type { FrameSerializer } from "../../mod.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { narrowbandCall } from "./fixtures/narrowband_call.ts";
import { FORK_METADATA } from "./fixtures/fork_serializers.ts";

/** `ms` of PCM16 at 16 kHz, every sample 1000. */
const pcm16k = (ms: number) => new Uint8Array(new Int16Array(ms * 16).fill(1000).buffer);

const SERIALIZERS: [string, () => FrameSerializer][] = [
  ["JambonzSerializer, its rate from the first message", () => new JambonzSerializer()],
  [
    "JambonzSerializer, streamSampleRate given",
    () => new JambonzSerializer({ streamSampleRate: 8000 }),
  ],
  ["FreeSwitchSerializer", () => new FreeSwitchSerializer()],
];

for (const [name, make] of SERIALIZERS) {
  Deno.test(`${name}: the outbound resampler is let go once the session is over`, async () => {
    const serializer = make();
    // The bot at 16 kHz, the fork at 8: the bot's audio is resampled.
    const { clock, pair, transport } = narrowbandCall(serializer, {
      audioOut: { sampleRate: 16000 },
      markIntervalMs: 0,
    });
    transport.receive(() => {});
    await clock.tick(0);
    pair.client.send(FORK_METADATA);
    await clock.tick(10);
    void transport.send({ type: "audio", audio: pcm16k(1000), sampleRate: 16000, channels: 1 });
    await clock.tick(300);
    // The module closes the socket mid-reply: the resampler holds the last samples it was given.
    pair.client.close(1000);
    await transport.closed;
    await clock.runAll();
    // Gone with it: a stretch's end has nothing of the call's audio left to send.
    assert.equal(serializer.audioEnds!(true), null, "the outbound resampler's held samples");
  });
}
