// A number sent as a string is read only when it is spelled as the providers' pages spell one.
//
// Twilio's "Media Streams - WebSocket Messages" (twilio.com/docs/voice/media-streams/
// websocket-messages, "Media message": `"sequenceNumber"`, `"chunk"` and `"timestamp"` strings of
// digits), Telnyx's "Stream call media over WebSocket" (developers.telnyx.com/api-reference/
// websockets/stream-call-media-over-websocket: `"sequence_number": "1"`) and Exotel's AgentStream
// "WebSocket protocol" (developer.exotel.com/docs/agentstream/websocket-protocol: `"chunk": "2"`,
// `"timestamp": "200"`, `"sample_rate": "8000"`) send digits and nothing else. `Number()` takes
// far more: `"0x10"` is 16, `"1e3"` 1000, `" 7 "` 7. The inbound fuzzer's mangled `"0x10"` chunk
// was read as media 16, and the reorder stage dropped the call's next audio as late.
import assert from "node:assert/strict";
import { TransportError } from "../../../src/errors.ts";
import { JsonReader } from "../../../src/serializers/telephony/json_reader.ts";

/** `{"n": <json>}`'s field `n`, read by `optionalNumber`. */
const readNumber = (json: string) => JsonReader.parse(`{"n":${json}}`, "Acme").optionalNumber("n");

Deno.test("`JsonReader.optionalNumber` reads JSON numbers and strings of plain decimal digits", () => {
  const read: [string, number][] = [
    ["3", 3],
    ['"3"', 3],
    ['"0"', 0],
    ['"8000"', 8000], // Exotel's `sample_rate`
    ['"1713456789012"', 1713456789012], // an epoch time in ms (Plivo's `timestamp`)
    ['"-2147483648"', -2147483648], // what a JSON number may be, a string may be
    ['"0.5"', 0.5],
    ['"-20.25"', -20.25],
    ['"007"', 7], // leading zeros: still decimal, never octal
    ["1e3", 1000], // a JSON number is JSON's to spell
    ["-0.5", -0.5],
  ];
  for (const [json, number] of read) assert.equal(readNumber(json), number, json);
});

Deno.test("`JsonReader.optionalNumber` refuses, as a decode error naming the field, every other spelling `Number()` would take", () => {
  const refused = [
    "0x10", // hexadecimal: `Number()` reads 16
    "0X10",
    "0b1",
    "0o7",
    "1e3", // an exponent
    "1E3",
    "-1e308",
    " 7 ", // spaces, which `Number()` trims
    "7 ",
    "\n7", // a newline or a tab before it
    "\t7",
    "+5", // a plus sign
    ".5", // a fraction without its whole part, or a whole part without its fraction
    "5.",
    "-",
    "--5",
    "1_000",
    "1,000",
    "Infinity",
    "-Infinity",
    "NaN",
    "\u0661\u0662", // Arabic-Indic digits
    "\uff17", // a full-width 7
    "1".padEnd(400, "0"), // digits, but past any finite number
    "",
  ];
  for (const text of refused) {
    const json = JSON.stringify(text);
    assert.throws(
      () => readNumber(json),
      (error) =>
        error instanceof TransportError && error.code === "decode" &&
        error.message.startsWith("Acme: n is not a number: "),
      json,
    );
  }
});

Deno.test("`JsonReader.optionalNumber` names the whole path and the value refused", () => {
  const message = JsonReader.parse(
    '{"event":"media","media":{"chunk":"0x10","timestamp":"20"}}',
    "Twilio",
  );
  const media = message.object("media");
  assert.equal(media.optionalNumber("timestamp"), 20);
  assert.throws(() => media.optionalNumber("chunk"), {
    name: "TransportError",
    code: "decode",
    message: 'Twilio: media.chunk is not a number: "0x10"',
  });
});
