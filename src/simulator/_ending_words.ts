/**
 * The bot's own words in a call's ending (its close reason, a Genesys `disconnect`'s `info`):
 * how the ending's detail carries them, and the detail without them, which is what calls are
 * grouped by in an aggregate (free text that names a session or a time would give every call a
 * group of its own). Both here so that the one cannot drift from the other.
 *
 * @module
 */

import type { CallEnding } from "./report.ts";

/** Longest the bot's words are kept: a reason, not a 64 KiB message pasted into every report. */
const MAX_WORDS = 200;

/** `words` as an ending keeps them: at most {@linkcode MAX_WORDS} characters. */
export function botWords(words: string): string {
  return words.length > MAX_WORDS ? `${words.slice(0, MAX_WORDS - 1)}…` : words;
}

/** The ending's detail when the bot closed the socket with `code` and `reason`. */
export function closedDetail(code: number, reason: string): string {
  return `the bot closed the WebSocket (${code}${reason ? ` ${reason}` : ""})`;
}

/** `detail` with the bot's `info` after it, quoted (it is the bot's text, not the simulator's). */
export function withInfo(detail: string, info: string): string {
  return `${detail}: ${JSON.stringify(info)}`;
}

/** `ended.detail` without the bot's words (its `info`, its close `reason`), as they were put in. */
export function withoutBotWords(ended: CallEnding): string {
  let detail = ended.detail;
  if (ended.info !== undefined) detail = detail.replace(`: ${JSON.stringify(ended.info)}`, "");
  if (ended.reason !== undefined && ended.code !== undefined) {
    detail = detail.replace(closedDetail(ended.code, ended.reason), closedDetail(ended.code, ""));
  }
  return detail;
}
