// A bot that writes its `cancel` through a writer of `transport.writable` while an earlier write
// waits for room (a TTS buffer longer than `maxQueuedMs`). A `cancel` hangs up at once, dropping
// what was written before it (`CancelFrame`); held in turn behind that write, as the standard
// queues a write, it waited for the audio ahead of it to play down to `maxQueuedMs` (2 s written:
// hung up 1.8 s late, 1.8 s of it played), and, written before the socket opened, where that audio
// waits for the open, it never reached the transport: the open bound ended the session as the
// caller's drop (1006, `initiator` "remote", "disconnected"), the cancel's code lost. It goes at
// once, as an interruption does; what it passes by reaches the transport after it, too late, and
// is dropped and counted once, as what is written after it is.
import assert from "node:assert/strict";
import type { Frame } from "../mod.ts";
import {
  assertCancelledUnsaid,
  CANCEL,
  hangUpSession,
  OPEN_TIMEOUT_MS,
} from "./_hang_up_serializer.ts";

/** 16 kHz mono PCM: 32 bytes a millisecond. */
const BYTES_PER_MS = 32;

function audio(ms: number): Frame {
  return {
    type: "audio",
    audio: new Uint8Array(BYTES_PER_MS * ms),
    sampleRate: 16000,
    channels: 1,
  };
}

/** A session on raw PCM whose cancel is a message of its own, and what its client reads. */
function session(options: { connecting: boolean }) {
  return hangUpSession({ open: !options.connecting });
}

Deno.test("a cancel written behind a write waiting for room hangs up at once, not once that audio has played", async () => {
  const s = session({ connecting: false });
  await s.clock.tick(1); // "connected": sending began
  const writer = s.transport.writable.getWriter();
  const waiting = writer.write(audio(2000));
  const cancelled = writer.write(CANCEL);
  await s.clock.tick(1);
  assert.equal(s.settled(), true, "hung up at once");
  await cancelled;
  await waiting; // its room came with the cancel's drop
  assert.deepEqual(await s.transport.closed, { code: 4000, reason: "hung up", initiator: "local" });
  assert.deepEqual(s.clientRead.slice(-2), ["hang up", "close 4000 hung up"]);
  const stats = s.transport.stats;
  assert.ok(stats.audioBytesSent <= BYTES_PER_MS * 40, `${stats.audioBytesSent} bytes sent`);
  assert.equal(stats.audioBytesSent + stats.audioBytesDroppedOnClose, BYTES_PER_MS * 2000);
  assert.equal(stats.framesDroppedOnClose, 0);
  assert.deepEqual(s.seen, ["connected"]);
  assert.deepEqual(s.errors, []);
  await s.clock.tick(0);
  assert.equal(s.clock.pendingTimers, 0);
});

for (const heldEnd of [false, true]) {
  const andEnd = heldEnd ? ", an `end` held between" : "";
  Deno.test(`a cancel written before open behind a write waiting for room${andEnd}: the cancel's close, not the open bound's`, async () => {
    const s = session({ connecting: true });
    const writer = s.transport.writable.getWriter();
    void writer.write(audio(1000)).catch(() => {}); // waits for room: nothing leaves before open
    if (heldEnd) void writer.write({ type: "end", reason: "bye" }).catch(() => {}); // held
    void writer.write(audio(100)).catch(() => {}); // held behind it
    void writer.write(CANCEL);
    await s.clock.tick(0);
    assert.equal(s.transport.ending, true);
    await s.clock.tick(OPEN_TIMEOUT_MS + 1);
    assert.equal(s.settled(), false, "the open bound left the session to the cancel's close");
    assert.deepEqual(s.seen, []);
    s.pair.open();
    await s.clock.tick(1);
    assert.equal(s.settled(), true, "closed as the socket opened");
    await assertCancelledUnsaid(s);
    await s.clock.tick(0);
    const stats = s.transport.stats;
    assert.equal(stats.audioBytesDroppedOnClose, BYTES_PER_MS * 1100, "all the audio, once");
    // The cancel, never said, and the `end` it passed by, each once.
    assert.equal(stats.framesDroppedOnClose, heldEnd ? 2 : 1);
    assert.equal(s.clock.pendingTimers, 0);
  });
}

Deno.test("a cancel with a code that may not be sent, written behind a write waiting for room: refused as a bad frame, the session goes on", async () => {
  const s = session({ connecting: false });
  await s.clock.tick(1);
  const writer = s.transport.writable.getWriter();
  void writer.write(audio(2000)).catch(() => {});
  await writer.write({ type: "cancel", closeCode: 1005 }); // settles at once: refused
  assert.equal(s.transport.ending, false);
  assert.deepEqual(s.errors.map((e) => e.code), ["encode"]);
  assert.equal(s.transport.stats.encodeErrors, 1);
  assert.equal(s.transport.stats.framesDroppedOnClose, 0);
  await s.transport.close();
  assert.equal(s.clock.pendingTimers, 0);
});
