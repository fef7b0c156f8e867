// `transport.readable.pipeTo(transport.writable)` once the readable has closed and the writable's
// close is under way, against the standard's pipe (WHATWG Streams, "ReadableStreamPipeTo"): of its
// conditions, "closing must be propagated forward" comes before "closing must be propagated
// backward", and its close of the destination, "WritableStreamDefaultWriterCloseWithError-
// Propagation", resolves at once where the destination's close is queued or in flight.
import assert from "node:assert/strict";
import { openRefusalSession } from "./_refusal_fixtures.ts";

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

  const { clock, pair, transport } = await openRefusalSession();
  transport.send({
    type: "audio",
    audio: new Uint8Array(1000 * 32),
    sampleRate: 16000,
    channels: 1,
  });
  const closing = transport.writable.close(); // sends the second of audio first, paced
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
