// Twilio sends `connected`, then `start`, "sent immediately after" it, then `media` ("Media
// Streams - WebSocket Messages", https://www.twilio.com/docs/voice/media-streams/websocket-messages,
// "Connected message", "Start message"); Plivo's and Exotel's streams copy that order (the
// fixtures cite their pages). The `start` names the stream and its format (`mediaFormat`), so media
// before it was decoded in the options' default format: μ-law noise where the start then named
// L16. Twilio, Plivo and Exotel alike now drop it: one "decode" error reported, every one counted
// in decodeErrors, no audio; after the start, media is audio again. A serializer given its stream
// id (a start consumed elsewhere) awaits none, and decodes media from the first.
import assert from "node:assert/strict";
import { type Frame, type TransportError, WebSocketTransport } from "@x/ws-transport";
import { MemorySocketPair } from "@x/ws-transport/testing";
import type { FrameSerializer } from "../../src/serializer.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { PlivoSerializer } from "../../src/serializers/plivo.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { exotelCall, exotelIds } from "./fixtures/exotel_call.ts";
import { plivoCall, plivoIds } from "./fixtures/plivo_call.ts";
import { twilioCall, twilioIds } from "./fixtures/twilio_call.ts";
import type { ScriptStep } from "./fixtures/telephony_harness.ts";

/** The first message of `event` the far end sends in a documented call. */
function farEndMessage(script: ScriptStep[], event: string): string {
  for (const step of script) {
    if ("from" in step && (step.wire as { event?: string }).event === event) {
      return JSON.stringify(step.wire);
    }
  }
  throw new Error(`the script has no ${event} message`);
}

const providers: {
  name: string;
  /** The option that gives the serializer its stream id. */
  streamIdOption: string;
  make: () => FrameSerializer;
  /** Given its stream id, as for a start consumed elsewhere. */
  makeAddressed: () => FrameSerializer;
  script: ScriptStep[];
}[] = [
  {
    name: "Twilio",
    streamIdOption: "streamSid",
    make: () => new TwilioSerializer(),
    makeAddressed: () => new TwilioSerializer({ streamSid: twilioIds.stream }),
    script: twilioCall,
  },
  {
    name: "Plivo",
    streamIdOption: "streamId",
    make: () => new PlivoSerializer(),
    makeAddressed: () => new PlivoSerializer({ streamId: plivoIds.stream }),
    script: plivoCall,
  },
  {
    name: "Exotel",
    streamIdOption: "streamSid",
    make: () => new ExotelSerializer(),
    makeAddressed: () => new ExotelSerializer({ streamSid: exotelIds.stream }),
    script: exotelCall,
  },
];

function session(serializer: FrameSerializer) {
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    serializer,
    audioIn: { sampleRate: 8000 },
    // 200 ms chunks: Exotel's smallest message at 8 kHz (3,200 bytes); the others take any.
    audioOut: { sampleRate: 8000, chunkMs: 200 },
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push((e as ErrorEvent).error));
  const frames: Frame[] = [];
  transport.receive((frame) => frames.push(frame));
  const audio = () => frames.filter((f) => f.type === "audio").length;
  return { transport, server, client, errors, frames, audio };
}

for (const provider of providers) {
  const media = farEndMessage(provider.script, "media");
  const start = farEndMessage(provider.script, "start");

  Deno.test(`\`${provider.name}Serializer\` drops media before the start, one decode error, each counted`, async () => {
    const s = session(provider.make());
    s.client.send(media);
    s.client.send(media);
    s.client.send(media);
    await s.server.waitFor(() => s.transport.stats.messagesIn === 3);
    // was: 3 audio frames, decoded in the default format, no error
    assert.equal(s.audio(), 0, "no audio before the start");
    assert.equal(s.transport.stats.decodeErrors, 3);
    assert.equal(s.errors.length, 1, String(s.errors));
    assert.equal(s.errors[0]!.code, "decode");
    assert.match(s.errors[0]!.message, /media before the stream's start message/);
    // What to do where the far end sends no start at all (a platform that copies the protocol
    // but skips it would otherwise lose all its audio): the option that gives the stream id.
    assert.ok(
      s.errors[0]!.message.includes(`give the serializer its \`${provider.streamIdOption}\``),
      s.errors[0]!.message,
    );
    s.client.send(start);
    s.client.send(media);
    await s.server.waitFor(() => s.audio() > 0);
    assert.equal(s.transport.stats.decodeErrors, 3, "the stream's media after its start is audio");
    assert.equal(s.errors.length, 1, String(s.errors));
    await s.transport.close();
  });

  Deno.test(`\`${provider.name}Serializer\` given its stream id decodes media from the first`, async () => {
    const s = session(provider.makeAddressed());
    s.client.send(media);
    await s.server.waitFor(() => s.audio() > 0);
    assert.equal(s.transport.stats.decodeErrors, 0);
    assert.equal(s.errors.length, 0, String(s.errors));
    await s.transport.close();
  });
}
