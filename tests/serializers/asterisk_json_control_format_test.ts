// A `controlFormat` forced to one form on a channel that speaks the other. The far end is
// asterisk/asterisk channels/chan_websocket.c (f0c1c1a7, August 2026): one per-channel
// `control_msg_format` (the `f()` dial option, or chan_websocket.conf's `control_message_format`;
// docs.asterisk.org, Configuration for chan_websocket) decides both how `_create_event_MEDIA_START`
// writes its event and how `handle_command` reads every TEXT command. On a JSON channel a bare
// word is answered with ERROR "Unable to parse JSON command"; on a plain-text one the whole JSON
// object (compact: no space in it) is taken as a command's name, logged as unknown, and nothing
// more: the flush, the marks and the hang-up all silently did nothing.
import assert from "node:assert/strict";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { NARROWBAND_SETUP } from "./fixtures/narrowband_call.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

/** `_create_event_MEDIA_START`'s two forms for a μ-law channel (ast_json_pack order, compact). */
const MEDIA_START = {
  plain: "MEDIA_START connection_id:c1 channel:WebSocket/c1/0x1 channel_id:1.1 format:ulaw " +
    "optimal_frame_size:160 ptime:20",
  json: '{"event":"MEDIA_START","connection_id":"c1","channel":"WebSocket/c1/0x1",' +
    '"channel_id":"1.1","format":"ulaw","optimal_frame_size":160,"ptime":20,' +
    '"channel_variables":{}}',
};

function started(controlFormat: "plain-text" | "json", event: string) {
  const asterisk = new AsteriskSerializer({ controlFormat });
  const { context, reported } = recordingContext();
  asterisk.bind(context);
  asterisk.setup(NARROWBAND_SETUP);
  asterisk.deserialize(event);
  return { asterisk, reported };
}

Deno.test("`AsteriskSerializer` forced to JSON on a plain-text channel reports it once and writes its commands in plain text, which the channel reads", () => {
  const { asterisk, reported } = started("json", MEDIA_START.plain);
  // Before: '{"command":"FLUSH_MEDIA"}', a command name chan_websocket does not know: the caller's
  // barge-in cut nothing, and no error said why.
  assert.deepEqual(asterisk.serialize({ type: "interruption" }), ["FLUSH_MEDIA"]);
  assert.deepEqual(asterisk.serialize({ type: "message", message: "GET_STATUS" }), "GET_STATUS");
  assert.deepEqual(asterisk.serialize({ type: "cancel" }), "HANGUP");
  assert.equal(reported.length, 1);
  assert.equal(reported[0]!.code, "protocol");
  assert.match(reported[0]!.message, /controlFormat "json".*plain-text/);
});

Deno.test("`AsteriskSerializer` forced to plain text on a JSON channel reports it once and writes its commands in JSON, which the channel reads", () => {
  const { asterisk, reported } = started("plain-text", MEDIA_START.json);
  // Before: "FLUSH_MEDIA", answered with ERROR "Unable to parse JSON command" and not done.
  assert.deepEqual(asterisk.serialize({ type: "interruption" }), ['{"command":"FLUSH_MEDIA"}']);
  assert.deepEqual(
    asterisk.serialize({ type: "message", message: "GET_STATUS" }),
    '{"command":"GET_STATUS"}',
  );
  assert.equal(reported.length, 1);
  assert.match(reported[0]!.message, /controlFormat "plain-text".*JSON/);
});

Deno.test("`AsteriskSerializer` forced to the form its channel speaks reports nothing", () => {
  for (
    const [format, event, flush] of [
      ["plain-text", MEDIA_START.plain, "FLUSH_MEDIA"],
      ["json", MEDIA_START.json, '{"command":"FLUSH_MEDIA"}'],
    ] as const
  ) {
    const { asterisk, reported } = started(format, event);
    assert.deepEqual(asterisk.serialize({ type: "interruption" }), [flush]);
    assert.deepEqual(reported, []);
  }
});
