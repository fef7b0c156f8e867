// A bot that writes its `cancel` (hang up at once, with a close code of its own: `CancelFrame`)
// while its socket still connects (Deno, Hono on Workers: a 101 that goes out late) and its
// serializer's asynchronous set-up still runs. The cancel waited for the set-up before it began
// its close, and the open bound (`openTimeoutMs`) came first: the session ended as the caller's
// drop (1006, "the socket did not open…", `initiator` "remote") yet with no "disconnected" event,
// the cancel's code lost, and a client whose socket opened late was sent no close of the bot's.
// A `cancel` is the bot's ending, as `close()` is: before the socket opens nothing can be said
// (the cancel's own message dropped, counted), so the close begins at once, as `close()`'s does,
// and the open bound leaves it be: the cancel's code and reason, `initiator` "local", no
// "disconnected", the socket given `closeTimeoutMs` to open and the peer as long to answer.
import assert from "node:assert/strict";
import type { WebSocketTransport } from "../mod.ts";
import {
  assertCancelledUnsaid,
  CANCEL,
  CLOSE_TIMEOUT_MS,
  hangUpSession,
  OPEN_TIMEOUT_MS,
} from "./_hang_up_serializer.ts";

/** 40 ms of 16 kHz mono PCM: two 20 ms chunks. */
const AUDIO_BYTES = 1280;

/**
 * A session on a socket still connecting (open when asked), on raw PCM with a hang-up message for
 * a `cancel` whose set-up runs until `finishSetUp()` when `slow`; its events, what its client reads.
 */
function connectingSession(options: { slow: boolean; peerCloses?: boolean; open?: boolean }) {
  return hangUpSession({ ...options, open: options.open === true });
}

/** The bot's last words, then its cancel: the audio is dropped by the cancel. */
function cancelAfterAudio(transport: WebSocketTransport): Promise<void> | undefined {
  transport.send({
    type: "audio",
    audio: new Uint8Array(AUDIO_BYTES),
    sampleRate: 16000,
    channels: 1,
  });
  return transport.send(CANCEL);
}

for (const slow of [true, false]) {
  const setUp = slow ? "while the serializer's set-up runs" : "with no set-up pending";

  Deno.test(`a cancel before open ${setUp}: a socket that opens after the open bound gets the cancel's close`, async () => {
    const s = connectingSession({ slow });
    const cancelled = cancelAfterAudio(s.transport);
    await s.clock.tick(OPEN_TIMEOUT_MS);
    assert.equal(s.settled(), false, "the bound left the session to the cancel's close");
    assert.deepEqual(s.errors, []);
    assert.equal(s.transport.ending, true);
    await s.clock.tick(CLOSE_TIMEOUT_MS - OPEN_TIMEOUT_MS - 1); // within the close's wait
    s.pair.open();
    await s.clock.tick(1);
    await cancelled;
    await assertCancelledUnsaid(s);
    const stats = s.transport.stats;
    assert.equal(stats.audioBytesDroppedOnClose, AUDIO_BYTES);
    assert.equal(stats.framesDroppedOnClose, 1, "the cancel, never said");
    if (slow) s.finishSetUp(); // too late: the session is over
    await s.clock.tick(0);
    assert.equal(s.clock.pendingTimers, 0);
  });

  Deno.test(`a cancel before open ${setUp}, on a socket that never opens: the cancel's close, bounded`, async () => {
    const s = connectingSession({ slow });
    s.pair.client.answersClose = false;
    void cancelAfterAudio(s.transport);
    await s.clock.tick(2 * CLOSE_TIMEOUT_MS - 1); // the wait to open, then for the answer
    assert.equal(s.settled(), false);
    await s.clock.tick(1);
    assert.deepEqual(await s.transport.closed, {
      code: 4000,
      reason: "hung up",
      initiator: "local",
    });
    assert.deepEqual(s.errors.map((e) => [e.code, e.closeCode, e.fatal, e.message]), [
      ["timeout", 4000, false, `no close handshake within ${CLOSE_TIMEOUT_MS} ms`],
    ]);
    assert.deepEqual(s.seen, []);
    const stats = s.transport.stats;
    assert.equal(stats.audioBytesDroppedOnClose, AUDIO_BYTES);
    assert.equal(stats.framesDroppedOnClose, 1);
    assert.equal(s.clock.pendingTimers, 0);
  });
}

Deno.test("a cancel before open on a protocol whose far end closes after it: nothing to wait for, the cancel's close", async () => {
  const s = connectingSession({ slow: false, peerCloses: true });
  void s.transport.send(CANCEL);
  await s.clock.tick(OPEN_TIMEOUT_MS + 1);
  assert.equal(s.settled(), false, "the open bound left the session to the cancel's close");
  s.pair.open();
  await s.clock.tick(1);
  assert.deepEqual(await s.transport.closed, {
    code: 4000,
    reason: "hung up",
    initiator: "local",
  });
  assert.deepEqual(s.clientRead, ["close 4000 hung up"]);
  assert.deepEqual(s.seen, []);
  assert.deepEqual(s.errors, []);
  assert.equal(s.transport.stats.framesDroppedOnClose, 1);
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("a cancel on an open socket while the set-up runs still waits for it, then is said", async () => {
  const s = connectingSession({ slow: true, open: true });
  const cancelled = s.transport.send(CANCEL);
  await s.clock.tick(100);
  assert.deepEqual(s.clientRead, [], "nothing before the set-up is done");
  s.finishSetUp();
  await s.clock.tick(1);
  await cancelled;
  assert.deepEqual(s.clientRead, ["hang up", "close 4000 hung up"]);
  assert.deepEqual(await s.transport.closed, {
    code: 4000,
    reason: "hung up",
    initiator: "local",
  });
  assert.deepEqual(s.serialized, ["cancel"]);
  assert.equal(s.transport.stats.framesDroppedOnClose, 0);
  assert.deepEqual(s.errors, []);
  assert.equal(s.clock.pendingTimers, 0);
});

// The bot's ending as `close()` before open is: the caller's drop during the close's wait for the
// socket ends the session (1006), ours still (`initiator` "local", no "disconnected").
for (
  const [how, end] of [
    ["a cancel", (t: WebSocketTransport) => void t.send(CANCEL)],
    ["close()", (t: WebSocketTransport) => void t.close(4000, "hung up")],
  ] as const
) {
  Deno.test(`${how} before open while the set-up runs, then the caller's drop: 1006, still ours`, async () => {
    const s = connectingSession({ slow: true });
    end(s.transport);
    await s.clock.tick(OPEN_TIMEOUT_MS + 100);
    assert.equal(s.settled(), false);
    s.pair.client.terminate();
    assert.deepEqual(await s.transport.closed, { code: 1006, reason: "", initiator: "local" });
    assert.deepEqual(s.seen, []);
    assert.deepEqual(s.errors, []);
    assert.equal(s.clock.pendingTimers, 0);
  });
}
