/**
 * A Twilio media payload the tests' bots send: `ms` of a 440 Hz tone at 8 kHz, μ-law, base64 (as
 * Twilio's Media Streams "media" message carries it), loud enough for the caller's detector.
 *
 * @module
 */

import { mulawEncode } from "../../src/audio/g711.ts";

/** `ms` of a 440 Hz tone, 8 kHz μ-law, base64. */
export function tonePayload(ms: number): string {
  const s = new Int16Array(8 * ms);
  for (let i = 0; i < s.length; i++) {
    s[i] = Math.round(9000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
  }
  return btoa(String.fromCharCode(...mulawEncode(s)));
}
