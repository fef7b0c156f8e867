// The caller's audio, streamed, is PCM16 bytes: `ReadableStream<Uint8Array>`. A chunk of another
// kind (a string, an ArrayBuffer, numbers) failed inside the byte handling and ended the call
// with "bytes.subarray is not a function", naming neither the stream nor what it gave.
import assert from "node:assert/strict";
import { CallerAudio } from "../../src/simulator/mod.ts";
import { callSilentBot } from "./_silent_bot_call.ts";

/** A stream of one chunk, `chunk`, as a script without a type checker may give it. */
function streamOf(chunk: unknown): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(chunk as Uint8Array);
      controller.close();
    },
  });
}

Deno.test("CallerAudio names a streamed chunk that is not a Uint8Array", async () => {
  const cases: [unknown, string][] = [
    ["hello", "a string (hello)"],
    [new ArrayBuffer(640), "an ArrayBuffer"],
    [[0, 0], "an Array"],
  ];
  for (const [chunk, kind] of cases) {
    const audio = new CallerAudio({ pcm: streamOf(chunk), sampleRate: 16000 }, {
      sampleRate: 16000,
    });
    await assert.rejects(audio.read(320), {
      name: "TypeError",
      message: `the caller's audio stream gave ${kind}, not a Uint8Array of PCM16 bytes`,
    });
    audio.cancel();
  }
});

Deno.test("simulateCall ends a call whose caller stream gives no bytes as an error naming it", async () => {
  const report = await callSilentBot({
    protocol: "raw",
    audio: { pcm: streamOf("hello"), sampleRate: 16000 },
  });
  assert.equal(report.ended.by, "error");
  assert.match(
    report.ended.detail,
    /^the caller's audio stream gave a string \(hello\), not a Uint8Array of PCM16 bytes/,
  );
});
