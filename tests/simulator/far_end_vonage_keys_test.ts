// Vonage's "WebSockets" guide (developer.vonage.com, voice-api/concepts/websockets, "JSON DTMF
// messages"): `{"event":"websocket:dtmf","digit":"5","duration":260}`, one event a key, whose
// `digit` "contains the digit pressed `0-9` `*` or `#`". The far end sent A-D too, keys Vonage
// never puts on the socket: a bot tested on them passed here and never sees them live. They are
// presses the protocol cannot carry (the report's `dtmf.unsupported`), as on the pipecat far end.
import assert from "node:assert/strict";
import { farEndContext } from "./far_ends/_context.ts";
import { FAR_ENDS } from "../../src/simulator/far_ends.ts";

Deno.test("the vonage far end sends websocket:dtmf for 0-9, * and # only, as Vonage documents", () => {
  const sent: unknown[] = [];
  const farEnd = FAR_ENDS["vonage"]!({});
  farEnd.open(farEndContext({
    send: (data) => sent.push(JSON.parse(data as string)),
  }));
  assert.equal((sent.shift() as { event: string }).event, "websocket:connected");
  for (const key of ["0", "5", "9", "*", "#"]) assert.equal(farEnd.sendDtmf(key), true, key);
  for (const key of ["A", "B", "C", "D"]) assert.equal(farEnd.sendDtmf(key), false, key);
  assert.deepEqual(
    sent,
    ["0", "5", "9", "*", "#"].map((digit) => ({ event: "websocket:dtmf", digit, duration: 260 })),
  );
});
