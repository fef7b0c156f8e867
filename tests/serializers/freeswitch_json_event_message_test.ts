// mod_audio_fork reads JSON with no "type" string as type "json" (jambonz/freeswitch-modules
// mod_audio_fork/parser.cpp:13-19 at 30f21899; drachtio's since 93b0864, 2019, "add support for
// generic json incoming messages") and raises `mod_audio_fork::json` with the whole JSON as its
// body (lws_glue.cpp:353-357, EVENT_JSON in mod_audio_fork.h): a FreeSWITCH application
// subscribed to that event gets it. `parse_json` takes any JSON cJSON_Parse reads (a string, a
// number, null, an array: cJSON_GetObjectCstr finds no "type" in them either), and a "type" that
// is no string (cJSON_GetObjectCstr returns NULL for it). None is dropped, so the FreeSWITCH
// serializer sends them (jambonz's listen verb does not listen for that event:
// jambonz_listen_commands_test.ts).
import assert from "node:assert/strict";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";

Deno.test("`FreeSwitchSerializer` sends a message without a type string: the module raises mod_audio_fork::json with it", () => {
  for (
    const message of [
      { intent: "book", slots: { day: "monday" } },
      { type: 7, data: { text: "hi" } },
      // The module's keys ignore case; not a string, "Type" names no command either.
      { Type: 5, text: "hi" },
      "hello",
      42,
      null,
      [1, 2],
    ]
  ) {
    assert.equal(
      new FreeSwitchSerializer().serialize({ type: "message", message }),
      JSON.stringify(message),
      JSON.stringify(message),
    );
  }
});
