// A `Resampler`'s channels and a `writeWavHeader`'s byte count and offset given as strings (plain
// JavaScript, a value read from configuration) are refused, and the message shows them for what
// they are, as the resampler's rates already were: "got 2" read as the number 2 itself, a value
// that would have been right, and "a 44-byte header at offset 4 does not fit a target of 48
// bytes" claimed a header that fits did not.
import assert from "node:assert/strict";
import { Resampler, writeWavHeader } from "../../src/audio/mod.ts";

const asNumber = (value: unknown) => value as number;

Deno.test("Resampler: channels given as a string is refused, shown as a string", () => {
  assert.throws(
    () => new Resampler({ inputRate: 8000, outputRate: 16000, channels: asNumber("2") }),
    (error: Error) =>
      error instanceof RangeError &&
      error.message === "channels must be an integer from 1 to 32, got a string (2)",
  );
  // A number still shows as itself.
  assert.throws(
    () => new Resampler({ inputRate: 8000, outputRate: 16000, channels: 33 }),
    { name: "RangeError", message: "channels must be an integer from 1 to 32, got 33" },
  );
});

Deno.test("writeWavHeader: dataBytes and offset given as strings are refused, shown as strings", () => {
  const mono = { sampleRate: 8000, channels: 1 };
  assert.throws(
    () => writeWavHeader(new Uint8Array(48), asNumber("4"), mono),
    (error: Error) => error instanceof RangeError && error.message.endsWith("got a string (4)"),
  );
  assert.throws(
    () => writeWavHeader(new Uint8Array(48), 4, mono, asNumber("4")),
    (error: Error) =>
      error instanceof RangeError && error.message.includes("at offset a string (4)") &&
      error.message.includes("offset must be an integer"),
  );
  // A number still shows as itself.
  assert.throws(
    () => writeWavHeader(new Uint8Array(48), 4, mono, 5),
    {
      name: "RangeError",
      message: /^a 44-byte header at offset 5 does not fit a target of 48 bytes/,
    },
  );
});
