// The transport's hold of its pacing for the bot's PAUSE_MEDIA (`SerializerContext.farEndHeld`)
// is bounded by `sendTimeoutMs`; a wait that gives up says so, once. docs.asterisk.org,
// Configuration → Channel Drivers → WebSocket: "Commands" — `PAUSE_MEDIA` plays silence and keeps
// the queue, `CONTINUE_MEDIA` plays it on; "Flow Control" — `MEDIA_XOFF` asks the app to stop
// sending, `MEDIA_XON` to go on. The far end is ./fixtures/pausing_asterisk.ts, with the flow
// control events scripted here: chan_websocket.c sends no XON while `queue_paused`, so this XON
// stands for any pause of sending (`SerializerContext.pauseSending`) that ends before its bound.
import assert from "node:assert/strict";
import { asterisk16kTransport } from "./fixtures/asterisk_channel_playout.ts";
import { pausingAsterisk } from "./fixtures/pausing_asterisk.ts";
import { filledPcm16k } from "./fixtures/filled_pcm_16k.ts";

/** chan_websocket's JSON event `event` (the `f(json)` control format). */
const event = (name: string) => JSON.stringify({ event: name, channel_id: "1.1" });

Deno.test("Asterisk PAUSE_MEDIA: a hold whose bound passed under MEDIA_XOFF, a message then queued, is given up with a timeout error at the XON", async () => {
  for (const withMessage of [true, false]) {
    const { clock, pair, transport } = asterisk16kTransport({
      sendAheadMs: 1000,
      maxQueuedMs: 20_000,
    });
    const errors: string[] = [];
    transport.addEventListener("error", (e) => void errors.push(`${e.error.code}: ${e.error}`));
    pausingAsterisk(clock, pair);
    transport.receive(() => {});
    await clock.tick(10);
    void transport.send({ ...filledPcm16k(12_000 * 32, 0x11), responseId: "r1" });
    await clock.tick(990);
    // The pause from 1 s: the hold's bound is 6 s. The XOFF at 2 s bounds sending for the bot's
    // pause from then (7 s).
    void transport.send({ type: "message", message: { command: "PAUSE_MEDIA" }, urgent: true });
    await clock.tick(1000);
    pair.client.send(event("MEDIA_XOFF"));
    await clock.tick(4200); // 6.2 s: the hold's bound passed, sending still paused
    assert.deepEqual(errors, [], `nothing said while the XOFF holds (${withMessage})`);
    if (withMessage) {
      void transport.send({ type: "message", message: { command: "GET_STATUS" } });
    }
    await clock.tick(200);
    pair.client.send(event("MEDIA_XON")); // 6.4 s: before the pause's bound
    await clock.tick(100);
    assert.equal(errors.length, 1, `${errors.join("\n")} (${withMessage})`);
    assert.match(errors[0]!, /^timeout: .*PAUSE_MEDIA.* did not play on within 5000 ms/);
    await clock.tick(2000);
    assert.equal(errors.length, 1, `once (${withMessage})`);
    await transport.close();
    await clock.tick(60_000);
  }
});
