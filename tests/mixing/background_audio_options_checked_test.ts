// BackgroundAudio's callbacks are checked where they are given: an onError or onEnded that is no
// function would otherwise fail only once the background errs or ends, mid-session, as an unclear
// "is not a function" that ends the session.
import assert from "node:assert/strict";
import { BackgroundAudio } from "../../src/mixing/background_audio.ts";

const silence = new Int16Array(160);

Deno.test("BackgroundAudio refuses an onError or onEnded that is not a function, naming it", () => {
  for (const name of ["onError", "onEnded"] as const) {
    for (const value of ["log", 1, null]) {
      assert.throws(
        () => new BackgroundAudio(silence, { sampleRate: 16000, [name]: value as never }),
        {
          name: "TypeError",
          message: new RegExp(`^BackgroundAudio: ${name} must be a function, got `),
        },
      );
    }
    new BackgroundAudio(silence, { sampleRate: 16000, [name]: () => {} });
  }
});
