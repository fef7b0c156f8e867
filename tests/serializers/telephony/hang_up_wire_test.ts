// Each provider's hang-up as its REST API receives it, over a real socket: method, path, auth
// header, body. The far end follows each provider's reference:
// - Twilio, "Update a Call resource": POST /2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json,
//   HTTP Basic auth (account SID, auth token), form-encoded `Status=completed`; 200 with the call.
//   A call gone answers 404 with code 20404 (as Twilio answered in pipecat-ai/pipecat#2145).
// - Telnyx, Call Commands "Hangup call": POST /v2/calls/{call_control_id}/actions/hangup, Bearer
//   API key, JSON body; 200 `{"data":{"result":"ok"}}`. A call gone answers 422, error code
//   90018 "Call has already ended".
// - Plivo, Call "Hang up a call": DELETE /v1/Account/{auth_id}/Call/{call_uuid}/, HTTP Basic auth
//   (auth id, auth token); 204. A call gone answers 404.
import assert from "node:assert/strict";
import { basicAuth } from "../../../src/serializers/telephony/basic_auth.ts";
import { PlivoSerializer } from "../../../src/serializers/plivo.ts";
import { TelnyxSerializer } from "../../../src/serializers/telnyx.ts";
import { TwilioSerializer } from "../../../src/serializers/twilio.ts";

interface Received {
  method: string;
  path: string;
  authorization: string | null;
  contentType: string | null;
  body: string;
}

/** The three APIs on one server on 127.0.0.1; `ended` makes each answer "the call is gone". */
function providerApis(ended: boolean) {
  const received: Received[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { pathname } = new URL(request.url);
    received.push({
      method: request.method,
      path: pathname,
      authorization: request.headers.get("authorization"),
      contentType: request.headers.get("content-type"),
      body: await request.text(),
    });
    if (pathname.startsWith("/2010-04-01/")) {
      return ended
        ? Response.json({ code: 20404, message: "not found", status: 404 }, { status: 404 })
        : Response.json({ sid: "CA1", status: "completed" });
    }
    if (pathname.startsWith("/v2/calls/")) {
      return ended
        ? Response.json({ errors: [{ code: "90018", title: "Call has already ended" }] }, {
          status: 422,
        })
        : Response.json({ data: { result: "ok" } });
    }
    return new Response(null, { status: ended ? 404 : 204 });
  });
  const base = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
  /** The global fetch, sent to this server instead of the provider's host. */
  const fetchHere = (url: string, init: RequestInit) => {
    const { pathname, search } = new URL(url);
    return fetch(base + pathname + search, init);
  };
  return { received, fetchHere, close: () => server.shutdown() };
}

Deno.test("each provider's hang-up reaches its REST API as documented, and a call gone is success", async () => {
  for (const ended of [false, true]) {
    const api = providerApis(ended);
    try {
      const fetch = api.fetchHere;
      const twilio = new TwilioSerializer({ accountSid: "AC1", authToken: "tok", fetch });
      twilio.deserialize(
        '{"event":"start","streamSid":"MZ1","start":{"streamSid":"MZ1","callSid":"CA1"}}',
      );
      const telnyx = new TelnyxSerializer({ apiKey: "KEY1", fetch });
      telnyx.deserialize(
        '{"event":"start","stream_id":"s1","start":{"call_control_id":"v3:a-b_c"}}',
      );
      const plivo = new PlivoSerializer({ authId: "MA1", authToken: "tok", fetch });
      plivo.deserialize('{"event":"start","start":{"streamId":"s1","callId":"c-1"}}');
      for (const serializer of [twilio, telnyx, plivo]) {
        assert.equal(await serializer.serialize({ type: "end" }), null, `ended: ${ended}`);
      }
      assert.deepEqual(api.received, [
        {
          method: "POST",
          path: "/2010-04-01/Accounts/AC1/Calls/CA1.json",
          authorization: basicAuth("AC1", "tok"),
          contentType: "application/x-www-form-urlencoded",
          body: "Status=completed",
        },
        {
          method: "POST",
          path: "/v2/calls/v3:a-b_c/actions/hangup",
          authorization: "Bearer KEY1",
          contentType: "application/json",
          body: "{}",
        },
        {
          method: "DELETE",
          path: "/v1/Account/MA1/Call/c-1/",
          authorization: basicAuth("MA1", "tok"),
          contentType: null,
          body: "",
        },
      ]);
    } finally {
      await api.close();
    }
  }
});
