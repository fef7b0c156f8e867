// Which host a Twilio hang-up goes to for a `region` given without an `edge`, from Twilio's own
// pages: "Twilio can process your data in the United States, Ireland, or Australia", and the
// api.{region}.twilio.com hosts (ie1, au1, br1, de1, jp1, sg1, us2) "process all requests in US1
// regardless of the region code and will stop working on April 28, 2026"
// (twilio.com/docs/global-infrastructure/api-domain-migration-guide). Its "Legacy Edge Location
// IDs" table (twilio.com/docs/global-infrastructure/edge-locations/legacy-regions, "Example:
// current") gives what replaces each: api.dublin.ie1.twilio.com for ie1,
// api.sydney.au1.twilio.com for au1, and api.twilio.com for br1, de1, jp1, sg1, us1 and us2.
import assert from "node:assert/strict";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { fakeFetch } from "./fixtures/telephony_harness.ts";

/** The URL a hang-up of call CAy on account ACx goes to with `region` alone. */
async function hangUpUrl(region: string): Promise<string> {
  const fake = fakeFetch(() => new Response("{}"));
  const twilio = new TwilioSerializer({
    accountSid: "ACx",
    callSid: "CAy",
    authToken: "t",
    region,
    fetch: fake.fetch,
  });
  await twilio.serialize({ type: "end" });
  return fake.calls[0]!.url;
}

const CALL_PATH = "/2010-04-01/Accounts/ACx/Calls/CAy.json";

for (const region of ["br1", "de1", "jp1", "sg1", "us2"]) {
  Deno.test(`\`TwilioSerializer\` hangs up a region ${region} call through api.twilio.com`, async () => {
    assert.equal(await hangUpUrl(region), `https://api.twilio.com${CALL_PATH}`);
  });
}

for (const [region, host] of [["ie1", "api.dublin.ie1"], ["au1", "api.sydney.au1"]]) {
  Deno.test(`\`TwilioSerializer\` hangs up a region ${region} call where ${region} processes`, async () => {
    assert.equal(await hangUpUrl(region!), `https://${host}.twilio.com${CALL_PATH}`);
  });
}

// Osaka is no edge in Twilio's "Edge Locations" list and jp2 no region it processes in: a host
// made of them would be one Twilio never names, so the region is refused, not guessed at.
Deno.test("`TwilioSerializer` refuses a region alone that Twilio names no host for", () => {
  assert.throws(() => new TwilioSerializer({ region: "jp2" }), /region "jp2" has no default edge/);
});
