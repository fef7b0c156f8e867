// What mod_audio_fork does with a text message from the server (jambonz/freeswitch-modules
// mod_audio_fork at 30f21899): `parse_json` (parser.cpp:4-20) takes the command's type from the
// JSON's "type" string, read with FreeSWITCH's cJSON_GetObjectCstr, whose cJSON_GetObjectItem
// matches keys regardless of case and takes the first that matches (FreeSWITCH
// src/switch_json.c); with no such string the type is "json". `processIncomingMessage`
// (lws_glue.cpp:205-391) then acts on `killAudio`, `mark`, `clearMarks`, `transcription`,
// `transfer`, `disconnect`, `error` and `json`, and on `playAudio` only when the fork was started
// without bidirectional streaming (:212-214); any other type gets an "unsupported msg type" log
// line (:384) and nothing else. A `message` frame the module would drop so, or read otherwise, or
// crash on, is refused where the bot hears of it, as one without a "type" is
// (fork_message_test.ts).
import assert from "node:assert/strict";
import { TransportError } from "../../src/errors.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";

function refused(message: unknown, pattern: RegExp): void {
  assert.throws(
    () => new FreeSwitchSerializer().serialize({ type: "message", message }),
    (e) => e instanceof TransportError && e.code === "encode" && pattern.test(e.message),
    JSON.stringify(message),
  );
}

Deno.test("`FreeSwitchSerializer` refuses a playAudio the module would crash on or file at the wrong rate", () => {
  // The mod_audio_fork README's way to play audio, read by a fork without bidirectional streaming
  // (drachtio's module always): `strcmp` on data.audioContentType whenever `data` is there
  // (lws_glue.cpp:216-225; drachtio's :42-51), a NULL one crashing FreeSWITCH; raw audio filed by
  // its sampleRate, a JSON number of 8000 … 64000, any other as 16 kHz (:226-251).
  const audioContent = "AAAA";
  for (
    const data of [
      { sampleRate: 8000, audioContent },
      { audioContentType: 1, sampleRate: 8000, audioContent },
      { AudioContentType: null, audioContentType: "raw", sampleRate: 8000, audioContent },
      null,
      "raw",
    ]
  ) {
    refused({ type: "playAudio", data }, /playAudio has no data\.audioContentType.*crashes/);
  }
  refused({ type: "playAudio" }, /playAudio has no data: the module drops it/);
  for (const sampleRate of [22050, "8000", undefined]) {
    refused(
      { type: "playAudio", data: { audioContentType: "raw", sampleRate, audioContent } },
      /playAudio names raw audio at sampleRate .*16 kHz/,
    );
  }
  for (
    const data of [
      { audioContentType: "raw", sampleRate: 8000, audioContent },
      { audioContentType: "raw", SampleRate: 24000, audioContent },
      { audioContentType: "wave", audioContent },
      { audioContentType: "raw", sampleRate: 8000, textContent: "Hi there!" },
    ]
  ) {
    const message = { type: "playAudio", data };
    assert.equal(
      new FreeSwitchSerializer().serialize({ type: "message", message }),
      JSON.stringify(message),
    );
  }
});

Deno.test("`FreeSwitchSerializer` refuses a message of a type mod_audio_fork does not know", () => {
  for (const type of ["note", "Transcription", "stop", ""]) {
    refused({ type, data: {} }, /not a mod_audio_fork command/);
  }
});

Deno.test('`FreeSwitchSerializer` refuses a message whose type the module reads from another key than "type"', () => {
  // Key order is JSON.stringify's: the module meets "TYPE" first and kills the audio, or "Type"
  // (not a string) and raises a `json` event, while the serializer read a transcription.
  refused({ TYPE: "killAudio", type: "transcription" }, /"TYPE"/);
  refused({ Type: 5, type: "transcription", data: {} }, /"Type"/);
});

Deno.test("`FreeSwitchSerializer` sends the commands the module raises events for as they are", () => {
  for (
    const message of [
      { type: "transcription", data: { text: "hi" } },
      { type: "transfer", data: { to: "sip:a@b" } },
      { type: "error", data: { reason: "x" } },
      { type: "json", data: { any: 1 } },
      { type: "disconnect" },
      { type: "clearMarks" },
    ]
  ) {
    const fs = new FreeSwitchSerializer();
    assert.equal(fs.serialize({ type: "message", message }), JSON.stringify(message));
  }
});
