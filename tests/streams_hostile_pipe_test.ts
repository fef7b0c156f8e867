// `transport.readable.pipeTo(transport.writable)` (the pipe of `_frame_pipe.ts`) used as the
// streams standard allows, if unusually, against what the standard's pipe does with the same calls
// (WHATWG Streams, "ReadableStreamPipeTo"; the runtime's own pipe on plain streams, for reference).
import assert from "node:assert/strict";
import { openRefusalSession } from "./_refusal_fixtures.ts";

/** An open session whose writable is closing behind a second of audio, sent paced first. */
async function closingBehindASecond() {
  const session = await openRefusalSession();
  session.transport.send({
    type: "audio",
    audio: new Uint8Array(1000 * 32),
    sampleRate: 16000,
    channels: 1,
  });
  return { ...session, closing: session.transport.writable.close() };
}

Deno.test("`transport.readable.pipeTo(transport.writable)` while the writable's close is under way: refused at once, no frame read", async () => {
  // "Closing must be propagated backward": a destination whose close is queued or in flight
  // cancels the source (here not: preventCancel) and rejects with a TypeError before any chunk
  // is read. The standard's own pipe, for reference:
  let closeDone!: () => void;
  const plainDestination = new WritableStream<number>({
    close: () => new Promise<void>((resolve) => closeDone = resolve),
  });
  const plainClosing = plainDestination.close();
  const plainSource = new ReadableStream<number>({ start: (c) => c.enqueue(1) });
  await assert.rejects(plainSource.pipeTo(plainDestination, { preventCancel: true }), TypeError);
  assert.deepEqual(await plainSource.getReader().read(), { value: 1, done: false });
  closeDone();
  await plainClosing;

  const { clock, pair, transport, closing } = await closingBehindASecond();
  pair.client.send(new Uint8Array(640));
  pair.client.send(new Uint8Array(640));
  await pair.server.waitFor(() => transport.stats.framesIn === 2);
  const piped = transport.readable.pipeTo(transport.writable, { preventCancel: true });
  const outcome = await Promise.race([
    piped.then(() => "resolved", (error) => error),
    clock.tick(1).then(() => "still piping"),
  ]);
  assert.ok(outcome instanceof TypeError, `rejected at once, got ${outcome}`); // was: still piping
  // Both frames are left for the next reader: none was taken and lost.
  const reader = transport.readable.getReader();
  for (let n = 0; n < 2; n++) {
    const { value } = await reader.read();
    assert.equal(value?.type, "audio");
  }
  reader.releaseLock();
  await clock.tick(2000);
  await closing;
  void transport.close();
  await clock.tick(1000);
});

Deno.test("`transport.readable.pipeTo(transport.writable, null)` pipes with no options, as the standard's does", async () => {
  // WebIDL reads a null dictionary as an empty one: the standard's pipe takes null for no options.
  await new ReadableStream({ start: (c) => c.close() })
    .pipeTo(new WritableStream(), null as unknown as StreamPipeOptions);

  const { clock, pair, transport, messages } = await openRefusalSession();
  // Was: a TypeError thrown out of pipeTo (reading `preventClose` of null), the readable locked.
  const piped = transport.readable.pipeTo(
    transport.writable,
    null as unknown as StreamPipeOptions,
  );
  pair.client.send('{"n":1}');
  await pair.client.waitFor(() => messages.length === 1);
  assert.deepEqual(messages, ['{"n":1}'], "echoed");
  void transport.close();
  await clock.tick(1000);
  await piped;
  assert.equal(transport.readable.locked, false);
});

// `transport.readable.pipeTo(transport.writable)` once the readable has closed and the writable's
// close is under way, against the standard's pipe (WHATWG Streams, "ReadableStreamPipeTo"): of its
// conditions, "closing must be propagated forward" comes before "closing must be propagated
// backward", and its close of the destination, "WritableStreamDefaultWriterCloseWithError-
// Propagation", resolves at once where the destination's close is queued or in flight.
Deno.test("`transport.readable.pipeTo(transport.writable)`: the readable closed, the writable closing: resolved, as the standard's pipe is", async () => {
  // The standard's own pipe, for reference.
  let closeDone!: () => void;
  const plainDestination = new WritableStream<number>({
    close: () => new Promise<void>((resolve) => closeDone = resolve),
  });
  const plainClosing = plainDestination.close();
  const plainSource = () => new ReadableStream<number>({ start: (c) => c.close() });
  await plainSource().pipeTo(plainDestination);
  await plainSource().pipeTo(plainDestination, { preventClose: true });
  closeDone();
  await plainClosing;

  const { clock, pair, transport, closing } = await closingBehindASecond();
  pair.client.close(1000); // the peer leaves: nothing more comes in, the readable closes
  await clock.tick(1);
  for (const options of [undefined, { preventClose: true }]) {
    // Was: rejected, "pipeTo: the destination is closing or closed".
    await transport.readable.pipeTo(transport.writable, options);
    assert.equal(transport.readable.locked, false);
  }
  await clock.tick(2000);
  await closing;
  await clock.tick(1000);
  await transport.closed;
});

Deno.test("`transport.readable.pipeTo(transport.writable, true)` rejects with a TypeError, as the standard's does; nothing read, the session goes on", async () => {
  // WebIDL §3.2.17: options that are no object (nor undefined or null) cannot be converted to the
  // `StreamPipeOptions` dictionary; the standard's pipe rejects before it reads or locks anything.
  const plainSource = new ReadableStream<number>({ start: (c) => c.enqueue(1) });
  const plainPiped = plainSource.pipeTo(
    new WritableStream(),
    true as unknown as StreamPipeOptions,
  );
  await assert.rejects(plainPiped, TypeError);
  assert.equal(plainSource.locked, false);

  const { clock, pair, transport, messages } = await openRefusalSession();
  pair.client.send('{"n":1}');
  await pair.server.waitFor(() => transport.stats.framesIn === 1);
  // Was: piped as if with no options (the frame echoed, both streams locked).
  const piped = transport.readable.pipeTo(
    transport.writable,
    true as unknown as StreamPipeOptions,
  );
  await assert.rejects(piped, TypeError);
  assert.equal(transport.readable.locked, false);
  assert.equal(transport.writable.locked, false);
  // The frame waits for the next reader, and a pipe with options as they should be echoes it.
  const echoed = transport.readable.pipeTo(transport.writable, { preventClose: true });
  await pair.client.waitFor(() => messages.length === 1);
  assert.deepEqual(messages, ['{"n":1}']);
  void transport.close();
  await clock.tick(1000);
  await echoed;
});
