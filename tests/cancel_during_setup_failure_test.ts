// A bot that writes its `cancel` on an open socket while its serializer's asynchronous set-up still
// runs: the cancel waits for the set-up, to be said after it (`WebSocketTransport.#cancel`). Where
// that set-up then fails (rejects, or outlasts `sendTimeoutMs`), the failure is reported (a fatal
// "protocol" error) and the session ends; it closed with the failure's 1011 and its message, the
// bot's code and reason lost, where a `close()` made at the same moment keeps its own: the bot's
// ending came first, and nothing can be said now. It closes as that `close()` does. A fatal error
// after the set-up, while the cancel's goodbye waits for the far end to close (`peerCloses`), still
// closes with its own code: only a close the cancel has yet to begin is the cancel's.
import assert from "node:assert/strict";
import type { Frame, TransportError } from "../mod.ts";
import { WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { hangUpSerializer } from "./_hang_up_serializer.ts";

const SEND_TIMEOUT_MS = 300;
const CANCEL: Frame = { type: "cancel", closeCode: 4000, reason: "hung up" };

/** A session on an open socket whose serializer's set-up runs until the test settles it. */
function openSession(options: { peerCloses?: boolean } = {}) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const { serializer, serialized, finishSetUp, failSetUp } = hangUpSerializer({
    slow: true,
    ...options,
  });
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
    sendTimeoutMs: SEND_TIMEOUT_MS,
    closeTimeoutMs: 500,
    maxMessageBytes: 100,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  const clientRead: string[] = [];
  pair.client.addEventListener("message", (e) => clientRead.push(String((e as MessageEvent).data)));
  pair.client.addEventListener("close", (e) => {
    clientRead.push(`close ${(e as CloseEvent).code} ${(e as CloseEvent).reason}`);
  });
  return { clock, pair, transport, errors, clientRead, serialized, finishSetUp, failSetUp };
}

const ENDINGS = [
  ["a cancel sent", (t: WebSocketTransport) => void t.send(CANCEL)],
  ["a cancel written", (t: WebSocketTransport) => void t.writable.getWriter().write(CANCEL)],
  ["close()", (t: WebSocketTransport) => void t.close(4000, "hung up")],
] as const;

const FAILURES = [
  ["rejects", (s: ReturnType<typeof openSession>) => s.failSetUp(new Error("no token"))],
  ["times out", (s: ReturnType<typeof openSession>) => s.clock.tick(SEND_TIMEOUT_MS)],
] as const;

for (const [how, end] of ENDINGS) {
  for (const [failure, fail] of FAILURES) {
    Deno.test(`${how} on an open socket while the set-up runs, then the set-up ${failure}: the bot's code and reason, the failure reported`, async () => {
      const s = openSession();
      end(s.transport);
      await s.clock.tick(1);
      assert.equal(s.transport.ending, true);
      await fail(s);
      await s.clock.tick(1);
      assert.deepEqual(await s.transport.closed, {
        code: 4000,
        reason: "hung up",
        initiator: "local",
      });
      assert.deepEqual(s.clientRead, ["close 4000 hung up"], "nothing said: the set-up failed");
      // close() was answered before the set-up settled: over then, its failure never came.
      const reported = how === "close()" ? [] : [["protocol", true]];
      assert.deepEqual(s.errors.map((e) => [e.code, e.fatal]), reported);
      assert.deepEqual(s.serialized, []);
      await s.clock.tick(0);
      // The cancel, never said: counted once.
      assert.equal(s.transport.stats.framesDroppedOnClose, how === "close()" ? 0 : 1);
      assert.equal(s.clock.pendingTimers, 0);
    });
  }
}

Deno.test("a fatal error while a cancel's goodbye waits for the far end to close keeps its own code", async () => {
  const s = openSession({ peerCloses: true });
  s.finishSetUp();
  await s.clock.tick(1); // set up, "connected"
  void s.transport.send(CANCEL);
  await s.clock.tick(1);
  assert.deepEqual(s.clientRead, ["hang up"], "said: the goodbye waits for the far end's close");
  s.pair.client.send("x".repeat(200)); // over `maxMessageBytes`: fatal, 1009
  await s.clock.tick(1);
  const closed = await s.transport.closed;
  assert.equal(closed.code, 1009);
  assert.equal(closed.initiator, "local");
  assert.deepEqual(s.errors.map((e) => [e.code, e.fatal]), [["protocol", true]]);
  await s.clock.tick(0);
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("a close() made while a cancel waits for the set-up keeps its own code: it is what the peer is sent", async () => {
  // As a runtime's own close does (Bun's `server.stop(true)`, taken as this side's `close()`):
  // the code and reason `closed` reports are those of the close frame that went.
  const s = openSession();
  void s.transport.send(CANCEL);
  await s.clock.tick(1);
  void s.transport.close(4100, "mine");
  await s.clock.tick(1);
  assert.deepEqual(await s.transport.closed, { code: 4100, reason: "mine", initiator: "local" });
  assert.deepEqual(s.clientRead, ["close 4100 mine"]);
  s.finishSetUp();
  await s.clock.tick(0);
  assert.equal(s.transport.stats.framesDroppedOnClose, 1, "the cancel, never said");
  assert.equal(s.clock.pendingTimers, 0);
});
