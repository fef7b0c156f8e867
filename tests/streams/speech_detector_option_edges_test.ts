// Two edges of the speech detector's options. A minSpeechMs of days was taken: until speech
// started, the run that may become it kept every window after the first loud one (each may be
// where speech began), 9 MB per hour of a call, growing without limit; it is now bounded at 10 s.
// And a startDb lowered alone under the default stopDb (6) was refused as "stopDb must not exceed
// startDb", naming an option the user never set: the error now names the one set, and what to do.
import assert from "node:assert/strict";
import { BargeInStream, SpeechDetector } from "../../mod.ts";
// What `SessionMetrics` checks its `speech` option with, naming them by that path.
import { resolveSpeechOptions } from "../../src/streams/_speech_detector_options.ts";

const refused = (make: () => unknown, message: string) =>
  assert.throws(make, (error: Error) => error instanceof RangeError && error.message === message);

Deno.test("`SpeechDetector` refuses a minSpeechMs over 10 s, naming it, wherever it is given", () => {
  const week = 7 * 24 * 3600 * 1000;
  for (const minSpeechMs of [10_000.5, 60_000, week * 52, 1e12]) {
    const message = `minSpeechMs must be at most 10000, got ${minSpeechMs}`;
    refused(() => new SpeechDetector({ minSpeechMs }), message);
    refused(
      () =>
        new BargeInStream({ playback: { speaking: false }, interrupt: () => assert.fail() }, {
          minSpeechMs,
        }),
      message,
    );
    refused(() => resolveSpeechOptions({ minSpeechMs }, "speech."), `speech.${message}`);
  }
  new SpeechDetector({ minSpeechMs: 10_000, windowMs: 1 });
});

Deno.test("`SpeechDetector` refuses a startDb set under the default stopDb by the startDb, saying to give a stopDb", () => {
  refused(
    () => new SpeechDetector({ startDb: 5 }),
    "startDb must be at least the default stopDb (6), got 5: give a stopDb of at most 5 with it",
  );
  // Lowered with a stopDb under it, it is taken.
  new SpeechDetector({ startDb: 5, stopDb: 2.5 });
  new SpeechDetector({ startDb: 6 });
});

Deno.test("`SpeechDetector` refuses a stopDb set over the default startDb by the stopDb, saying to give a startDb", () => {
  refused(
    () => new SpeechDetector({ stopDb: 15 }),
    "stopDb must not exceed the default startDb (12), got 15: give a startDb of at least 15 with it",
  );
  refused(
    () => new SpeechDetector({ startDb: 6, stopDb: 9 }),
    "stopDb must not exceed startDb (6), got 9",
  );
  refused(
    () => resolveSpeechOptions({ startDb: 5 }, "speech."),
    "speech.startDb must be at least the default speech.stopDb (6), got 5: give a " +
      "speech.stopDb of at most 5 with it",
  );
});
