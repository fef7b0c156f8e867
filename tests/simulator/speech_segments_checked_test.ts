// Known speech segments are checked alike wherever they are given: as simulateCall's
// `speechSegments` or with the audio (`CallerPcm.speechSegments`). The report's utterances are
// taken from them as they are, so an inverted or negative one taken with the audio gave an
// utterance that ends before it starts.
import assert from "node:assert/strict";
import { CallerAudio, simulateCall } from "../../src/simulator/mod.ts";
import { callSilentBot } from "./_silent_bot_call.ts";

const BAD_SEGMENTS = [[{ startMs: 200, endMs: 100 }], [{ startMs: -50, endMs: 100 }]];
const pcm = new Uint8Array(16000); // 0.5 s at 16 kHz

Deno.test("CallerAudio refuses speech segments that do not have 0 <= startMs < endMs", () => {
  for (const speechSegments of BAD_SEGMENTS) {
    assert.throws(
      () => new CallerAudio({ pcm, sampleRate: 16000, speechSegments }, { sampleRate: 8000 }),
      RangeError,
    );
  }
  const good = new CallerAudio(
    { pcm, sampleRate: 16000, speechSegments: [{ startMs: 0, endMs: 100 }] },
    { sampleRate: 8000 },
  );
  assert.deepEqual(good.speechSegments, [{ startMs: 0, endMs: 100 }]);
});

/**
 * Calls a server that only upgrades with each of `segmentLists`, given as `simulateCall`'s
 * `speechSegments` and with the audio, and asserts both are refused as `check` says.
 */
async function assertRefusedBothWays(
  segmentLists: { startMs: number; endMs: number }[][],
  check: (error: Error) => boolean,
): Promise<void> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    return Deno.upgradeWebSocket(request).response;
  });
  const url = `ws://127.0.0.1:${server.addr.port}/`;
  try {
    for (const bad of segmentLists) {
      await assert.rejects(
        simulateCall(url, {
          protocol: "raw",
          audio: { pcm, sampleRate: 16000 },
          speechSegments: bad,
          hangUpAtMs: 100,
        }),
        check,
        `as an option: ${JSON.stringify(bad)}`,
      );
      await assert.rejects(
        simulateCall(url, {
          protocol: "raw",
          audio: { pcm, sampleRate: 16000, speechSegments: bad },
          hangUpAtMs: 100,
        }),
        check,
        `taken with the audio: ${JSON.stringify(bad)}`,
      );
    }
  } finally {
    await server.shutdown();
  }
}

Deno.test("simulateCall refuses bad speech segments alike, as an option or with the audio", async () => {
  await assertRefusedBothWays(BAD_SEGMENTS, (error) => error instanceof RangeError);
});

// Segments are "where the speech is in `audio`, in ms of the audio" (`speechSegments`' doc): one
// past the audio's end holds none of it. Taken as it was, the silence after the audio became an
// utterance the bot "did not answer" (the report's responses 1/2 for a caller who said one thing),
// or an utterance that ended seconds after the caller's last word, its latency measured from there.
const PAST_THE_END = [
  [{ startMs: 0, endMs: 400 }, { startMs: 9000, endMs: 12000 }], // wholly after the audio
  [{ startMs: 100, endMs: 2000 }], // running on past it
];

Deno.test("simulateCall refuses speech segments past the end of audio of known length", async () => {
  await assertRefusedBothWays(
    PAST_THE_END,
    (error) => error instanceof RangeError && /500 ms/.test(error.message),
  );
});

Deno.test("simulateCall takes a speech segment that ends with the audio", async () => {
  const report = await callSilentBot({
    protocol: "raw",
    audio: { pcm, sampleRate: 16000 },
    speechSegments: [{ startMs: 100, endMs: 500 }],
    hangUpAtMs: 600,
  });
  assert.equal(report.ended.by, "caller");
  assert.deepEqual(
    report.utterances.map((u) => [u.source, u.endMs - u.startMs]),
    [["segments", 400]],
  );
});

// Each segment is one utterance: two that overlap are one stretch of speech told twice. Taken as
// they were, the bot's one answer went to the segment that ended first (its latency measured from
// inside the caller's speech) and the other was left "unanswered", so `--require-answer` failed a
// bot that had answered. Segments that touch, or come out of order, are each one utterance.
const OVERLAPPING = [
  [{ startMs: 0, endMs: 300 }, { startMs: 100, endMs: 200 }], // one inside another
  [{ startMs: 200, endMs: 400 }, { startMs: 0, endMs: 250 }], // out of order, overlapping
];

Deno.test("simulateCall refuses speech segments that overlap, as an option or with the audio", async () => {
  await assertRefusedBothWays(
    OVERLAPPING,
    (error) => error instanceof RangeError && /overlap/.test(error.message),
  );
});

Deno.test("simulateCall takes speech segments that touch or come out of order", async () => {
  const report = await callSilentBot({
    protocol: "raw",
    audio: { pcm, sampleRate: 16000 },
    speechSegments: [{ startMs: 300, endMs: 500 }, { startMs: 0, endMs: 300 }],
    hangUpAtMs: 600,
  });
  assert.equal(report.ended.by, "caller");
  assert.deepEqual(
    report.utterances.map((u) => [u.source, u.endMs - u.startMs]),
    [["segments", 300], ["segments", 200]],
  );
});
