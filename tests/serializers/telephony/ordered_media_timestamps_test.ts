// `AudioFrame.timestampMs` is "ms since the stream began" (src/frames.ts): never negative, never
// non-finite, and moving forward. The providers' `media.timestamp` is what it is taken from:
// Twilio, Media Streams - WebSocket Messages, "Media message": `timestamp` is the "presentation
// timestamp in milliseconds from the start of the stream"; Telnyx, "Stream call media over
// WebSocket": "Media frame order is not guaranteed. Use media.chunk, media.timestamp, and
// sequence_number to order frames"; PROTOCOLS.md, "Twilio Media Streams" and "Telnyx media
// streaming" (`media {media:{track, chunk, timestamp, payload}}`).
import assert from "node:assert/strict";
import { FakeClock, MemorySocketPair } from "../../../src/testing/mod.ts";
import { WebSocketTransport } from "../../../src/transport.ts";
import { TwilioSerializer } from "../../../src/serializers/twilio.ts";
import { TelnyxSerializer } from "../../../src/serializers/telnyx.ts";
import type { AudioFrame } from "../../../src/frames.ts";
import type { FrameSerializer } from "../../../src/serializer.ts";

const SID = "MZ18ad3ab5a668481ce02b83e7395059f0";
const TELNYX_STREAM = "32DE0DEA-53CB-4B21-89A4-9E1819C043BC";
const SILENCE_20MS = btoa(String.fromCharCode(...new Uint8Array(160).fill(0xff)));

function twilioMedia(seq: number, chunk: number, timestamp: string | number): string {
  return JSON.stringify({
    event: "media",
    sequenceNumber: String(seq),
    streamSid: SID,
    media: {
      track: "inbound",
      chunk: String(chunk),
      timestamp: String(timestamp),
      payload: SILENCE_20MS,
    },
  });
}

const TWILIO_START = JSON.stringify({
  event: "start",
  sequenceNumber: "1",
  streamSid: SID,
  start: {
    streamSid: SID,
    callSid: "CA1",
    accountSid: "AC1",
    tracks: ["inbound"],
    mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
  },
});

/** Sends `messages`, 20 ms apart; the audio frames' timestampMs and the transport's stats. */
async function session(serializer: FrameSerializer, messages: string[]) {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    serializer,
    audioIn: { sampleRate: 8000 },
    clock,
  });
  const stamps: (number | undefined)[] = [];
  const errors: string[] = [];
  transport.receive((f) => f.type === "audio" && stamps.push((f as AudioFrame).timestampMs));
  transport.addEventListener("error", (e) => errors.push(e.error.message));
  for (const message of messages) {
    client.send(message);
    await clock.tick(20);
  }
  await clock.tick(1000);
  const stats = { ...transport.stats };
  await transport.close();
  await clock.runAll();
  return { stamps, stats, errors };
}

Deno.test("Telnyx: after a resync from an absurd first media, timestampMs goes on from where delivery was, never negative", async () => {
  const media = (seq: number, chunk: number) =>
    JSON.stringify({
      event: "media",
      sequence_number: String(seq),
      stream_id: TELNYX_STREAM,
      media: {
        track: "inbound",
        chunk: String(chunk),
        timestamp: String((chunk - 1) * 20),
        payload: btoa(String.fromCharCode(...new Uint8Array(160).fill(0xd5))),
      },
    });
  const start = JSON.stringify({
    event: "start",
    sequence_number: "1",
    stream_id: TELNYX_STREAM,
    start: {
      call_control_id: "c1",
      media_format: { encoding: "PCMA", sample_rate: 8000, channels: 1 },
    },
  });
  const messages = [start, media(100_002, 100_001)];
  for (let chunk = 1; chunk <= 6; chunk++) messages.push(media(chunk + 1, chunk));
  const { stamps, stats } = await session(new TelnyxSerializer(), messages);
  assert.equal(stats.inboundMediaResyncs, 1);
  assert.deepEqual(stamps, [0, 20, 40, 60, 80, 100, 120]);
});

