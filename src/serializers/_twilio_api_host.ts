/**
 * The host of Twilio's REST API for a region and edge. Internal to the Twilio serializer.
 *
 * @module
 */

/**
 * Each region's default edge, as Twilio's SDKs and CLI fill it in for a region given alone:
 * `api.{region}.twilio.com` (`api.ie1.twilio.com`) stopped taking requests on April 28, 2026
 * (Twilio's API domain migration guide); `api.{edge}.{region}.twilio.com` is the host.
 */
const DEFAULT_EDGES: ReadonlyMap<string, string> = new Map([
  ["au1", "sydney"],
  ["br1", "sao-paulo"],
  ["de1", "frankfurt"],
  ["ie1", "dublin"],
  ["jp1", "tokyo"],
  ["jp2", "osaka"],
  ["sg1", "singapore"],
  ["us1", "ashburn"],
  ["us2", "umatilla"],
]);

/**
 * `api.twilio.com` with neither region nor edge, `api.{edge}.{region}.twilio.com` otherwise
 * (region `us1` when only an edge is given, the region's default edge when only a region is, as
 * Twilio's SDKs do). A name that is not a plain DNS label, or a region given alone that has no
 * default edge, is a `RangeError` naming it.
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
  const location = edge ?? (region === undefined ? undefined : DEFAULT_EDGES.get(region));
  if (location === undefined) {
    throw new RangeError(`region ${JSON.stringify(region)} has no default edge: give edge too`);
  }
  return ["api", location, region ?? "us1", "twilio.com"].join(".");
}
