// A session whose far end closes while its `end`'s REST hang-up waits for the provider: the
// request is aborted with the session (the context's `signal`), and nothing is reported for it.
import assert from "node:assert/strict";
import { JambonzSerializer } from "../../../src/serializers/jambonz.ts";
import { TwilioSerializer } from "../../../src/serializers/twilio.ts";
import { startedSession, TWILIO_START } from "./_hang_up_session.ts";

/** jambonz's first message for call "call-1" of account "acct-1", at 8 kHz. */
const JAMBONZ_START = JSON.stringify({
  sampleRate: 8000,
  mixType: "mono",
  callSid: "call-1",
  accountSid: "acct-1",
});

Deno.test("Twilio: a hang-up still waiting when the far end closes is aborted with the session, unreported", async () => {
  const signals: AbortSignal[] = [];
  const fetch = (_url: string, init: RequestInit) => {
    signals.push(init.signal!);
    return new Promise<Response>(() => {});
  };
  const serializer = new TwilioSerializer({ accountSid: "AC1", authToken: "token", fetch });
  const { clock, pair, transport, errors } = await startedSession(serializer, TWILIO_START);
  transport.send({ type: "end" });
  await clock.tick(100);
  assert.equal(signals.length, 1, "the hang-up was sent");
  pair.client.close(1000); // the call ended (the hang-up reached Twilio before its answer did)
  const closed = await transport.closed;
  await clock.tick(0);
  assert.equal(signals[0]!.aborted, true, "its request is aborted with the session");
  assert.equal(closed.code, 1000);
  await clock.runAll();
  assert.deepEqual(errors.map((e) => e.message), []);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("Jambonz: a hang-up still waiting when the far end closes is aborted with the session, unreported; one that fails before is reported", async () => {
  const signals: AbortSignal[] = [];
  const fetch = (_url: string, init: RequestInit) => {
    signals.push(init.signal!);
    return new Promise<Response>(() => {});
  };
  const serializer = new JambonzSerializer({ apiKey: "KEY", fetch });
  const { clock, pair, transport, errors } = await startedSession(serializer, JAMBONZ_START);
  transport.send({ type: "end" });
  await clock.tick(100);
  assert.equal(signals.length, 1, "the hang-up was sent");
  pair.client.close(1000); // the call ended (the hang-up reached jambonz before its answer did)
  await transport.closed;
  await clock.tick(0);
  assert.equal(signals[0]!.aborted, true, "its request is aborted with the session");
  await clock.runAll();
  assert.deepEqual(errors.map((e) => e.message), []);
  assert.equal(clock.pendingTimers, 0);

  // A hang-up the provider refuses while the session lives is still reported; the disconnect goes.
  const refused = () => Promise.resolve(new Response("boom", { status: 500 }));
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
