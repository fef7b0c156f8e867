/**
 * Which marks may fall in the middle of speech, where a serializer that holds back a partial
 * frame must not pad it with silence.
 *
 * @module
 */

import { PLAYOUT_END_MARK_PREFIX, PLAYOUT_MARK_PREFIX } from "../playback.ts";

/**
 * Whether `name` is one of the transport's own playout marks sent while audio goes on (every
 * 250 ms to 1 s, and at a response's start), not its end-of-speech mark: a bot's own marks and
 * end marks follow a reply's audio.
 */
export function isMidSpeechMark(name: string): boolean {
  return name.startsWith(PLAYOUT_MARK_PREFIX) && !name.startsWith(PLAYOUT_END_MARK_PREFIX);
}
