// Asterisk chan_websocket dialled with its `p` option (passthrough: Dial(WebSocket/bot/c(ulaw)p),
// chan_websocket.c webchan_request OPT_WS_PASSTHROUGH; docs.asterisk.org Channel Drivers →
// WebSocket, dial string options). MEDIA_START is the same as without it (the
// optimal_frame_size is computed before the flag is applied, websocket_new), but handle_command
// answers START_MEDIA_BUFFERING, STOP_MEDIA_BUFFERING, MARK_MEDIA and FLUSH_MEDIA with
// `ERROR … <command> not supported in passthrough mode` and does nothing. Far end simulated in
// fixtures/asterisk_channel_playout.ts from chan_websocket.c.
//
// What the bot must see: one clear "protocol" error saying why no mark is answered and an
// interruption cuts nothing, not one per command for the whole call (two per transport mark in
// plain text, several a second while it speaks); the rest counted in stats.encodeErrors.
import assert from "node:assert/strict";
import type { Frame, TransportError } from "../../mod.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { asteriskFarEnd } from "./fixtures/asterisk_channel_playout.ts";
import { narrowbandCall } from "./fixtures/narrowband_call.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

for (const json of [false, true]) {
  Deno.test(`\`AsteriskSerializer\` on a passthrough channel (${json ? "JSON" : "plain-text"} control) reports the refused commands once, clearly, and counts the rest`, async () => {
    const { clock, pair, transport } = narrowbandCall(new AsteriskSerializer());
    const log = asteriskFarEnd(clock, pair, {
      json,
      frameBytes: 160,
      format: "ulaw",
      passthrough: true,
    });
    const errors: TransportError[] = [];
    transport.addEventListener("error", (e) => errors.push(e.error));
    transport.receive(() => {});
    await clock.tick(10);
    // Ten seconds of speech, then the caller barges in.
    transport.send(
      {
        type: "audio",
        audio: new Uint8Array(80000).fill(1),
        sampleRate: 8000,
        channels: 1,
      } as Frame,
    );
    await clock.tick(9000);
    transport.interrupt();
    await clock.tick(1000);
    const refusals = log.events.filter((e) => e.includes("ERROR")).length;
    assert.ok(refusals > 10, `far end refused ${refusals} commands`);
    assert.equal(errors.length, 1, errors.map((e) => e.message).join(" | "));
    assert.equal(errors[0]!.code, "protocol");
    assert.equal(errors[0]!.fatal, false);
    assert.match(errors[0]!.message, /not supported in passthrough mode/);
    assert.match(errors[0]!.message, /"p" \(passthrough\) option/);
    assert.match(errors[0]!.message, /marks are never answered/);
    assert.equal(transport.stats.encodeErrors, refusals - 1);
    await transport.close();
  });
}

Deno.test("`AsteriskSerializer` reports every other ERROR as it comes", () => {
  const asterisk = new AsteriskSerializer();
  const { context, reported } = recordingContext();
  asterisk.bind(context);
  asterisk.deserialize("ERROR channel_id:1.1 error_text:Unable to parse JSON command");
  asterisk.deserialize("ERROR channel_id:1.1 error_text:Unable to parse JSON command");
  assert.deepEqual(reported.map((e) => e.message), [
    "Asterisk: Unable to parse JSON command",
    "Asterisk: Unable to parse JSON command",
  ]);
});
