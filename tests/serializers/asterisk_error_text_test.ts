// Asterisk's ERROR events as chan_websocket writes them, byte for byte: asterisk/asterisk
// channels/chan_websocket.c (f0c1c1a7, August 2026). `_create_event_ERROR` writes
// `ERROR channel_id:<id> error_text:<text>` in plain text and, in JSON (`f(json)`),
// `{"event":"ERROR","channel_id":<id>,"error_text":<text>}` (`ast_json_pack` order, Jansson's
// compact dump), `<text>` as `handle_command` printed it. Its three SET_MEDIA_DIRECTION texts end
// in ".\n": "%s only supports JSON format.\n", "%s requires a 'direction' parameter.\n" and
// "'%s' is not a valid direction for %s.\n"; the others ("%s not supported in passthrough mode",
// "… while media direction is '%s'", "Unable to parse JSON command") do not.
//
// What the bot is told of one refusal must not depend on the control format: plain text cannot
// carry the newline (an event is one line), and the JSON form kept it ("….\n" in the report).
// Both are trimmed.
import assert from "node:assert/strict";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { asterisk16kTransport, asteriskFarEnd } from "./fixtures/asterisk_channel_playout.ts";
import { startedChannel } from "./fixtures/asterisk_refusing_channel.ts";

/** handle_command's three SET_MEDIA_DIRECTION texts, printed for a bad direction "sideways". */
const DIRECTION_TEXTS = [
  "SET_MEDIA_DIRECTION only supports JSON format.\n",
  "SET_MEDIA_DIRECTION requires a 'direction' parameter.\n",
  "'sideways' is not a valid direction for SET_MEDIA_DIRECTION.\n",
];

/** The ERROR event chan_websocket writes for `text` on channel 1.1, in either format. */
function errorEvent(text: string, json: boolean): string {
  return json
    // What Jansson's compact dump writes: the newline as the two characters `\n`.
    ? `{"event":"ERROR","channel_id":"1.1","error_text":"${text.replace("\n", "\\n")}"}`
    : `ERROR channel_id:1.1 error_text:${text}`;
}

Deno.test("`AsteriskSerializer` reports chan_websocket's SET_MEDIA_DIRECTION errors in the same words in either control format, without the trailing newline", () => {
  // The bytes are those above: the JSON one parses to the text with its newline.
  assert.equal(JSON.parse(errorEvent(DIRECTION_TEXTS[1]!, true)).error_text, DIRECTION_TEXTS[1]);
  for (const text of DIRECTION_TEXTS) {
    const told = [false, true].map((json) => {
      const { asterisk, reported } = startedChannel(json);
      assert.equal(asterisk.deserialize(errorEvent(text, json)), null);
      assert.equal(reported.length, 1);
      assert.equal(reported[0]!.code, "protocol");
      return reported[0]!.message;
    });
    // Before: the JSON one ended in ".\n", the plain-text one in ".".
    assert.deepEqual(told, [`Asterisk: ${text.trimEnd()}`, `Asterisk: ${text.trimEnd()}`]);
  }
});

Deno.test("`AsteriskSerializer` reports an ERROR whose text is only whitespace as one without a text, in either control format", () => {
  for (const json of [false, true]) {
    const { asterisk, reported } = startedChannel(json);
    asterisk.deserialize(errorEvent("\n", json));
    assert.deepEqual(reported.map((e) => e.message), ["Asterisk: ERROR without error_text"]);
  }
});

Deno.test("a bot's refused SET_MEDIA_DIRECTION reaches its error listener as chan_websocket's text, without the newline, on a plain-text and on a JSON channel", async () => {
  for (const json of [false, true]) {
    const { clock, pair, transport } = asterisk16kTransport({
      serializer: new AsteriskSerializer(),
    });
    // The channel of the other Asterisk tests (its docs and C source cited there), whose
    // handle_command answers SET_MEDIA_DIRECTION with the texts above, their newline included.
    const far = asteriskFarEnd(clock, pair, { json, format: "slin16", frameBytes: 640 });
    const errors: string[] = [];
    transport.addEventListener("error", (e) => void errors.push(e.error.message));
    transport.receive(() => {});
    await clock.tick(10);
    // Plain text carries a command's name alone: Asterisk answers that it needs JSON. On JSON,
    // a direction it does not know.
    await transport.send({
      type: "message",
      message: json
        ? { command: "SET_MEDIA_DIRECTION", direction: "sideways" }
        : "SET_MEDIA_DIRECTION",
    });
    await clock.tick(10);
    assert.deepEqual(far.refused, ["SET_MEDIA_DIRECTION"]);
    assert.ok(far.events.at(-1)!.includes(json ? "\\n" : "\n"), "Asterisk's newline sent");
    assert.deepEqual(errors, [
      json
        ? "Asterisk: 'sideways' is not a valid direction for SET_MEDIA_DIRECTION."
        : "Asterisk: SET_MEDIA_DIRECTION only supports JSON format.",
    ]);
    await transport.close();
    await clock.tick(60_000);
  }
});
