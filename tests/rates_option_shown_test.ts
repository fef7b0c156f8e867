// `audioIn.sampleRate` / `audioOut.sampleRate` read from configuration (an environment variable, a
// query string: a string) are refused at construction, and the message shows the value for what
// it is. "got 16000" read as the number 16000 itself, the very rate that would have been right, as
// the background's and the resampler's options already show theirs ("got a string (16000)").
import assert from "node:assert/strict";
import { WebSocketTransport } from "../mod.ts";
import { MemorySocketPair } from "../src/testing/mod.ts";

const asNumber = (value: unknown) => value as number;

for (const direction of ["audioIn", "audioOut"] as const) {
  Deno.test(`WebSocketTransport: ${direction}.sampleRate given as a string is refused, shown as a string`, () => {
    const { server } = new MemorySocketPair();
    assert.throws(
      () => new WebSocketTransport(server, { [direction]: { sampleRate: asNumber("16000") } }),
      {
        name: "RangeError",
        message: `${direction}.sampleRate must be a positive integer, got a string (16000)`,
      },
    );
  });

  Deno.test(`WebSocketTransport: ${direction}.sampleRate out of range still shows the number`, () => {
    const { server } = new MemorySocketPair();
    const refused = (sampleRate: number, message: string) =>
      assert.throws(() => new WebSocketTransport(server, { [direction]: { sampleRate } }), {
        name: "RangeError",
        message: `${direction}.sampleRate ${message}`,
      });
    refused(0, "must be a positive integer, got 0");
    refused(11025.5, "must be a positive integer, got 11025.5");
    refused(384_001, "must be at most 384000, got 384001");
  });
}
