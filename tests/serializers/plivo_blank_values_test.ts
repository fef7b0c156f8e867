// Plivo's V3 signature over blank values. Plivo signs "the URL, then the nonce" (its "Validation"
// page, docs.plivo.com/docs/voice/xml/request/validation); how the query and the POST parameters
// enter is written only in its SDKs. plivo-python's `signature_v3.py` first read the query with
// `parse_qs(query)`, which drops a parameter with a blank value; its commit da5fc98 ("while
// generating sorted url don't skip keys with empty string") turned on `keep_blank_values=True`,
// as plivo-node's `querystring.parse` always did: `?lang=` and a bare `?flag` are signed as
// `lang=` and `flag=`. POST parameters are joined name then value, a blank value adding nothing
// but its name (`get_sorted_params_string`). The expected signatures are computed here from that
// algorithm with WebCrypto, not with the module's helpers.
import assert from "node:assert/strict";
import { verifyPlivoSignature } from "../../src/serializers/plivo_signature.ts";

const TOKEN = "MAXXXXTOKEN";
const NONCE = "05429567804466091622";

/** Base64 HMAC-SHA256 of `${signed}.${NONCE}` under TOKEN: Plivo's V3 signature of `signed`. */
async function plivoSignature(signed: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(TOKEN),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${signed}.${NONCE}`));
  return btoa(String.fromCharCode(...new Uint8Array(mac)));
}

/** The WebSocket upgrade Plivo makes to the stream URL, signed with `signature`. */
const upgrade = (signature: string) =>
  new Request("http://127.0.0.1:8000/stream", {
    headers: { "x-plivo-signature-v3": signature, "x-plivo-signature-v3-nonce": NONCE },
  });

Deno.test("`verifyPlivoSignature` signs a stream URL's blank query values as Plivo's SDKs keep them", async () => {
  const url = "wss://example.com/stream?lang=&flag&b=2";
  // Sorted by name, each as name=value, blanks kept: b=2, flag=, lang=.
  const kept = await plivoSignature("wss://example.com/stream?b=2&flag=&lang=");
  assert.equal(await verifyPlivoSignature(upgrade(kept), { authToken: TOKEN, url }), true);
  // What the SDK signed before it kept them: another URL.
  const dropped = await plivoSignature("wss://example.com/stream?b=2");
  assert.equal(await verifyPlivoSignature(upgrade(dropped), { authToken: TOKEN, url }), false);
  // A URL whose only parameter is blank still has a query: "?" and the blank pair.
  const lone = await plivoSignature("wss://example.com/stream?flag=");
  assert.equal(
    await verifyPlivoSignature(upgrade(lone), {
      authToken: TOKEN,
      url: "wss://example.com/stream?flag",
    }),
    true,
  );
  assert.equal(
    await verifyPlivoSignature(upgrade(await plivoSignature("wss://example.com/stream")), {
      authToken: TOKEN,
      url: "wss://example.com/stream?flag",
    }),
    false,
  );
});

Deno.test("`verifyPlivoSignature` signs a POST's blank query value and blank form field", async () => {
  const url = "https://example.com/answer?campaign=";
  // The sorted query, ".", then each POST parameter as name and value: the blank one adds its name.
  const signed = "https://example.com/answer?campaign=.CallUUIDc1CallerNameFrom+14155550100";
  const request = (signature: string) =>
    new Request(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-plivo-signature-v3": signature,
        "x-plivo-signature-v3-nonce": NONCE,
      },
      body: "CallUUID=c1&CallerName=&From=%2B14155550100",
    });
  assert.equal(await verifyPlivoSignature(request(await plivoSignature(signed)), TOKEN), true);
  // The blank field left out, or the blank query value, is another request.
  const withoutField = "https://example.com/answer?campaign=.CallUUIDc1From+14155550100";
  assert.equal(
    await verifyPlivoSignature(request(await plivoSignature(withoutField)), TOKEN),
    false,
  );
  const withoutQuery = "https://example.com/answer?CallUUIDc1CallerNameFrom+14155550100";
  assert.equal(
    await verifyPlivoSignature(request(await plivoSignature(withoutQuery)), TOKEN),
    false,
  );
});
