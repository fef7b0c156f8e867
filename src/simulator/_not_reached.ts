/**
 * The caller's utterances a call never reached: its audio held them, but the bot ended the call
 * (or made the platform end it, by breaking one of its rules) before the caller got to say them. The report's `utterances` are what the caller said; without
 * these, a bot that closes the socket at once had "0/0 answered", nothing left unanswered, and
 * passed `--require-answer` for never letting the caller ask. (Which utterances those are is
 * found as for every reason the caller stopped: `_unsaid_utterances.ts`.)
 *
 * @module
 */

import type { CallEnding } from "./report.ts";

/**
 * Whether the bot's side ended the call: it closed the socket (any code: 1000, 1005 and 4xxx
 * alike), ended it within the protocol (a Genesys `disconnect`, a ConversationRelay `end`), or
 * its connection dropped; or the platform hung up on a rule the bot broke (`brokenRule`: Asterisk
 * on an oversized message): the caller's side ended that call, but the bot made it, as surely as
 * by closing the socket. Not the caller's hang-up (`hangUpAtMs`: what it left unsaid, it chose
 * to) nor the call's bound (`maxDurationMs`, the caller's setting): those are the report's
 * `leftUnsaid` (`_left_unsaid.ts`); nor a failure to connect or the
 * caller's own audio failing (`error`), nor an abort.
 */
export function endedByBotSide(ended: CallEnding): boolean {
  return ended.by === "bot" || ended.by === "network" ||
    ended.by === "caller" && ended.brokenRule !== undefined;
}

/**
 * Which of the bot's side ended the call: the bot itself, its connection (dropped), or the
 * platform on a rule the bot broke (`brokenRule`); `null` when it was not the bot's side.
 */
export type BotSideEnding = "bot" | "network" | "platform";

/** Which of the bot's side ended the call (see {@linkcode BotSideEnding}), or `null`. */
export function botSideEnding(ended: CallEnding): BotSideEnding | null {
  if (!endedByBotSide(ended)) return null;
  return ended.by === "caller" ? "platform" : ended.by === "network" ? "network" : "bot";
}

/**
 * Who ended the call first, and when, in words: `the bot hung up at 0.30 s`, `the platform hung
 * up at 0.80 s on a rule the bot broke (asterisk.message-too-large)`.
 */
export function endedFirstBy(ended: CallEnding): string {
  const at = `${(ended.atMs / 1000).toFixed(2)} s`;
  const side = botSideEnding(ended);
  if (side === "network") return `the connection dropped at ${at}`;
  if (side === "platform") {
    return `the platform hung up at ${at} on a rule the bot broke (${ended.brokenRule})`;
  }
  return `the bot hung up at ${at}`;
}

/**
 * The same, for utterances of many calls (an aggregate's), without a time: `the bot hung up
 * first`, `the connection dropped first`, `the platform hung up first, on a rule the bot broke`.
 */
export const ENDED_FIRST_BY: Record<BotSideEnding, string> = {
  bot: "the bot hung up first",
  network: "the connection dropped first",
  platform: "the platform hung up first, on a rule the bot broke",
};
