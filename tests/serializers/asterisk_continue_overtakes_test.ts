// When `AsteriskSerializer.overtakesQueue` lets the bot's CONTINUE_MEDIA go ahead of queued audio.
// docs.asterisk.org, Configuration → Channel Drivers → WebSocket: `PAUSE_MEDIA` plays silence and
// keeps the queue, `CONTINUE_MEDIA` resumes it; MEDIA_XOFF at about 900 queued frames, MEDIA_XON
// below about 800; commands are a name in plain text or `{"command": …}` in JSON (`f(json)`).
// asterisk/asterisk channels/chan_websocket.c `dequeue_frame` returns while `queue_paused`, before
// its XON check: under the bot's pause no XON comes, so the transport's sending, held at XOFF,
// waits on the CONTINUE_MEDIA, which must not wait behind it. Without XOFF, Asterisk takes the
// audio sent while it is paused, and a CONTINUE_MEDIA keeps its place.
import assert from "node:assert/strict";
import type { MessageFrame } from "../../src/frames.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { mediaStart } from "./fixtures/asterisk_channel_playout.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

const message = (value: unknown): MessageFrame => ({ type: "message", message: value });
const CONTINUE_FORMS = [message("CONTINUE_MEDIA"), message({ command: "CONTINUE_MEDIA" })];

/** A serializer bound to a recording context, after `MEDIA_START` in `json` or plain text. */
function channel(json: boolean) {
  const asterisk = new AsteriskSerializer();
  const recording = recordingContext();
  asterisk.bind(recording.context);
  asterisk.deserialize(mediaStart({ json }));
  const event = (name: string) =>
    asterisk.deserialize(json ? JSON.stringify({ event: name, channel_id: "1.1" }) : name);
  return { asterisk, event, ...recording };
}

Deno.test("`AsteriskSerializer.overtakesQueue` answers true for CONTINUE_MEDIA, either form, in either control format, while a MEDIA_XOFF waits on it under the bot's PAUSE_MEDIA", () => {
  for (const json of [false, true]) {
    for (const order of ["xoff first", "pause first"]) {
      const { asterisk, event, reported } = channel(json);
      if (order === "xoff first") event("MEDIA_XOFF");
      asterisk.serialize(message("PAUSE_MEDIA"));
      if (order === "pause first") event("MEDIA_XOFF");
      for (const frame of CONTINUE_FORMS) {
        assert.equal(asterisk.overtakesQueue(frame), true, `${json} ${order}`);
      }
      // Not another command, nor what is no command at all.
      for (const other of ["PAUSE_MEDIA", "GET_STATUS", { command: "GET_STATUS" }, 7, null]) {
        assert.equal(asterisk.overtakesQueue(message(other)), false, String(other));
      }
      assert.equal(asterisk.overtakesQueue(message({ command: ["CONTINUE_MEDIA"] })), false);
      assert.deepEqual(reported, []);
    }
  }
});

Deno.test("`AsteriskSerializer.overtakesQueue` answers false where the XON does not wait on CONTINUE_MEDIA", () => {
  for (const json of [false, true]) {
    const { asterisk, event } = channel(json);
    const overtakes = () => CONTINUE_FORMS.some((frame) => asterisk.overtakesQueue(frame));
    assert.equal(overtakes(), false, "neither XOFF nor pause");
    asterisk.serialize(message("PAUSE_MEDIA"));
    assert.equal(overtakes(), false, "paused without XOFF: the audio before it plays after it");
    asterisk.serialize(message("CONTINUE_MEDIA"));
    event("MEDIA_XOFF");
    assert.equal(overtakes(), false, "XOFF without the bot's pause: the XON comes by itself");
    asterisk.serialize(message("PAUSE_MEDIA"));
    assert.equal(overtakes(), true);
    asterisk.serialize(message({ command: "CONTINUE_MEDIA" }));
    assert.equal(overtakes(), false, "the CONTINUE_MEDIA has left");
    asterisk.serialize(message("PAUSE_MEDIA"));
    assert.equal(overtakes(), true);
    asterisk.serialize({ type: "interruption" }); // FLUSH_MEDIA, then CONTINUE_MEDIA
    assert.equal(overtakes(), false, "the interruption sent one");
    asterisk.serialize(message("PAUSE_MEDIA"));
    event("MEDIA_XON"); // a far end that says XON all the same: the transport's pause is over
    assert.equal(overtakes(), false, "no XOFF holds");
  }
});

Deno.test("`AsteriskSerializer.overtakesQueue` answers false once a passthrough channel refused the pause", () => {
  const { asterisk, event } = channel(false);
  event("MEDIA_XOFF");
  asterisk.serialize(message("PAUSE_MEDIA"));
  assert.equal(asterisk.overtakesQueue(message("CONTINUE_MEDIA")), true);
  asterisk.deserialize(
    "ERROR channel_id:1.1 error_text:PAUSE_MEDIA not supported in passthrough mode",
  );
  assert.equal(asterisk.overtakesQueue(message("CONTINUE_MEDIA")), false);
});
