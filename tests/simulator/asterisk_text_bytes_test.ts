// The simulated chan_websocket writes each TEXT message byte for byte as Asterisk does:
// asterisk/asterisk channels/chan_websocket.c (926a1068, August 2026). `_create_event_ERROR`
// writes `ERROR channel_id:<id> error_text:<text>` in plain text and
// `{"event":"ERROR","channel_id":…,"error_text":…}` in JSON (`ast_json_pack` order, Jansson's
// JSON_COMPACT), the text as `handle_command` passes it: SET_MEDIA_DIRECTION's three end in ".\n"
// ("%s only supports JSON format.\n", "%s requires a 'direction' parameter.\n", "'%s' is not a
// valid direction for %s.\n"), the others ("%s not supported while media direction is '%s'",
// "Unable to parse JSON command") do not. `_create_event_DTMF_END` packs `channel_id` before
// `digit` in JSON, prints `digit:` first in plain text. `process_text_message` `ast_strip`s the
// command (bytes below 33), and handle_command takes a plain-text parameter as all after the
// first space. Asterisk's main/json.c reads commands with `json_loadb(…, 0, …)`: an object or
// an array only, no `\u0000`; Jansson src/dump.c writes other control characters as `\u%04X`.
//
// The far end wrote the direction errors without ".\n", cut a bad direction to 20 characters,
// packed DTMF_END's digit first in JSON, took a JSON string as a command, trimmed a mark's id,
// and wrote escapes in lowercase hex.
import assert from "node:assert/strict";
import {
  type AsteriskControlFormat,
  AsteriskFarEnd,
} from "../../src/simulator/far_ends/asterisk.ts";
import { farEndContext } from "./far_ends/_context.ts";

/** A far end on channel "1767225600.0001", connection "c-1", and the TEXT it writes after MEDIA_START. */
function channel(controlFormat: AsteriskControlFormat) {
  const sent: string[] = [];
  const violations: string[] = [];
  const asterisk = new AsteriskFarEnd(
    { encoding: "ulaw", callId: "1767225600.0001", streamId: "c-1" },
    { controlFormat },
  );
  asterisk.open(farEndContext({
    send: (message) => void (typeof message === "string" && sent.push(message)),
    violation: (rule) => void violations.push(rule),
    // Nothing queued: a mark is answered as soon as it is asked.
    mark: (_name, _onClear, answer) => answer(),
    whenPlayed: (_onClear, answer) => answer(),
  }));
  const start = sent.shift()!;
  return {
    asterisk,
    start,
    violations,
    /** The TEXT written since last asked, in order. */
    written: () => sent.splice(0),
    /** What `text` was answered with, in order. */
    answers(text: string): string[] {
      asterisk.receive(text);
      return sent.splice(0);
    },
  };
}

const ERROR_JSON = (text: string) =>
  `{"event":"ERROR","channel_id":"1767225600.0001","error_text":"${text}"}`;

Deno.test('AsteriskFarEnd answers a bad SET_MEDIA_DIRECTION with chan_websocket\'s bytes, each text ending in ".\\n"', () => {
  const plain = channel("plain-text");
  assert.deepEqual(plain.answers("SET_MEDIA_DIRECTION in"), [
    "ERROR channel_id:1767225600.0001 error_text:SET_MEDIA_DIRECTION only supports JSON format.\n",
  ]);
  const json = channel("json");
  assert.deepEqual(json.answers('{"command":"SET_MEDIA_DIRECTION"}'), [
    ERROR_JSON("SET_MEDIA_DIRECTION requires a 'direction' parameter.\\n"),
  ]);
  const long = "sideways-and-then-some-more";
  assert.deepEqual(json.answers(`{"command":"SET_MEDIA_DIRECTION","direction":"${long}"}`), [
    ERROR_JSON(`'${long}' is not a valid direction for SET_MEDIA_DIRECTION.\\n`),
  ]);
  assert.deepEqual(json.violations, ["asterisk.bad-direction", "asterisk.bad-direction"]);
});

