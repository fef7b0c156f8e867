// The mod_audio_fork far end reads a command as the module does: `parse_json`
// (jambonz/freeswitch-modules mod_audio_fork/parser.cpp:13-19 at 30f21899) takes the type from
// the first key that is "type" in any case (FreeSWITCH's cJSON_GetObjectItem ignores case), a
// string, else "json"; `processIncomingMessage` (lws_glue.cpp:353-357) raises
// mod_audio_fork::json with it. A FreeSWITCH application may hear that event; jambonz's `listen`
// task hears none of json, transcription and transfer (jambonz/jambonz-feature-server
// lib/tasks/listen.js `_initListeners` at 389c65e): there they are dropped unseen, a violation.
import assert from "node:assert/strict";
import { FakeClock } from "../../../src/testing/fake_clock.ts";
import type { FarEndContext } from "../../../src/simulator/far_end.ts";
import {
  ALL_MODULE_EVENTS,
  AudioForkPlayback,
} from "../../../src/simulator/far_ends/_audio_fork.ts";

/** A fork for `protocol` whose context records violations, notes and clears. */
function fork(protocol: "freeswitch" | "jambonz") {
  const clock = new FakeClock();
  const seen: string[] = [];
  const unused = (what: string) => () => assert.fail(`${what} not expected`);
  const context: FarEndContext = {
    now: () => clock.now(),
    sleep: (ms) => clock.sleep(ms),
    send: unused("send"),
    violation: (rule) => seen.push(`violation ${rule}`),
    play: unused("play"),
    queuedMs: () => 0,
    mark: unused("mark"),
    whenPlayed: unused("whenPlayed"),
    markRequested: () => {},
    markSettled: () => {},
    clear: () => seen.push("clear"),
    dropQueued: unused("dropQueued"),
    ready: () => {},
    endCall: unused("endCall"),
    note: (what) => seen.push(`note ${what}`),
  };
  const playback = new AudioForkPlayback(context, {
    protocol,
    onDisconnect: unused("disconnect"),
    streamSampleRate: 8000,
    channelSampleRate: 8000,
    heardEvents: protocol === "freeswitch" ? ALL_MODULE_EVENTS : new Set(["error"]),
  });
  return { playback, seen, clock };
}

const UNTYPED = ['{"intent":"book"}', '{"type":7}', '"hello"', "42", "null", "[1,2]"];

Deno.test("FreeSWITCH far end: JSON without a type string raises mod_audio_fork::json for the application, no violation", () => {
  const { playback, seen } = fork("freeswitch");
  for (const text of UNTYPED) playback.receive(text);
  playback.receive('{"type":"transcription","data":{"text":"hi"}}');
  assert.deepEqual(seen, [
    ...UNTYPED.map(() => "note freeswitch json"),
    "note freeswitch transcription",
  ]);
});

Deno.test("jambonz far end: JSON without a type string, transcription and transfer are dropped unseen, violations; error is heard", () => {
  const { playback, seen } = fork("jambonz");
  for (const text of UNTYPED) playback.receive(text);
  playback.receive('{"type":"transcription","data":{"text":"hi"}}');
  playback.receive('{"type":"transfer","data":{}}');
  playback.receive('{"type":"error","data":{}}');
  assert.deepEqual(seen, [
    ...UNTYPED.map(() => "violation jambonz.unheard-event"),
    "violation jambonz.unheard-event",
    "violation jambonz.unheard-event",
    "note jambonz error",
  ]);
});

Deno.test('mod_audio_fork far end: a command\'s type is read from the first key that is "type" in any case', async () => {
  for (const protocol of ["freeswitch", "jambonz"] as const) {
    const { playback, seen, clock } = fork(protocol);
    // "TYPE" comes first: the module kills the audio, whatever "type" says.
    playback.receive('{"TYPE":"killAudio","type":"transcription"}');
    await clock.tick(20);
    assert.deepEqual(seen, ["clear"], protocol);
  }
});
