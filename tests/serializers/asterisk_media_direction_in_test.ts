// Asterisk chan_websocket with the media direction "in" (the `d(in)` dial option, or the JSON
// command `SET_MEDIA_DIRECTION` with `"direction": "in"`): docs.asterisk.org, Configuration →
// Channel Drivers → WebSocket, `SET_MEDIA_DIRECTION`: "Asterisk will drop any media it receives
// from the application", and START_MEDIA_BUFFERING, STOP_MEDIA_BUFFERING, MARK_MEDIA, PAUSE_MEDIA
// and CONTINUE_MEDIA "will generate an error". The far end (fixtures/asterisk_channel_playout.ts,
// `directionIn`) is chan_websocket.c (asterisk 926a1068, August 2026): read_from_ws_and_queue
// drops BINARY messages while the direction is "in"; handle_command answers each of those
// commands at once with `ERROR … <command> not supported while media direction is 'in'`
// (ERROR_ON_INVALID_MEDIA_DIRECTION_RTN) and does nothing else; the channel runs no timer
// (webchan_request, SET_MEDIA_DIRECTION), so nothing queued is answered.
//
// What the bot must see: one clear "protocol" error saying why nothing it says is heard and no
// mark is answered, not one per command for as long as it speaks (one per transport mark, four a
// second); the rest counted in stats.encodeErrors. An answer, once the direction is "both" again,
// ends the spell: a later one is reported again.
import assert from "node:assert/strict";
import { speakToRefusingChannel, startedChannel } from "./fixtures/asterisk_refusing_channel.ts";

/** chan_websocket's ERROR event for `command` refused while the direction is "in". */
function refusal(command: string, json: boolean): string {
  const text = `${command} not supported while media direction is 'in'`;
  return json
    ? JSON.stringify({ event: "ERROR", channel_id: "1.1", error_text: text })
    : `ERROR channel_id:1.1 error_text:${text}`;
}

for (const json of [false, true]) {
  Deno.test(`\`AsteriskSerializer\` on a channel whose media direction is "in" (${json ? "JSON" : "plain-text"} control) reports the refused commands once, clearly, and counts the rest`, async () => {
    // Five seconds of speech.
    const { errors, refusals, encodeErrors } = await speakToRefusingChannel(
      json,
      { directionIn: true },
      5000,
      false,
    );
    assert.ok(refusals > 10, `far end refused ${refusals} commands`);
    assert.equal(errors.length, 1, errors.map((e) => e.message).join(" | "));
    assert.equal(errors[0]!.code, "protocol");
    assert.equal(errors[0]!.fatal, false);
    assert.match(errors[0]!.message, /not supported while media direction is 'in'/);
    assert.match(errors[0]!.message, /drops the bot's audio/);
    assert.match(errors[0]!.message, /marks are not answered/);
    assert.equal(encodeErrors, refusals - 1);
  });
}

Deno.test("`AsteriskSerializer` reports a media-direction refusal again once a mark answered since says the direction changed", () => {
  const { asterisk, reported, counted } = startedChannel(true);
  asterisk.deserialize(refusal("MARK_MEDIA", true));
  asterisk.deserialize(refusal("MARK_MEDIA", true));
  assert.equal(reported.length, 1);
  assert.equal(counted.encodeErrors, 1);
  // SET_MEDIA_DIRECTION "both": the channel's timer runs again, and a mark sent since is answered.
  asterisk.serialize({ type: "mark", name: "m1" });
  assert.deepEqual(
    asterisk.deserialize(
      JSON.stringify({ event: "MEDIA_MARK_PROCESSED", channel_id: "1.1", correlation_id: "m1" }),
    ),
    { type: "mark", name: "m1" },
  );
  asterisk.deserialize(refusal("MARK_MEDIA", true));
  assert.equal(reported.length, 2);
  assert.equal(counted.encodeErrors, 1);
});

for (const json of [false, true]) {
  Deno.test(`\`AsteriskSerializer\` counts a bot's mark refused while the media direction is "in" once, not again when it is given up past 64 pending (${json ? "JSON" : "plain-text"} control)`, () => {
    const { asterisk, reported, counted } = startedChannel(json);
    // d(in): chan_websocket.c handle_command answers each START/STOP_MEDIA_BUFFERING and
    // MARK_MEDIA at once with its ERROR and queues nothing, so no mark is ever answered
    // (docs.asterisk.org, WebSocket, SET_MEDIA_DIRECTION: those commands "will generate an error").
    let refusals = 0;
    for (let i = 0; i < 80; i++) {
      const sent = asterisk.serialize({ type: "mark", name: `m${i}` }) as string[];
      for (const command of sent) {
        const name = json ? JSON.parse(command).command : command.split(" ")[0]!;
        asterisk.deserialize(refusal(name, json));
        refusals++;
      }
    }
    // 80 marks lost, each told of once: the first refusal reported, each later one counted.
    assert.equal(reported.length, 1, reported.map((e) => e.message).join(" | "));
    assert.equal(counted.encodeErrors, refusals - 1);
  });
}
