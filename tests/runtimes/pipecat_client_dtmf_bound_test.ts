// The bound on one RTVI `dtmf` message's keys (`rtvi.ts`, `MAX_RTVI_KEYS`), end to end with the
// official pipecat JS client (client-js from npm, unmodified) over a real socket: its
// `sendDTMF` checks only `/^[0-9*#]+$/`, so 10,000 keys go as one message. The server's
// `ProtobufSerializer` refuses it whole as a decode error; the transport reports it once as a
// non-fatal "error", counts it in `decodeErrors`, and the session goes on: the keys sent next
// reach the bot.
import assert from "node:assert/strict";
import type { DtmfFrame } from "../../src/frames.ts";
import type { TransportError } from "../../src/errors.ts";
import { within } from "../_ws_client.ts";
import { withPipecatClient } from "./_pipecat_session.ts";

Deno.test("the pipecat JS client's sendDTMF of 10,000 keys is one decode error, and its next keys reach the bot", async () => {
  const keys: DtmfFrame[] = [];
  let twoKeys!: () => void;
  const pressed = new Promise<void>((resolve) => twoKeys = resolve);
  await withPipecatClient((frame) => {
    if (frame.type !== "dtmf") return;
    keys.push(frame);
    if (keys.length === 2) twoKeys();
  }, async (client, _media, session) => {
    const errors: TransportError[] = [];
    session.addEventListener("error", (event) => void errors.push(event.error));
    client.sendDTMF("0123456789".repeat(1000));
    client.sendDTMF("1#");
    await within(pressed, 5000, "the two keys sent after the refused message");
    assert.deepEqual(keys, [{ type: "dtmf", digit: "1" }, { type: "dtmf", digit: "#" }]);
    assert.deepEqual(errors.map((e) => [e.code, e.fatal]), [["decode", false]]);
    assert.match(errors[0]!.message, /10000 keys/);
    assert.equal(session.stats.decodeErrors, 1);
  });
});
