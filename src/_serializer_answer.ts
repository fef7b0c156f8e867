/**
 * What a serializer answers a frame with, as the outbound sender takes it: checked to be messages
 * (pure functions, no state), and the outcomes that stand in for messages where none can leave.
 *
 * @module
 */

import type { Frame } from "./frames.ts";
import type { SerializedMessage } from "./serializer.ts";
import { kindOf, withArticle } from "./_kind_of.ts";

/** What a serializer answers with, now: one message or several (no array made for one), or none. */
export type Serialized = SerializedMessage | SerializedMessage[] | null;

/** The serializer refused a frame (reported and counted). */
export const REFUSED: unique symbol = Symbol("refused");

/** The session ended before an asynchronous serializer answered: the frame is dropped. */
export const ENDED: unique symbol = Symbol("ended");

/** Stands for the frame in the report on an answer of `audioEnds`, which answers none. */
export const STRETCH_END: unique symbol = Symbol("stretch end");

/** What {@linkcode messagesIn} returns for an answer that is no message. */
export const NOT_A_MESSAGE: unique symbol = Symbol("not a message");

/** An answer as the sender acts on it: messages, or why there are none to send. */
export type Outcome = Serialized | typeof REFUSED | typeof ENDED;

/** Hands one message to the socket (the sender's `#transmit` or `#put`). */
export type Send = (message: SerializedMessage) => void;

/**
 * What a serializer answered, unless it is no message: `null`, one message, or a list of them
 * (its `null` and `undefined` items skipped: no message, as a lone `null` is; a list of none is
 * nothing to send). Anything else (a number, a plain object, an `ArrayBuffer`: a socket would
 * send their string form, or fail at its own type check) is `NOT_A_MESSAGE`, the frame's encode
 * error ({@linkcode notAMessageReport} says what it is). A list is copied only where it has gaps.
 */
export function messagesIn(result: unknown): Serialized | typeof NOT_A_MESSAGE {
  if (result === null || typeof result === "string" || result instanceof Uint8Array) {
    return result;
  }
  if (!Array.isArray(result)) return NOT_A_MESSAGE;
  let gaps = false;
  for (const item of result as unknown[]) {
    if (typeof item === "string" || item instanceof Uint8Array) continue;
    if (item !== null && item !== undefined) return NOT_A_MESSAGE;
    gaps = true;
  }
  return gaps ? result.filter((item) => item !== null && item !== undefined) : result;
}

/** Whose answer a report is on, and to what. */
export interface AnswerTo {
  /** The serializer's name (see {@linkcode serializerName}). */
  serializerName: string;
  /** The frame it answered, or `STRETCH_END` for an answer of `audioEnds`. */
  frame: Frame | typeof STRETCH_END;
}

/**
 * The report of an answer {@linkcode messagesIn} found to be no message: what it is (a list's
 * first item that is no message), and whose answer to what. Made only for the report: the check
 * itself keeps no words.
 */
export function notAMessageReport(result: unknown, { serializerName, frame }: AnswerTo): string {
  const what = Array.isArray(result)
    ? `a list holding ${kindOf((result as unknown[]).find(isNoMessage))}`
    : kindOf(result);
  const asked = frame === STRETCH_END
    ? "audioEnds answered"
    : `serialize answered ${withArticle(frame.type)} frame with`;
  return `${serializerName}: ${asked} ${what}, not a string or a Uint8Array: dropped`;
}

/** An item of a list that makes the list no message (`null` and `undefined` are gaps). */
function isNoMessage(item: unknown): boolean {
  return typeof item !== "string" && !(item instanceof Uint8Array) && item !== null &&
    item !== undefined;
}

/** A serializer's name for reports: its class's, else "serializer" (a plain object's). */
export function serializerName(serializer: object): string {
  const name = serializer.constructor?.name;
  return name === undefined || name === "" || name === "Object" ? "serializer" : name;
}

/** Whether `messages` (an answer, checked) hold a message to send: not none, nor a list of none. */
export function holdsMessages(messages: Serialized | typeof REFUSED): boolean {
  if (messages === null || messages === REFUSED) return false;
  return !Array.isArray(messages) || messages.length > 0;
}

/** The bytes of the binary (audio) messages among `messages`; 0 for no messages. */
export function audioBytesOf(messages: Serialized | symbol): number {
  if (messages instanceof Uint8Array) return messages.length;
  if (!Array.isArray(messages)) return 0;
  let bytes = 0;
  for (const message of messages) if (typeof message !== "string") bytes += message.length;
  return bytes;
}
