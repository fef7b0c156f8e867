// A REST hang-up runs inside the `serialize` of an `end` or `cancel`, which the transport bounds by
// its `sendTimeoutMs` (past it: a fatal "protocol" error, 1011). The hang-up's own bound
// (`hangUpTimeoutMs`) is kept under it, so a provider that does not answer is the documented
// non-fatal "timeout" error and the goodbye goes on with 1000.
import assert from "node:assert/strict";
import type { TransportError } from "../../../mod.ts";
import { FakeClock } from "../../../src/testing/mod.ts";
import { HangUp } from "../../../src/serializers/telephony/hang_up.ts";
import { startedSession, TEST_HANG_UP, TWILIO_START } from "./_hang_up_session.ts";
import type { FrameSerializer } from "../../../src/serializer.ts";
import { PlivoSerializer } from "../../../src/serializers/plivo.ts";
import { TelnyxSerializer } from "../../../src/serializers/telnyx.ts";
import { TwilioSerializer } from "../../../src/serializers/twilio.ts";

const neverAnswers = () => new Promise<Response>(() => {});

/** When a hang-up given `timeoutMs` under a transport's `sendTimeoutMs` gives up, and its error. */
async function givesUp(timeoutMs: number, sendTimeoutMs: number | undefined) {
  const clock = new FakeClock();
  const hangUp = new HangUp({ fetch: neverAnswers, timeoutMs });
  hangUp.useSession(sendTimeoutMs === undefined ? { clock } : { clock, sendTimeoutMs });
  let error: TransportError | undefined;
  hangUp.run(TEST_HANG_UP).catch((e) => (error = e));
  while (error === undefined) await clock.tick(1);
  return { at: clock.now(), error };
}

Deno.test("`HangUp.useSession` keeps the hang-up 250 ms under the transport's sendTimeoutMs", async () => {
  const cut = await givesUp(10_000, 5000);
  assert.equal(cut.at, 4750);
  assert.equal(cut.error.code, "timeout");
  assert.equal(cut.error.fatal, false);
  assert.equal(
    cut.error.message,
    'Test hang-up of call "c1" got no answer within 4750 ms ' +
      "(its 10000 ms kept under the transport's sendTimeoutMs, 5000 ms)",
  );
  // Its own bound, when shorter, is kept as it was, and so is its message.
  const own = await givesUp(1000, 5000);
  assert.equal(own.at, 1000);
  assert.equal(own.error.message, 'Test hang-up of call "c1" got no answer within 1000 ms');
  // A short sendTimeoutMs leaves it half; none given (a context made by hand), its own bound.
  assert.equal((await givesUp(5000, 400)).at, 200);
  assert.equal((await givesUp(5000, undefined)).at, 5000);
});

/** A session on `serializer` with `start` received, that sends `end`; its errors and close. */
async function endWithUnansweredHangUp(serializer: FrameSerializer, start: string) {
  const { clock, transport, errors } = await startedSession(serializer, start);
  const began = clock.now();
  let closedAt = NaN;
  void transport.closed.then(() => (closedAt = clock.now()));
  transport.send({ type: "end" });
  await clock.tick(10_000);
  const closed = await transport.closed;
  await clock.runAll();
  return { errors, closed, closedAfter: closedAt - began, pendingTimers: clock.pendingTimers };
}

for (
  const [name, serializer, start] of [
    [
      "Twilio",
      () =>
        new TwilioSerializer({
          accountSid: "AC1",
          authToken: "token",
          hangUpTimeoutMs: 10_000,
          fetch: neverAnswers,
        }),
      TWILIO_START,
    ],
    [
      "Telnyx",
      () => new TelnyxSerializer({ apiKey: "KEY", hangUpTimeoutMs: 10_000, fetch: neverAnswers }),
      '{"event":"start","stream_id":"s1","start":{"call_control_id":"v3:c1"}}',
    ],
    [
      "Plivo",
      () =>
        new PlivoSerializer({
          authId: "MAID",
          authToken: "T",
          hangUpTimeoutMs: 10_000,
          fetch: neverAnswers,
        }),
      '{"event":"start","start":{"streamId":"s1","callId":"c1"}}',
    ],
  ] as const
) {
  Deno.test(`${name}: a hang-up unanswered past sendTimeoutMs is a "timeout" error, the goodbye 1000`, async () => {
    const s = await endWithUnansweredHangUp(serializer(), start);
    assert.deepEqual(
      s.errors.map((e) => [e.code, e.fatal]),
      [["timeout", false]],
      s.errors.map((e) => e.message).join(" | "),
    );
    assert.match(s.errors[0]!.message, /got no answer within 4750 ms/);
    assert.deepEqual([s.closed.code, s.closed.initiator], [1000, "local"]);
    assert.ok(s.closedAfter <= 4750, `closed ${s.closedAfter} ms after the end`);
    assert.equal(s.pendingTimers, 0);
  });
}
