// The examples/twilio bridge takes its host from the request (without PUBLIC_HOST), and the server
// builds `request.url` from the Host header, which any client on the internet writes. One that is
// not a host (RFC 9110 §7.2: `uri-host [ ":" port ]`) is the client's fault: 400, not a 500 with a
// stack trace in the operator's log for every scanner that sends one.
import assert from "node:assert/strict";
import { twilioBridge } from "../../examples/twilio/bridge.ts";
import { rawStatus, UPGRADE_HEADERS } from "./_http.ts";

Deno.test("examples/twilio answers a Host header that is no host with 400, on /twiml and on /media", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, twilioBridge());
  try {
    for (const host of ["a b", "a<b>", "voice.example:99999"]) {
      const twiml = await rawStatus(server.addr.port, { path: "/twiml", headers: { host } });
      assert.equal(twiml, 400, `/twiml with Host ${JSON.stringify(host)}`);
      const media = await rawStatus(server.addr.port, {
        path: "/media",
        headers: { host, ...UPGRADE_HEADERS },
      });
      assert.equal(media, 400, `/media with Host ${JSON.stringify(host)}`);
    }
  } finally {
    await server.shutdown();
  }
});
