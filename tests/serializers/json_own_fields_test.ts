// JsonSerializer reads a frame's own fields only, as the module's other readers do (`JsonReader`:
// "Only the object's own fields are read"; `detectProvider` likewise, with its own test): were
// `Object.prototype` polluted elsewhere in the process (a dependency's bug), a field the client
// never sent would be read as sent: every message frame refused for an `urgent` that is no
// boolean, audio taken at a rate the client never named, a message frame with no `message` read
// as one.
import assert from "node:assert/strict";
import { JsonSerializer, TransportError } from "../../mod.ts";
import type { Frame } from "../../src/frames.ts";

const SETUP = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 16000,
  outputChannels: 1,
};

Deno.test("`JsonSerializer` reads a frame's own fields, never ones a polluted `Object.prototype` lends it", () => {
  const prototype = Object.prototype as Record<string, unknown>;
  const json = new JsonSerializer();
  json.setup(SETUP);
  const read = (text: string): Frame | null => json.deserialize(text) as Frame | null;
  const polluters = [
    ["urgent", "yes"],
    ["sampleRate", 8000],
    ["channels", 2],
    ["reason", 5],
    ["language", 7],
    ["message", "lent"],
    ["params", { lent: "yes" }],
  ] as const;
  for (const [name, value] of polluters) {
    prototype[name] = value;
    try {
      assert.deepEqual(read('{"type":"message","message":{"a":1}}'), {
        type: "message",
        message: { a: 1 },
      }, name);
      assert.deepEqual(read('{"type":"audio","audio":"AAA="}'), {
        type: "audio",
        audio: new Uint8Array(2),
        sampleRate: 16000,
        channels: 1,
      }, name);
      assert.deepEqual(read('{"type":"end"}'), { type: "end" }, name);
      assert.deepEqual(read('{"type":"start","streamId":"s1"}'), {
        type: "start",
        streamId: "s1",
      }, name);
      assert.deepEqual(
        read('{"type":"transcription","text":"hi","userId":"u","timestamp":"t"}'),
        { type: "transcription", text: "hi", userId: "u", timestamp: "t" },
        name,
      );
      assert.throws(
        () => read('{"type":"message"}'),
        (e) => e instanceof TransportError && e.code === "decode",
        name,
      );
    } finally {
      delete prototype[name];
    }
  }
});
