// JsonSerializer's reading errors name the bad value as the module's other readers do, short: a
// client's field of a megabyte (up to `maxMessageBytes`) is no reason for an "error" event, and
// the log line made of it, of a megabyte too. The transport reports every decode error
// (README, Errors: "the session goes on"), so a client repeating the message repeats the line.
// `describe` (src/serializers/telephony/_json_value.ts) shows at most 60 characters of a value.
import assert from "node:assert/strict";
import { JsonSerializer, TransportError } from "../../mod.ts";

const LONG = "x".repeat(100_000);

Deno.test("`JsonSerializer` names a dtmf digit or a start's parameter of any length in a short decode error", () => {
  const json = new JsonSerializer();
  for (
    const [text, names] of [
      [`{"type":"dtmf","digit":"${LONG}"}`, /dtmf digit must be 0-9, \*, # or A-D, got "x+\.\.\.$/],
      [
        `{"type":"start","params":{"${LONG}":1}}`,
        /start frame's params\["x+\.\.\.\] must be a string/,
      ],
    ] as const
  ) {
    assert.throws(
      () => json.deserialize(text),
      (e) =>
        e instanceof TransportError && e.code === "decode" && names.test(e.message) &&
        e.message.length < 200,
      text.slice(0, 30),
    );
  }
  // A short one is still shown whole.
  assert.throws(
    () => json.deserialize('{"type":"start","params":{"lang":5}}'),
    (e) =>
      e instanceof TransportError &&
      e.message === 'start frame\'s params["lang"] must be a string, got number',
  );
});
