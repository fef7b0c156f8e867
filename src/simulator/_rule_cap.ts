/**
 * How many platform rules a report details: a far end of one's own may name rules from what the
 * bot sent, without end. A call's report and an aggregate of calls keep the first
 * {@linkcode MAX_RULES} apart and count the violations of the rules past them together under
 * {@linkcode MORE_RULES}, so their counts still add up to all of them.
 *
 * @module
 */

import type { ProtocolViolation } from "./report.ts";

/** Rules kept apart at most. */
export const MAX_RULES = 100;
/** The rule the violations of rules past {@linkcode MAX_RULES} are counted under. */
export const MORE_RULES = "simulator.more-rules";

/**
 * The entry of `rules` that a violation of `first.rule` is counted in: the rule's own, a new one
 * (`create(first)`, with nothing counted yet) while fewer than {@linkcode MAX_RULES} are kept,
 * else the {@linkcode MORE_RULES} one, whose detail is the first of those it stands for.
 */
export function ruleEntry<T extends ProtocolViolation>(
  rules: Map<string, T>,
  first: ProtocolViolation,
  create: (first: ProtocolViolation) => T,
): T {
  const found = rules.get(first.rule);
  if (found) return found;
  if (rules.size < MAX_RULES) {
    const entry = create(first);
    rules.set(first.rule, entry);
    return entry;
  }
  let more = rules.get(MORE_RULES);
  if (!more) {
    more = create({
      ...first,
      rule: MORE_RULES,
      detail:
        `violations of rules past the first ${MAX_RULES}, the first ${first.rule}: ${first.detail}`,
    });
    rules.set(MORE_RULES, more);
  }
  return more;
}
