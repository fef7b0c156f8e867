// A hang-up answered with a redirect: fetch, left to follow it, repeats a POST answered 301 or a
// DELETE answered 303 as a GET (Fetch Standard, "HTTP-redirect fetch", step 12), and the call's
// resource, fetched, answers 200: the call stays up and the hang-up reads as done.
import assert from "node:assert/strict";
import type { TransportError } from "../../../src/errors.ts";
import { PlivoSerializer } from "../../../src/serializers/plivo.ts";
import { TwilioSerializer } from "../../../src/serializers/twilio.ts";

/**
 * An HTTP server on 127.0.0.1 playing a provider's call resource behind a redirect: the hang-up
 * (Twilio's "Update a Call resource", `POST …/Calls/{Sid}.json` with `Status=completed`; Plivo's
 * "Hang up a call", `DELETE /v1/Account/{auth_id}/Call/{call_uuid}/`) is answered `status` to
 * `/moved` + its path, and a GET there is the call still up (Twilio's "Fetch a Call resource"
 * and Plivo's "Retrieve a call" answer 200 with the call).
 */
function redirectingApi(status: number) {
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { pathname } = new URL(request.url);
    seen.push(`${request.method} ${pathname}`);
    if (pathname.startsWith("/moved/")) {
      return Response.json({ status: "in-progress", call_status: "in-progress" });
    }
    return new Response(null, { status, headers: { location: `/moved${pathname}` } });
  });
  const base = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
  /** The global fetch, sent to this server instead of the provider's host. */
  const fetchHere = (url: string, init: RequestInit) => fetch(base + new URL(url).pathname, init);
  return { seen, fetchHere, close: () => server.shutdown() };
}

Deno.test("a hang-up answered with a redirect is a protocol error, not a GET that reads as done", async () => {
  const cases = [
    {
      status: 301,
      path: "/2010-04-01/Accounts/AC1/Calls/CA1.json",
      serializer: (fetch: (url: string, init: RequestInit) => Promise<Response>) => {
        const twilio = new TwilioSerializer({ accountSid: "AC1", authToken: "T", fetch });
        twilio.deserialize(
          '{"event":"start","streamSid":"MZ1","start":{"streamSid":"MZ1","callSid":"CA1"}}',
        );
        return twilio;
      },
      method: "POST",
    },
    {
      status: 303,
      path: "/v1/Account/MA1/Call/c1/",
      serializer: (fetch: (url: string, init: RequestInit) => Promise<Response>) => {
        const plivo = new PlivoSerializer({ authId: "MA1", authToken: "T", fetch });
        plivo.deserialize('{"event":"start","start":{"streamId":"s1","callId":"c1"}}');
        return plivo;
      },
      method: "DELETE",
    },
  ];
  for (const { status, path, serializer, method } of cases) {
    const api = redirectingApi(status);
    try {
      await assert.rejects(
        Promise.resolve(serializer(api.fetchHere).serialize({ type: "cancel" })),
        (e: TransportError) =>
          e.code === "protocol" &&
          e.message.includes(`HTTP ${status} (a redirect to "/moved${path}", not followed)`),
        `${status}`,
      );
      assert.deepEqual(api.seen, [`${method} ${path}`], "the redirect was not followed");
    } finally {
      await api.close();
    }
  }
});
