// src/serializers/telephony/media_format.ts, `readMediaFormat`: a provider's `start` at a rate the resampler does not take (11025 Hz, 8001)
// is refused, its media counted, and the session goes on; but the refusal says only "sampleRate is
// 11025 for audio/x-l16", where one at a rate the resampler takes but the provider does not
// document (44100) said what the provider streams: the rate no one could decode was the one whose
// message left the user guessing. Now both say it. The formats are the platforms' documented `start` fields:
// Twilio's `start.mediaFormat` {encoding, sampleRate, channels} (Media Streams, WebSocket messages;
// SignalWire's `<Stream>` start "varies by codec: audio/x-mulaw, audio/x-L16, etc."), Telnyx's
// `start.media_format` {encoding, sample_rate, channels}
// (https://developers.telnyx.com/docs/voice/programmable-voice/media-streaming), Plivo's
// `start.mediaFormat` {encoding, sampleRate} (its audio-streams reference).
import assert from "node:assert/strict";
import { TransportError } from "../mod.ts";
import type { FrameSerializer } from "../src/serializer.ts";
import { TwilioSerializer } from "../src/serializers/twilio.ts";
import { TelnyxSerializer } from "../src/serializers/telnyx.ts";
import { PlivoSerializer } from "../src/serializers/plivo.ts";
import type { ScriptStep } from "./serializers/fixtures/telephony_harness.ts";
import { twilioCall } from "./serializers/fixtures/twilio_call.ts";
import { telnyxCall } from "./serializers/fixtures/telnyx_call.ts";
import { plivoCall } from "./serializers/fixtures/plivo_call.ts";

type Wire = Record<string, unknown>;

/** `script`'s start with `field` of `start` replaced by `format`. */
function startIn(script: ScriptStep[], field: string, format: Wire): string {
  const step = script.find((s) => "from" in s && (s.wire as Wire).event === "start")!;
  const start = step.wire as Wire;
  return JSON.stringify({
    ...start,
    start: { ...(start.start as Wire), [field]: format },
  });
}

const providers: [string, () => FrameSerializer, (rate: number) => string][] = [
  [
    "Twilio",
    () => new TwilioSerializer(),
    (rate) =>
      startIn(twilioCall, "mediaFormat", {
        encoding: "audio/x-l16",
        sampleRate: rate,
        channels: 1,
      }),
  ],
  [
    "Telnyx",
    () => new TelnyxSerializer(),
    (rate) =>
      startIn(telnyxCall, "media_format", {
        encoding: "L16",
        sample_rate: rate,
        channels: 1,
      }),
  ],
  [
    "Plivo",
    () => new PlivoSerializer(),
    (rate) =>
      startIn(plivoCall, "mediaFormat", {
        encoding: "audio/x-l16",
        sampleRate: rate,
      }),
  ],
];

/** The decode error a fresh serializer refuses `start` with. */
function refusal(make: () => FrameSerializer, start: string): string {
  const serializer = make();
  serializer.setup?.({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 16000,
    outputChannels: 1,
  });
  try {
    serializer.deserialize(start);
  } catch (error) {
    assert.ok(
      error instanceof TransportError && error.code === "decode",
      String(error),
    );
    return error.message;
  }
  assert.fail("the start was taken");
}

for (const [name, make, start] of providers) {
  Deno.test(`${name}Serializer: a start at a rate no resampler takes is refused saying what ${name} streams`, () => {
    // What a start at a rate we could resample, but the provider does not stream, is told.
    const told = refusal(make, start(44100));
    const streams = told.slice(told.indexOf(": ", told.indexOf("44100")));
    assert.match(streams, /8000/, `the refusal at 44100 lists rates: ${told}`);
    for (const rate of [11025, 8001]) {
      assert.equal(
        refusal(make, start(rate)),
        told.replace("44100", String(rate)),
      );
    }
  });
}
