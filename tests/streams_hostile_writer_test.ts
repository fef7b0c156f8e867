// The transport's writable used as the streams standard allows, if unusually: a writer let go
// (`releaseLock()`) while a write of its still waits for room. What it asked for before it was let
// go stands, in its order, as in a standard stream, whose close and queued writes belong to the
// stream, not to the writer (WHATWG Streams, "WritableStreamDefaultWriterRelease" touches only the
// writer's promises; "WritableStreamDefaultControllerAdvanceQueueIfNeeded" writes the queued
// chunks, then the close, in the order they came).
import assert from "node:assert/strict";
import type { Frame } from "../mod.ts";
import { openRefusalSession } from "./_refusal_fixtures.ts";

/** `ms` of 16 kHz mono PCM16. */
function audio(ms: number): Frame {
  return { type: "audio", audio: new Uint8Array(ms * 32), sampleRate: 16000, channels: 1 };
}

Deno.test("`transport.writable`: a writer's close stands when the writer is let go while a write waits for room", async () => {
  // The standard, for reference: the close asked for is the stream's, and the writer let go
  // does not take it back; it comes once the write in flight is done.
  const calls: string[] = [];
  let room!: () => void;
  const plain = new WritableStream<number>({
    write: () => new Promise<void>((resolve) => room = resolve),
    close: () => void calls.push("close"),
  });
  const plainWriter = plain.getWriter();
  await plainWriter.ready;
  const plainWritten = plainWriter.write(1);
  const plainClosed = plainWriter.close();
  plainWriter.releaseLock();
  await new Promise((resolve) => setTimeout(resolve, 0));
  room();
  await plainWritten;
  await plainClosed;
  assert.deepEqual(calls, ["close"]);

  const { clock, transport } = await openRefusalSession();
  let ended = false;
  void transport.closed.then(() => ended = true);
  const writer = transport.writable.getWriter();
  const written = writer.write(audio(1000)); // past maxQueuedMs: waits for room
  const closed = writer.close();
  writer.releaseLock();
  await transport.readable.cancel(); // the readable is done: the writable's close ends the session
  await clock.tick(2000);
  await written;
  await closed; // was: rejected, "A writable stream is not associated with the writer", never closed
  assert.equal(transport.stats.audioBytesSent, 1000 * 32);
  await clock.tick(1000);
  assert.equal(ended, true, "both sides done: the session closed");
  assert.equal((await transport.closed).initiator, "local");
});

Deno.test("`transport.writable`: a pipe into it goes after the frames a writer let go of left waiting for room", async () => {
  const { clock, transport, messages } = await openRefusalSession();
  const writer = transport.writable.getWriter();
  const written = [writer.write(audio(1000)), writer.write({ type: "message", message: 1 })];
  writer.releaseLock();
  // A pipe of the runtime's own (from a stream that is not the transport's readable).
  const piped = ReadableStream.from<Frame>([{ type: "message", message: 2 }])
    .pipeTo(transport.writable, { preventClose: true });
  await clock.tick(2000);
  await Promise.all([...written, piped]);
  assert.deepEqual(messages, ["1", "2"], "in the order written"); // was: ["2", "1"]
  void transport.close();
  await clock.tick(1000);
});

Deno.test("`transport.writable`: a writer's abort stands when the writer is let go while a write waits for room", async () => {
  // The standard, for reference: the abort is the stream's; the writer let go does not take it
  // back, and it settles once the write in flight is done.
  let room!: () => void;
  const plain = new WritableStream<number>({
    write: () => new Promise<void>((resolve) => room = resolve),
  });
  const plainWriter = plain.getWriter();
  await plainWriter.ready;
  const plainWritten = plainWriter.write(1);
  await new Promise((resolve) => setTimeout(resolve, 0)); // the write is in flight
  const plainAborted = plainWriter.abort("gone");
  plainWriter.releaseLock();
  room();
  await plainWritten;
  await plainAborted;
  await assert.rejects(plain.getWriter().write(2), (reason) => reason === "gone");

  const { clock, transport } = await openRefusalSession();
  const writer = transport.writable.getWriter();
  const written = writer.write(audio(1000)); // past maxQueuedMs: waits for room
  const behind = writer.write(audio(100));
  const aborted = writer.abort("gone");
  writer.releaseLock();
  await assert.rejects(behind, (reason) => reason === "gone");
  // The stream is aborted for the next writer too.
  await assert.rejects(
    transport.writable.getWriter().write(audio(20)),
    (reason) => reason === "gone",
  );
  await clock.tick(1000);
  await written;
  await aborted; // was: rejected, "A writable stream is not associated with the writer"
  assert.equal((await transport.closed).code, 1011);
});
