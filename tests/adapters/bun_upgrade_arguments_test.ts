// The Bun adapter's `upgrade(request, server, options)` takes Bun's server where the Deno and
// Cloudflare adapters take the options. Called as those are, `upgrade(request, options)`, the
// options were taken for the server and never read: an upgrade was admitted with no
// `allowedOrigins` or `authorize` and then failed as "server.upgrade is not a function".
import assert from "node:assert/strict";
import { type BunServer, upgrade } from "../../src/adapters/bun.ts";
import { upgradeRequest } from "./_upgrade_request.ts";

Deno.test("Bun `upgrade` called without Bun's server throws a TypeError saying what it takes", async () => {
  const options = { allowedOrigins: ["https://app.example.com"] };
  const request = upgradeRequest({ headers: { origin: "https://evil.example" } });
  await assert.rejects(upgrade(request, options as never), {
    name: "TypeError",
    message: /^upgrade\(request, server, options\) takes Bun\.serve's server.* got object$/,
  });
  // With the server, the same options refuse the foreign origin.
  const server: BunServer = { upgrade: () => assert.fail("a refused request is never upgraded") };
  const { transport, response } = await upgrade(request, server, options);
  assert.equal(transport, null);
  assert.equal(response.status, 403);
});

// Plain JavaScript may give `headers` as a `Headers` or as pairs, which Bun's `server.upgrade`
// takes (HeadersInit). With `protocol`, they were spread into a record: a `Headers` spread is
// empty, so its headers were lost from the 101.
Deno.test("Bun `upgrade` with `protocol` keeps `headers` given as a Headers object", async () => {
  const request = upgradeRequest({ headers: { "sec-websocket-protocol": "other, audio.v1" } });
  let given: Record<string, string> | undefined;
  const server: BunServer = {
    upgrade: (_request, options) => {
      given = options.headers;
      return false; // nothing to open here: the headers Bun was given are what is checked
    },
  };
  const headers = new Headers({ "x-call": "c1" }) as unknown as Record<string, string>;
  await upgrade(request, server, { protocol: "audio.v1", headers });
  assert.deepEqual(given, { "x-call": "c1", "sec-websocket-protocol": "audio.v1" });
});
