// A speech detector's option given as a string (plain JavaScript, a value read from configuration)
// is refused, and the message shows it for what it is: "got 5" read as the number 5 itself, the
// one value that would have been right.
import assert from "node:assert/strict";
import { SpeechDetector, type SpeechDetectorOptions } from "../../src/streams/speech_detector.ts";

const asOptions = (options: Record<string, unknown>) => options as SpeechDetectorOptions;

for (
  const [name, value, shown] of [
    ["windowMs", "20", "a string (20)"],
    ["startDb", "9", "a string (9)"],
    ["stopDb", "3", "a string (3)"],
    ["minSpeechMs", "5", "a string (5)"],
    ["minNoiseFloorDb", "-60", "a string (-60)"],
    ["sampleRate", "16000", "a string (16000)"],
    ["channels", "1", "a string (1)"],
    ["minSilenceMs", -1, "-1"],
  ] as const
) {
  Deno.test(`SpeechDetector: ${name} given as ${shown} is refused, shown as such`, () => {
    assert.throws(
      () => new SpeechDetector(asOptions({ [name]: value })),
      (error: Error) =>
        error instanceof RangeError && error.message.startsWith(`${name} must `) &&
        error.message.endsWith(`got ${shown}`),
    );
  });
}
