// With an apiKey, `end` waits for the module's last batch, then hangs up within what the wait
// left of sendTimeoutMs. The timeout's message named that remainder as "the transport's
// sendTimeoutMs" (820 ms where the session was given 1000): it names the session's, and the wait.
import assert from "node:assert/strict";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { hangingFetch } from "./fixtures/telephony_harness.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

Deno.test("`JambonzSerializer`: a hang-up timeout after the last batch's wait names the session's sendTimeoutMs and the wait", async () => {
  const clock = new FakeClock();
  const { context, reported } = recordingContext({ clock, sendTimeoutMs: 1000 });
  const jambonz = new JambonzSerializer({ apiKey: "KEY", fetch: hangingFetch });
  jambonz.bind(context);
  jambonz.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  jambonz.deserialize(
    JSON.stringify({ sampleRate: 8000, mixType: "mono", callSid: "c", accountSid: "a" }),
  );
  // 100 ms, under the first batch (1280 samples): the end flushes and waits 160 + 20 ms.
  jambonz.serialize({ type: "audio", audio: new Uint8Array(1600), sampleRate: 8000, channels: 1 });
  const ended = jambonz.serialize({ type: "end" }) as Promise<unknown>;
  await clock.tick(2000);
  await ended;
  assert.equal(reported.length, 1);
  assert.equal(
    reported[0]!.message,
    'jambonz hang-up of call "c" got no answer within 570 ms (its 5000 ms kept under the ' +
      "transport's sendTimeoutMs, 1000 ms, less the 180 ms spent before the request)",
  );
});
