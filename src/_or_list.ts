/**
 * A list of alternatives as a message words it: `[8000, 16000, 24000]` as "8000, 16000 or 24000",
 * one item alone, none as "". Shared by the serializers' and the simulator's refusals, which name
 * the rates, encodings or protocols that would have been taken.
 *
 * @module
 */

/** `items` as "a, b or c". */
export function orList(items: readonly (string | number)[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}
