// A `start` naming a format we cannot decode refuses the media after it until a `start` we
// decode. Media comes for the rest of the call (Twilio, Telnyx, Plivo and Exotel send a `media`
// message per chunk of the caller's audio, typically every 20 ms): each refused one is counted in
// `stats.decodeErrors`, but reported once per refused `start`, not once per message. The refused
// formats are ones the platforms document: SignalWire's `<Stream>` start, `mediaFormat.encoding`
// "varies by codec: audio/x-mulaw, audio/x-L16, etc." (its WebSocket reference); Telnyx's stream
// `codec` may be G722, OPUS or AMR-WB, of which we decode G722
// (https://developers.telnyx.com/docs/voice/programmable-voice/texml-verbs/stream); Plivo streams
// `audio/x-l16` or `audio/x-mulaw` (its audio-streams `contentType`), so A-law is refused; Exotel's
// beta `audio/L16` leaves its byte order undocumented
// (https://developer.exotel.com/docs/agentstream/stream-voicebot-extension). The messages are the
// fixtures' documented ones.
import assert from "node:assert/strict";
import { type Frame, TransportError, WebSocketTransport } from "@x/ws-transport";
import { MemorySocketPair } from "@x/ws-transport/testing";
import type { FrameSerializer } from "../../../src/serializer.ts";
import { TwilioSerializer } from "../../../src/serializers/twilio.ts";
import { TelnyxSerializer } from "../../../src/serializers/telnyx.ts";
import { PlivoSerializer } from "../../../src/serializers/plivo.ts";
import { ExotelSerializer } from "../../../src/serializers/exotel.ts";
import type { ScriptStep } from "../fixtures/telephony_harness.ts";
import { twilioCall } from "../fixtures/twilio_call.ts";
import { telnyxCall } from "../fixtures/telnyx_call.ts";
import { plivoCall } from "../fixtures/plivo_call.ts";
import { exotelCall } from "../fixtures/exotel_call.ts";

type Wire = Record<string, unknown>;

/** The provider's first `event` message in `script`. */
function sent(script: ScriptStep[], event: string): Wire {
  const step = script.find((s) => "from" in s && (s.wire as { event?: string }).event === event);
  if (step === undefined) throw new Error(`no provider ${event} in the script`);
  return step.wire as Wire;
}

/** `script`'s start with its format (`field` of `start`) replaced by `format`. */
function startIn(script: ScriptStep[], field: string, format: unknown): Wire {
  const start = sent(script, "start");
  return { ...start, start: { ...(start.start as Wire), [field]: format } };
}

const providers: [string, () => FrameSerializer, ScriptStep[], Wire][] = [
  [
    "Twilio",
    () => new TwilioSerializer(),
    twilioCall,
    startIn(twilioCall, "mediaFormat", {
      encoding: "audio/x-opus",
      sampleRate: 48000,
      channels: 1,
    }),
  ],
  [
    "Telnyx",
    () => new TelnyxSerializer(),
    telnyxCall,
    startIn(telnyxCall, "media_format", {
      encoding: "OPUS",
      sample_rate: 48000,
      channels: 1,
    }),
  ],
  [
    "Plivo",
    () => new PlivoSerializer(),
    plivoCall,
    startIn(plivoCall, "mediaFormat", {
      encoding: "audio/x-alaw",
      sampleRate: 8000,
    }),
  ],
  [
    "Exotel",
    () => new ExotelSerializer(),
    exotelCall,
    startIn(exotelCall, "media_format", {
      encoding: "audio/L16;rate=8000",
      sample_rate: "8000",
      bit_rate: "16",
    }),
  ],
];

for (const [name, make, script, refusedStart] of providers) {
  Deno.test(`\`${name}Serializer\` counts each media message after a refused start, and reports them once per start`, async () => {
    const { server, client } = new MemorySocketPair();
    // Exotel's messages are 200 ms: at the default chunkMs its serializer would say so at set-up.
    const audioOut = name === "Exotel" ? { sampleRate: 8000, chunkMs: 200 } : {};
    const transport = new WebSocketTransport(server, { serializer: make(), audioOut });
    const errors: unknown[] = [];
    transport.addEventListener("error", (e) => errors.push((e as ErrorEvent).error));
    const media = JSON.stringify(sent(script, "media"));
    const refusedFor = (count: number) => {
      client.send(JSON.stringify(refusedStart));
      for (let i = 0; i < count; i++) client.send(media);
    };
    refusedFor(50);
    // A start we decode lets the media through again.
    client.send(JSON.stringify(sent(script, "start")));
    client.send(media);
    // A second refused start is reported again, and its media once more.
    refusedFor(3);
    client.send(JSON.stringify(sent(script, "start")));
    const frames: Frame[] = [];
    const reader = transport.readable.getReader();
    while (frames.filter((f) => f.type === "start").length < 2) {
      const { value, done } = await reader.read();
      if (done) break;
      frames.push(value);
    }
    reader.releaseLock();
    await transport.close();
    // The media's audio may come in two frames: the last samples the resampler held back are
    // handed on at the next start.
    assert.deepEqual(
      frames.map((f) => f.type).filter((type, i, all) =>
        type !== "audio" || all[i - 1] !== "audio"
      ),
      ["start", "audio", "start"],
    );
    assert.equal(transport.stats.decodeErrors, 1 + 50 + 1 + 3, "each refused start and media");
    // Each refused start, and the first media after it.
    assert.equal(errors.length, 4, `${errors.length} error events, the first: ${errors[0]}`);
    for (const error of errors) {
      assert.ok(error instanceof TransportError && error.code === "decode", String(error));
    }
    assert.match(String(errors[1]), /refused.*reported once, each counted in decodeErrors/);
    assert.match(String(errors[3]), /refused.*reported once, each counted in decodeErrors/);
  });

  Deno.test(`\`${name}Serializer\` without a transport's context throws at each media message after a refused start`, () => {
    // Nothing would count a dropped one: each is thrown, for its caller to count.
    const serializer = make();
    serializer.setup?.({
      inputSampleRate: 8000,
      inputChannels: 1,
      outputSampleRate: 8000,
      outputChannels: 1,
    });
    const media = JSON.stringify(sent(script, "media"));
    assert.throws(() => serializer.deserialize(JSON.stringify(refusedStart)), { code: "decode" });
    assert.throws(() => serializer.deserialize(media), { code: "decode" });
    assert.throws(() => serializer.deserialize(media), { code: "decode" });
  });
}
