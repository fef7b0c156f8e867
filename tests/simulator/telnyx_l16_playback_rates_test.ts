// The simulated Telnyx plays the bot's L16 at each bidirectional sampling rate Telnyx documents:
// Call Control's "Start streaming" lists `stream_bidirectional_sampling_rate` "8000, 16000, 22050,
// 24000, 48000" (developers.telnyx.com/api-reference/call-commands/streaming-start); TeXML's
// `bidirectionalSamplingRate` three of them. Our serializer sends L16 at all five
// (`outboundSampleRate`), so the far end the simulator stands in for must take all five, and no
// other.
import assert from "node:assert/strict";
import { TelnyxFarEnd } from "../../src/simulator/far_ends/telnyx.ts";

const L16 = { encoding: "PCMU", playbackEncoding: "L16" };

Deno.test("simulated Telnyx: plays L16 at every documented bidirectional sampling rate", () => {
  for (const sampleRate of [8000, 16000, 22050, 24000, 48000]) {
    assert.equal(new TelnyxFarEnd({ ...L16, sampleRate }).playbackRate, sampleRate);
  }
});

Deno.test("simulated Telnyx: refuses L16 at a rate Telnyx does not list", () => {
  for (const sampleRate of [11025, 32000, 44100]) {
    assert.throws(
      () => new TelnyxFarEnd({ ...L16, sampleRate }),
      (error: unknown) =>
        error instanceof RangeError && error.message.includes("22050") &&
        error.message.includes(String(sampleRate)),
    );
  }
});
