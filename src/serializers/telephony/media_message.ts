/**
 * {@linkcode readMediaMessage}: the audio in a provider's `media` message, with its number and
 * media time.
 *
 * @module
 */

import type { JsonReader } from "./json_reader.ts";
import type { MediaMessage } from "./ordered_media.ts";

/** Options for {@linkcode readMediaMessage}. */
export interface ReadMediaMessageOptions {
  /**
   * The `media.track` values that carry the caller's audio; media of any other track is skipped.
   * Absent: every track is taken.
   *
   * @default {undefined}
   */
  inboundTracks?: readonly string[];
}

/**
 * The `media` object of a `media` message as {@linkcode OrderedMedia} takes it (Twilio, Telnyx,
 * Plivo and Exotel all nest it so): the base64 `payload`, the per-media number `chunk` and the
 * media time `timestamp` (each optional). `null` when `media.track` names a track other than
 * `inboundTracks` (a stream of both directions also carries the call's outbound audio). A missing
 * or mistyped field is a decode error naming it.
 *
 * @example Skipping the outbound track
 * ```ts
 * import { JsonReader, readMediaMessage } from "@x/ws-transport/telephony";
 * import assert from "node:assert/strict";
 *
 * const inboundTracks = ["inbound"];
 * const caller = JsonReader.parse(
 *   '{"media":{"track":"inbound","chunk":2,"timestamp":"20","payload":"/w=="}}',
 *   "Example",
 * );
 * const bot = JsonReader.parse('{"media":{"track":"outbound","payload":"/w=="}}', "Example");
 * assert.deepEqual(readMediaMessage(caller, { inboundTracks }), {
 *   sequence: 2,
 *   timestampMs: 20,
 *   payload: "/w==",
 * });
 * assert.equal(readMediaMessage(bot, { inboundTracks }), null);
 * ```
 */
export function readMediaMessage(
  message: JsonReader,
  options: ReadMediaMessageOptions = {},
): MediaMessage | null {
  const media = message.object("media");
  const payload = media.string("payload");
  const track = media.optionalString("track");
  const tracks = options.inboundTracks;
  if (track !== undefined && tracks !== undefined && !tracks.includes(track)) return null;
  return {
    sequence: media.optionalNumber("chunk"),
    timestampMs: media.optionalNumber("timestamp"),
    payload,
  };
}
