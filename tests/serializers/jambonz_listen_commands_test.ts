// What becomes of a text message from the bot on jambonz's `listen` socket. The socket's far end
// is FreeSWITCH's mod_audio_fork (jambonz/freeswitch-modules at 30f21899), started by the verb
// with bidirectional streaming: `parse_json` (parser.cpp:4-20) reads the command's type from the
// first key that is "type" in any case (cJSON_GetObjectCstr; FreeSWITCH src/switch_json.c), a
// string, else "json"; `processIncomingMessage` (lws_glue.cpp:205-391) acts itself on killAudio,
// mark and clearMarks, skips playAudio on a streaming fork (:212-214, then "unsupported msg type",
// :384, as for any type it does not know), and raises an event for transcription, transfer,
// disconnect, error and json. jambonz's `listen` task listens for disconnect (ends the verb and
// the fork), error (ends the verb), kill_audio and play_audio only (jambonz/jambonz-feature-server
// lib/tasks/listen.js `_initListeners` at 389c65e; no other code there subscribes to
// mod_audio_fork::transcription, ::transfer or ::json). The docs list the commands playAudio,
// killAudio, disconnect, mark and clearMarks (docs.jambonz.org, Verbs → listen, "bidirectional
// audio"). What nothing acts on is dropped unseen: refused where the bot hears of it.
import assert from "node:assert/strict";
import { TransportError } from "../../src/errors.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";

function refused(message: unknown, pattern: RegExp): void {
  assert.throws(
    () => new JambonzSerializer({ streamSampleRate: 8000 }).serialize({ type: "message", message }),
    (e) => e instanceof TransportError && e.code === "encode" && pattern.test(e.message),
    JSON.stringify(message),
  );
}

Deno.test("`JambonzSerializer` refuses a message of a type nothing on jambonz acts on", () => {
  for (const type of ["transcription", "transfer", "json"]) {
    refused(
      { type, data: { text: "hi" } },
      new RegExp(`jambonz: message type "${type}" .*mod_audio_fork::${type}.*not listen for`),
    );
  }
  for (const type of ["note", "ClearMarks", "stop", ""]) {
    refused({ type, data: {} }, /is not a command jambonz's listen verb acts on/);
  }
  // The docs' non-streaming way to play audio: the serializer streams, and a streaming fork
  // skips playAudio.
  refused(
    { type: "playAudio", data: { audioContentType: "raw", sampleRate: 8000, audioContent: "AA" } },
    /playAudio.*bidirectional streaming/,
  );
});

Deno.test('`JambonzSerializer` refuses a message whose type the module reads from another key than "type"', () => {
  // Key order is JSON.stringify's: the module meets "TYPE" first and kills the audio, or "Type"
  // (not a string) and raises a `json` event, while the serializer read a clearMarks (and
  // forgot its marks for it).
  refused({ TYPE: "killAudio", type: "clearMarks" }, /"TYPE"/);
  refused({ Type: 5, type: "clearMarks" }, /"Type"/);
  refused({ tYpe: "clearMarks" }, /"tYpe"/);
});

Deno.test("`JambonzSerializer` sends the commands jambonz acts on as they are", () => {
  for (
    const message of [
      { type: "clearMarks" },
      { type: "disconnect" },
      { type: "error", data: { reason: "x" } },
    ]
  ) {
    assert.equal(
      new JambonzSerializer({ streamSampleRate: 8000 }).serialize({ type: "message", message }),
      JSON.stringify(message),
    );
  }
});
