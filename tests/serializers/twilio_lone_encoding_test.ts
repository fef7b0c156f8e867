// A start whose `mediaFormat` names its encoding without a `sampleRate`, on a stream of the Twilio
// protocol. G.711 has one rate: RFC 3551 §4.5.14 fixes PCMU's and PCMA's RTP clock at 8000, and
// none of the platforms speaking the protocol streams them at another (Twilio, "Media Streams -
// WebSocket Messages", Start message: `sampleRate` "is always 8000"; SignalWire, cXML `<Stream>`,
// developer.signalwire.com/compatibility-api/cxml/voice/stream: `codec` "Default: PCMU@8000h",
// PCMA at 8000, only L16 at 16000 or 24000). So PCMU or PCMA named alone after a SignalWire L16
// stream at 16 kHz announces G.711 at 8 kHz, as `TelnyxSerializer` and `ExotelSerializer` read
// it: judged at the stream's 16 kHz it was refused, and with it every packet of the call. L16,
// which streams at three rates, named alone keeps the stream's rate; a rate named alone is still
// judged by the stream's encoding. Twilio's stream has one format both ways, so the bot's audio
// goes out in it too.
import assert from "node:assert/strict";
import type { Frame } from "@x/ws-transport";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { twilioMedia, twilioStart } from "./fixtures/twilio_call.ts";

const startWith = (mediaFormat: Record<string, string | number>) =>
  twilioStart({ tracks: ["inbound"], mediaFormat: { ...mediaFormat, channels: 1 } });

/** A `media` message of `bytes` bytes of silence in a G.711 law (0xFF) or L16 (0). */
const media = (bytes: number, linear: boolean) =>
  twilioMedia(new Uint8Array(bytes).fill(linear ? 0 : 0xff));

/** A serializer whose bot hears and speaks at 8 kHz: G.711 at 8 kHz is not resampled. */
function signalWire(): TwilioSerializer {
  const serializer = new TwilioSerializer();
  serializer.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  return serializer;
}

/** The bytes of the one `media` message `serializer` sends for 20 ms of the bot's 8 kHz audio. */
function sent20ms(serializer: TwilioSerializer): number {
  const message = serializer.serialize({
    type: "audio",
    audio: new Uint8Array(320),
    sampleRate: 8000,
    channels: 1,
  }) as string;
  return Uint8Array.fromBase64(JSON.parse(message).media.payload).length;
}

for (const encoding of ["audio/x-mulaw", "audio/x-alaw"]) {
  Deno.test(`\`TwilioSerializer\` reads ${encoding} named without a sampleRate at 8 kHz after an L16 stream at 16 kHz`, () => {
    const serializer = signalWire();
    serializer.deserialize(startWith({ encoding: "audio/x-L16", sampleRate: 16000 }));
    const start = serializer.deserialize(startWith({ encoding })) as Frame;
    assert.equal(start.type, "start");
    // 160 bytes of G.711 are 20 ms at 8 kHz: 160 samples out, not 80 (read at 16 kHz).
    const frames = [serializer.deserialize(media(160, false))].flat() as Frame[];
    const audio = frames.filter((f) => f.type === "audio");
    assert.equal(audio.length, 1);
    assert.equal(audio[0]!.audio.length, 320, "20 ms at 8 kHz");
    // The bot's 20 ms go out in the stream's G.711 at 8 kHz: 160 bytes.
    assert.equal(sent20ms(serializer), 160);
  });
}

Deno.test("`TwilioSerializer` keeps the stream's rate for L16 named alone, and judges a lone rate by the stream's encoding", () => {
  const serializer = signalWire();
  serializer.deserialize(startWith({ encoding: "audio/x-L16", sampleRate: 24000 }));
  serializer.deserialize(startWith({ encoding: "audio/x-mulaw" }));
  // L16 named alone after μ-law: the stream's rate, 8000 (one of L16's): 320 bytes are 20 ms.
  serializer.deserialize(startWith({ encoding: "audio/x-L16" }));
  const frames = [serializer.deserialize(media(320, true))].flat() as Frame[];
  assert.equal(frames.filter((f) => f.type === "audio")[0]!.audio.length, 320, "20 ms at 8 kHz");
  // A rate named alone is the stream's encoding's: L16 at 16 kHz taken, then μ-law at it refused.
  serializer.deserialize(startWith({ sampleRate: 16000 }));
  serializer.deserialize(startWith({ encoding: "audio/x-mulaw" }));
  assert.throws(() => serializer.deserialize(startWith({ sampleRate: 16000 })), {
    code: "decode",
    message: /^Twilio: start\.mediaFormat\.sampleRate is 16000 for the stream's mulaw: Twilio/,
  });
});
