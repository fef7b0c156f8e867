// jambonz with an `apiKey`: `end` hangs the call up through the REST API (`PUT …/Calls/{callSid}`
// with `{"call_status":"completed"}`), which ends it as soon as jambonz takes it. mod_audio_fork
// plays only whole batches (jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp:108-116): the
// goodbye's last part waits in its pre-buffer until the silence that completes the batch comes,
// and then takes the batch's time to play. The hang-up went right after that silence, so the
// goodbye's last batch (up to 180 ms at 8 kHz) was cut off, while the transport took it for
// played. It now waits the batch out, as `disconnect` does without a key, and the wait comes out
// of the hang-up's own bound, so the two stay within `sendTimeoutMs`.
import assert from "node:assert/strict";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { fakeFetch, hangingFetch } from "./fixtures/telephony_harness.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

const SETUP = {
  inputSampleRate: 8000,
  inputChannels: 1,
  outputSampleRate: 8000,
  outputChannels: 1,
};
const PREAMBLE = JSON.stringify({
  sampleRate: 8000,
  mixType: "mono",
  callSid: "call-1",
  accountSid: "acct-1",
});

function call(fetch: JambonzSerializerFetch, sendTimeoutMs = 5000) {
  const clock = new FakeClock();
  const { context, sent, reported } = recordingContext({ clock, sendTimeoutMs });
  const jambonz = new JambonzSerializer({ apiKey: "KEY", fetch });
  jambonz.bind(context);
  jambonz.setup(SETUP);
  jambonz.deserialize(PREAMBLE);
  // 100 ms at 8 kHz: under the module's first batch (1280 samples), so all of it waits.
  jambonz.serialize({ type: "audio", audio: new Uint8Array(1600), sampleRate: 8000, channels: 1 });
  return { clock, sent, reported, jambonz };
}
type JambonzSerializerFetch = (input: string, init: RequestInit) => Promise<Response>;

Deno.test("`JambonzSerializer` with an apiKey hangs up only once the goodbye's last batch has played", async () => {
  const fake = fakeFetch(() => new Response(null, { status: 204 }));
  const { clock, sent, jambonz } = call(fake.fetch);
  let result: unknown;
  const ended = (jambonz.serialize({ type: "end" }) as Promise<unknown>).then((r) => result = r);
  assert.equal(sent.length, 1, "the silence that completes the batch leaves at once");
  // The batch: 1280 samples at 8 kHz, 160 ms, and the tick it waits to begin on.
  await clock.tick(170);
  assert.equal(fake.calls.length, 0, "no hang-up while the batch plays");
  await clock.tick(10);
  assert.equal(fake.calls.length, 1, "the hang-up once it has played");
  await ended;
  assert.equal(result, '{"type":"disconnect"}');
});

Deno.test("`JambonzSerializer` with an apiKey: the batch's wait and a hang-up that never answers stay within sendTimeoutMs", async () => {
  // Short enough that the batch's wait (half of it, at most) and the hang-up's usual bound would
  // fill it all.
  const sendTimeoutMs = 300;
  const { clock, reported, jambonz } = call(hangingFetch, sendTimeoutMs);
  let doneAt: number | undefined;
  const ended = (jambonz.serialize({ type: "end" }) as Promise<unknown>).then((r) => {
    doneAt = clock.now();
    return r;
  });
  await clock.tick(sendTimeoutMs + 500);
  assert.equal(await ended, '{"type":"disconnect"}', "the disconnect goes all the same");
  assert.ok(doneAt! < sendTimeoutMs, `the goodbye took ${doneAt} ms of its ${sendTimeoutMs}`);
  assert.equal(reported[0]?.code, "timeout", "the hang-up's own timeout, not the transport's");
});
