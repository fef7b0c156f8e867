import assert from "node:assert/strict";
import type { AudioFrame, Frame } from "../../mod.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { MULAW_SILENCE_20MS, twilioIds, twilioStart } from "./fixtures/twilio_call.ts";
import { NARROWBAND_SETUP } from "./fixtures/narrowband_call.ts";

// A stream of both tracks, built from Twilio's "Media Streams - WebSocket Messages"
// (twilio.com/docs/voice/media-streams/websocket-messages): the Start message's `start.tracks`
// "indicate which media flows are expected in subsequent messages. Values include inbound,
// outbound"; the Media message's `media.track` is "One of inbound or outbound", `media.chunk`
// begins with 1 "and increment[s] with each subsequent message", and its examples number the
// tracks with one counter: outbound chunk "1" (sequenceNumber 3), then inbound chunk "2"
// (sequenceNumber 4), both at timestamp "5".

function startBoth(twilio: TwilioSerializer): void {
  twilio.setup(NARROWBAND_SETUP);
  twilio.deserialize(twilioStart({
    tracks: ["inbound", "outbound"],
    mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
  }));
}

const media = (
  track: string,
  chunk: number,
  timestamp: number,
  sequenceNumber: number,
  payload = MULAW_SILENCE_20MS,
) =>
  JSON.stringify({
    event: "media",
    sequenceNumber: String(sequenceNumber),
    media: {
      track,
      chunk: String(chunk),
      timestamp: String(timestamp),
      payload,
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
  twilio.setup(NARROWBAND_SETUP);
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

Deno.test("`TwilioSerializer` orders by chunk again once a new start names the caller's track alone", () => {
  // Both tracks, then a second stream of the caller's track alone (Twilio's Start message: a new
  // stream's `start.tracks`), whose media times jitter by half a packet (one 10 ms late): by chunk
  // its 200 ms come out whole; by media time the late one would be taken for a hole and a packet
  // overlapping it for a duplicate.
  const twilio = new TwilioSerializer();
  startBoth(twilio);
  const frames: Frame[] = [];
  const take = (out: Frame | Frame[] | null) => {
    if (out !== null) frames.push(...[out].flat());
  };
  for (let packet = 0; packet < 10; packet++) {
    take(twilio.deserialize(media("inbound", 2 * packet + 2, 20 * packet, packet + 2)));
  }
  take(twilio.deserialize(JSON.stringify({
    event: "start",
    start: { streamSid: twilioIds.stream, callSid: twilioIds.call, tracks: ["inbound"] },
    streamSid: twilioIds.stream,
  })));
  [0, 20, 40, 70, 80, 100, 120, 140, 160, 180].forEach((timestamp, packet) =>
    take(twilio.deserialize(media("inbound", packet + 1, timestamp, packet + 20)))
  );
  frames.push(...twilio.finish());
  const audio = frames.filter((frame): frame is AudioFrame => frame.type === "audio");
  // 20 packets of 20 ms (320 bytes at 8 kHz), no silence filled in and none dropped.
  assert.deepEqual(audio.map((frame) => frame.audio.length), new Array(20).fill(320));
});

/** 20 ms of μ-law 0x00, the loudest negative sample: told apart from silence filled in. */
const LOUD_20MS = btoa(String.fromCharCode(...new Uint8Array(160)));

/**
 * The caller's packets of a both-tracks stream (chunks 2, 4, …: one counter), loud, stamped
 * `times`: what comes out, as "audio" or "silence" and its ms.
 */
function callerStamped(times: number[]): string[] {
  const twilio = new TwilioSerializer();
  startBoth(twilio);
  const frames: Frame[] = [];
  times.forEach((timestamp, packet) => {
    const out = twilio.deserialize(
      media("inbound", 2 * packet + 2, timestamp, packet + 2, LOUD_20MS),
    );
    if (out !== null) frames.push(...[out].flat());
  });
  frames.push(...twilio.finish());
  return frames.filter((frame): frame is AudioFrame => frame.type === "audio").map((frame) =>
    `${frame.audio.some((byte) => byte !== 0) ? "audio" : "silence"} ${frame.audio.length / 16}`
  );
}

Deno.test("`TwilioSerializer` with both tracks loses no packet stamped as the one before it", () => {
  // The fourth packet (chunk 8) stamped 40 like the third (chunk 6), as a sender stamping by its
  // clock stamps a burst: a new chunk, so no duplicate, and no hole behind it to fill.
  assert.deepEqual(
    callerStamped([0, 20, 40, 40, 80, 100, 120, 140, 160, 180]),
    new Array(10).fill("audio 20"),
  );
});

Deno.test("`TwilioSerializer` with both tracks loses no packet after one stamped half a packet late", () => {
  // The fourth packet stamped 70 rather than 60: the 10 ms before it are filled (a loss cannot be
  // told from jitter ahead), and the packet stamped 80, which overlaps it, follows it, not dropped.
  const heard = callerStamped([0, 20, 40, 70, 80, 100, 120, 140, 160, 180]);
  assert.deepEqual(heard, [
    ...new Array(3).fill("audio 20"),
    "silence 10",
    ...new Array(7).fill("audio 20"),
  ]);
});
