// Jittered media times on a stream ordered by them. A Plivo far end as its "Stream Event Protocol"
// page shows it (plivo.com/docs/voice/audio-streaming/audio-streaming: "start" with `start.tracks`
// ["inbound", "outbound"], as `<Stream audioTrack="both">` makes it; "media" with `media.track`,
// `media.chunk` and `media.timestamp` in epoch ms): with both tracks the caller's packets are put
// in order by `media.timestamp`. Plivo stamps by its wall clock, so 20 ms packets are stamped a
// few ms off their time: here each within 6 ms of it (0, 6 early, 6 late, over again), well inside
// the half a packet (10 ms) that counts as in its place. Nothing is lost, so nothing is filled:
// the caller's second comes out as one second, its frames back to back.
import assert from "node:assert/strict";
import type { AudioFrame, Frame } from "../../mod.ts";
import { mulawDecode } from "../../src/audio/g711.ts";
import { OrderedMedia } from "../../src/serializers/telephony/ordered_media.ts";
import { levelCodeOf, levelledPayload } from "./fixtures/levelled_packets.ts";
import {
  bothTracksMedia,
  PLIVO_EPOCH_MS,
  startedBothTracks,
} from "./fixtures/plivo_both_tracks_call.ts";
import { recordingContext } from "./fixtures/recording_context.ts";
import { globexAudio } from "./telephony/_ordered_media_stage.ts";

/** Each packet's stamp less its true time, in turn: within 6 ms, under a third of a packet. */
const JITTER_MS = [0, -6, 6];

const stampOf = (packet: number) => PLIVO_EPOCH_MS + 20 * packet + JITTER_MS[packet % 3]!;

function audioOf(frames: Frame[]): AudioFrame[] {
  return frames.filter((frame): frame is AudioFrame => frame.type === "audio");
}

Deno.test("`PlivoSerializer` with both tracks streamed fills no silence between packets whose stamps jitter within half a packet", () => {
  const { plivo, counted } = startedBothTracks();
  const frames: Frame[] = [];
  let sequenceNumber = 1;
  for (let packet = 0; packet < 50; packet++) {
    // One chunk counter across the tracks: the bot's packet, then the caller's.
    for (const track of ["outbound", "inbound"] as const) {
      sequenceNumber++;
      const out = plivo.deserialize(
        bothTracksMedia(
          sequenceNumber,
          track,
          sequenceNumber - 1,
          stampOf(packet),
          levelledPayload(packet),
        ),
      );
      if (out !== null) frames.push(...[out].flat());
    }
  }
  frames.push(...plivo.finish());
  const audio = audioOf(frames);
  // Was: 1,192 ms, 16 gaps of 12 ms filled (one every third packet), counted as losses.
  assert.equal(audio.reduce((ms, frame) => ms + frame.audio.length / 2 / 8, 0), 1000);
  assert.equal(counted.inboundMediaGapsFilled, undefined, "no gap filled");
  assert.equal(counted.inboundMediaDuplicates, undefined, "no packet dropped");
  // Every packet's audio, in order, nothing between (frames carry 16-bit PCM at 8 kHz).
  const samples = audio.map((frame) => new Int16Array(frame.audio.slice().buffer)[0]);
  assert.deepEqual(
    samples,
    Array.from(
      { length: 50 },
      (_, packet) => mulawDecode(new Uint8Array([levelCodeOf(packet)]))[0],
    ),
  );
  assert.deepEqual(
    audio.map((frame) => frame.timestampMs),
    Array.from({ length: 50 }, (_, packet) => packet * 20),
    "back to back: each frame where the one before ends",
  );
});

Deno.test("`OrderedMedia` by timestamp keeps a jittered stream's timeline, and still fills a real loss", () => {
  const ordered = new OrderedMedia({
    audio: globexAudio(),
    provider: "Globex",
    orderBy: "timestamp",
  });
  const { context, counted } = recordingContext();
  ordered.bind(context);
  const frames: Frame[] = [];
  for (let packet = 0; packet < 30; packet++) {
    if (packet === 20) continue; // lost
    frames.push(...ordered.push({
      sequence: packet + 1,
      timestampMs: stampOf(packet),
      payload: levelledPayload(packet),
    }));
  }
  frames.push(...ordered.flush());
  const audio = audioOf(frames);
  assert.equal(audio.reduce((ms, frame) => ms + frame.audio.length / 2 / 8, 0), 600);
  assert.equal(counted.inboundMediaGapsFilled, 1, "the lost packet alone");
  assert.equal(counted.inboundMediaGapMs, 20, "filled with its own 20 ms");
  // The packets' frames where each belongs, the silence's frame between 19 and 21.
  const times = audio.map((frame) => frame.timestampMs);
  assert.deepEqual(times, Array.from({ length: 30 }, (_, packet) => packet * 20));
});

Deno.test("`PlivoSerializer` with both tracks streamed places a burst stamped alike after one bogus chunk number", () => {
  // Chunk 10^12 once, mid-stream (its audio and stamp are right); later two packets sent together
  // carry one stamp, as a sender stamping by its wall clock stamps a burst. Each is a new chunk:
  // neither is a duplicate, and no silence goes between.
  const { plivo, counted } = startedBothTracks();
  const frames: Frame[] = [];
  const stamps = Array.from({ length: 40 }, (_, packet) => PLIVO_EPOCH_MS + 20 * packet);
  stamps[31] = stamps[30]!; // packets 30 and 31: a burst stamped alike
  stamps.forEach((stampMs, packet) => {
    const chunk = packet === 10 ? 1e12 : packet + 1;
    const out = plivo.deserialize(
      bothTracksMedia(packet + 2, "inbound", chunk, stampMs, levelledPayload(packet)),
    );
    if (out !== null) frames.push(...[out].flat());
  });
  frames.push(...plivo.finish());
  const audio = audioOf(frames);
  // Was: packet 31 dropped as a duplicate of 30, its 20 ms filled with silence after 32 came.
  assert.equal(counted.inboundMediaDuplicates, undefined, "no packet dropped");
  assert.equal(counted.inboundMediaGapsFilled, undefined, "no gap filled");
  const samples = audio.map((frame) => new Int16Array(frame.audio.slice().buffer)[0]);
  assert.deepEqual(
    samples,
    Array.from(
      { length: 40 },
      (_, packet) => mulawDecode(new Uint8Array([levelCodeOf(packet)]))[0],
    ),
  );
});
