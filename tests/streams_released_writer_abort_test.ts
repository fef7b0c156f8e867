// The transport's writable when frames a writer let go of (`releaseLock()`) still wait for room and
// the stream is then aborted, or an interruption is piped in. What a standard stream does is the
// reference (WHATWG Streams): its queued writes belong to the stream, whichever writer made them;
// an abort rejects every one of them ("WritableStreamFinishErroring": "For each writeRequest of
// stream.[[writeRequests]]: reject writeRequest with storedError"), the write in flight aside.
import assert from "node:assert/strict";
import type { Frame } from "../mod.ts";
import { openRefusalSession } from "./_refusal_fixtures.ts";

/** `ms` of 16 kHz mono PCM16. */
function audio(ms: number): Frame {
  return { type: "audio", audio: new Uint8Array(ms * 32), sampleRate: 16000, channels: 1 };
}

/** How a write settled. */
function outcome(written: Promise<void>): Promise<unknown> {
  return written.then(() => "written", (reason) => reason);
}

Deno.test("`transport.writable`: frames a writer let go of left waiting for room fail when the next writer aborts", async () => {
  // The standard, for reference: the write in flight finishes, the one queued behind it fails.
  let room!: () => void;
  const plain = new WritableStream<number>({
    write: () => new Promise<void>((resolve) => room = resolve),
  });
  const first = plain.getWriter();
  const plainInFlight = outcome(first.write(1));
  const plainQueued = outcome(first.write(2));
  first.releaseLock();
  await new Promise((resolve) => setTimeout(resolve, 0)); // the first write is in flight
  const plainAborted = plain.getWriter().abort("gone");
  room();
  assert.deepEqual([await plainInFlight, await plainQueued], ["written", "gone"]);
  await plainAborted;

  const { clock, transport } = await openRefusalSession();
  const writer = transport.writable.getWriter();
  const inFlight = outcome(writer.write(audio(1000))); // past maxQueuedMs: waits for room
  const queued = outcome(writer.write(audio(100)));
  writer.releaseLock();
  const aborted = transport.writable.getWriter().abort("gone");
  await clock.tick(1000);
  // Was: ["written", "written"], the frame behind handed to a session already closing.
  assert.deepEqual([await inFlight, await queued], ["written", "gone"]);
  await aborted;
  // Dropped and counted all the same: all but the two chunks that had left.
  const { audioBytesSent, audioBytesDroppedOnClose } = transport.stats;
  assert.equal(audioBytesSent + audioBytesDroppedOnClose, 1100 * 32);
  assert.equal((await transport.closed).code, 1011);
});

Deno.test("`transport.writable`: a writer's close, then its abort, while a write waits for room: the frames behind fail and the abort settles", async () => {
  const { clock, transport } = await openRefusalSession();
  const writer = transport.writable.getWriter();
  const inFlight = outcome(writer.write(audio(1000))); // past maxQueuedMs: waits for room
  const queued = outcome(writer.write(audio(100)));
  const closed = outcome(writer.close());
  const aborted = outcome(writer.abort("gone"));
  await clock.tick(1000);
  // Was: the frame behind "written" (dropped on close, its write resolved).
  assert.deepEqual([await inFlight, await queued], ["written", "gone"]);
  assert.equal(await aborted, "written", "the abort settles, as the standard's does");
  // As the standard's close behind queued writes: rejected with the abort's reason.
  assert.equal(await closed, "gone");
  assert.equal((await transport.closed).code, 1011);
});

Deno.test("`transport.writable`: an interruption piped in goes past the frames a writer let go of left waiting for room", async () => {
  // A writer's own interruption overtakes what waits for room (as `send` overtakes the queue);
  // one a pipe writes after the writer was let go does too, and drops that audio, written before.
  const { clock, transport } = await openRefusalSession();
  const writer = transport.writable.getWriter();
  const inFlight = writer.write(audio(1000)); // past maxQueuedMs: waits for room
  const queued = writer.write(audio(500));
  writer.releaseLock();
  const piped = ReadableStream.from<Frame>([{ type: "interruption" }])
    .pipeTo(transport.writable, { preventClose: true });
  await clock.tick(1);
  // Was: 0, the interruption waiting behind a second and a half of audio.
  assert.equal(transport.stats.interruptions, 1);
  await Promise.all([inFlight, queued, piped]);
  assert.equal(transport.stats.audioBytesInterrupted >= 500 * 32, true, "the held audio dropped");
  await clock.tick(100);
  assert.ok(transport.stats.audioBytesSent < 200 * 32, `${transport.stats.audioBytesSent} sent`);
  void transport.close();
  await clock.tick(1000);
});
