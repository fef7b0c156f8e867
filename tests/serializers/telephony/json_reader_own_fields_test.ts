// A JsonReader reads the message's own fields only: a field named like an Object.prototype member
// ("constructor", "toString", "__proto__") is absent when the message does not carry it.
import assert from "node:assert/strict";
import { TransportError } from "../../../src/errors.ts";
import { JsonReader } from "../../../src/serializers/telephony/json_reader.ts";
import { withStandardProtoSetter } from "../_standard_proto_setter.ts";

const INHERITED = ["constructor", "toString", "hasOwnProperty", "valueOf", "__proto__"];

Deno.test("`JsonReader` optional reads of an inherited member's name are absent", () => {
  const message = JsonReader.parse("{}", "Acme");
  for (const key of INHERITED) {
    assert.equal(message.optionalString(key), undefined, key);
    assert.equal(message.optionalObject(key), undefined, key);
    assert.equal(message.optionalNumber(key), undefined, key);
    assert.equal(message.optionalStringRecord(key), undefined, key);
  }
});

Deno.test("`JsonReader` required reads of an inherited member's name say it is missing", () => {
  const message = JsonReader.parse('{"media":{}}', "Acme").object("media");
  for (const key of INHERITED) {
    for (const read of ["string", "object", "sequenceNumber", "dtmfDigit"] as const) {
      assert.throws(
        () => message[read](key),
        (e) => e instanceof TransportError && e.code === "decode" && /: undefined$/.test(e.message),
        `${read}(${key})`,
      );
    }
  }
  assert.throws(
    () => message.string("constructor"),
    { message: "Acme: media.constructor is not a string: undefined" },
  );
});

Deno.test("`JsonReader` reads such a field when the message carries it", () => {
  const message = JsonReader.parse(
    '{"constructor":"c","toString":{"a":1},"__proto__":"p"}',
    "Acme",
  );
  assert.equal(message.string("constructor"), "c");
  assert.equal(message.optionalObject("toString")?.optionalNumber("a"), 1);
  assert.equal(message.string("__proto__"), "p");
});

Deno.test("`JsonReader` keeps a custom parameter named `__proto__` as an own field", () => {
  // A `<Parameter name="__proto__">` is the app's own name; JSON.parse keeps it as a field.
  const message = JsonReader.parse('{"p":{"__proto__":"x","lang":"en"}}', "Acme");
  const record = withStandardProtoSetter(() => message.optionalStringRecord("p"));
  assert.ok(record !== undefined && Object.hasOwn(record, "__proto__"));
  assert.equal(Object.getPrototypeOf(record), Object.prototype);
  assert.deepEqual(record, JSON.parse('{"__proto__":"x","lang":"en"}'));
});

Deno.test("`JsonReader` required reads take no field from the object's prototype", () => {
  // A reader built on an object of one's own (not parsed JSON) whose prototype has fields: where
  // `__proto__` is still an accessor (Node, Bun), `object("__proto__")` would read like this too.
  const value = Object.create({ event: "media", media: {}, seq: 3, digit: "5" });
  const message = new JsonReader(value, { provider: "Acme" });
  for (const read of ["string", "object", "sequenceNumber", "dtmfDigit"] as const) {
    for (const key of ["event", "media", "seq", "digit"]) {
      assert.throws(() => message[read](key), TransportError, `${read}(${key})`);
    }
  }
  assert.equal(message.optionalObject("media"), undefined);
  assert.equal(message.optionalString("event"), undefined);
});
