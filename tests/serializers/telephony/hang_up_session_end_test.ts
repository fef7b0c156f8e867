// A REST hang-up runs inside the `serialize` of an `end` or `cancel`; a session that ends another
// way meanwhile (the far end closed or dropped, `close()`) leaves nobody waiting for its answer,
// but the call may outlive the socket (see hang_up_peer_close_test.ts). Given the session's end
// (`useSession` reads the context's `signal` and `report`), the hang-up runs on to its own bound,
// reports a failure through the context's `report`, and rejects with a "closed" error (which the
// transport, done with that `serialize`, drops unheard); one asked for once the session is over
// sends nothing.
import assert from "node:assert/strict";
import { HangUp } from "../../../src/serializers/telephony/hang_up.ts";
import { TEST_HANG_UP } from "./_hang_up_session.ts";
import type { TransportError } from "../../../src/errors.ts";
import { FakeClock } from "../../../src/testing/mod.ts";

/** A hang-up bound to a session on a fake clock, whose provider never answers. */
function hangUpInSession(report?: (error: TransportError) => void) {
  const clock = new FakeClock();
  const session = new AbortController();
  const signals: AbortSignal[] = [];
  const fetch = (_url: string, init: RequestInit) => {
    signals.push(init.signal!);
    return new Promise<Response>(() => {});
  };
  const hangUp = new HangUp({ fetch, timeoutMs: 1000 });
  const reporting = report === undefined ? {} : { report };
  hangUp.useSession({ clock, sendTimeoutMs: 5000, signal: session.signal, ...reporting });
  return { clock, session, signals, hangUp };
}

Deno.test('`HangUp` runs on to its bound when the session ends first, reports the failure, and rejects with a "closed" error', async () => {
  const reported: TransportError[] = [];
  const { clock, session, signals, hangUp } = hangUpInSession((error) => reported.push(error));
  const settled: { error?: TransportError; resolved?: boolean } = {};
  hangUp.run(TEST_HANG_UP).then(
    () => (settled.resolved = true),
    (error) => (settled.error = error),
  );
  await clock.tick(100);
  assert.equal(signals.length, 1);
  session.abort();
  await clock.tick(0);
  assert.equal(signals[0]!.aborted, false, "the request runs on past the session");
  assert.deepEqual(settled, {}, "still waiting for the provider");
  await clock.tick(900);
  assert.equal(signals[0]!.aborted, true, "given up at its bound (1000 ms)");
  assert.deepEqual(reported.map((e) => [e.code, e.message]), [
    ["timeout", 'Test hang-up of call "c1" got no answer within 1000 ms'],
  ]);
  assert.equal(settled.error?.code, "closed");
  assert.equal(settled.error?.fatal, false);
  assert.equal(settled.error?.cause, reported[0], "the failure it reported");
  assert.equal(clock.pendingTimers, 0, "its bound's timer is gone with it");
  // Without a `report` (a context made by hand), the failure is the rejection itself.
  const unreported = hangUpInSession();
  const failed = assert.rejects(unreported.hangUp.run(TEST_HANG_UP), { code: "timeout" });
  unreported.session.abort();
  await unreported.clock.tick(1000);
  await failed;
});

Deno.test("`HangUp` sends nothing once the session has ended, and a hang-up answered in time is untouched by the end", async () => {
  const ended = hangUpInSession();
  ended.session.abort();
  await assert.rejects(ended.hangUp.run(TEST_HANG_UP), { code: "closed" });
  assert.equal(ended.signals.length, 0, "nothing sent for a session that is over");
  // Answered before the session ends: success, and the session's end later changes nothing.
  const clock = new FakeClock();
  const session = new AbortController();
  const hangUp = new HangUp({ fetch: () => Promise.resolve(new Response("{}")) });
  hangUp.useSession({ clock, signal: session.signal });
  await hangUp.run(TEST_HANG_UP);
  session.abort();
  assert.equal(clock.pendingTimers, 0);
  // A timeout is still a timeout, not a "closed" error.
  const late = hangUpInSession();
  const settled: { error?: TransportError } = {};
  late.hangUp.run(TEST_HANG_UP).catch((error) => (settled.error = error));
  await late.clock.tick(1000);
  assert.equal(settled.error?.code, "timeout");
  late.session.abort();
});

Deno.test("`HangUp`: a 2xx is success without its body, so a body still coming when the session ends is no abandoned hang-up", async () => {
  const clock = new FakeClock();
  const session = new AbortController();
  let cancelled = false;
  const body = new ReadableStream({
    pull: () => new Promise(() => {}), // the provider's body never ends
    cancel: () => void (cancelled = true),
  });
  const settled: { error?: TransportError; resolved?: boolean } = {};
  const fetch = () => Promise.resolve(new Response(body, { status: 200 }));
  const answered = new HangUp({ fetch, timeoutMs: 1000 });
  answered.useSession({ clock, sendTimeoutMs: 5000, signal: session.signal });
  answered.run(TEST_HANG_UP).then(
    () => (settled.resolved = true),
    (error) => (settled.error = error),
  );
  await clock.tick(0);
  session.abort();
  await clock.tick(0);
  assert.deepEqual(settled, { resolved: true }, "the provider took the hang-up");
  assert.equal(cancelled, true, "the body not read is let go");
  assert.equal(clock.pendingTimers, 0);
});
