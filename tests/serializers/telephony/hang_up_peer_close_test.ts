// A session whose far end closes while its `end`'s REST hang-up waits for the provider: the
// request is aborted with the session (the context's `signal`), and nothing is reported for it.
import assert from "node:assert/strict";
import { TwilioSerializer } from "../../../src/serializers/twilio.ts";
import { startedSession, TWILIO_START } from "./_hang_up_session.ts";

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
