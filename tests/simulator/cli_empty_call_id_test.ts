// An empty --call-id went out as the call's id (Twilio's `"callSid": ""`), which no platform
// sends: refused as bad usage, as the empty values of the other flags are (cli_empty_millis_test).
import assert from "node:assert/strict";
import { runCli as simulate } from "./_cli.ts";

Deno.test("the simulate CLI refuses an empty --call-id", async () => {
  const run = await simulate(["ws://127.0.0.1:9/", "--call-id="]); // never reached when refused
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /^simulate: --call-id must not be empty\n/);
});
