/**
 * An `OrderedMedia` stage for a made-up provider ("Globex", 8 kHz in and out: no resampling),
 * bound to a recording context, for the reorder tests.
 *
 * @module
 */

import { OrderedMedia, TelephonyAudio } from "../../../src/serializers/telephony/mod.ts";
import type { OrderedMediaOptions } from "../../../src/serializers/telephony/ordered_media.ts";
import type { MediaReorderOutput } from "../../../src/serializers/telephony/media_reorder.ts";
import type { AudioFrame, Frame } from "../../../src/frames.ts";
import { FakeClock } from "../../../src/testing/fake_clock.ts";
import { levelledPayload, placeAndLengthOf } from "../fixtures/levelled_packets.ts";
import { recordingContext } from "../fixtures/recording_context.ts";

/** The made-up provider's audio codec, set up for 8 kHz mono both ways. */
export function globexAudio(encoding: "mulaw" | "pcm16le" = "mulaw"): TelephonyAudio {
  const audio = new TelephonyAudio({ encoding, sampleRate: 8000, provider: "Globex" });
  audio.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  return audio;
}

/** The stage, with its counts and reports. */
export function boundStage(
  options: Partial<OrderedMediaOptions> = {},
  encoding: "mulaw" | "pcm16le" = "mulaw",
) {
  const audio = globexAudio(encoding);
  const ordered = new OrderedMedia({ audio, provider: "Globex", ...options });
  const { context, counted: counts, reported } = recordingContext();
  ordered.bind(context);
  return { ordered, counts, reported };
}

/** The epoch ms the stamps of {@linkcode playedByTimestamp} count from. */
export const STAMP_EPOCH_MS = 1705312200000;

/** A caller's packet of a both-tracks stream: its number, its stamp in ms from the epoch, its length. */
export interface StampedPacket {
  packet: number;
  stampMs: number;
  /** @default {20} */
  lengthMs?: number;
}

/**
 * `packets`, in the order given, on a stage ordered by timestamp: the caller's track of a
 * both-tracks stream, each packet on the chunk after the other track's (one counter across both
 * tracks, as Twilio's and Plivo's), its audio at its own level (`levelledPayload`). The frames
 * the stage hands on, its flush's included, and its counts.
 */
export function playedByTimestamp(packets: Iterable<StampedPacket>) {
  const { ordered, counts } = boundStage({ orderBy: "timestamp" });
  const frames: AudioFrame[] = [];
  for (const { packet, stampMs, lengthMs = 20 } of packets) {
    frames.push(...ordered.push({
      sequence: 2 * packet + 2,
      timestampMs: STAMP_EPOCH_MS + stampMs,
      payload: levelledPayload(packet, lengthMs),
    }));
  }
  frames.push(...ordered.flush());
  return { frames, counts };
}

/**
 * Packets `0..count-1` played in order (see {@linkcode playedByTimestamp}), packet `n` stamped
 * `stampOf(n)` ms from the epoch; each frame out as "time:packet", or "time:-" for silence filled,
 * with its length in ms when not 20.
 */
export function heardByStamp(count: number, stampOf: (packet: number) => number) {
  const played = Array.from({ length: count }, (_, packet) => ({
    packet,
    stampMs: stampOf(packet),
  }));
  const { frames, counts } = playedByTimestamp(played);
  return { out: frames.map(placeAndLengthOf), counts };
}

/**
 * Plays `sent` ("packet@stamp", or "packet@stamp/lengthMs" for another length than 20 ms; the
 * stamp in ms from the epoch the fixture counts from) as the caller's packets, in order, each on
 * the chunk after the other track's (see {@linkcode playedByTimestamp}); each frame out as
 * "time:packet", or "time:-" for silence filled, with its length in ms when not 20.
 */
export function heardAsSent(sent: string) {
  const played = sent.split(" ").map((entry) => {
    const [packet, stampMs, lengthMs = 20] = entry.split(/[@/]/).map(Number);
    return { packet: packet!, stampMs: stampMs!, lengthMs };
  });
  const { frames, counts } = playedByTimestamp(played);
  return { out: frames.map(placeAndLengthOf), counts };
}

/** The silence filled between packet `from` and packet `to` in `out` (as above), in ms. */
export function silenceBetween(out: string[], from: number, to: number): number {
  const at = (packet: number) =>
    out.findIndex((frame) => new RegExp(`:${packet}(\\(|$)`).test(frame));
  return out.slice(at(from) + 1, at(to)).filter((frame) => frame.includes(":-")).reduce(
    (sum, frame) => sum + (Number(/\(([\d.]+)\)/.exec(frame)?.[1]) || 20),
    0,
  );
}

/**
 * The stage on a fake clock, for the wall-time bound's tests: `handedOn` collects the frames it
 * hands on between messages (`SerializerContext.inboundFrames`), `counted` its counts.
 */
export function clockedStage(encoding: "mulaw" | "pcm16le" = "mulaw") {
  const clock = new FakeClock();
  const handedOn: Frame[][] = [];
  const { context, counted } = recordingContext({
    clock,
    inboundFrames: (frames) => void handedOn.push(frames),
  });
  const ordered = new OrderedMedia({ audio: globexAudio(encoding), provider: "Globex" });
  ordered.bind(context);
  return { clock, handedOn, counted, ordered };
}

/** What a `MediaReorder<number>` delivered: a packet by its payload, a gap by its length and count. */
export type ReorderEvent = { packet: number } | { gap: number; packets: number };

/** An output for a `MediaReorder<number>` that records what it is given, in order, in `events`. */
export function recordedReorderOutput(): {
  events: ReorderEvent[];
  output: MediaReorderOutput<number>;
} {
  const events: ReorderEvent[] = [];
  const output: MediaReorderOutput<number> = {
    packet: (packet) => events.push({ packet: packet.payload }),
    gap: (gap) => events.push({ gap: gap.durationMs, packets: gap.packets }),
  };
  return { events, output };
}
