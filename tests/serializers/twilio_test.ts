import assert from "node:assert/strict";
import fc from "fast-check";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { twilioApiHost } from "../../src/serializers/_twilio_api_host.ts";
import type { TransportError } from "../../src/errors.ts";
import { twilioCall, twilioIds, twilioStart } from "./fixtures/twilio_call.ts";
import { NARROWBAND_SETUP } from "./fixtures/narrowband_call.ts";
import {
  fakeFetch,
  fuzzDeserializer,
  hangingFetch,
  mediaField,
  playScript,
  silence,
  toneRoundTrip,
} from "./fixtures/telephony_harness.ts";

const START = twilioStart();

Deno.test("`TwilioSerializer` plays a documented call message by message both ways", async () => {
  const twilio = new TwilioSerializer();
  twilio.setup(NARROWBAND_SETUP);
  await playScript(twilio, twilioCall);
});

Deno.test("`TwilioSerializer` keeps a 1 kHz tone's frequency and level from 24 kHz out to 16 kHz in", async () => {
  const twilio = new TwilioSerializer();
  twilio.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 24000,
    outputChannels: 1,
  });
  twilio.deserialize(START);
  const result = await toneRoundTrip(twilio, (sent) => {
    assert.equal(sent.event, "media");
    const payload = (sent.media as { payload: string }).payload;
    return JSON.stringify({
      event: "media",
      streamSid: sent.streamSid,
      media: { track: "inbound", payload },
    });
  }, { outRate: 24000, inRate: 16000 });
  assert.ok(result.dbfs < -8 && result.dbfs > -10, `level ${result.dbfs}`);
});

Deno.test("`TwilioSerializer` answers every fuzzed message with frames or a decode error", async () => {
  const twilio = new TwilioSerializer();
  twilio.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 16000,
    outputChannels: 1,
  });
  twilio.deserialize(START);
  const { errors, frames } = await fuzzDeserializer(twilio, {
    events: ["connected", "start", "media", "dtmf", "mark", "stop"],
    fields: {
      media: mediaField,
      start: fc.record({
        streamSid: fc.oneof(fc.string(), fc.integer()),
        callSid: fc.string(),
        accountSid: fc.string(),
        customParameters: fc.dictionary(
          fc.string(),
          fc.oneof(fc.string(), fc.integer(), fc.object()),
        ),
        mediaFormat: fc.record({ encoding: fc.constantFrom("audio/x-mulaw", "audio/x-alaw", 3) }),
      }, { requiredKeys: [] }),
      dtmf: fc.record({
        digit: fc.oneof(fc.constantFrom("1", "#", "*", "D", "x", ""), fc.integer()),
      }),
      mark: fc.record({ name: fc.oneof(fc.string(), fc.integer()) }),
      stop: fc.record({ callSid: fc.oneof(fc.string(), fc.integer()) }),
      streamSid: fc.string(),
    },
  });
  assert.ok(errors > 1000 && frames > 1000, `errors ${errors}, frames ${frames}`);
});

Deno.test("`TwilioSerializer` names the bad field in decode errors", () => {
  // The stream given (a start consumed elsewhere): media before a start is refused as such.
  const twilio = new TwilioSerializer({ streamSid: "MZ1" });
  assert.throws(() => twilio.deserialize("{"), { name: "TransportError", code: "decode" });
  assert.throws(
    () => twilio.deserialize('{"event":"media","media":{"payload":7}}'),
    (e: TransportError) =>
      e.code === "decode" && e.message.includes("media.payload") && e.message.includes("7"),
  );
  assert.throws(
    () => twilio.deserialize('{"event":"dtmf","dtmf":{"digit":"x"}}'),
    /dtmf.digit is not a keypad digit: "x"/,
  );
  assert.throws(
    () => twilio.deserialize('{"event":"media","media":{"payload":"%%%"}}'),
    /media payload is not base64/,
  );
  assert.throws(() => twilio.deserialize(new Uint8Array([0xff, 0xfe])), /not UTF-8/);
});

Deno.test("`TwilioSerializer` ends the stream on a stop whatever its callSid holds", () => {
  // Twilio's `stop` carries `stop.accountSid` and `stop.callSid`
  // (https://www.twilio.com/docs/voice/media-streams/websocket-messages#stop-message); nothing here
  // needs them, so a malformed one must not lose the `end` frame.
  const twilio = new TwilioSerializer({ streamSid: "MZ1" });
  for (const callSid of [5, null, { sid: "CA1" }]) {
    const stop = JSON.stringify({ event: "stop", stop: { accountSid: "AC1", callSid } });
    assert.deepEqual(twilio.deserialize(stop), [{ type: "end", reason: "stop" }]);
  }
});

Deno.test("`TwilioSerializer` reads UTF-8 bytes as text and drops outbound-track media", () => {
  const twilio = new TwilioSerializer();
  twilio.setup(NARROWBAND_SETUP);
  const bytes = new TextEncoder().encode('{"event":"dtmf","dtmf":{"digit":"#"}}');
  assert.deepEqual(twilio.deserialize(bytes), { type: "dtmf", digit: "#" });
  const media = JSON.stringify({ event: "media", media: { track: "outbound", payload: "/w==" } });
  assert.equal(twilio.deserialize(media), null);
});

Deno.test("`TwilioSerializer` refuses audio before it knows the stream SID", () => {
  const twilio = new TwilioSerializer();
  assert.throws(
    () => twilio.serialize({ type: "audio", audio: silence(160), sampleRate: 8000, channels: 1 }),
    { name: "TransportError", code: "encode" },
  );
  const known = new TwilioSerializer({ streamSid: "MZ9" });
  assert.equal(known.serialize({ type: "interruption" }), '{"event":"clear","streamSid":"MZ9"}');
});

