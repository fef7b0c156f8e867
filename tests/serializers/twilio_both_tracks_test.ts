import assert from "node:assert/strict";
import type { AudioFrame, Frame } from "../../mod.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { twilioIds } from "./fixtures/twilio_call.ts";
import { MULAW_SILENCE_20MS } from "./fixtures/twilio_call.ts";

// A stream of both tracks, built from Twilio's "Media Streams - WebSocket Messages"
// (twilio.com/docs/voice/media-streams/websocket-messages): the Start message's `start.tracks`
// "indicate which media flows are expected in subsequent messages. Values include inbound,
// outbound"; the Media message's `media.track` is "One of inbound or outbound", `media.chunk`
// begins with 1 "and increment[s] with each subsequent message", and its examples number the
// tracks with one counter: outbound chunk "1" (sequenceNumber 3), then inbound chunk "2"
// (sequenceNumber 4), both at timestamp "5".

/** 8 kHz in and out. */
function setUp(twilio: TwilioSerializer): void {
  twilio.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
}

function startBoth(twilio: TwilioSerializer): void {
  setUp(twilio);
  twilio.deserialize(JSON.stringify({
    event: "start",
    sequenceNumber: "1",
    start: {
      accountSid: twilioIds.account,
      streamSid: twilioIds.stream,
      callSid: twilioIds.call,
      tracks: ["inbound", "outbound"],
      mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
      customParameters: {},
    },
    streamSid: twilioIds.stream,
  }));
}

const media = (track: string, chunk: number, timestamp: number, sequenceNumber: number) =>
  JSON.stringify({
    event: "media",
    sequenceNumber: String(sequenceNumber),
    media: {
      track,
      chunk: String(chunk),
      timestamp: String(timestamp),
      payload: MULAW_SILENCE_20MS,
    },
    streamSid: twilioIds.stream,
  });

function heardMs(frames: Frame[]): { ms: number; times: number[] } {
  const audio = frames.filter((frame): frame is AudioFrame => frame.type === "audio");
  return {
    ms: audio.reduce((sum, frame) => sum + frame.audio.length / 2 / 8, 0),
    times: audio.map((frame) => frame.timestampMs!),
  };
}

for (const counter of ["one counter across the tracks", "a counter per track"] as const) {
  Deno.test(`\`TwilioSerializer\` with both tracks streamed (${counter}) hears the caller's 1 s as 1 s, no silence added`, () => {
    const twilio = new TwilioSerializer();
    startBoth(twilio);
    const frames: Frame[] = [];
    let sequenceNumber = 1;
    for (let packet = 0; packet < 50; packet++) {
      const timestamp = 5 + packet * 20;
      const [outbound, inbound] = counter === "a counter per track"
        ? [packet + 1, packet + 1]
        : [2 * packet + 1, 2 * packet + 2];
      for (const [track, chunk] of [["outbound", outbound], ["inbound", inbound]] as const) {
        const out = twilio.deserialize(media(track, chunk, timestamp, ++sequenceNumber));
        if (out !== null) frames.push(...[out].flat());
      }
    }
    frames.push(...twilio.finish());
    const { ms, times } = heardMs(frames);
    assert.equal(ms, 1000, "50 packets of 20 ms, no gap filled between them");
    assert.deepEqual(times, Array.from({ length: 50 }, (_, packet) => packet * 20));
  });
}

Deno.test("`TwilioSerializer` with the caller's track alone still fills a lost chunk with its 20 ms", () => {
  const twilio = new TwilioSerializer();
  setUp(twilio);
  twilio.deserialize(JSON.stringify({
    event: "start",
    start: { streamSid: twilioIds.stream, callSid: twilioIds.call, tracks: ["inbound"] },
    streamSid: twilioIds.stream,
  }));
  const frames: Frame[] = [];
  for (const chunk of [1, 2, 4, 5, 6, 7, 8]) {
    const out = twilio.deserialize(media("inbound", chunk, (chunk - 1) * 20, chunk + 1));
    if (out !== null) frames.push(...[out].flat());
  }
  frames.push(...twilio.finish());
  assert.equal(heardMs(frames).ms, 160, "seven packets and the lost one's silence");
});
