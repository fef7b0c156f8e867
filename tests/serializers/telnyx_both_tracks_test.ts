import assert from "node:assert/strict";
import type { AudioFrame, Frame } from "../../mod.ts";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import { telnyxIds, telnyxStart } from "./fixtures/telnyx_call.ts";
import { NARROWBAND_SETUP } from "./fixtures/narrowband_call.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

// A stream of both tracks, built from Telnyx's docs. "Media Streaming" (developers.telnyx.com/docs/
// voice/programmable-voice/media-streaming): `stream_track` is `inbound_track` (the default),
// `outbound_track` or `both_tracks`. "Stream call media over WebSocket" (developers.telnyx.com/
// api-reference/websockets/stream-call-media-over-websocket): Telnyx "sends media frames ... for
// the requested track or tracks"; its start frame (example: sequence_number "1", stream_id,
// start.call_control_id, start.media_format PCMU 8000 1) names no tracks; "Ordering: Media frame
// order is not guaranteed. Use media.chunk, media.timestamp, and sequence_number to order frames";
// its media frame carries media.track, media.chunk, media.timestamp and media.payload. Whether
// `chunk` counts the two tracks as one (as Twilio's does) or apart, it does not say: both are
// played here, and either way the caller's 1 s must come out as 1 s.

const PCMU_SILENCE_20MS = btoa(String.fromCharCode(...new Uint8Array(160).fill(0xff)));

function started(): TelnyxSerializer {
  const telnyx = new TelnyxSerializer();
  telnyx.setup(NARROWBAND_SETUP);
  telnyx.deserialize(telnyxStart());
  return telnyx;
}

const media = (track: string, chunk: number, timestamp: number, sequenceNumber: number) =>
  JSON.stringify({
    event: "media",
    sequence_number: String(sequenceNumber),
    media: {
      track,
      chunk: String(chunk),
      timestamp: String(timestamp),
      payload: PCMU_SILENCE_20MS,
    },
    stream_id: telnyxIds.stream,
  });

function heard(frames: Frame[]): { ms: number; times: number[] } {
  const audio = frames.filter((frame): frame is AudioFrame => frame.type === "audio");
  return {
    ms: audio.reduce((sum, frame) => sum + frame.audio.length / 2 / 8, 0),
    times: audio.map((frame) => frame.timestampMs!),
  };
}

const cases = [
  ["one counter across the tracks, the caller's first", "shared", "inbound"],
  ["one counter across the tracks, the bot's first", "shared", "outbound"],
  ["a counter per track", "per track", "inbound"],
] as const;

for (const [name, counter, first] of cases) {
  Deno.test(`\`TelnyxSerializer\` with both tracks streamed (${name}) hears the caller's 1 s as 1 s, no silence added`, () => {
    const telnyx = started();
    const { context, counted } = recordingContext();
    telnyx.bind(context);
    const frames: Frame[] = [];
    let sequenceNumber = 1;
    for (let packet = 0; packet < 50; packet++) {
      const timestamp = 5 + packet * 20;
      const order = first === "inbound" ? ["inbound", "outbound"] : ["outbound", "inbound"];
      order.forEach((track, index) => {
        const chunk = counter === "shared" ? 2 * packet + 1 + index : packet + 1;
        const out = telnyx.deserialize(media(track, chunk, timestamp, ++sequenceNumber));
        if (out !== null) frames.push(...[out].flat());
      });
    }
    frames.push(...telnyx.finish());
    const { ms, times } = heard(frames);
    assert.equal(ms, 1000, "50 packets of 20 ms, no gap filled between them");
    assert.deepEqual(times, Array.from({ length: 50 }, (_, packet) => packet * 20));
    assert.equal(counted.inboundMediaGapsFilled, undefined);
  });
}

Deno.test("`TelnyxSerializer` with the caller's track alone still fills a lost chunk with its 20 ms", () => {
  const telnyx = started();
  const frames: Frame[] = [];
  for (const chunk of [1, 2, 4, 5, 6, 7, 8]) {
    const out = telnyx.deserialize(media("inbound", chunk, (chunk - 1) * 20, chunk + 1));
    if (out !== null) frames.push(...[out].flat());
  }
  frames.push(...telnyx.finish());
  assert.equal(heard(frames).ms, 160, "seven packets and the lost one's silence");
});

Deno.test("`TelnyxSerializer` orders by chunk again on a new start, until it too shows the other track", () => {
  // Both tracks, then a second stream of the caller's track alone whose media times jitter by
  // half a packet (one 10 ms late): by chunk its 200 ms come out whole; by media time the late
  // one would be taken for a hole and the packet overlapping it for a duplicate.
  const telnyx = started();
  const frames: Frame[] = [];
  const take = (out: Frame | Frame[] | null) => {
    if (out !== null) frames.push(...[out].flat());
  };
  for (let packet = 0; packet < 10; packet++) {
    take(telnyx.deserialize(media("outbound", 2 * packet + 1, 20 * packet, 2 * packet + 2)));
    take(telnyx.deserialize(media("inbound", 2 * packet + 2, 20 * packet, 2 * packet + 3)));
  }
  take(telnyx.deserialize(telnyxStart()));
  [0, 20, 40, 70, 80, 100, 120, 140, 160, 180].forEach((timestamp, packet) =>
    take(telnyx.deserialize(media("inbound", packet + 1, timestamp, packet + 30)))
  );
  take(telnyx.finish());
  assert.equal(heard(frames).ms, 400, "both streams' 200 ms, nothing added, nothing dropped");
});
