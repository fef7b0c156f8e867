// The bot queues its goodbye and an `end`, and the socket drops (1006: no close frame, a network
// failure) while that goodbye is still queued or playing. The bot asked to end the call, and the
// call outlives its media socket with the REST hang-up providers: Twilio's <Connect><Stream>
// goes on to the TwiML after it once the WebSocket is gone
// (https://www.twilio.com/docs/voice/twiml/stream), and Telnyx's stream is a fork of the call's
// media (https://developers.telnyx.com/docs/voice/programmable-voice/media-streaming). So the
// `end` still goes to the serializer at the close, once, and its hang-up's failure is reported.
// A far end that closes the socket (a close frame) ended the stream itself: the call is over, or
// goes on by the platform's choice (RFC 6455 7.1.5: 1006 is no close frame received).
import assert from "node:assert/strict";
import type { Frame } from "../mod.ts";
import { JambonzSerializer } from "../src/serializers/jambonz.ts";
import { TwilioSerializer } from "../src/serializers/twilio.ts";
import { startedSession, TWILIO_START } from "./serializers/telephony/_hang_up_session.ts";

/** Twilio's REST API, answering each hang-up with `status` at once; the URLs asked, in order. */
function provider(status = 200) {
  const asked: string[] = [];
  const fetch = (url: string) => {
    asked.push(url);
    const body = status === 200 ? "{}" : '{"code":20001,"message":"boom"}';
    return Promise.resolve(new Response(body, { status }));
  };
  return { asked, fetch };
}

/** jambonz's first message for call "call-1" of account "acct-1", at 8 kHz. */
const JAMBONZ_START = JSON.stringify({
  sampleRate: 8000,
  mixType: "mono",
  callSid: "call-1",
  accountSid: "acct-1",
});

const HANG_UP_URL = "https://api.twilio.com/2010-04-01/Accounts/AC1/Calls/CA1.json";

/** `ms` of silence at 8 kHz, mono: the bot's goodbye. */
function goodbye(ms: number): Frame {
  return { type: "audio", audio: new Uint8Array(ms * 16), sampleRate: 8000, channels: 1 };
}

/** A Twilio call (or jambonz's) on `fetch`, its goodbye (2 s) and `end` queued, 300 ms on. */
async function goodbyeUnderWay(fetch: (url: string) => Promise<Response>, jambonz = false) {
  const session = jambonz
    ? await startedSession(new JambonzSerializer({ apiKey: "KEY", fetch }), JAMBONZ_START)
    : await startedSession(
      new TwilioSerializer({ accountSid: "AC1", authToken: "token", fetch }),
      TWILIO_START,
    );
  session.transport.send(goodbye(2000));
  session.transport.send({ type: "end" });
  await session.clock.tick(300);
  return session;
}

Deno.test("`end`: the socket dropping (1006) under the queued goodbye still hangs the call up, once", async () => {
  const { asked, fetch } = provider();
  const { clock, pair, transport, errors } = await goodbyeUnderWay(fetch);
  assert.deepEqual(asked, [], "the goodbye plays first");
  pair.client.terminate();
  const closed = await transport.closed;
  assert.equal(closed.code, 1006);
  await clock.runAll();
  assert.deepEqual(asked, [HANG_UP_URL], "hung up through the REST API");
  assert.deepEqual(errors, []);
  assert.equal(transport.stats.framesDroppedOnClose, 0, "the end was not dropped");
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("`end`: the socket dropping while the goodbye waits to play out still hangs up; its failure is reported", async () => {
  const { asked, fetch } = provider(500);
  const serializer = new TwilioSerializer({ accountSid: "AC1", authToken: "token", fetch });
  const { clock, pair, transport, errors } = await startedSession(serializer, TWILIO_START);
  transport.send(goodbye(100));
  transport.send({ type: "end" });
  await clock.tick(200); // all sent: the `end` waits for the far end's mark, which never comes
  assert.equal(transport.playback.queuedMs, 0);
  assert.deepEqual(asked, []);
  pair.client.terminate();
  await transport.closed;
  await clock.runAll();
  assert.deepEqual(asked, [HANG_UP_URL]);
  assert.deepEqual(errors.map((e) => [e.code, e.message]), [[
    "protocol",
    'Twilio hang-up of call "CA1" failed: HTTP 500 {"code":20001,"message":"boom"}',
  ]]);
  assert.equal(transport.stats.framesDroppedOnClose, 1, "the end did not take: counted");
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("`end`: the far end closing the socket under the queued goodbye ended the stream: no hang-up, the end counted dropped", async () => {
  const { asked, fetch } = provider();
  const { clock, pair, transport, errors } = await goodbyeUnderWay(fetch);
  pair.client.close(1000);
  await transport.closed;
  await clock.runAll();
  assert.deepEqual(asked, []);
  assert.deepEqual(errors, []);
  assert.equal(transport.stats.framesDroppedOnClose, 1);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("`end`: a local close() under the queued goodbye drops the end (counted), as documented", async () => {
  const { asked, fetch } = provider();
  const { clock, transport, errors } = await goodbyeUnderWay(fetch);
  await transport.close(1000);
  await transport.closed;
  await clock.runAll();
  assert.deepEqual(asked, [], "the application closed: send cancel to hang up");
  assert.deepEqual(errors, []);
  assert.equal(transport.stats.framesDroppedOnClose, 1);
});

Deno.test("`end`: jambonz's goodbye still flushing its last batch when the socket drops hangs up at once", async () => {
  const { asked, fetch } = provider();
  const { clock, pair, transport, errors } = await goodbyeUnderWay(fetch, true);
  pair.client.terminate();
  await transport.closed;
  await clock.runAll();
  // Nothing more plays once the socket is gone: the wait for that batch ends, and the hang-up goes.
  assert.deepEqual(asked, ["https://jambonz.cloud/api/v1/Accounts/acct-1/Calls/call-1"]);
  assert.deepEqual(errors, []);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("`end`: written to a writer behind a goodbye that waits for room, the socket dropping (1006) still hangs up, once", async () => {
  // The goodbye (2 s) is more than `maxQueuedMs` (200 ms by default): its write waits for room,
  // and the `end` written after it waits in the writer, not yet in the transport's queue. The
  // bot asked to end the call all the same.
  const { asked, fetch } = provider();
  const serializer = new TwilioSerializer({ accountSid: "AC1", authToken: "token", fetch });
  const { clock, pair, transport, errors } = await startedSession(serializer, TWILIO_START);
  const writer = transport.writable.getWriter();
  const written = [writer.write(goodbye(2000)), writer.write({ type: "end" })];
  await clock.tick(300);
  assert.deepEqual(asked, [], "the goodbye plays first");
  pair.client.terminate();
  assert.equal((await transport.closed).code, 1006);
  await clock.runAll();
  await Promise.all(written);
  assert.deepEqual(asked, [HANG_UP_URL], "hung up through the REST API");
  assert.deepEqual(errors, []);
  assert.equal(transport.stats.framesDroppedOnClose, 0, "the end was not dropped");
  assert.equal(clock.pendingTimers, 0);
});
