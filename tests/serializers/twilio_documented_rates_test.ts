// The formats `TwilioSerializer` takes from a start's `mediaFormat`: those Twilio and the
// platforms speaking its protocol document, no other. The far ends' starts are the documents':
// - Twilio, "Media Streams - WebSocket Messages", Start message: `mediaFormat.encoding` "is always
//   audio/x-mulaw", `mediaFormat.sampleRate` "is always 8000", `channels` 1;
// - SignalWire, cXML `<Stream>` reference (signalwire/docs, compatibility-api/cxml/voice/
//   stream.mdx), Start message: `mediaFormat.encoding` "audio/x-mulaw", "audio/x-L16", etc.,
//   `sampleRate` "8000, 16000, 24000, etc."; "Send a media message": PCMU at 8000 by default,
//   `L16@16000h` at 16000, `L16@24000h` at 24000; its REST API's `StreamCodec` PCMU, PCMA, L16,
//   L16@16000h, L16@24000h (plain L16 and PCMA at 8000, as RTP names them).
// A start announcing a rate none of them documents for its encoding (μ-law at 32 kHz, L16 at
// 44.1 kHz: rates the resampler converts) is refused as an unknown encoding is: a decode error
// naming the field and value, its ids kept, its media refused until a start we decode.
import assert from "node:assert/strict";
import type { Frame } from "@x/ws-transport";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { refusedStartCall } from "./fixtures/refused_start_call.ts";
import { twilioIds, twilioMedia, twilioStart } from "./fixtures/twilio_call.ts";

const startIn = (encoding: string, sampleRate: number) =>
  twilioStart({ tracks: ["inbound"], mediaFormat: { encoding, sampleRate, channels: 1 } });

/** A `media` message of 20 ms of silence in `encoding` at `rate`. */
function media(encoding: string, rate: number, chunk = 1): string {
  const linear = encoding.toLowerCase().includes("l16");
  return twilioMedia(new Uint8Array((rate / 50) * (linear ? 2 : 1)).fill(linear ? 0 : 0xff), chunk);
}

const DOCUMENTED: [platform: string, encoding: string, rate: number][] = [
  ["Twilio", "audio/x-mulaw", 8000],
  ["SignalWire (PCMU)", "audio/x-mulaw", 8000],
  ["SignalWire (PCMA)", "audio/x-alaw", 8000],
  ["SignalWire (L16)", "audio/x-L16", 8000],
  ["SignalWire (L16@16000h)", "audio/x-L16", 16000],
  ["SignalWire (L16@24000h)", "audio/x-L16", 24000],
];

for (const [platform, encoding, rate] of DOCUMENTED) {
  Deno.test(`\`TwilioSerializer\` takes ${platform}'s ${encoding} at ${rate} Hz and reads its media at that rate`, () => {
    const serializer = new TwilioSerializer();
    // At the wire's rate, nothing is resampled: 20 ms in is 20 ms of PCM16 out, exactly.
    serializer.setup({
      inputSampleRate: rate,
      inputChannels: 1,
      outputSampleRate: rate,
      outputChannels: 1,
    });
    const start = serializer.deserialize(startIn(encoding, rate)) as Frame;
    assert.equal(start.type, "start");
    const frames = [serializer.deserialize(media(encoding, rate))].flat() as Frame[];
    const audio = frames.filter((f) => f.type === "audio");
    assert.equal(audio.length, 1);
    assert.equal(audio[0]!.audio.length, (rate / 50) * 2, "20 ms at the announced rate");
  });
}

const UNDOCUMENTED: [encoding: string, rate: number][] = [
  ["audio/x-mulaw", 32000],
  ["audio/x-mulaw", 16000],
  ["audio/x-alaw", 24000],
  ["audio/x-L16", 44100],
  ["audio/x-L16", 48000],
  ["audio/x-L16", 32000],
];

for (const [encoding, rate] of UNDOCUMENTED) {
  Deno.test(`\`TwilioSerializer\` refuses a start of ${encoding} at ${rate} Hz, and the call goes on`, async () => {
    const serializer = new TwilioSerializer();
    const wire = { start: startIn, media, documented: ["audio/x-mulaw", 8000] as [string, number] };
    const refusal = await refusedStartCall(serializer, wire, encoding, rate, () => {
      // The refused start's ids are kept: the stream can be addressed, the call hung up.
      assert.equal(serializer.streamSid, twilioIds.stream);
      assert.equal(serializer.callSid, twilioIds.call);
    });
    assert.equal(
      refusal,
      `Twilio: start.mediaFormat.sampleRate is ${rate} for ${encoding}: Twilio streams ` +
        "audio/x-mulaw at 8000 Hz; SignalWire PCMU or PCMA at 8000, L16 at 8000, 16000 or 24000",
    );
  });
}

Deno.test("`TwilioSerializer` refuses options no platform speaking its protocol streams, naming sampleRate", () => {
  for (
    const options of [
      { sampleRate: 16000 },
      { encoding: "alaw", sampleRate: 48000 },
      { encoding: "pcm16le", sampleRate: 44100 },
      { encoding: "pcm16be", sampleRate: 32000 },
    ] as const
  ) {
    assert.throws(
      () => new TwilioSerializer(options),
      (e) =>
        e instanceof RangeError &&
        /^sampleRate \d+ with encoding \w+: Twilio streams/.test(e.message),
      JSON.stringify(options),
    );
  }
  for (
    const options of [
      {},
      { encoding: "alaw" },
      { encoding: "pcm16le", sampleRate: 8000 },
      { encoding: "pcm16le", sampleRate: 16000 },
      { encoding: "pcm16be", sampleRate: 24000 },
    ] as const
  ) {
    new TwilioSerializer(options);
  }
});
