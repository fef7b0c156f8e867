// The formats `TelnyxSerializer`'s options may ask for, both ways: those Telnyx documents, held to
// the same list a start's `media_format` is, no other. Call Control's "Start streaming"
// (developers.telnyx.com/api-reference/call-commands/streaming-start): `stream_codec` and
// `stream_bidirectional_codec` are "PCMU, PCMA, G722, OPUS, AMR-WB, L16",
// `stream_bidirectional_sampling_rate` "8000, 16000, 22050, 24000, 48000". G.711 is 8 kHz (RFC
// 3551 §4.5.14); G.722 is 16 kHz audio on RTP's 8 kHz clock (§4.5.2), named by either rate; L16 is
// RTP's, big-endian: Telnyx names no little-endian PCM. Asked for at another pair, the caller's
// audio would be read, or ours played, at the wrong speed or as noise for the whole call: a
// `RangeError` at construction instead, as `TwilioSerializer` refuses its own.
import assert from "node:assert/strict";
import type { Frame } from "@x/ws-transport";
import { TelnyxSerializer, type TelnyxSerializerOptions } from "../../src/serializers/telnyx.ts";
import type { TelephonyEncoding } from "../../src/serializers/telephony/telephony_encoding.ts";
import { telnyxIds, telnyxStart } from "./fixtures/telnyx_call.ts";

/** Every pair Telnyx documents, by our name and Telnyx's. */
const DOCUMENTED: [encoding: TelephonyEncoding, codec: string, rate: number][] = [
  ["mulaw", "PCMU", 8000],
  ["alaw", "PCMA", 8000],
  ["g722", "G722", 8000],
  ["g722", "G722", 16000],
  ["pcm16be", "L16", 8000],
  ["pcm16be", "L16", 16000],
  ["pcm16be", "L16", 22050],
  ["pcm16be", "L16", 24000],
  ["pcm16be", "L16", 48000],
];

/** Pairs the resampler converts (or `TelephonyAudio` speaks) that Telnyx does not stream. */
const UNDOCUMENTED: [encoding: TelephonyEncoding, rate: number][] = [
  ["mulaw", 16000],
  ["alaw", 24000],
  ["pcm16be", 44100],
  ["pcm16be", 32000],
  ["pcm16be", 12000],
];

const SETUP = (rate: number) => ({
  inputSampleRate: rate,
  inputChannels: 1,
  outputSampleRate: rate,
  outputChannels: 1,
});

Deno.test("`TelnyxSerializer` takes every format Telnyx documents, in its options both ways as in a start", () => {
  for (const [encoding, codec, rate] of DOCUMENTED) {
    new TelnyxSerializer({ inboundEncoding: encoding, sampleRate: rate });
    new TelnyxSerializer({ outboundEncoding: encoding, outboundSampleRate: rate });
    const start = new TelnyxSerializer().deserialize(telnyxStart(codec, rate)) as Frame;
    assert.equal(start.type, "start", `${codec} at ${rate} in a start`);
  }
});

Deno.test("`TelnyxSerializer` refuses an inbound format Telnyx does not stream, naming the options", () => {
  for (const [encoding, rate] of UNDOCUMENTED) {
    assert.throws(() => new TelnyxSerializer({ inboundEncoding: encoding, sampleRate: rate }), {
      name: "RangeError",
      message: new RegExp(`^Telnyx streams ${encoding} at .* Hz, got sampleRate ${rate}$`),
    });
  }
  // A rate alone is the default PCMU's: μ-law at 16 kHz.
  assert.throws(() => new TelnyxSerializer({ sampleRate: 16000 }), {
    name: "RangeError",
    message: "Telnyx streams mulaw at 8000 Hz, got sampleRate 16000",
  });
  // Telnyx's L16 is big-endian: little-endian samples, read so, are loud noise.
  assert.throws(() => new TelnyxSerializer({ inboundEncoding: "pcm16le", sampleRate: 16000 }), {
    name: "RangeError",
    message: "inboundEncoding must be one of mulaw, alaw, g722, pcm16be for Telnyx, got " +
      '"pcm16le": Telnyx streams PCMU and PCMA at 8000 Hz, G722 at 8000 or 16000, L16 at 8000, ' +
      "16000, 22050, 24000 or 48000",
  });
  // A JavaScript caller's own-property lookalike is no codec either.
  const notACodec = { inboundEncoding: "constructor" } as unknown as TelnyxSerializerOptions;
  assert.throws(() => new TelnyxSerializer(notACodec), {
    name: "RangeError",
    message: /^inboundEncoding must be one of .* got "constructor"/,
  });
});

