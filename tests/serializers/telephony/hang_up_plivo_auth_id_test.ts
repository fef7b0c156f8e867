// Plivo's "Hang up a call" is DELETE /v1/Account/{auth_id}/Call/{call_uuid}/, and the serializer
// reads a 404 as a call that had already ended. Plivo answers 404 for any resource it does not
// have (its API reference, "HTTP status codes": 404 "Resource not found"), so an empty auth id
// (an unset variable) must not turn into `/Account//Call/…`: its 404 would read as success with
// the call still up.
import assert from "node:assert/strict";
import type { TransportError } from "../../../src/errors.ts";
import { PlivoSerializer } from "../../../src/serializers/plivo.ts";

Deno.test("`PlivoSerializer` with an empty auth id sends no hang-up and says so", async () => {
  const seen: string[] = [];
  // Plivo's side: no such resource.
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    seen.push(`${request.method} ${new URL(request.url).pathname}`);
    return Response.json({ error: "not found" }, { status: 404 });
  });
  const base = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
  try {
    const plivo = new PlivoSerializer({
      authId: "",
      authToken: "T",
      fetch: (url, init) => fetch(base + new URL(url).pathname, init),
    });
    plivo.deserialize('{"event":"start","start":{"streamId":"s1","callId":"c1"}}');
    await assert.rejects(
      Promise.resolve(plivo.serialize({ type: "end" })),
      (e: TransportError) => e.code === "protocol" && /Plivo: auth id "" cannot/.test(e.message),
    );
    assert.deepEqual(seen, [], "nothing sent");
  } finally {
    await server.shutdown();
  }
});
