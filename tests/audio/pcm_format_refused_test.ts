/**
 * `durationMs` and `bytesPerSecond` run per chunk and check nothing: a sample rate or channel count
 * of 0, a negative, a fraction or NaN gives NaN or Infinity there, and a pacer or chunker timed by
 * it stalls or spins. So every public entry where a user's format comes in refuses a bad one when
 * it comes in (at construction, or on a stream's first frame of a new format), with a `TypeError`
 * or `RangeError` naming the field. One table, so a new entry is one row.
 */

import assert from "node:assert/strict";
import {
  AudioChunker,
  AudioChunkerStream,
  BackgroundAudio,
  CallRecorder,
  type Frame,
  PacerStream,
  PacketizerStream,
  SpeechDetector,
  SpeechDetectorStream,
  WavEncoderStream,
  WebSocketTransport,
} from "../../mod.ts";
import { MemorySocket } from "../../src/testing/mod.ts";
import { Resampler, wrapWav } from "../../src/audio/mod.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { PlivoSerializer } from "../../src/serializers/plivo.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import { TelephonyAudio } from "../../src/serializers/telephony/telephony_audio.ts";

/** Rates and channel counts no PCM16 format has, as a JavaScript caller can pass them. */
const BAD_VALUES: unknown[] = [0, -8000, 16000.5, NaN, Infinity, "16000"];

// deno-lint-ignore no-explicit-any
type Make = (value: any) => unknown;

const audioFrame = (sampleRate: unknown, channels: unknown) =>
  ({ type: "audio", audio: new Uint8Array(4), sampleRate, channels }) as unknown as Frame;

/** [where the value comes in, the field the error names, how to pass it]. */
const CONSTRUCTED: [string, string, Make][] = [
  [
    "WebSocketTransport",
    "audioIn.sampleRate",
    (v) => new WebSocketTransport(new MemorySocket(), { audioIn: { sampleRate: v } }),
  ],
  [
    "WebSocketTransport",
    "audioIn.channels",
    (v) => new WebSocketTransport(new MemorySocket(), { audioIn: { channels: v } }),
  ],
  [
    "WebSocketTransport",
    "audioOut.sampleRate",
    (v) => new WebSocketTransport(new MemorySocket(), { audioOut: { sampleRate: v } }),
  ],
  [
    "WebSocketTransport",
    "audioOut.channels",
    (v) => new WebSocketTransport(new MemorySocket(), { audioOut: { channels: v } }),
  ],
  ["TwilioSerializer", "sampleRate", (v) => new TwilioSerializer({ sampleRate: v })],
  ["TelnyxSerializer", "sampleRate", (v) => new TelnyxSerializer({ sampleRate: v })],
  [
    "TelnyxSerializer",
    "outboundSampleRate",
    (v) => new TelnyxSerializer({ outboundSampleRate: v }),
  ],
  ["VonageSerializer", "sampleRate", (v) => new VonageSerializer({ sampleRate: v })],
  ["JambonzSerializer", "streamSampleRate", (v) => new JambonzSerializer({ streamSampleRate: v })],
  ["PlivoSerializer", "sampleRate", (v) => new PlivoSerializer({ sampleRate: v })],
  ["ExotelSerializer", "sampleRate", (v) => new ExotelSerializer({ sampleRate: v })],
  ["FreeSwitchSerializer", "sampleRate", (v) => new FreeSwitchSerializer({ sampleRate: v })],
  [
    "FreeSwitchSerializer",
    "streamSampleRate",
    (v) => new FreeSwitchSerializer({ streamSampleRate: v }),
  ],
  ["TelephonyAudio", "sampleRate", (v) => new TelephonyAudio({ sampleRate: v })],
  ["CallRecorder", "sampleRate", (v) => new CallRecorder({ sampleRate: v })],
  [
    "BackgroundAudio",
    "sampleRate",
    (v) => new BackgroundAudio(new Uint8Array(4), { sampleRate: v }),
  ],
  [
    "BackgroundAudio",
    "channels",
    (v) => new BackgroundAudio(new Uint8Array(4), { sampleRate: 16000, channels: v }),
  ],
  [
    "BackgroundAudio (frame source)",
    "sampleRate",
    (v) => new BackgroundAudio(audioFrame(v, 1) as never),
  ],
  [
    "BackgroundAudio (frame source)",
    "channels",
    (v) => new BackgroundAudio(audioFrame(16000, v) as never),
  ],
  ["SpeechDetector", "sampleRate", (v) => new SpeechDetector({ sampleRate: v })],
  ["SpeechDetector", "channels", (v) => new SpeechDetector({ channels: v })],
  [
    "SpeechDetector.push",
    "sampleRate",
    (v) => new SpeechDetector().push(audioFrame(v, 1) as never, () => {}),
  ],
  [
    "SpeechDetector.push",
    "channels",
    (v) => new SpeechDetector().push(audioFrame(16000, v) as never, () => {}),
  ],
  ["Resampler", "inputRate", (v) => new Resampler({ inputRate: v, outputRate: 16000 })],
  ["Resampler", "outputRate", (v) => new Resampler({ inputRate: 16000, outputRate: v })],
  [
    "Resampler",
    "channels",
    (v) => new Resampler({ inputRate: 8000, outputRate: 16000, channels: v }),
  ],
  ["wrapWav", "sampleRate", (v) => wrapWav(new Uint8Array(4), { sampleRate: v, channels: 1 })],
  ["wrapWav", "channels", (v) => wrapWav(new Uint8Array(4), { sampleRate: 8000, channels: v })],
  [
    "AudioChunker.push",
    "sampleRate",
    (v) => new AudioChunker().push(audioFrame(v, 1) as never, () => {}),
  ],
  [
    "AudioChunker.push",
    "channels",
    (v) => new AudioChunker().push(audioFrame(8000, v) as never, () => {}),
  ],
];

for (const [where, field, make] of CONSTRUCTED) {
  Deno.test(`${where} refuses a bad ${field}, naming it`, () => {
    for (const value of BAD_VALUES) {
      assert.throws(
        () => make(value),
        (error: unknown) =>
          (error instanceof RangeError || error instanceof TypeError) &&
          error.message.includes(field),
        `${String(value)} (${typeof value}) for ${field}`,
      );
    }
  });
}

/** The building-block streams, whose format comes with each audio frame. */
const STREAMS: [string, () => TransformStream<Frame, Frame>][] = [
  ["AudioChunkerStream", () => new AudioChunkerStream()],
  ["PacerStream", () => new PacerStream()],
  ["PacketizerStream", () => new PacketizerStream({ packetSize: 4 })],
  ["WavEncoderStream", () => new WavEncoderStream()],
  ["SpeechDetectorStream", () => new SpeechDetectorStream()],
];

for (const [name, make] of STREAMS) {
  Deno.test(`${name} refuses a frame of a bad format, naming the field`, async () => {
    for (const value of BAD_VALUES) {
      for (
        const [field, frame] of [["sampleRate", audioFrame(value, 1)], [
          "channels",
          audioFrame(8000, value),
        ]] as const
      ) {
        const stream = make();
        const writer = stream.writable.getWriter();
        const reader = stream.readable.getReader();
        // The refusal errors both sides; the read is taken only so its rejection is handled.
        const read = reader.read().then(() => null, (error: unknown) => error);
        await assert.rejects(
          writer.write(frame),
          (error: unknown) =>
            (error instanceof RangeError || error instanceof TypeError) &&
            error.message.includes(field),
          `${name}: ${String(value)} (${typeof value}) for ${field}`,
        );
        await read;
      }
    }
  });
}
