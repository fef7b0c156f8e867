import assert from "node:assert/strict";
import { TransportError } from "../../../src/errors.ts";
import { JsonReader } from "../../../src/serializers/telephony/json_reader.ts";

/** The decode error `read` throws, or a failure if it throws nothing or something else. */
function decodeError(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    assert.ok(error instanceof TransportError, String(error));
    assert.equal(error.code, "decode");
    return error.message;
  }
  assert.fail("no error");
}

Deno.test("`JsonReader` names the provider, the whole path and the value in each error", () => {
  const message = JsonReader.parse(
    '{"event":"start","start":{"mediaFormat":{"encoding":7},"n":"x"},"list":[1]}',
    "Acme",
  );
  const format = message.object("start").object("mediaFormat");
  assert.equal(format.path, "start.mediaFormat");
  assert.equal(
    decodeError(() => format.string("encoding")),
    "Acme: start.mediaFormat.encoding is not a string: 7",
  );
  assert.equal(decodeError(() => message.object("list")), "Acme: list is not an object: [1]");
  assert.equal(
    decodeError(() => message.object("start").optionalNumber("n")),
    'Acme: start.n is not a number: "x"',
  );
  assert.equal(
    decodeError(() => message.string("missing")),
    "Acme: missing is not a string: undefined",
  );
  assert.equal(format.pathOf("rate"), "start.mediaFormat.rate");
  assert.equal(
    message.error("start message has no streamSid").message,
    "Acme: start message has no streamSid",
  );
});

Deno.test("`JsonReader` reads text or UTF-8 bytes, and refuses what is not a JSON object", () => {
  const bytes = new TextEncoder().encode('{"event":"dtmf"}');
  assert.equal(JsonReader.parse(bytes, "Acme").string("event"), "dtmf");
  assert.match(
    decodeError(() => JsonReader.parse(new Uint8Array([0xff, 0xfe]), "Acme")),
    /^Acme: binary message of 2 bytes is not UTF-8$/,
  );
  assert.match(
    decodeError(() => JsonReader.parse("{", "Acme")),
    /^Acme: message is not JSON: "\{"$/,
  );
  assert.match(
    decodeError(() => JsonReader.parse("[1]", "Acme")),
    /^Acme: message is not an object: \[1\]$/,
  );
  assert.match(decodeError(() => JsonReader.parse("null", "Acme")), /not an object: null/);
  assert.deepEqual(JsonReader.parseValue("[1,2]", "Acme"), [1, 2]);
  assert.equal(JsonReader.parseValue('"x"', "Acme"), "x");
  // A long bad value is cut in the message.
  const long = "x".repeat(100);
  assert.ok(decodeError(() => JsonReader.parse(long, "Acme")).length < 100);
});

Deno.test("`JsonReader` treats undefined and null alike as absent in optional reads", () => {
  const message = JsonReader.parse('{"a":null,"s":"v","o":{},"n":"3","z":0}', "Acme");
  for (const key of ["a", "missing"]) {
    assert.equal(message.optionalString(key), undefined);
    assert.equal(message.optionalNumber(key), undefined);
    assert.equal(message.optionalObject(key), undefined);
    assert.equal(message.optionalStringRecord(key), undefined);
  }
  assert.equal(message.optionalString("s"), "v");
  assert.deepEqual(message.optionalObject("o")?.value, {});
  assert.equal(message.optionalNumber("n"), 3, "a string of decimal digits is a number");
  assert.equal(message.optionalNumber("z"), 0);
  for (const bad of ['""', '" "', '"1e999"', "true", "[]"]) {
    const reader = JsonReader.parse(`{"n":${bad}}`, "Acme");
    assert.throws(() => reader.optionalNumber("n"), TransportError, bad);
  }
  assert.throws(() => message.object("a"), TransportError, "required reads refuse null");
});

Deno.test("`JsonReader` reads sequence numbers, string records and keypad digits strictly", () => {
  const message = JsonReader.parse(
    '{"seq":3,"params":{"a":"x","b":1,"c":true},"digits":["1","#","d",7,"10","?",1.5,"",-1]}',
    "Acme",
  );
  assert.equal(message.sequenceNumber("seq"), 3);
  for (const bad of ["-1", "1.5", '"3"', "9007199254740993", "null"]) {
    const reader = JsonReader.parse(`{"seq":${bad}}`, "Acme");
    assert.throws(() => reader.sequenceNumber("seq"), TransportError, bad);
  }
  assert.deepEqual(message.optionalStringRecord("params"), { a: "x", b: "1", c: "true" });
  assert.equal(
    decodeError(() => JsonReader.parse('{"p":{"a":{}}}', "Acme").optionalStringRecord("p")),
    "Acme: p.a is not a string: {}",
  );
  const digits = message.value.digits as unknown[];
  const read = digits.map((digit) => {
    try {
      return new JsonReader({ digit }, { provider: "Acme" }).dtmfDigit("digit");
    } catch (error) {
      assert.ok(error instanceof TransportError && error.code === "decode");
      return "error";
    }
  });
  assert.deepEqual(read, ["1", "#", "D", "7", "error", "error", "error", "error", "error"]);
});
