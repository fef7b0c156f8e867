// A close frame's reason is at most 123 bytes of UTF-8 (RFC 6455, 5.5: control frames carry at most
// 125 bytes; 5.5.1: the first two are the code, the rest a UTF-8 reason), so `SocketCloser` sends a
// long one cut, never mid-character. `closed` reports what went out, whichever way the close ends:
// the peer's answer (RFC 6455, 5.5.1: an endpoint "typically echos the status code it received"),
// no answer within `closeTimeoutMs`, or a socket already closed.
import assert from "node:assert/strict";
import { capCloseReason } from "../src/_close_reason.ts";
import { SocketCloser } from "../src/_socket_closer.ts";
import type { TransportError } from "../src/errors.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

/** 201 bytes of UTF-8: a cut at 123 bytes would split the 62nd two-byte character. */
const LONG_REASON = "x" + "é".repeat(100);
/** What a close frame carries of it: the "x" and 61 whole "é", 123 bytes. */
const SENT = "x" + "é".repeat(61);

/** A closer for the server end of a pair, and what it settles with when the close event is not to come. */
function closerFor(pair: MemorySocketPair, clock: FakeClock) {
  const socketClosed = new AbortController();
  const heard: { code: number; reason: string }[] = [];
  pair.server.addEventListener("close", (event) => {
    const { code, reason } = event as CloseEvent;
    heard.push({ code, reason });
    socketClosed.abort();
  });
  const finished: { code: number; reason: string }[] = [];
  const errors: TransportError[] = [];
  const closer = new SocketCloser({
    socket: pair.server,
    clock,
    closeTimeoutMs: 500,
    closedSignal: socketClosed.signal,
    finish: (code, reason) => void finished.push({ code, reason }),
    report: (error) => void errors.push(error),
  });
  return { closer, heard, finished, errors };
}

Deno.test("capCloseReason cuts the test's reason to 123 bytes, whole characters", () => {
  assert.equal(capCloseReason(LONG_REASON), SENT);
  assert.equal(new TextEncoder().encode(SENT).length, 123);
});

Deno.test("`SocketCloser`: a close the peer answers ends with the cut reason, as sent", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const { closer, heard, finished } = closerFor(pair, clock);
  const closing = closer.close(4000, LONG_REASON);
  await clock.tick(0);
  await closing;
  assert.deepEqual(heard, [{ code: 4000, reason: SENT }]);
  assert.deepEqual(finished, [], "the close event settles the session");
});

Deno.test("`SocketCloser`: a close the peer never answers settles with the cut reason that went out", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  pair.client.answersClose = false;
  const { closer, finished, errors } = closerFor(pair, clock);
  const closing = closer.close(4000, LONG_REASON);
  await clock.tick(500);
  await closing;
  assert.deepEqual(finished, [{ code: 4000, reason: SENT }]);
  assert.deepEqual(errors.map((e) => e.code), ["timeout"]);
});

Deno.test("`SocketCloser`: a socket already closed settles with the cut reason too", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const { closer, finished } = closerFor(pair, clock);
  pair.server.readyState = 3; // gone under it, its close event not yet dispatched
  await closer.close(4000, LONG_REASON);
  assert.deepEqual(finished, [{ code: 4000, reason: SENT }]);
});
