// jambonz with an `apiKey`: `end` hangs the call up through the REST API (docs.jambonz.org,
// REST API: `PUT /v1/Accounts/{accountSid}/Calls/{callSid}`, Bearer authentication, 204 on
// success), after the goodbye's last batch has played: mod_audio_fork plays only whole batches
// (jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp:108-116). When the socket drops (1006:
// no close frame, RFC 6455 7.1.5) under that `end`, nothing more can play: the wait for the batch
// has nothing to wait for, and the call may outlive its media socket (the `listen` verb just
// ends), so the hang-up goes at once, within its own bound. It was not sent: the wait ended with
// the session, and the hang-up was refused as asked after it ("the call may still be up").
import assert from "node:assert/strict";
import type { Frame } from "../../mod.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { startedSession } from "./telephony/_hang_up_session.ts";
import { fakeFetch, hangingFetch } from "./fixtures/telephony_harness.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

/** jambonz's first message for call "call-1" of account "acct-1", at 8 kHz. */
const START = JSON.stringify({
  sampleRate: 8000,
  mixType: "mono",
  callSid: "call-1",
  accountSid: "acct-1",
});
const HANG_UP_URL = "https://jambonz.cloud/api/v1/Accounts/acct-1/Calls/call-1";

/** `ms` of silence at 8 kHz, mono. */
function audio(ms: number): Frame {
  return { type: "audio", audio: new Uint8Array(ms * 16), sampleRate: 8000, channels: 1 };
}

Deno.test("jambonz: the socket dropping (1006) under the goodbye still playing hangs the call up at once", async () => {
  const provider = fakeFetch(() => new Response(null, { status: 204 }));
  const serializer = new JambonzSerializer({ apiKey: "KEY", fetch: provider.fetch });
  const { clock, pair, transport, errors } = await startedSession(serializer, START);
  transport.send(audio(2000));
  transport.send({ type: "end" });
  await clock.tick(300); // part of the goodbye sent: the module's pre-buffer holds some of it
  assert.equal(provider.calls.length, 0, "the goodbye plays first");
  pair.client.terminate();
  assert.equal((await transport.closed).code, 1006);
  await clock.tick(0);
  assert.deepEqual(provider.calls.map((call) => call.url), [HANG_UP_URL], "hung up");
  assert.equal(clock.now(), 300, "at once: not after the batch's wait");
  await clock.runAll();
  assert.deepEqual(provider.calls.map((call) => call.url), [HANG_UP_URL], "once");
  assert.equal(provider.calls[0]!.init.method, "PUT");
  assert.equal(provider.calls[0]!.init.body, '{"call_status":"completed"}');
  assert.deepEqual(errors, []);
  assert.equal(clock.pendingTimers, 0);
});

/**
 * A jambonz call on a recording context (with the session's clock, `sendTimeoutMs` and end), 100 ms
 * of the bot's audio sent: under the module's first batch (1280 samples), so all of it waits.
 */
function call(fetch: (input: string, init: RequestInit) => Promise<Response>) {
  const clock = new FakeClock();
  const over = new AbortController();
  const { context, reported } = recordingContext({
    clock,
    sendTimeoutMs: 5000,
    signal: over.signal,
  });
  const jambonz = new JambonzSerializer({ apiKey: "KEY", fetch });
  jambonz.bind(context);
  jambonz.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  jambonz.deserialize(START);
  jambonz.serialize(audio(100));
  return { clock, over, reported, jambonz };
}

Deno.test("jambonz: the session ending while an `end` waits for its last batch hangs up then", async () => {
  // The `end` is already in `serialize`, waiting for the batch its silence completed (160 ms at
  // 8 kHz, and a tick), when the socket goes.
  const provider = fakeFetch(() => new Response(null, { status: 204 }));
  const { clock, over, reported, jambonz } = call(provider.fetch);
  const ended = jambonz.serialize({ type: "end" }) as Promise<unknown>;
  await clock.tick(50);
  assert.equal(provider.calls.length, 0, "the batch plays first");
  over.abort(); // the session is over: the transport aborts its signal, then finishes the serializer
  jambonz.finish();
  assert.equal(await ended, '{"type":"disconnect"}');
  assert.deepEqual(provider.calls.map((call) => call.url), [HANG_UP_URL]);
  assert.equal(clock.now(), 50, "not after the rest of the batch's wait");
  assert.deepEqual(reported, []);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("jambonz: a hang-up made as the session ends that gets no answer is given up within its bound, reported", async () => {
  const { clock, over, reported, jambonz } = call(hangingFetch);
  let doneAt: number | undefined;
  const ended = (jambonz.serialize({ type: "end" }) as Promise<unknown>).then((message) => {
    doneAt = clock.now();
    return message;
  });
  await clock.tick(50);
  over.abort();
  jambonz.finish();
  await clock.tick(10_000);
  assert.equal(await ended, '{"type":"disconnect"}');
  assert.deepEqual(reported.map((error) => error.code), ["timeout"]);
  assert.ok(doneAt! - 50 < 5000, `given up ${doneAt! - 50} ms on: within hangUpTimeoutMs`);
  assert.equal(clock.pendingTimers, 0);
});
