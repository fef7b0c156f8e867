/**
 * A count with its noun, singular for one: `1 utterance`, `2 utterances`, `0 calls`. The CLI's
 * and the report's text wrote `${n} utterances` and said "1 utterances", and the few places that
 * had it right each spelled the rule out again (`call${n === 1 ? "" : "s"}`).
 *
 * @module
 */

/**
 * `count` and `noun`, the noun in its plural (`plural`, by default `noun` + "s") unless `count`
 * is exactly 1.
 */
export function counted(count: number, noun: string, plural = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : plural}`;
}
