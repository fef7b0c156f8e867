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
import { speakToRefusingChannel } from "./fixtures/asterisk_refusing_channel.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

for (const json of [false, true]) {
  Deno.test(`\`AsteriskSerializer\` on a passthrough channel (${json ? "JSON" : "plain-text"} control) reports the refused commands once, clearly, and counts the rest`, async () => {
    // Ten seconds of speech, then the caller barges in.
    const { errors, refusals, encodeErrors } = await speakToRefusingChannel(
      json,
      { passthrough: true },
      9000,
      true,
    );
    assert.ok(refusals > 10, `far end refused ${refusals} commands`);
    assert.equal(errors.length, 1, errors.map((e) => e.message).join(" | "));
    assert.equal(errors[0]!.code, "protocol");
    assert.equal(errors[0]!.fatal, false);
    assert.match(errors[0]!.message, /not supported in passthrough mode/);
    assert.match(errors[0]!.message, /"p" \(passthrough\) option/);
    assert.match(errors[0]!.message, /marks are never answered/);
    assert.equal(encodeErrors, refusals - 1);
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
