// mod_audio_fork reads a text message's `type` (`parse_json`, jambonz/freeswitch-modules
// mod_audio_fork/parser.cpp:13-19 at 30f21899), JSON with no "type" string as type `json`, and
// raises `mod_audio_fork::json` with it for the application (lws_glue.cpp:353-357). A FreeSWITCH
// application may listen for that event, so FreeSwitchSerializer sends such a message
// (freeswitch_json_event_message_test.ts); jambonz's `listen` verb does not (it listens for the
// module's connect, connect_failed, error, kill_audio, disconnect and play_audio events only:
// jambonz/jambonz-feature-server lib/tasks/listen.js `_initListeners`, at 389c65e), so there it
// is dropped unseen and JambonzSerializer refuses it where the bot hears of it.
import assert from "node:assert/strict";
import { TransportError } from "../../src/errors.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";

const SERIALIZERS: [string, () => FrameSerializer][] = [
  ["FreeSwitchSerializer", () => new FreeSwitchSerializer()],
  ["JambonzSerializer", () => new JambonzSerializer({ streamSampleRate: 8000 })],
];

const UNTYPED = ["hello", 42, null, [1, 2], { data: { text: "hi" } }, { type: 7 }];

Deno.test('`JambonzSerializer` refuses a message frame that names no command (no "type" string) with an encode error', () => {
  const serializer = new JambonzSerializer({ streamSampleRate: 8000 });
  for (const message of UNTYPED) {
    assert.throws(
      () => serializer.serialize({ type: "message", message }),
      (e) =>
        e instanceof TransportError && e.code === "encode" &&
        /jambonz: message .* names no command: mod_audio_fork raises mod_audio_fork::json/.test(
          e.message,
        ),
      JSON.stringify(message),
    );
  }
  assert.equal(
    serializer.serialize({ type: "message", message: { type: "clearMarks" } }),
    '{"type":"clearMarks"}',
  );
});

Deno.test('`FreeSwitchSerializer` sends a message frame that names no command (no "type" string): the application hears it as mod_audio_fork::json', () => {
  const serializer = new FreeSwitchSerializer();
  for (const message of UNTYPED) {
    assert.equal(
      serializer.serialize({ type: "message", message }),
      JSON.stringify(message),
      JSON.stringify(message),
    );
  }
});

for (const [name, make] of SERIALIZERS) {
  Deno.test(`\`${name}\` refuses killAudio and mark as message frames: they go as interruption and mark frames`, () => {
    // The module's commands (jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp
    // `processIncomingMessage`): `killAudio` empties the playout buffer, markers and all, and
    // keeps the names for the next markers; `mark` joins its 30-mark inventory. Sent past the
    // serializer's count of both, later marks would be answered late, or past 30 dropped unseen.
    const serializer = make();
    for (const message of [{ type: "killAudio" }, { type: "mark", data: { name: "x" } }]) {
      assert.throws(
        () => serializer.serialize({ type: "message", message }),
        (e) =>
          e instanceof TransportError && e.code === "encode" &&
          new RegExp(`${message.type} command goes as an? (interruption|mark) frame`).test(
            e.message,
          ),
        message.type,
      );
    }
  });
}
