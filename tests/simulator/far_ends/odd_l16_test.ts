// Bot audio of an odd byte count is not whole PCM16 samples. The raw, Telnyx, Twilio-wideband,
// Vonage and audio-fork far ends report it as a violation; Plivo's (`playAudio` as `audio/x-l16`)
// and pipecat's (`AudioRawFrame.audio`) dropped the last byte without a word, so a bot cutting
// its audio mid-sample passed against them. pipecat's web client reads the frame's audio as an
// Int16Array, which an odd byte length cannot be (it throws: ECMA-262 §23.2.5.1.3,
// InitializeTypedArrayFromArrayBuffer, "byteLength modulo elementSize ≠ 0" is a RangeError).
import assert from "node:assert/strict";
import { farEndContext } from "./_context.ts";
import { FAR_ENDS } from "../../../src/simulator/far_ends.ts";
import { encodeAudioFrame } from "../../../src/simulator/far_ends/_pipecat_protobuf.ts";
import { encodeBase64 } from "../../../src/serializers/telephony/base64.ts";

function openWithViolations(
  protocol: string,
): { receive(data: string | Uint8Array): void; rules: string[]; played: number[] } {
  const rules: string[] = [];
  const played: number[] = [];
  const farEnd = FAR_ENDS[protocol]!({ streamId: "s1" });
  farEnd.open(farEndContext({
    violation: (rule) => rules.push(rule),
    play: (samples) => played.push(samples.length),
  }));
  return { receive: (data) => farEnd.receive(data), rules, played };
}

Deno.test("the Plivo far end reports playAudio L16 of an odd byte count", () => {
  const plivo = openWithViolations("plivo");
  const playAudio = (bytes: number) =>
    JSON.stringify({
      event: "playAudio",
      streamId: "s1",
      media: {
        contentType: "audio/x-l16",
        sampleRate: 8000,
        payload: encodeBase64(new Uint8Array(bytes)),
      },
    });
  plivo.receive(playAudio(320));
  assert.deepEqual(plivo.rules, []);
  plivo.receive(playAudio(321));
  assert.deepEqual(plivo.rules, ["plivo.bad-media"]);
  assert.deepEqual(plivo.played, [160, 160], "the whole samples still play");
});

Deno.test("the pipecat far end reports an AudioRawFrame of an odd byte count", () => {
  const pipecat = openWithViolations("pipecat");
  pipecat.receive(encodeAudioFrame(new Uint8Array(480), 24000));
  assert.deepEqual(pipecat.rules, []);
  pipecat.receive(encodeAudioFrame(new Uint8Array(481), 24000));
  assert.deepEqual(pipecat.rules, ["pipecat.odd-length"]);
  assert.deepEqual(pipecat.played, [240, 240], "the whole samples still play");
});
