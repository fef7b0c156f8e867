// `audioEnds` on every serializer whose `TelephonyAudio` resamples the bot's audio: where a
// stretch of speech ends and plays on, the resampler's held samples go as that stretch's last
// audio (in a message the provider takes); where it does not, they are dropped; either way the
// next reply begins from silence, nothing of the last one in front of it.
import assert from "node:assert/strict";
import type { AudioFrame, FrameSerializer, SerializedMessage } from "../../mod.ts";
import { concatBytes } from "../../src/audio/_concat_bytes.ts";
import { TelephonyAudio } from "../../src/serializers/telephony/telephony_audio.ts";
import type { TelephonyEncoding } from "../../src/serializers/telephony/telephony_encoding.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import { GenesysSerializer } from "../../src/serializers/genesys.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { PlivoSerializer } from "../../src/serializers/plivo.ts";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { noise } from "../audio/_test_signals.ts";

/** Broadband audio (a seeded noise burst), at 24 kHz, as an outbound frame. */
function noiseFrame(count: number, seed: number): AudioFrame {
  const audio = new Uint8Array(noise(count, seed).buffer);
  return { type: "audio", audio, sampleRate: 24000, channels: 1 };
}

const SETUP = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 24000,
  outputChannels: 1,
  outputChunkMs: 20,
};

/** The audio bytes of a serializer's answer: base64 JSON media or binary messages, joined. */
function wireBytes(answer: unknown): Uint8Array {
  const messages = (Array.isArray(answer) ? answer : [answer]) as (SerializedMessage | null)[];
  const parts: Uint8Array[] = [];
  for (const message of messages) {
    if (message === null) continue;
    if (message instanceof Uint8Array) {
      parts.push(message);
      continue;
    }
    const payload = JSON.parse(message).media?.payload;
    if (typeof payload === "string") {
      parts.push(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0)));
    }
  }
  return parts.reduce(concatBytes, new Uint8Array(0));
}

/** What a reference converter makes of `frames` in a stream of their own; `end`: and its end. */
function reference(
  encoding: TelephonyEncoding,
  sampleRate: number,
  frames: AudioFrame[],
  end: boolean,
) {
  const audio = new TelephonyAudio({ encoding, sampleRate });
  const parts = frames.map((frame) => audio.encode(frame)!.slice());
  if (end) parts.push(audio.endOutbound(true)?.slice() ?? new Uint8Array(0));
  return wireBytes(parts);
}

interface Case {
  name: string;
  make: () => {
    setup?(audio: typeof SETUP): unknown;
    serialize(frame: AudioFrame): unknown;
    audioEnds(playing: boolean): unknown;
  };
  encoding: TelephonyEncoding;
  sampleRate: number;
}

const SENDING: Case[] = [
  {
    name: "Twilio",
    make: () => new TwilioSerializer({ streamSid: "MZ1", encoding: "pcm16le" }),
    encoding: "pcm16le",
    sampleRate: 8000,
  },
  {
    name: "Plivo",
    make: () => new PlivoSerializer({ streamId: "s1" }),
    encoding: "mulaw",
    sampleRate: 8000,
  },
  {
    name: "FreeSWITCH",
    make: () => new FreeSwitchSerializer({ sampleRate: 16000 }),
    encoding: "pcm16le",
    sampleRate: 16000,
  },
  { name: "jambonz", make: () => new JambonzSerializer(), encoding: "pcm16le", sampleRate: 8000 },
];

for (const { name, make, encoding, sampleRate } of SENDING) {
  Deno.test(`${name}: \`audioEnds\` sends a reply's held end where it plays on, drops it where it does not`, () => {
    const serializer = make();
    serializer.setup?.(SETUP);
    const first = noiseFrame(470, 1); // not a whole number of wire samples' worth either
    const sent = wireBytes(serializer.serialize(first));
    const end = wireBytes(serializer.audioEnds(true));
    assert.ok(end.length > 0, "the held end goes");
    assert.deepEqual([...sent, ...end], [...reference(encoding, sampleRate, [first], true)]);
    assert.equal(serializer.audioEnds(true), null, "nothing held any more");
    // Played out: dropped; the next reply begins from silence, nothing of this one before it.
    serializer.serialize(noiseFrame(480, 2));
    assert.equal(serializer.audioEnds(false), null);
    const next = noiseFrame(480, 3);
    assert.deepEqual(
      [...wireBytes(serializer.serialize(next))],
      [...reference(encoding, sampleRate, [next], false)],
    );
  });
}

for (
  const [name, make] of [
    ["Telnyx", () => new TelnyxSerializer({ streamId: "s1" })],
    ["Exotel", () => new ExotelSerializer({ streamSid: "s1", sampleRate: 8000 })],
  ] as const
) {
  Deno.test(`${name}: \`audioEnds\` drops a reply's held end (no message under the provider's minimum), and the next reply begins from silence`, () => {
    const serializer = make();
    serializer.setup(SETUP);
    serializer.serialize(noiseFrame(480, 4));
    // Called as the transport calls it, with `playing`.
    assert.equal((serializer as FrameSerializer).audioEnds?.(true), null);
    const next = noiseFrame(480, 5);
    const encoding = name === "Telnyx" ? "mulaw" : "pcm16le";
    const expected = reference(encoding, 8000, [next], false);
    // Exotel pads a message to its minimum size: the audio comes first.
    const got = wireBytes(serializer.serialize(next)).subarray(0, expected.length);
    assert.deepEqual([...got], [...expected]);
  });
}

for (
  const [name, make, frameBytes] of [
    ["Vonage", () => new VonageSerializer({ sampleRate: 16000 }), 640],
    ["Asterisk", () => new AsteriskSerializer({ format: "slin16", marks: "mark-media" }), 640],
  ] as const
) {
  Deno.test(`${name}: \`audioEnds\` sends the partial frame at once with the held end, padded to a whole frame`, () => {
    const serializer = make();
    serializer.setup(SETUP);
    const first = noiseFrame(720, 6); // 30 ms: a frame and a half at 16 kHz
    const sent = wireBytes(serializer.serialize(first));
    assert.equal(sent.length, frameBytes);
    const answer = serializer.audioEnds(true) as SerializedMessage[];
    const end = wireBytes(answer);
    assert.equal(end.length, frameBytes, "one whole frame");
    const expected = reference("pcm16le", 16000, [first], true);
    assert.equal(expected.length, frameBytes + 320 + 4, "half a frame and two samples after it");
    assert.deepEqual([...sent, ...end.subarray(0, 324)], [...expected]);
    assert.deepEqual([...end.subarray(324)], new Array(frameBytes - 324).fill(0), "silence");
    assert.equal(serializer.audioEnds(true), null, "nothing held any more");
  });
}

Deno.test("Genesys: `audioEnds` sends nothing while the AudioHook session takes no audio", () => {
  const serializer = new GenesysSerializer();
  serializer.setup(SETUP);
  assert.equal(serializer.audioEnds(true), null);
});
