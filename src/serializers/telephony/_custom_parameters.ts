/**
 * {@linkcode customParameters}: a start's custom parameters as the start frame's `params`, read so
 * that no value's shape costs the call its start. Internal to the package.
 *
 * @module
 */

import type { SerializerContext } from "../../serializer.ts";
import { TransportError } from "../../errors.ts";
import { describe, isObject } from "./_json_value.ts";

/** Where {@linkcode customParameters} read the parameters from, and whom it tells of a repair. */
export interface CustomParametersSource {
  /** The provider's name; a report's message starts with it. */
  provider: string;
  /** The field as a report names it: `"start.customParameters"`, `"setup's customParameters"`. */
  field: string;
  /** The transport's context: a repair is counted in its `decodeErrors` and reported there. */
  context: SerializerContext | undefined;
}

/**
 * `given` (the parsed field, any JSON value) as a record of strings. Strings are kept; numbers
 * and booleans become their text (custom parameters are strings on Twilio, `<Parameter>` names
 * and values, but a hand-written flow may send `1` or `true`). A value of any other shape (an
 * object, an array, `null`: Telnyx's call commands and Exotel's metadata take arbitrary JSON)
 * goes on as its JSON text, and a field that is no object as no parameters. Either repair is
 * counted once in `decodeErrors` and reported (code `"decode"`), the session going on: thrown, it
 * cost the call its whole start (its ids, its media format, and so all its audio).
 */
export function customParameters(
  given: unknown,
  source: CustomParametersSource,
): Record<string, string> {
  if (given === undefined || given === null) return {};
  if (!isObject(given)) {
    repaired(source, `${source.field} is not an object: ${describe(given)}; none kept`);
    return {};
  }
  const entries: [string, string][] = [];
  const nested: string[] = [];
  for (const [name, value] of Object.entries(given)) {
    if (typeof value === "string") entries.push([name, value]);
    else if (typeof value === "number" || typeof value === "boolean") {
      entries.push([name, String(value)]);
    } else {
      // Parsed JSON: no cycle nor BigInt, so it always has a JSON text.
      entries.push([name, JSON.stringify(value)]);
      nested.push(name);
    }
  }
  if (nested.length > 0) {
    repaired(
      source,
      `${source.field} ${nested.join(", ")} ${
        nested.length === 1 ? "is" : "are"
      } not a string: passed on as JSON text`,
    );
  }
  // Defined, not assigned: assigning `record["__proto__"]` would hit the prototype's setter and
  // lose a parameter of that name, which the parsed JSON holds as an ordinary field.
  return Object.fromEntries(entries);
}

/** A start read in part: counted in `decodeErrors` and reported, the session going on. */
function repaired(source: CustomParametersSource, message: string): void {
  source.context?.count("decodeErrors");
  source.context?.report(new TransportError("decode", `${source.provider}: ${message}`));
}
