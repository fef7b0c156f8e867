/**
 * The keypad's digits, defined once for every serializer that reads or writes them.
 *
 * @module
 */

import { TransportError } from "./errors.ts";

/**
 * The sixteen keys of the DTMF keypad (ITU-T Q.23: four rows by four columns): "0"-"9", "*", "#"
 * and "A"-"D". A `dtmf` frame's `digit` is one of them, upper case.
 */
const KEYPAD_DIGITS: ReadonlySet<string> = new Set("0123456789*#ABCD");

/** The twelve of them on a telephone: see {@linkcode isPhoneDigit}. */
const PHONE_DIGITS: ReadonlySet<string> = new Set("0123456789*#");

/**
 * Whether `digit` is one key of the DTMF keypad, as a `dtmf` frame spells it: "0"-"9", "*", "#",
 * "A"-"D", one character, upper case (a reader of a provider's spellings normalizes first).
 */
export function isKeypadDigit(digit: string): boolean {
  return KEYPAD_DIGITS.has(digit);
}

/**
 * Whether `digit` is one of the twelve keys of a telephone's keypad ("0"-"9", "*", "#"): the
 * fourth column, "A"-"D", is on no ordinary phone, and the platforms that play digits into a
 * call document these twelve (Twilio's `sendDigits`, jambonz's `dtmf` verb) or none more. A
 * caller's equipment may still send us a letter; a serializer refuses to have one played.
 */
export function isPhoneDigit(digit: string): boolean {
  return PHONE_DIGITS.has(digit);
}

/**
 * `digit`, where it is one of the telephone's twelve ({@linkcode isPhoneDigit}), for `command` of
 * `provider` to play into the call; else a `TransportError("encode")` naming both (the transport
 * counts it in `encodeErrors`, reports it, and the session goes on).
 */
export function phoneDigit(provider: string, command: string, digit: string): string {
  if (isPhoneDigit(digit)) return digit;
  throw new TransportError(
    "encode",
    `${provider}: a dtmf frame's digit ${
      JSON.stringify(digit)
    } cannot be sent: ${command} plays 0-9, * and # only`,
  );
}
