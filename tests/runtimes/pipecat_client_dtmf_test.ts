// The official pipecat JS client's keypad, end to end: `PipecatClient.sendDTMF` (client-js 1.13,
// from npm, unmodified) against a Deno server speaking `ProtobufSerializer`. The client sends its
// keys as an RTVI `dtmf` message once a bot of protocol 2.0+ is ready (`{buttons}` for 2.1.0, the
// version `rtviBotReady` announces); pipecat's own server makes each key an `InputDTMFFrame`
// (`processors/frameworks/rtvi/processor.py`, `_handle_dtmf`), and so the bot reads `dtmf` frames.
import assert from "node:assert/strict";
import type { DtmfFrame } from "../../src/frames.ts";
import { within } from "../_ws_client.ts";
import { withPipecatClient } from "./_pipecat_session.ts";

Deno.test("the pipecat JS client's sendDTMF reaches the bot as dtmf frames, key by key", async () => {
  const keys: DtmfFrame[] = [];
  const messages: unknown[] = [];
  let threeKeys!: () => void;
  const pressed = new Promise<void>((resolve) => threeKeys = resolve);
  await withPipecatClient((frame) => {
    if (frame.type === "message") messages.push(frame.message);
    else if (frame.type === "dtmf") {
      keys.push(frame);
      if (keys.length === 3) threeKeys();
    }
  }, async (client) => {
    client.sendDTMF("9*#");
    await within(pressed, 5000, "three dtmf frames");
    assert.deepEqual(keys, [
      { type: "dtmf", digit: "9" },
      { type: "dtmf", digit: "*" },
      { type: "dtmf", digit: "#" },
    ]);
    assert.deepEqual(messages, [], "no RTVI dtmf message left for the bot to read");
  });
});
