// A credential that no HTTP header may carry (a line break or NUL inside it: RFC 9110 §5.5, which
// `Headers` enforces) makes fetch throw an error that quotes the header's value. Telnyx's hang-up
// sends its API key as `Authorization: Bearer {key}` (Call Commands, "Hangup call"): the error must
// name the header, never the key, and send nothing.
import assert from "node:assert/strict";
import type { TransportError } from "../../../src/errors.ts";
import { TelnyxSerializer } from "../../../src/serializers/telnyx.ts";

Deno.test("`HangUp` refuses a header value fetch would refuse, without showing it", async () => {
  const seen: string[] = [];
  // Telnyx's side, were anything sent: the hang-up taken.
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    seen.push(`${request.method} ${new URL(request.url).pathname}`);
    return Response.json({ data: { result: "ok" } });
  });
  const base = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
  try {
    for (const apiKey of ["KEY\nsecret123", "KEY\rsecret123", "KEY\0secret123"]) {
      const telnyx = new TelnyxSerializer({
        apiKey,
        fetch: (url, init) => fetch(base + new URL(url).pathname, init),
      });
      telnyx.deserialize('{"event":"start","stream_id":"s1","start":{"call_control_id":"v3:x"}}');
      await assert.rejects(
        Promise.resolve(telnyx.serialize({ type: "end" })),
        (e: TransportError) =>
          e.code === "protocol" && e.message.includes("authorization header") &&
          !e.message.includes("secret123") && !String(e.cause ?? "").includes("secret123"),
        JSON.stringify(apiKey),
      );
    }
    assert.deepEqual(seen, [], "nothing sent");
  } finally {
    await server.shutdown();
  }
});
