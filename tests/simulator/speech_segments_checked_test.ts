// Known speech segments are checked alike wherever they are given: as simulateCall's
// `speechSegments` or with the audio (`CallerPcm.speechSegments`). The report's utterances are
// taken from them as they are, so an inverted or negative one taken with the audio gave an
// utterance that ends before it starts.
import assert from "node:assert/strict";
import { CallerAudio, simulateCall } from "../../src/simulator/mod.ts";

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

Deno.test("simulateCall refuses bad speech segments alike, as an option or with the audio", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    return Deno.upgradeWebSocket(request).response;
  });
  const url = `ws://127.0.0.1:${server.addr.port}/`;
  try {
    for (const bad of BAD_SEGMENTS) {
      await assert.rejects(
        simulateCall(url, {
          protocol: "raw",
          audio: { pcm, sampleRate: 16000 },
          speechSegments: bad,
          hangUpAtMs: 100,
        }),
        RangeError,
      );
      await assert.rejects(
        simulateCall(url, {
          protocol: "raw",
          audio: { pcm, sampleRate: 16000, speechSegments: bad },
          hangUpAtMs: 100,
        }),
        RangeError,
        `taken with the audio: ${JSON.stringify(bad)}`,
      );
    }
  } finally {
    await server.shutdown();
  }
});
