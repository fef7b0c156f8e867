import assert from "node:assert/strict";
import { HangUp, type HangUpRequest } from "../../../src/serializers/telephony/hang_up.ts";
import { basicAuth } from "../../../src/serializers/telephony/basic_auth.ts";
import type { TransportError } from "../../../src/errors.ts";
import { fakeFetch, hangingFetch } from "../fixtures/telephony_harness.ts";
import { recordingContext } from "../fixtures/recording_context.ts";
import { FakeClock } from "../../../src/testing/mod.ts";
import { JambonzSerializer } from "../../../src/serializers/jambonz.ts";
import { PlivoSerializer } from "../../../src/serializers/plivo.ts";
import { TelnyxSerializer } from "../../../src/serializers/telnyx.ts";
import { TwilioSerializer } from "../../../src/serializers/twilio.ts";

const request = (alreadyEnded = (status: number) => status === 404): HangUpRequest => ({
  provider: "Test",
  callId: "c1",
  url: "https://api.example.com/calls/c1",
  init: { method: "DELETE" },
  alreadyEnded,
});

Deno.test("`HangUp` sends at most once, even when called concurrently", async () => {
  const fake = fakeFetch(() => new Response(null, { status: 204 }));
  const hangUp = new HangUp({ fetch: fake.fetch });
  await Promise.all([hangUp.run(request()), hangUp.run(request()), hangUp.run(request())]);
  assert.equal(fake.calls.length, 1);
  assert.ok(fake.calls[0]!.init.signal instanceof AbortSignal);
  assert.equal(hangUp.attempted, true);
});

Deno.test("`HangUp` counts already-ended answers as success and others as protocol errors", async () => {
  await new HangUp({ fetch: fakeFetch(() => new Response("gone", { status: 404 })).fetch }).run(
    request(),
  );
  await assert.rejects(
    new HangUp({ fetch: fakeFetch(() => new Response("no", { status: 403 })).fetch }).run(
      request(),
    ),
    (e: TransportError) =>
      e.code === "protocol" && /Test hang-up of call "c1" failed: HTTP 403 no/.test(e.message),
  );
  const network = () => Promise.reject(new TypeError("connection refused"));
  await assert.rejects(new HangUp({ fetch: network }).run(request()), { code: "protocol" });
});

Deno.test("`HangUp` gives up after timeoutMs on a fetch that never answers, or a body that never ends", async () => {
  const started = performance.now();
  await assert.rejects(new HangUp({ fetch: hangingFetch, timeoutMs: 40 }).run(request()), {
    code: "timeout",
  });
  // A fetch that ignores its signal and a body that never ends are bounded too.
  const deaf = () => new Promise<Response>(() => {});
  await assert.rejects(new HangUp({ fetch: deaf, timeoutMs: 40 }).run(request()), {
    code: "timeout",
  });
  // An error's body is read for its message (a 2xx's is not: see hang_up_session_end_test.ts).
  const endless = () =>
    Promise.resolve(
      new Response(new ReadableStream({ pull: () => new Promise(() => {}) }), { status: 500 }),
    );
  await assert.rejects(new HangUp({ fetch: endless, timeoutMs: 40 }).run(request()), {
    code: "timeout",
  });
  assert.ok(performance.now() - started < 2000);
  assert.throws(() => new HangUp({ timeoutMs: 0 }), RangeError);
});

Deno.test("`basicAuth` encodes UTF-8 credentials", () => {
  assert.equal(basicAuth("AC1", "tok"), `Basic ${btoa("AC1:tok")}`);
  assert.equal(basicAuth("é", "x"), "Basic w6k6eA==");
});

Deno.test("`HangUp.endCall` is null when disabled, and builds the request only when it sends", async () => {
  const fake = fakeFetch(() => new Response(null, { status: 204 }));
  let built = 0;
  const build = () => {
    built++;
    return request();
  };
  assert.equal(new HangUp({ fetch: fake.fetch, enabled: false }).endCall(build), null);
  assert.equal(built, 0);
  const hangUp = new HangUp({ fetch: fake.fetch });
  // A builder that throws (no call id yet) rejects and leaves the hang-up unattempted.
  await assert.rejects(
    hangUp.endCall(() => {
      throw new TypeError("no call id yet");
    })!,
    TypeError,
  );
  assert.equal(hangUp.attempted, false);
  assert.equal(await hangUp.endCall(build), null);
  assert.equal(await hangUp.endCall(build), null);
  assert.equal(built, 1);
  assert.equal(fake.calls.length, 1);
});

