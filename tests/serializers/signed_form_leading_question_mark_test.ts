// A form body is read by the application as `formData()` reads it (the WHATWG URL Standard's
// application/x-www-form-urlencoded parser), which keeps a leading "?" in the first name. The
// signature checks must read the same names: Twilio signs "the POST fields … name and value"
// (twilio.com/docs/usage/webhooks/webhooks-security, "Validate signatures"), Plivo V3 the POST
// parameters likewise (plivo-python `signature_v3.py`). Otherwise a captured request replayed
// with "?" before its body verifies, and its first field reaches the application under another
// name.
import assert from "node:assert/strict";
import { verifyPlivoSignature } from "../../src/serializers/plivo_signature.ts";
import { verifyTwilioSignature } from "../../src/serializers/twilio_signature.ts";
import { hmacBase64 } from "../../src/serializers/telephony/hmac_base64.ts";

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const URL_ = "https://example.com/voice";

Deno.test('`verifyTwilioSignature` and `verifyPlivoSignature` read a body\'s leading "?" as `formData()` does', async () => {
  // Twilio's side: the URL, then CallSid and From, name and value, sorted.
  const twilio = await hmacBase64(`${URL_}CallSidCA1From+1555`, { key: "12345", hash: "SHA-1" });
  // Plivo's side: the URL, "?", then the POST parameters sorted, then "." and the nonce.
  const plivo = await hmacBase64(`${URL_}?CallUUIDc1From+1555.n1`, {
    key: "12345",
    hash: "SHA-256",
  });
  const twilioRequest = (body: string) =>
    new Request(URL_, { method: "POST", headers: { ...FORM, "x-twilio-signature": twilio }, body });
  const plivoRequest = (body: string) =>
    new Request(URL_, {
      method: "POST",
      headers: { ...FORM, "x-plivo-signature-v3": plivo, "x-plivo-signature-v3-nonce": "n1" },
      body,
    });
  // As signed: valid.
  assert.equal(
    await verifyTwilioSignature(twilioRequest("CallSid=CA1&From=%2B1555"), "12345"),
    true,
  );
  assert.equal(await verifyPlivoSignature(plivoRequest("CallUUID=c1&From=%2B1555"), "12345"), true);
  // The application would read "?CallSid" and "?CallUUID": not what was signed.
  const twilioBody = "?CallSid=CA1&From=%2B1555";
  assert.deepEqual([...(await twilioRequest(twilioBody).formData()).keys()], ["?CallSid", "From"]);
  assert.equal(await verifyTwilioSignature(twilioRequest(twilioBody), "12345"), false);
  assert.equal(
    await verifyPlivoSignature(plivoRequest("?CallUUID=c1&From=%2B1555"), "12345"),
    false,
  );
  // The same in a URL's query, which Plivo signs too: "??lang=en" has the parameter "?lang".
  const upgrade = await hmacBase64("https://example.com/stream?lang=en.n2", {
    key: "12345",
    hash: "SHA-256",
  });
  const get = (url: string) =>
    new Request(url, {
      headers: { "x-plivo-signature-v3": upgrade, "x-plivo-signature-v3-nonce": "n2" },
    });
  assert.equal(
    await verifyPlivoSignature(get("https://example.com/stream?lang=en"), "12345"),
    true,
  );
  assert.deepEqual([...new URL("https://example.com/stream??lang=en").searchParams.keys()], [
    "?lang",
  ]);
  assert.equal(
    await verifyPlivoSignature(get("https://example.com/stream??lang=en"), "12345"),
    false,
  );
});
