/**
 * Which marks may fall in the middle of speech, where a serializer that holds back a partial
 * frame must not pad it with silence.
 *
 * @module
 */

import { PLAYOUT_END_MARK_PREFIX, PLAYOUT_MARK_PREFIX } from "../playback.ts";

/**
 * Whether `name` is one of the transport's own playout marks sent while audio goes on (every
 * 250 ms to 1 s, and at a response's start), not its end-of-speech mark. The serializers that
 * hold back part of one 20 ms frame (Asterisk, Vonage) pad it after every other mark, a bot's own
 * included: a bot marking each sentence gets at most part of a frame of silence there, the price
 * of a reply's end that plays at once. mod_audio_fork holds up to an 80 ms batch, too much to put
 * into speech: its serializers pad after end marks only (`_audio_fork.ts`).
 */
export function isMidSpeechMark(name: string): boolean {
  return name.startsWith(PLAYOUT_MARK_PREFIX) && !name.startsWith(PLAYOUT_END_MARK_PREFIX);
}