Deno.test("`HangUp.forSerializer` hangs up only with credentials and autoHangUp on, through the options' fetch and timeout", async () => {
  const fake = fakeFetch(() => new Response(null, { status: 204 }));
  assert.equal(HangUp.forSerializer({ fetch: fake.fetch }, false).endCall(request), null);
  assert.equal(
    HangUp.forSerializer({ fetch: fake.fetch, autoHangUp: false }, true).endCall(request),
    null,
  );
  assert.equal(fake.calls.length, 0);
  assert.equal(await HangUp.forSerializer({ fetch: fake.fetch }, true).endCall(request), null);
  assert.equal(fake.calls.length, 1);
  await assert.rejects(
    HangUp.forSerializer({ fetch: hangingFetch, hangUpTimeoutMs: 40 }, true).endCall(request)!,
    (e: TransportError) => e.code === "timeout" && /within 40 ms/.test(e.message),
  );
  assert.throws(() => HangUp.forSerializer({ hangUpTimeoutMs: -1 }, true), RangeError);
});

Deno.test("`HangUp` measures timeoutMs on the clock it is given: a fake one bounds it in fake time", async () => {
  const clock = new FakeClock();
  const hangUp = new HangUp({ fetch: () => new Promise<Response>(() => {}), timeoutMs: 1000 });
  hangUp.useClock(clock);
  const settled: { error?: TransportError; resolved?: boolean } = {};
  hangUp.run(request()).then(() => (settled.resolved = true), (error) => (settled.error = error));
  await clock.tick(999);
  assert.deepEqual(settled, {}, "still waiting at 999 ms");
  await clock.tick(1);
  assert.equal(settled.error?.code, "timeout");
});

Deno.test("a far end's call id of `.` or `..` never steers an authenticated hang-up up the API's path", async () => {
  const urls: string[] = [];
  const fetch = (url: string) => {
    urls.push(new URL(url).pathname);
    return Promise.resolve(new Response("{}"));
  };
  const telnyx = new TelnyxSerializer({ apiKey: "KEY", fetch });
  telnyx.deserialize('{"event":"start","stream_id":"s1","start":{"call_control_id":".."}}');
  await assert.rejects(Promise.resolve(telnyx.serialize({ type: "cancel" })), /call control id/);
  const plivo = new PlivoSerializer({ authId: "MAID", authToken: "T", fetch });
  plivo.deserialize('{"event":"start","start":{"streamId":"s1","callId":"."}}');
  await assert.rejects(Promise.resolve(plivo.serialize({ type: "cancel" })), /call id "\."/);
  // jambonz disconnects whatever the hang-up's outcome, and reports its failure.
  const jambonz = new JambonzSerializer({ apiKey: "KEY", fetch });
  const { context, reported } = recordingContext();
  jambonz.bind(context);
  jambonz.deserialize('{"callSid":"..","accountSid":"acc","sampleRate":8000,"mixType":"mono"}');
  await jambonz.serialize({ type: "cancel" });
  assert.match(reported.at(-1)?.message ?? "", /callSid "\.\." cannot name a call/);
  assert.deepEqual(urls, [], "no request left");
});

Deno.test("a call SID given in the options is the one hung up, whatever the start message names", async () => {
  const urls: string[] = [];
  const fetch = (url: string) => {
    urls.push(new URL(url).pathname);
    return Promise.resolve(new Response("{}"));
  };
  const twilio = new TwilioSerializer({
    accountSid: "ACmine",
    callSid: "CApinned",
    authToken: "T",
    fetch,
  });
  twilio.deserialize(
    '{"event":"start","streamSid":"MZ1","start":{"streamSid":"MZ1","callSid":"CAother","accountSid":"ACx"}}',
  );
  await twilio.serialize({ type: "cancel" });
  assert.deepEqual(urls, ["/2010-04-01/Accounts/ACmine/Calls/CApinned.json"]);
});
