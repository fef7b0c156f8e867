/**
 * The host of Twilio's REST API for a region and edge. Internal to the Twilio serializer.
 *
 * @module
 */

/**
 * `api.twilio.com` with neither region nor edge, `api.{edge}.{region}.twilio.com` otherwise
 * (region `us1` when only an edge is given, as Twilio's SDKs do). A name that is not a plain
 * DNS label is a `RangeError` naming it.
 */
export function twilioApiHost(region?: string, edge?: string): string {
  for (const [name, value] of [["region", region], ["edge", edge]] as const) {
    if (value !== undefined && !/^[a-z0-9-]+$/.test(value)) {
      throw new RangeError(
        `${name} must be a Twilio ${name} name like "ie1", got ${JSON.stringify(value)}`,
      );
    }
  }
  if (region === undefined && edge === undefined) return "api.twilio.com";
  const parts = ["api"];
  if (edge !== undefined) parts.push(edge);
  parts.push(region ?? "us1", "twilio.com");
  return parts.join(".");
}