Deno.test("`TwilioSerializer` hangs up once through the REST API with Basic auth", async () => {
  const fake = fakeFetch(() => new Response('{"sid":"CA"}', { status: 200 }));
  const twilio = new TwilioSerializer({ authToken: "secret", fetch: fake.fetch });
  twilio.deserialize(START);
  assert.equal(await twilio.serialize({ type: "end" }), null);
  assert.equal(await twilio.serialize({ type: "cancel" }), null);
  assert.equal(fake.calls.length, 1);
  const [call] = fake.calls;
  assert.equal(
    call!.url,
    `https://api.twilio.com/2010-04-01/Accounts/${twilioIds.account}/Calls/${twilioIds.call}.json`,
  );
  assert.equal(call!.init.method, "POST");
  assert.equal(call!.init.body, "Status=completed");
  const headers = new Headers(call!.init.headers);
  assert.equal(headers.get("authorization"), `Basic ${btoa(`${twilioIds.account}:secret`)}`);
  assert.equal(headers.get("content-type"), "application/x-www-form-urlencoded");
});

// Twilio's API domain migration guide (twilio.com/docs/global-infrastructure/api-domain-migration-guide,
// and its Feb. 4, 2026 changelog): api.ie1.twilio.com, api.au1.twilio.com and the other
// api.{region}.twilio.com hosts take no requests since April 28, 2026; a region given alone gets
// its default edge, as Twilio's SDKs and CLI do (ie1 → dublin, au1 → sydney), and the CLI refuses a
// region it has no default edge for.
for (const edge of ["dublin", undefined]) {
  Deno.test(`\`TwilioSerializer\` hangs up through region ie1 ${edge ? `and edge ${edge}` : "alone"}`, async () => {
    const fake = fakeFetch(() => new Response("{}"));
    const twilio = new TwilioSerializer({
      accountSid: "ACx",
      callSid: "CAy",
      authToken: "t",
      region: "ie1",
      ...(edge === undefined ? {} : { edge }),
      fetch: fake.fetch,
    });
    await twilio.serialize({ type: edge ? "cancel" : "end" });
    assert.equal(
      fake.calls[0]!.url,
      "https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/ACx/Calls/CAy.json",
    );
  });
}

Deno.test("the Twilio API host: an edge's region, a region's edge, names checked", () => {
  assert.equal(twilioApiHost("au1", "sydney"), "api.sydney.au1.twilio.com");
  assert.equal(twilioApiHost(), "api.twilio.com");
  assert.equal(twilioApiHost(undefined, "sydney"), "api.sydney.us1.twilio.com");
  assert.equal(twilioApiHost("au1"), "api.sydney.au1.twilio.com");
  assert.equal(twilioApiHost("us1"), "api.ashburn.us1.twilio.com");
  assert.throws(() => new TwilioSerializer({ region: "xx9" }), /region "xx9" has no default edge/);
  assert.equal(twilioApiHost("xx9", "dublin"), "api.dublin.xx9.twilio.com");
  assert.throws(() => twilioApiHost("ie1/evil"), RangeError);
  assert.throws(() => new TwilioSerializer({ edge: "x.evil.com/" }), RangeError);
});

Deno.test("`TwilioSerializer` treats 404 code 20404 as already ended, other errors as protocol errors", async () => {
  const ended = fakeFetch(() =>
    new Response('{"code":20404,"message":"The requested resource was not found","status":404}', {
      status: 404,
    })
  );
  const a = new TwilioSerializer({
    accountSid: "AC",
    callSid: "CA",
    authToken: "t",
    fetch: ended.fetch,
  });
  assert.equal(await a.serialize({ type: "end" }), null);

  const denied = fakeFetch(() =>
    new Response('{"code":20003,"message":"Authenticate"}', { status: 401 })
  );
  const b = new TwilioSerializer({
    accountSid: "AC",
    callSid: "CA",
    authToken: "t",
    fetch: denied.fetch,
  });
  await assert.rejects(
    async () => await b.serialize({ type: "end" }),
    (e: TransportError) => e.code === "protocol" && e.message.includes("HTTP 401"),
  );
  // At most once, even after a failure.
  assert.equal(await b.serialize({ type: "end" }), null);
  assert.equal(denied.calls.length, 1);

  const other404 = fakeFetch(() => new Response('{"code":20001}', { status: 404 }));
  const c = new TwilioSerializer({
    accountSid: "AC",
    callSid: "CA",
    authToken: "t",
    fetch: other404.fetch,
  });
  await assert.rejects(async () => await c.serialize({ type: "end" }), { code: "protocol" });
});

Deno.test("`TwilioSerializer` bounds a hang-up that gets no answer", async () => {
  const twilio = new TwilioSerializer({
    accountSid: "AC",
    callSid: "CA",
    authToken: "t",
    fetch: hangingFetch,
    hangUpTimeoutMs: 50,
  });
  const started = performance.now();
  await assert.rejects(async () => await twilio.serialize({ type: "end" }), { code: "timeout" });
  assert.ok(performance.now() - started < 1000);
});

Deno.test("`TwilioSerializer` does not hang up without credentials or with autoHangUp off", async () => {
  let called = false;
  const fetch = () => {
    called = true;
    return Promise.resolve(new Response("{}"));
  };
  const none = new TwilioSerializer({ fetch });
  none.deserialize(START);
  assert.equal(none.serialize({ type: "end" }), null);
  const off = new TwilioSerializer({ authToken: "t", autoHangUp: false, fetch });
  off.deserialize(START);
  assert.equal(off.serialize({ type: "end" }), null);
  assert.equal(called, false);
  const early = new TwilioSerializer({ authToken: "t", fetch });
  await assert.rejects(async () => await early.serialize({ type: "end" }), { code: "protocol" });
});
