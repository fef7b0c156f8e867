// The first message as jambonz builds it, and what the serializer takes from it. The far end is
// read from jambonz's own source (jambonz/jambonz-feature-server 389c65e2): `lib/tasks/listen.js`,
// `_startListening`, sends `Object.assign({sampleRate, mixType}, callInfo.toJSON(), verb.metadata)`
// as mod_audio_fork's metadata, and `lib/session/call-info.js`, `toJSON`, names the call twice
// (`callSid`, jambonz's id, which its REST API takes, and `callId`, the SIP Call-ID), carries the
// SIP headers and `customerData` as nested objects, and, where the server is configured with one,
// its own `apiBaseUrl`. The README (jambonz): "The first message's own `apiBaseUrl` is ignored on
// purpose, so an API key never goes to an address the peer chose."
import assert from "node:assert/strict";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import type { StartFrame } from "../../src/frames.ts";
import { fakeFetch } from "./fixtures/telephony_harness.ts";

const SETUP = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 16000,
  outputChannels: 1,
};

/** `Object.assign({sampleRate, mixType}, ci, this.metadata)`, key order and all. */
function listenMetadata(apiBaseUrl: string): string {
  const callInfo = {
    callSid: "b6c7a1de-0a1b-4c2d-9e3f-112233445566",
    direction: "inbound",
    from: "+15083728299",
    to: "+15083728300",
    callId: "7c0e5a3e-sip-call-id@10.0.0.1",
    sbcCallid: "sbc-call-id",
    sipStatus: 200,
    sipReason: "OK",
    callStatus: "in-progress",
    callerId: "Ada Lovelace",
    accountSid: "acct-9f1e",
    traceId: "0123456789abcdef",
    applicationSid: "app-1",
    fsSipAddress: "10.0.0.2:5060",
    customerData: { tier: "gold" },
    headers: { "X-Tenant": "t-7" },
    apiBaseUrl,
    fsPublicIp: "203.0.113.9",
  };
  return JSON.stringify(
    Object.assign({ sampleRate: 16000, mixType: "mono" }, callInfo, { customer: "c-42" }),
  );
}

Deno.test("`JambonzSerializer` reads jambonz's own first message: the callSid names the call, not the SIP Call-ID", () => {
  const jambonz = new JambonzSerializer();
  jambonz.setup(SETUP);
  const start = jambonz.deserialize(listenMetadata("https://api.example.net/v1")) as StartFrame;
  assert.equal(start.type, "start");
  assert.equal(start.callId, "b6c7a1de-0a1b-4c2d-9e3f-112233445566");
  assert.equal(start.params?.callId, "7c0e5a3e-sip-call-id@10.0.0.1", "kept among the params");
  assert.deepEqual(JSON.parse(start.params!.headers!), { "X-Tenant": "t-7" });
  assert.deepEqual(JSON.parse(start.params!.customerData!), { tier: "gold" });
  assert.equal(start.params?.sipStatus, "200");
  assert.equal(start.params?.customer, "c-42", "the verb's metadata, beside the call's");
  assert.equal(jambonz.streamSampleRate, 16000);
});

Deno.test("`JambonzSerializer` hangs up at its own API base, never at the first message's apiBaseUrl", async () => {
  for (const option of [undefined, "https://jambonz.internal.example/api/"]) {
    const fake = fakeFetch(() => new Response(null, { status: 204 }));
    const jambonz = new JambonzSerializer({
      apiKey: "KEY",
      fetch: fake.fetch,
      ...(option === undefined ? {} : { apiBaseUrl: option }),
    });
    jambonz.setup(SETUP);
    jambonz.deserialize(listenMetadata("https://peer-chosen.example/steal"));
    assert.equal(await jambonz.serialize({ type: "end" }), '{"type":"disconnect"}');
    assert.equal(fake.calls.length, 1);
    const base = (option ?? "https://jambonz.cloud/api/").replace(/\/$/, "");
    assert.equal(
      fake.calls[0]!.url,
      `${base}/v1/Accounts/acct-9f1e/Calls/b6c7a1de-0a1b-4c2d-9e3f-112233445566`,
    );
  }
});
