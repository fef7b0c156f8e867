/**
 * The host of Twilio's REST API for a region and edge. Internal to the Twilio serializer.
 *
 * @module
 */

/**
 * The edge of each region Twilio processes data in ("Twilio can process your data in the United
 * States, Ireland, or Australia", its API domain migration guide), as Twilio's SDKs and CLI fill
 * it in for a region given alone: `api.{region}.twilio.com` (`api.ie1.twilio.com`) stopped taking
 * requests on April 28, 2026; `api.{edge}.{region}.twilio.com` is the host.
 */
const HOME_REGION_EDGES: ReadonlyMap<string, string> = new Map([
  ["au1", "sydney"],
  ["ie1", "dublin"],
  ["us1", "ashburn"],
]);

/**
 * The legacy ids that named an edge, not a region Twilio processes in: `api.{id}.twilio.com`
 * processed every request in US1 "regardless of the region code", and Twilio's "Legacy Edge
 * Location IDs" table gives `api.twilio.com` as what replaces each (`api.frankfurt.de1.twilio.com`
 * is no host Twilio documents).
 */
const LEGACY_EDGE_IDS: ReadonlySet<string> = new Set(["br1", "de1", "jp1", "sg1", "us2"]);

/**
 * `api.twilio.com` with neither region nor edge, `api.{edge}.{region}.twilio.com` otherwise
 * (region `us1` when only an edge is given, the region's edge when only a home region is, as
 * Twilio's SDKs do); a legacy edge id given alone as a region (`de1`) is `api.twilio.com`, where
 * its old host processed. A name that is not a plain DNS label, or another region given alone,
 * is a `RangeError` naming it.
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
  if (edge === undefined && LEGACY_EDGE_IDS.has(region!)) return "api.twilio.com";
  const location = edge ?? (region === undefined ? undefined : HOME_REGION_EDGES.get(region));
  if (location === undefined) {
    throw new RangeError(`region ${JSON.stringify(region)} has no default edge: give edge too`);
  }
  return ["api", location, region ?? "us1", "twilio.com"].join(".");
}