Deno.test("Twilio: a resync mid-stream re-anchors the media clock where delivery stands", async () => {
  const { stamps, stats } = await session(new TwilioSerializer(), [
    TWILIO_START,
    twilioMedia(2, 1, 0),
    twilioMedia(3, 2, 20),
    twilioMedia(4, 3, 40),
    // The numbering and the clock moved (a restart on the provider's side): both far away.
    twilioMedia(5, 900_001, 7_000_000),
    twilioMedia(6, 900_002, 7_000_020),
    twilioMedia(7, 900_003, 7_000_040),
  ]);
  assert.equal(stats.inboundMediaResyncs, 1);
  assert.deepEqual(stamps, [0, 20, 40, 60, 80, 100]);
});

Deno.test("Twilio: a media timestamp before the stream began, or absurd, is ignored and counted; the frame is timed by its sequence", async () => {
  const { stamps, stats, errors } = await session(new TwilioSerializer(), [
    TWILIO_START,
    twilioMedia(2, 1, "100"),
    twilioMedia(3, 2, "0"), // before the first media: before the stream began
    twilioMedia(4, 3, -1e308), // absurd, yet a finite number
    twilioMedia(5, 4, "160"),
    twilioMedia(6, 5, -2147483648),
    twilioMedia(7, 6, 9007199254740991), // far ahead of the stream
    twilioMedia(8, 7, "220"),
  ]);
  assert.deepEqual(stamps, [0, 20, 40, 60, 80, 100, 120]);
  assert.equal(stats.decodeErrors, 4);
  assert.equal(stats.messagesIn, 8);
  assert.equal(errors.length, 4);
  assert.match(errors[0]!, /^Twilio: media timestamp 0 is before the stream began/);
});

// A provider's media time may be its receipt time, which jitters: a little early is taken as it is.
Deno.test("Twilio: a media timestamp a little earlier than where delivery stands is taken, no error", async () => {
  const { stamps, stats, errors } = await session(new TwilioSerializer(), [
    TWILIO_START,
    twilioMedia(2, 1, "5"),
    twilioMedia(3, 2, "25"),
    twilioMedia(4, 3, "38"), // 7 ms early
    twilioMedia(5, 4, "41"), // a burst after a hiccup: 17 ms early
    twilioMedia(6, 5, "85"),
  ]);
  assert.deepEqual(stamps, [0, 20, 33, 36, 80]);
  assert.equal(stats.decodeErrors, 0);
  assert.deepEqual(errors, []);
});

Deno.test("Twilio: timestamps that agree with the sequence, across a filled gap, are taken as they are", async () => {
  const { stamps, stats } = await session(new TwilioSerializer(), [
    TWILIO_START,
    twilioMedia(2, 1, 1000),
    twilioMedia(3, 2, 1020),
    // chunk 3 lost
    twilioMedia(5, 4, 1060),
    twilioMedia(6, 5, 1080),
    twilioMedia(7, 6, 1100),
    twilioMedia(8, 7, 1120),
  ]);
  assert.equal(stats.decodeErrors, 0);
  assert.equal(stats.inboundMediaGapsFilled, 1);
  assert.deepEqual(stamps, [0, 20, 40, 60, 80, 100, 120]); // 40: the gap's silence
});

Deno.test("Twilio: a provider clock that moves, two timestamps in a row off by the same amount, is re-anchored after one error", async () => {
  const { stamps, stats } = await session(new TwilioSerializer(), [
    TWILIO_START,
    twilioMedia(2, 1, 0),
    twilioMedia(3, 2, 20),
    twilioMedia(4, 3, 100_040),
    twilioMedia(5, 4, 100_060),
    twilioMedia(6, 5, 100_080),
  ]);
  assert.equal(stats.decodeErrors, 1);
  assert.deepEqual(stamps, [0, 20, 40, 60, 80]);
});
