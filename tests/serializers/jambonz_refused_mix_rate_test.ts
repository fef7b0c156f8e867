// jambonz `listen`: the first text frame carries "sampleRate and mixType properties describing the
// audio sample rate and stream(s)" (docs.jambonz.org, Verbs → listen; jambonz/next-static-site
// markdown/docs/webhooks/listen.md), and the bot's audio goes back at the verb's
// `bidirectionalAudio.sampleRate` ("The sample rate of PCM audio sent back to jambonz over the
// websocket", same page). Without `streamSampleRate`, JambonzSerializer promises to send back at
// the rate that first frame announces. A `mixType` it refuses (the caller's audio is dropped, and
// reported) changes nothing on the way back: the bot still talks, at that rate.
import assert from "node:assert/strict";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

for (const mixType of ["mixed", "stereo"]) {
  Deno.test(`\`JambonzSerializer\` with mixType ${mixType} at 16 kHz still sends back at 16 kHz`, () => {
    const jambonz = new JambonzSerializer();
    const { context, reported } = recordingContext();
    jambonz.bind(context);
    jambonz.setup({
      inputSampleRate: 16000,
      inputChannels: 1,
      outputSampleRate: 16000,
      outputChannels: 1,
    });
    jambonz.deserialize(
      JSON.stringify({ sampleRate: 16000, mixType, callSid: "c1", accountSid: "a1" }),
    );
    assert.equal(reported.length, 1, "the mixType is reported");
    assert.equal(jambonz.streamSampleRate, 16000);
    const out = jambonz.serialize({
      type: "audio",
      audio: new Uint8Array(640), // 20 ms at 16 kHz
      sampleRate: 16000,
      channels: 1,
    });
    assert.ok(out instanceof Uint8Array);
    assert.equal(out.length, 640, "20 ms at the announced 16 kHz, not at a guessed 8 kHz");
  });
}
