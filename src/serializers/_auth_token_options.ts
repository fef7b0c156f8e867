/**
 * The `authToken | options` argument of the HMAC signature checks. Internal to the serializers.
 *
 * @module
 */

/** `argument` as options, with its auth token checked: a `TypeError` unless a non-empty string. */
export function authTokenOptions<T extends { authToken: string }>(
  argument: string | T,
): T | { authToken: string } {
  const options = typeof argument === "string" ? { authToken: argument } : argument;
  if (typeof options.authToken !== "string" || options.authToken === "") {
    throw new TypeError(`authToken must be a non-empty string, got ${typeof options.authToken}`);
  }
  return options;
}
