// Options one route hands to every session (Hono's voiceSession, Node's upgradeHandler): a single
// serializer instance there would serve every call at once, so it is refused where the route is
// made; a function that makes one per session is the way.
import assert from "node:assert/strict";
import { upgradeWebSocket } from "hono/deno";
import { WebSocketServer } from "ws";
import { voiceSession } from "../../src/adapters/hono.ts";
import { upgradeHandler } from "../../src/adapters/node.ts";
import { checkSharedOptions } from "../../src/adapters/_shared_options.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";

const refused = (e: unknown) =>
  e instanceof TypeError && /a function that makes each session its serializer/.test(e.message);

Deno.test("`voiceSession` and `upgradeHandler` refuse one serializer instance for every session", () => {
  const serializer = new TwilioSerializer();
  assert.throws(() => voiceSession(upgradeWebSocket, () => {}, { serializer }), refused);
  const wss = new WebSocketServer({ noServer: true });
  assert.throws(() => upgradeHandler(wss as never, () => {}, { serializer }), refused);
  wss.close();
});

Deno.test("`checkSharedOptions` takes a serializer function and still checks the other options", () => {
  assert.equal(checkSharedOptions({ serializer: () => new TwilioSerializer() }).chunkMs, 40);
  assert.throws(() => checkSharedOptions({ audioOut: { chunkMs: 0 } }), RangeError);
});
