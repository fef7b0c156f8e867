/**
 * {@linkcode readMediaPayload}: the audio in a provider's `media` message.
 *
 * @module
 */

import type { JsonReader } from "./json_reader.ts";

/** Options for {@linkcode readMediaPayload}. */
export interface ReadMediaPayloadOptions {
  /**
   * The `media.track` values that carry the caller's audio; media of any other track is skipped.
   * Absent: every track is taken.
   *
   * @default {undefined}
   */
  inboundTracks?: readonly string[];
}

/**
 * The base64 `media.payload` of a `media` message (Twilio, Telnyx, Plivo and Exotel all nest it
 * so), or `null` when `media.track` names a track other than `inboundTracks` (a stream of both
 * directions also carries the call's outbound audio). A missing or mistyped field is a decode
 * error naming it.
 *
 * @example Skipping the outbound track
 * ```ts
 * import { JsonReader, readMediaPayload } from "@x/ws-transport/telephony";
 * import assert from "node:assert/strict";
 *
 * const inboundTracks = ["inbound"];
 * const caller = JsonReader.parse('{"media":{"track":"inbound","payload":"/w=="}}', "Example");
 * const bot = JsonReader.parse('{"media":{"track":"outbound","payload":"/w=="}}', "Example");
 * assert.equal(readMediaPayload(caller, { inboundTracks }), "/w==");
 * assert.equal(readMediaPayload(bot, { inboundTracks }), null);
 * ```
 */
export function readMediaPayload(
  message: JsonReader,
  options: ReadMediaPayloadOptions = {},
): string | null {
  const media = message.object("media");
  const payload = media.string("payload");
  const track = media.optionalString("track");
  const tracks = options.inboundTracks;
  return track !== undefined && tracks !== undefined && !tracks.includes(track) ? null : payload;
}
