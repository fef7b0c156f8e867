// The utterances a call is judged on (`requireAnswer` counts them) come from its known speech
// segments as given: `simulateCall`'s `speechSegments` or the audio's own. Times read from text
// (a CSV, a JSON of strings) were compared as they came: strings compare letter by letter, so
// `{ startMs: "900", endMs: "1000" }` was refused as ending before it starts and two segments far
// apart as overlapping, and a `startMs` of `null` was taken for 0, an utterance from the audio's
// first sample. Each is a TypeError naming what it got. Refused before any socket opens: the URL is
// a closed port on 127.0.0.1.
import assert from "node:assert/strict";
import { CallerAudio, simulateCall, syntheticCaller } from "../../src/simulator/mod.ts";

const caller = syntheticCaller({ utterancesMs: [400, 400], pauseMs: 300 }); // 300–700, 1000–1400

/** Segments whose times are not numbers, each with the kind its message must name. */
const UNTYPED: [unknown[], RegExp][] = [
  [[{ startMs: "900", endMs: "1000" }], /startMs must be a number of ms, got a string \(900\)/],
  [
    [{ startMs: "300", endMs: "700" }, { startMs: "1000", endMs: "1400" }],
    /startMs must be a number of ms, got a string \(300\)/,
  ],
  [[{ startMs: null, endMs: 700 }], /startMs must be a number of ms, got null/],
  [[{ startMs: 300, endMs: undefined }], /endMs must be a number of ms, got undefined/],
  [[null], /must be \{ startMs, endMs \}, got null/],
];

Deno.test("speech segments given as an option must have numbers for their times", async () => {
  for (const [segments, message] of UNTYPED) {
    await assert.rejects(
      simulateCall("ws://127.0.0.1:9/", {
        protocol: "raw",
        audio: caller,
        speechSegments: segments as { startMs: number; endMs: number }[],
      }),
      (error: Error) =>
        error instanceof TypeError && error.message.startsWith("speechSegments: ") &&
        message.test(error.message),
      JSON.stringify(segments),
    );
  }
});

Deno.test("speech segments given with the audio must have numbers for their times", () => {
  for (const [segments, message] of UNTYPED) {
    assert.throws(
      () =>
        new CallerAudio(
          {
            pcm: caller.pcm,
            sampleRate: caller.sampleRate,
            speechSegments: segments as { startMs: number; endMs: number }[],
          },
          { sampleRate: 8000 },
        ),
      (error: Error) =>
        error instanceof TypeError && error.message.startsWith("the audio's speechSegments: ") &&
        message.test(error.message),
      JSON.stringify(segments),
    );
  }
});

Deno.test("speech segments with number times are still taken, touching or in any order", () => {
  const segments = [{ startMs: 1000, endMs: 1400 }, { startMs: 300, endMs: 1000 }];
  const audio = new CallerAudio(
    { pcm: caller.pcm, sampleRate: caller.sampleRate, speechSegments: segments },
    { sampleRate: 8000 },
  );
  assert.deepEqual(audio.speechSegments, segments);
});