Deno.test("AsteriskFarEnd writes its other ERROR texts without a newline, as chan_websocket does", () => {
  const json = channel("json");
  json.answers('{"command":"SET_MEDIA_DIRECTION","direction":"in"}');
  assert.deepEqual(json.answers('{"command":"MARK_MEDIA","correlation_id":"m1"}'), [
    ERROR_JSON("MARK_MEDIA not supported while media direction is 'in'"),
  ]);
  assert.deepEqual(json.answers("{nope"), [ERROR_JSON("Unable to parse JSON command")]);
});

Deno.test("AsteriskFarEnd refuses the JSON Jansson refuses: a command that is no object or array, a \\u0000", () => {
  const json = channel("json");
  for (
    const text of [
      '"PAUSE_MEDIA"',
      "42",
      "null",
      '{"command":"MARK_MEDIA","correlation_id":"a\\u0000"}',
    ]
  ) {
    assert.deepEqual(json.answers(text), [ERROR_JSON("Unable to parse JSON command")], text);
  }
  assert.deepEqual(json.violations, Array(4).fill("asterisk.bad-json"));
});

Deno.test("AsteriskFarEnd packs DTMF_END as chan_websocket does: the digit first in plain text, the channel id first in JSON", () => {
  const plain = channel("plain-text");
  plain.asterisk.sendDtmf("5");
  assert.deepEqual(plain.written(), [
    "DTMF_END digit:5 channel_id:1767225600.0001",
  ]);
  const json = channel("json");
  json.asterisk.sendDtmf("#");
  assert.deepEqual(json.written(), [
    '{"event":"DTMF_END","channel_id":"1767225600.0001","digit":"#"}',
  ]);
});

Deno.test("AsteriskFarEnd answers a mark with the id as Asterisk reads it: all after the first space, escapes in Jansson's uppercase hex", () => {
  const plain = channel("plain-text");
  assert.deepEqual(plain.answers("MARK_MEDIA  two spaces\u00a0\t\n"), [
    "MEDIA_MARK_PROCESSED  two spaces\u00a0",
  ]);
  assert.deepEqual(plain.answers(" \x01MARK_MEDIA\r\n"), ["MEDIA_MARK_PROCESSED"]);
  const json = channel("json");
  assert.deepEqual(json.answers('{"command":"MARK_MEDIA","correlation_id":"\\u001b/é\\\\u001b"}'), [
    '{"event":"MEDIA_MARK_PROCESSED","channel_id":"1767225600.0001",' +
    '"correlation_id":"\\u001B/é\\\\u001b"}',
  ]);
  assert.deepEqual(json.answers('{"command":"MARK_MEDIA","correlation_id":7}'), [
    '{"event":"MEDIA_MARK_PROCESSED","channel_id":"1767225600.0001","correlation_id":""}',
  ]);
});

Deno.test("AsteriskFarEnd writes MEDIA_START and STATUS as chan_websocket's formats do", () => {
  const plain = channel("plain-text");
  assert.match(
    plain.start,
    /^MEDIA_START connection_id:c-1 channel:WebSocket\/c-1\/0x[0-9a-f]{12} channel_id:1767225600\.0001 format:ulaw optimal_frame_size:160 ptime:20$/,
  );
  assert.deepEqual(plain.answers("GET_STATUS"), [
    "STATUS channel_id:1767225600.0001 queue_length:0 xon_level:800 xoff_level:900 " +
    "queue_full:false bulk_media:false media_paused:false",
  ]);
  const json = channel("json");
  assert.match(
    json.start,
    /^\{"event":"MEDIA_START","connection_id":"c-1","channel":"WebSocket\/c-1\/0x[0-9a-f]{12}","channel_id":"1767225600\.0001","format":"ulaw","optimal_frame_size":160,"ptime":20,"channel_variables":\{/,
  );
  assert.deepEqual(json.answers('{"command":"GET_STATUS"}'), [
    '{"event":"STATUS","channel_id":"1767225600.0001","queue_length":0,"xon_level":800,' +
    '"xoff_level":900,"queue_full":false,"bulk_media":false,"media_paused":false}',
  ]);
});
