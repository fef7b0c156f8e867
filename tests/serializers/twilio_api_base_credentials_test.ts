// `apiBaseUrl` carrying credentials: the hang-up authenticates with HTTP Basic auth from the
// account SID and auth token (Twilio's REST API, "Authentication"), so credentials in the base are
// refused, and the error that says so, which ends up in logs, never shows them.
import assert from "node:assert/strict";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";

Deno.test("`TwilioSerializer` refuses an apiBaseUrl with credentials, and never shows them", () => {
  for (
    const apiBaseUrl of [
      "https://project:hunter2@example.signalwire.com/api/laml",
      "http://project:hunter2@example.signalwire.com/api/laml",
      "https://:hunter2@example.signalwire.com",
    ]
  ) {
    assert.throws(
      () => new TwilioSerializer({ accountSid: "AC1", authToken: "T", apiBaseUrl }),
      (e: Error) =>
        e instanceof RangeError && e.message.startsWith("apiBaseUrl must be an https URL") &&
        !e.message.includes("hunter2"),
      apiBaseUrl,
    );
  }
  // Without credentials the base is taken, as before.
  new TwilioSerializer({ apiBaseUrl: "https://example.signalwire.com/api/laml" });
});
