// An `end` written before the socket opened is the bot's ending (the open bound gives the socket
// `closeTimeoutMs` more, then ends the session as that end's close), but not once something else
// has dropped it: a `cancel` after it drops what is queued, the `end` with it (counted in
// `framesDroppedOnClose`), and hangs up itself. Here the serializer's asynchronous set-up is still
// under way while the socket still connects. The cancel once waited on that set-up, and the open
// bound then found the dropped `end` "waiting" and ended the session as that end's goodbye (1000
// and the end's reason, a "timeout" saying the end was never said). A cancel before open now
// closes at once with its own code and reason, as `close()` does (`initiator` "local", no error,
// no `disconnected`): a session whose bot wrote an `end` before its cancel ends exactly as one
// whose bot only cancelled, the end one more frame dropped.
import assert from "node:assert/strict";
import { RawPcmSerializer, type TransportClosed, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

const OPEN_TIMEOUT_MS = 200;
const CLOSE_TIMEOUT_MS = 500;

/** Raw PCM whose set-up is still under way (its promise never settles: the bound ends it). */
class SetUpUnderWay extends RawPcmSerializer {
  override setup(): Promise<void> {
    return new Promise<void>(() => {});
  }
}

/** How a session on a socket that never opens ends, its bot cancelling (after an `end`, or not). */
async function cancelledBeforeOpen(endFirst: boolean) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair({ connecting: true });
  const transport = new WebSocketTransport(pair.server, {
    serializer: new SetUpUnderWay(),
    clock,
    openTimeoutMs: OPEN_TIMEOUT_MS,
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
    sendTimeoutMs: 10 * CLOSE_TIMEOUT_MS, // the set-up's bound: past the end's wait
  });
  const told: string[] = [];
  transport.addEventListener("error", (e) => told.push(`${e.error.code} ${e.error.closeCode}`));
  transport.addEventListener("disconnected", () => told.push("disconnected"));
  if (endFirst) void transport.send({ type: "end", reason: "goodbye" });
  void transport.send({ type: "cancel", closeCode: 4001, reason: "hung up" });
  await clock.tick(OPEN_TIMEOUT_MS + CLOSE_TIMEOUT_MS);
  const closed: TransportClosed = await transport.closed;
  const { framesDroppedOnClose } = transport.stats;
  return { closed, told, framesDroppedOnClose, pendingTimers: clock.pendingTimers };
}

Deno.test("an end a cancel dropped before the socket opened is not the session's ending at the open bound", async () => {
  const cancelled = await cancelledBeforeOpen(false);
  const ended = await cancelledBeforeOpen(true);
  assert.notEqual(ended.closed.code, 1000, "the dropped end's close");
  assert.notEqual(ended.closed.reason, "goodbye");
  assert.deepEqual(ended.closed, cancelled.closed, "as a cancel with no end before it");
  assert.deepEqual(ended.told, cancelled.told);
  // The end counted dropped once, beside what the cancel alone drops.
  assert.equal(ended.framesDroppedOnClose, cancelled.framesDroppedOnClose + 1);
  assert.deepEqual([ended.pendingTimers, cancelled.pendingTimers], [0, 0]);
});
