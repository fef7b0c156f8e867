// A serializer kept once its call is over (to read the call's ids: `callSid`, `streamSid`,
// `sessionId`) must not keep the ended session, its socket, queues and observers: whether the
// session said nothing or its stream was under way (a start, a Genesys `open`, the bot's reply
// partly sent), and however it ended (the far end's close, the bot's `end` or `cancel`).
import assert from "node:assert/strict";
import { runWithGc } from "./_gc_script.ts";
import { PROTOCOLS } from "./fuzz/protocols.ts";

Deno.test("a serializer kept after its session holds none of it", async () => {
  const script = new URL("./_leaks_kept_serializer_script.ts", import.meta.url);
  const report = await runWithGc(script) as Record<string, number>;
  const kept = Object.entries(report).filter(([, count]) => count > 0);
  assert.deepEqual(kept, [], "serializers that kept their ended sessions (name, sessions kept)");
  assert.equal(Object.keys(report).length, PROTOCOLS.size * 4); // four ways of ending each
});
