// A REST hang-up runs inside the `serialize` of an `end` or `cancel`; a session that ends another
// way meanwhile (the far end closed, `close()`) leaves nobody waiting for its answer. Given the
// session's end (`useSession` reads the context's `signal`), the hang-up aborts its request then
// and rejects with a "closed" error (which the transport, done with that `serialize`, drops
// unheard), instead of leaving the request running to its bound.
import assert from "node:assert/strict";
import { HangUp } from "../../../src/serializers/telephony/hang_up.ts";
import { TEST_HANG_UP } from "./_hang_up_session.ts";
import type { TransportError } from "../../../src/errors.ts";
import { FakeClock } from "../../../src/testing/mod.ts";

/** A hang-up bound to a session on a fake clock, whose provider never answers. */
function hangUpInSession() {
  const clock = new FakeClock();
  const session = new AbortController();
  const signals: AbortSignal[] = [];
  const fetch = (_url: string, init: RequestInit) => {
    signals.push(init.signal!);
    return new Promise<Response>(() => {});
  };
  const hangUp = new HangUp({ fetch, timeoutMs: 1000 });
  hangUp.useSession({ clock, sendTimeoutMs: 5000, signal: session.signal });
  return { clock, session, signals, hangUp };
}

Deno.test('`HangUp` aborts its request when the session ends first, rejecting with a "closed" error', async () => {
  const { clock, session, signals, hangUp } = hangUpInSession();
  const settled: { error?: TransportError; resolved?: boolean } = {};
  hangUp.run(TEST_HANG_UP).then(
    () => (settled.resolved = true),
    (error) => (settled.error = error),
  );
  await clock.tick(100);
  assert.equal(signals.length, 1);
  assert.deepEqual(settled, {}, "waiting for the provider");
  session.abort();
  await clock.tick(0);
  assert.equal(signals[0]!.aborted, true, "the request is aborted with the session");
  assert.equal(settled.error?.code, "closed");
  assert.equal(settled.error?.fatal, false);
  assert.equal(
    settled.error?.message,
    'Test hang-up of call "c1" abandoned: the session ended before the provider answered',
  );
  assert.equal(clock.now(), 100, "not at its bound (1000 ms)");
  assert.equal(clock.pendingTimers, 0, "its bound's timer is gone with it");
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
