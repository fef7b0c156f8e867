// A session whose socket closes (the far end's close, or a drop: 1006) while its `end`'s REST
// hang-up waits for the provider. The bot asked to end the call, and the call outlives its media
// socket: Twilio's <Connect><Stream> goes on to the TwiML after it once the WebSocket is gone
// (https://www.twilio.com/docs/voice/twiml/stream: "Twilio does not execute the next set of TwiML
// instructions ... [unless] your server closes the WebSocket connection"; error 31921), and
// Telnyx's stream is a fork of the call, which "never occupies the call stream"
// (https://developers.telnyx.com/docs/voice/programmable-voice/media-streaming). So the request
// runs on to the provider's answer, within its own bound, and a failure is still reported.
import assert from "node:assert/strict";
import { JambonzSerializer } from "../../../src/serializers/jambonz.ts";
import { TwilioSerializer } from "../../../src/serializers/twilio.ts";
import type { FakeClock } from "../../../src/testing/mod.ts";
import { startedSession, TWILIO_START } from "./_hang_up_session.ts";

/** jambonz's first message for call "call-1" of account "acct-1", at 8 kHz. */
const JAMBONZ_START = JSON.stringify({
  sampleRate: 8000,
  mixType: "mono",
  callSid: "call-1",
  accountSid: "acct-1",
});

/**
 * A provider's REST API that answers each request with `answer()` `delayMs` later on the
 * session's fake clock (`clock`, set once the session is made), or never when `delayMs` is left
 * out; a request aborted first is rejected with its signal's reason, as `fetch` does.
 */
function slowProvider(answer: () => Response, delayMs?: number) {
  const provider = { clock: undefined as FakeClock | undefined, signals: [] as AbortSignal[] };
  const fetch = (_url: string, init: RequestInit) => {
    const signal = init.signal!;
    provider.signals.push(signal);
    return new Promise<Response>((resolve, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      if (delayMs === undefined) return;
      provider.clock!.sleep(delayMs, signal).then(() => resolve(answer()), () => {});
    });
  };
  return { provider, fetch };
}

Deno.test("Twilio: a hang-up under way when the socket drops (1006) runs on to the provider's answer", async () => {
  const { provider, fetch } = slowProvider(() => new Response("{}"), 300);
  const serializer = new TwilioSerializer({ accountSid: "AC1", authToken: "token", fetch });
  const { clock, pair, transport, errors } = await startedSession(serializer, TWILIO_START);
  provider.clock = clock;
  transport.send({ type: "end" });
  await clock.tick(100);
  assert.equal(provider.signals.length, 1, "the hang-up was sent");
  pair.client.terminate(); // the media connection drops; the call itself is still up
  const closed = await transport.closed;
  assert.equal(closed.code, 1006);
  await clock.tick(0);
  assert.equal(provider.signals[0]!.aborted, false, "the request runs on past the session");
  assert.equal(clock.pendingTimers, 2, "its bound, and the provider's answer to come");
  await clock.tick(300);
  assert.deepEqual(errors.map((e) => e.message), [], "answered 200: the call was hung up");
  assert.equal(clock.pendingTimers, 0, "its bound is gone with it");
});

Deno.test("Twilio: a hang-up never answered after the socket dropped is reported at its own bound", async () => {
  const { provider, fetch } = slowProvider(() => new Response("{}"));
  const serializer = new TwilioSerializer({ accountSid: "AC1", authToken: "token", fetch });
  const { clock, pair, transport, errors } = await startedSession(serializer, TWILIO_START);
  provider.clock = clock;
  const sentAt = clock.now();
  transport.send({ type: "end" });
  await clock.tick(100);
  pair.client.terminate();
  await transport.closed;
  await clock.runAll();
  assert.equal(provider.signals[0]!.aborted, true, "given up at its bound");
  assert.equal(clock.now() - sentAt, 4750, "hangUpTimeoutMs 5000, kept 250 ms under sendTimeoutMs");
  assert.deepEqual(errors.map((e) => [e.code, e.fatal, e.message]), [[
    "timeout",
    false,
    'Twilio hang-up of call "CA1" got no answer within 4750 ms ' +
    "(its 5000 ms kept under the transport's sendTimeoutMs, 5000 ms)",
  ]]);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("Jambonz: a hang-up refused after the far end closed is reported once; one refused before, and the disconnect still goes", async () => {
  const refusal = () => new Response("boom", { status: 500 });
  const { provider, fetch } = slowProvider(refusal, 300);
  const serializer = new JambonzSerializer({ apiKey: "KEY", fetch });
  const { clock, pair, transport, errors } = await startedSession(serializer, JAMBONZ_START);
  provider.clock = clock;
  transport.send({ type: "end" });
  await clock.tick(100);
  assert.equal(provider.signals.length, 1, "the hang-up was sent");
  pair.client.close(1000);
  await transport.closed;
  await clock.tick(0);
  assert.equal(provider.signals[0]!.aborted, false, "the request runs on past the session");
  await clock.runAll();
  assert.deepEqual(errors.map((e) => [e.code, e.message]), [
    ["protocol", 'jambonz hang-up of call "call-1" failed: HTTP 500 boom'],
  ]);
  assert.equal(clock.pendingTimers, 0);

  // A hang-up the provider refuses while the session lives is reported too; the disconnect goes.
  const refused = () => Promise.resolve(refusal());
  const live = await startedSession(
    new JambonzSerializer({ apiKey: "KEY", fetch: refused }),
    JAMBONZ_START,
  );
  const sent: unknown[] = [];
  live.pair.client.addEventListener("message", (e) => sent.push((e as MessageEvent).data));
  live.transport.send({ type: "end" });
  await live.clock.tick(100);
  assert.deepEqual(live.errors.map((e) => e.code), ["protocol"]);
  assert.match(live.errors[0]!.message, /jambonz hang-up of call "call-1" failed: HTTP 500 boom/);
  assert.ok(sent.includes('{"type":"disconnect"}'), "the disconnect still goes");
  live.pair.client.close(1000);
  await live.transport.closed;
  await live.clock.runAll();
});
