/**
 * {@linkcode inboundOrderOf}: what a stream's inbound media is put in order by, from the tracks
 * its start message announces; {@linkcode stageForStart}, the serializer's stage made to match.
 *
 * @module
 */

import type { JsonReader } from "./json_reader.ts";
import type { OrderedMedia } from "./ordered_media.ts";

/**
 * `"sequence"` (`media.chunk`) while the start announces the caller's track alone (or no
 * `tracks`); `"timestamp"` (`media.timestamp`) once it announces another track too. Twilio's
 * "Media Streams - WebSocket Messages" (Media message) shows one `chunk` counter across the
 * tracks (outbound chunk "1", then inbound chunk "2", both at timestamp "5"): with the other
 * track's numbers skipped, every caller packet would follow a hole and be padded with as much
 * silence, doubling the call's audio. The media time is the track's own whichever way the chunks
 * count, so it orders the caller's track either way. A `tracks` that is no list of strings is not
 * read: it names nothing to order by otherwise.
 */
export function inboundOrderOf(
  start: JsonReader,
  inboundTracks: readonly string[],
): "sequence" | "timestamp" {
  const tracks: unknown = start.value.tracks;
  if (!Array.isArray(tracks)) return "sequence";
  const other = tracks.some((track) => typeof track === "string" && !inboundTracks.includes(track));
  return other ? "timestamp" : "sequence";
}

/**
 * The stage for the stream `start` begins: `media` itself while it orders as the start asks
 * (see {@linkcode inboundOrderOf}), else a new one ordering the other way. Called inside the
 * serializer's `restart`, once the old stage has handed on what it held: the new one starts empty.
 */
export function stageForStart(
  start: JsonReader,
  inboundTracks: readonly string[],
  media: OrderedMedia,
): OrderedMedia {
  const orderBy = inboundOrderOf(start, inboundTracks);
  return orderBy === media.orderBy ? media : media.orderingBy(orderBy);
}
