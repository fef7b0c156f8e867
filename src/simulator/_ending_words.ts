/**
 * The bot's own words in a call's ending (its close reason, a Genesys `disconnect`'s `info`):
 * how the ending's detail carries them, and the detail without them, which is what calls are
 * grouped by in an aggregate (free text that names a session or a time would give every call a
 * group of its own). Both here so that the one cannot drift from the other.
 *
 * @module
 */

import type { CallEndedBy, CallEnding } from "./report.ts";

/**
 * How the text report says a call ended, after "ended", by its `ended.by`: the JSON's word where
 * it reads as English ("ended by caller"), words where it did not ("ended by aborted", "ended by
 * error", which reads "by mistake"). The call's header (`: ended by caller at 5.30 s`), the
 * aggregate's (`2 ended by caller, 1 aborted`) and its failure lines (`(by an error)`) all say it
 * so.
 */
export const ENDED_BY_WORDS: Record<CallEndedBy, string> = {
  caller: "by caller",
  bot: "by bot",
  network: "by the network",
  timeout: "by timeout",
  error: "by an error",
  aborted: "aborted",
};

/** {@linkcode ENDED_BY_WORDS}' words as a phrase of their own: "ended by caller", "aborted". */
export function endedPhrase(by: CallEndedBy): string {
  const words = ENDED_BY_WORDS[by];
  return by === "aborted" ? words : `ended ${words}`;
}

/** Longest the bot's words are kept: a reason, not a 64 KiB message pasted into every report. */
const MAX_WORDS = 200;

/**
 * Control characters (C0, DEL, C1). In the bot's words they would break the text report's lines
 * (a newline in a close reason splits its first line in two) or drive the terminal it is printed
 * on (ESC, CSI): the detail writes them as escapes. `JSON.stringify` escapes C0 alone.
 */
// deno-lint-ignore no-control-regex -- matching them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** `words` with each control character written `\uXXXX`, as JSON writes C0. */
function escapeControls(words: string): string {
  return words.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * `words` as an ending keeps them: at most {@linkcode MAX_WORDS} characters (UTF-16 code units),
 * cut between characters: half a surrogate pair (an emoji cut in two) is no text any encoder can
 * write, and prints as U+FFFD.
 */
export function botWords(words: string): string {
  if (words.length <= MAX_WORDS) return words;
  let end = MAX_WORDS - 1;
  const last = words.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // its low half is past the cut
  return `${words.slice(0, end)}…`;
}

/** The ending's detail when the bot closed the socket with `code` and `reason`. */
export function closedDetail(code: number, reason: string): string {
  return `the bot closed the WebSocket (${code}${reason ? ` ${escapeControls(reason)}` : ""})`;
}

/** `detail` with the bot's `info` after it, quoted (it is the bot's text, not the simulator's). */
export function withInfo(detail: string, info: string): string {
  return `${detail}: ${escapeControls(JSON.stringify(info))}`;
}

/** `ended.detail` without the bot's words (its `info`, its close `reason`), as they were put in. */
export function withoutBotWords(ended: CallEnding): string {
  let detail = ended.detail;
  if (ended.info !== undefined) detail = detail.replace(withInfo("", ended.info), "");
  if (ended.reason !== undefined && ended.code !== undefined) {
    detail = detail.replace(closedDetail(ended.code, ended.reason), closedDetail(ended.code, ""));
  }
  return detail;
}
