// mod_audio_fork reads a text message's `type` and drops one without it with only a log line
// (jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp `processIncomingMessage`, :205-391:
// "could not parse message" / "unsupported msg type"): a `message` frame that is no command must
// be refused where the bot hears of it, as AsteriskSerializer refuses one that names no command.
import assert from "node:assert/strict";
import { TransportError } from "../../src/errors.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";

const SERIALIZERS: [string, () => FrameSerializer][] = [
  ["FreeSwitchSerializer", () => new FreeSwitchSerializer()],
  ["JambonzSerializer", () => new JambonzSerializer({ streamSampleRate: 8000 })],
];

for (const [name, make] of SERIALIZERS) {
  Deno.test(`\`${name}\` refuses a message frame that is no command (no "type") with an encode error`, () => {
    const serializer = make();
    for (const message of ["hello", 42, null, [1, 2], { data: { text: "hi" } }, { type: 7 }]) {
      assert.throws(
        () => serializer.serialize({ type: "message", message }),
        (e) =>
          e instanceof TransportError && e.code === "encode" &&
          /is not a mod_audio_fork command/.test(e.message),
        JSON.stringify(message),
      );
    }
    assert.equal(
      serializer.serialize({ type: "message", message: { type: "transcription", text: "hi" } }),
      '{"type":"transcription","text":"hi"}',
    );
  });
}

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
