// Once the session is over (`SessionWatch.stop`), its watch arms, dispatches and closes nothing
// more, whatever a listener did while it was being told: an "inactive" listener that keeps the
// session (preventDefault) after ending it, or an abort seen at the start of a session that was
// never made.

import assert from "node:assert/strict";
import { WebSocketTransport } from "../mod.ts";
import { SessionWatch } from "../src/_session_watch.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

Deno.test('`SessionWatch` stopped inside an "inactive" listener that keeps the session arms nothing', async () => {
  const clock = new FakeClock();
  const closes: unknown[] = [];
  let told = 0;
  let watch: SessionWatch | undefined = undefined;
  watch = new SessionWatch(clock, {
    sessionTimeoutMs: undefined,
    inactivityTimeoutMs: 1000,
    signal: undefined,
    dispatch: (event) => {
      told++;
      watch?.stop(); // the session ends within the listener
      event.preventDefault(); // and the listener keeps it, as it would a live one
      return !event.defaultPrevented;
    },
    close: (code) => void closes.push(code),
    closeTimeoutMs: 500,
    ending: () => false,
    report: () => {},
  });
  await clock.tick(1000);
  assert.equal(told, 1);
  assert.equal(clock.pendingTimers, 0, "no timer left behind"); // was: 1, re-armed
  await clock.tick(5000);
  assert.equal(told, 1); // was: 6, told every second after the end
  assert.deepEqual(closes, []);
});

Deno.test('`SessionWatch` stopped inside an "inactive" listener that lets it close closes nothing', async () => {
  const clock = new FakeClock();
  const closes: unknown[] = [];
  let watch: SessionWatch | undefined = undefined;
  watch = new SessionWatch(clock, {
    sessionTimeoutMs: undefined,
    inactivityTimeoutMs: 1000,
    signal: undefined,
    dispatch: () => {
      watch?.stop();
      return true;
    },
    close: (code) => void closes.push(code),
    closeTimeoutMs: 500,
    ending: () => false,
    report: () => {},
  });
  await clock.tick(1000);
  assert.deepEqual(closes, []); // was: [1001], a close for a session already over
  assert.equal(clock.pendingTimers, 0);
});

Deno.test('an "inactive" listener that ends the session and keeps it leaves no timer and hears no more', async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, { clock, inactivityTimeoutMs: 1000 });
  const told: number[] = [];
  transport.addEventListener("inactive", (event) => {
    told.push(clock.now());
    // The connection is gone already (its close event still to come): closing settles the
    // session at once, inside this listener.
    pair.client.terminate();
    void transport.close();
    event.preventDefault();
  });
  await clock.tick(1000);
  const closed = await transport.closed;
  assert.equal(closed.code, 1000);
  assert.deepEqual(told, [1000]);
  assert.equal(clock.pendingTimers, 0, "no timer left behind"); // was: 1, the watch re-armed
  await clock.tick(10_000);
  assert.deepEqual(told, [1000]); // was: told again every second after the end
});

Deno.test("an aborted `signal` closes nothing for a transport that was never made", async () => {
  // A socket without `addEventListener` fails the constructor after the watch was made; the
  // watch had queued the abort's close, which then closed the caller's socket from a transport
  // that does not exist.
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const deaf = Object.assign(Object.create(pair.server), {
    addEventListener: undefined,
    close: (code?: number, reason?: string) => pair.server.close(code, reason),
  });
  const signal = AbortSignal.abort();
  assert.throws(() => new WebSocketTransport(deaf, { clock, signal }), TypeError);
  const peerClosed: Event[] = [];
  pair.client.addEventListener("close", (event) => peerClosed.push(event));
  await clock.tick(1000);
  assert.equal(pair.server.readyState, 1, "the socket is the caller's still, open"); // was: 3
  assert.deepEqual(peerClosed, []);
  assert.equal(clock.pendingTimers, 0);
});