Deno.test("`TelnyxSerializer` refuses a bidirectional codec Telnyx does not take: no little-endian L16", () => {
  for (const rate of [8000, 16000, 24000]) {
    assert.throws(
      () => new TelnyxSerializer({ outboundEncoding: "pcm16le", outboundSampleRate: rate }),
      { name: "RangeError", message: /^outboundEncoding must be one of .* got "pcm16le": Telnyx/ },
    );
  }
  for (const [encoding, rate] of UNDOCUMENTED) {
    assert.throws(
      () => new TelnyxSerializer({ outboundEncoding: encoding, outboundSampleRate: rate }),
      {
        name: "RangeError",
        message: new RegExp(`^Telnyx takes ${encoding} at .* Hz, got outboundSampleRate ${rate}$`),
      },
    );
  }
});

Deno.test("`TelnyxSerializer` reads the caller's L16 at 22050 and 48000 Hz from its options", () => {
  for (const rate of [22050, 48000]) {
    const telnyx = new TelnyxSerializer({
      streamId: telnyxIds.stream,
      inboundEncoding: "pcm16be",
      sampleRate: rate,
    });
    telnyx.setup(SETUP(rate));
    // 20 ms of L16, its first sample 0x1234 big-endian: at the options' rate, nothing resampled.
    const wire = new Uint8Array((rate / 50) * 2);
    wire.set([0x12, 0x34]);
    const frames = [
      telnyx.deserialize(JSON.stringify({
        event: "media",
        sequence_number: "2",
        stream_id: telnyxIds.stream,
        media: { track: "inbound", chunk: "1", timestamp: "0", payload: wire.toBase64() },
      })),
    ].flat() as Frame[];
    const audio = frames.filter((f) => f.type === "audio");
    assert.equal(audio.length, 1);
    assert.equal(audio[0]!.audio.length, wire.length, `${rate}: 20 ms in, 20 ms out`);
    assert.deepEqual([...audio[0]!.audio.subarray(0, 2)], [0x34, 0x12], "native little-endian");
  }
});

Deno.test("`TelnyxSerializer` sends L16 at 22050 and 48000 Hz, the bidirectional rates Telnyx lists past 24000", () => {
  for (const rate of [22050, 48000]) {
    const telnyx = new TelnyxSerializer({ outboundEncoding: "pcm16be", outboundSampleRate: rate });
    telnyx.setup(SETUP(rate));
    const payload = (samples: Int16Array) =>
      Uint8Array.fromBase64(
        JSON.parse(
          telnyx.serialize({
            type: "audio",
            audio: new Uint8Array(samples.buffer),
            sampleRate: rate,
            channels: 1,
          }) as string,
        ).media.payload,
      );
    // 20 ms at the stream's rate, its first sample 0x1234: big-endian on the wire, as RTP's L16.
    const whole = new Int16Array(rate / 50).fill(1000);
    whole[0] = 0x1234;
    const sent = payload(whole);
    assert.equal(sent.length, (rate / 50) * 2, `${rate}: 20 ms, two bytes a sample`);
    assert.deepEqual([...sent.subarray(0, 2)], [0x12, 0x34]);
    // A reply's 10 ms last chunk is padded to Telnyx's 20 ms minimum at this rate.
    const padded = payload(new Int16Array(Math.floor(rate / 100)).fill(1000));
    assert.equal(padded.length, (rate / 50) * 2, `${rate}: padded to 20 ms`);
    assert.equal(telnyx.paddedMessages, 1);
  }
});

Deno.test("`TelnyxSerializer` names what a JavaScript caller gave when refusing it: a string rate quoted, never a rate it lists", () => {
  const refused = (options: unknown) => {
    try {
      new TelnyxSerializer(options as TelnyxSerializerOptions);
    } catch (error) {
      assert.ok(error instanceof RangeError, String(error));
      return error.message;
    }
    assert.fail(`${String(JSON.stringify(options))} was taken`);
  };
  // "16000" is no number: shown as 16000, the refusal read as if Telnyx refused a rate it lists.
  assert.equal(
    refused({ inboundEncoding: "pcm16be", sampleRate: "16000" }),
    'Telnyx streams pcm16be at 8000, 16000, 22050, 24000 or 48000 Hz, got sampleRate "16000"',
  );
  assert.equal(
    refused({ outboundSampleRate: "8000" }),
    'Telnyx takes mulaw at 8000 Hz, got outboundSampleRate "8000"',
  );
  assert.equal(refused({ sampleRate: "" }), 'Telnyx streams mulaw at 8000 Hz, got sampleRate ""');
  assert.equal(refused({ sampleRate: NaN }), "Telnyx streams mulaw at 8000 Hz, got sampleRate NaN");
  assert.match(refused({ inboundEncoding: "" })!, /^inboundEncoding must be one of .* got "": /);
  assert.match(
    refused({ outboundEncoding: "PCMU" })!,
    /^outboundEncoding must be one of .* got "PCMU": /,
  );
  // A symbol is refused as another wrong value is, not by a TypeError of the message's making.
  assert.match(refused({ inboundEncoding: Symbol("mulaw") })!, /got Symbol\(mulaw\): /);
  assert.match(
    refused({ sampleRate: Symbol.iterator })!,
    /got sampleRate Symbol\(Symbol\.iterator\)$/,
  );
});
