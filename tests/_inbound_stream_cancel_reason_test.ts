// Where the reason of `readable.cancel(reason)` and of `writable.abort(reason)` goes on a session.
// The streams standard hands a cancel's reason to the underlying source and an abort's to the sink
// (WHATWG Streams, "ReadableStreamCancel", "WritableStreamAbort"), each to use as it will; the
// rest of the standard's part is the caller's own: the cancel's and abort's promises, a writer's
// `closed` and pending writes rejected with the abort's reason, a pipe's promise rejected with the
// error that stopped it. WebSocketStream (WHATWG WebSockets, "WebSocketStream": its `readable`'s
// cancel and `writable`'s abort close the socket) takes a `WebSocketError`'s `closeCode` and
// `reason` as the close's and ignores any other reason. The transport's streams are two halves
// of a session: a cancel closes nothing by itself (the session closes once the writable is closed
// too), and an abort closes with 1011 "writable aborted" whatever its reason; a bot that wants its
// own close sends a `cancel` frame with `closeCode` and `reason`. So the transport keeps neither
// reason: no "error" event (the session's errors are the transport's, not the caller's), no
// counter, not the close's reason.

import assert from "node:assert/strict";
import type { Frame, TransportErrorEvent } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { WebSocketTransport } from "../src/transport.ts";

/** A raw PCM session, open; what the peer's socket saw of the close; the "error" events' codes. */
async function session() {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, { clock });
  const errors: string[] = [];
  transport.addEventListener("error", (e) => errors.push((e as TransportErrorEvent).error.code));
  const peerClosed = new Promise<{ code: number; reason: string }>((resolve) =>
    pair.client.addEventListener("close", (event) => {
      const { code, reason } = event as CloseEvent;
      resolve({ code, reason });
    })
  );
  await clock.tick(1); // connected
  return { clock, pair, transport, errors, peerClosed };
}

Deno.test("readable.cancel(reason): the session goes on, and the reason goes nowhere; closing the writable then closes as usual", async () => {
  const { clock, pair, transport, errors, peerClosed } = await session();
  const writer = transport.writable.getWriter();
  await transport.readable.cancel(new Error("the bot has heard enough"));
  pair.client.send(JSON.stringify({ after: "the cancel" }));
  await clock.tick(10);
  assert.equal(transport.connected, true, "a cancel closes nothing by itself");
  assert.deepEqual(errors, [], "the reason is the caller's, not an error of the session");
  assert.equal(transport.stats.framesIn, 0, "a message after the cancel is nobody's frame");
  assert.equal(transport.stats.inboundFramesDroppedOnClose, 0, "nor a drop: it was not wanted");
  await writer.close();
  await clock.tick(1000);
  assert.deepEqual(await peerClosed, { code: 1000, reason: "" }, "not the cancel's reason");
  const closed = await transport.closed;
  assert.deepEqual({ code: closed.code, reason: closed.reason }, { code: 1000, reason: "" });
  assert.deepEqual(errors, []);
});

Deno.test('writable.abort(reason): the session closes with 1011 "writable aborted", whatever the reason; the writer\'s closed rejects with it', async () => {
  const { clock, transport, errors, peerClosed } = await session();
  const writer = transport.writable.getWriter();
  const reason = { closeCode: 4000, reason: "as WebSocketStream would take it" };
  await writer.abort(reason);
  await clock.tick(1000);
  assert.deepEqual(await peerClosed, { code: 1011, reason: "writable aborted" });
  await assert.rejects(writer.closed, (error) => error === reason);
  assert.deepEqual(errors, []);
});

Deno.test("a bot that throws in a pipe through it: the pipe's promise carries its error; the session closes with 1011, no error event", async () => {
  const { clock, pair, transport, errors, peerClosed } = await session();
  const failure = new Error("the bot failed");
  const bot = new TransformStream<Frame, Frame>({
    transform: () => {
      throw failure;
    },
  });
  const piped = transport.readable.pipeThrough(bot).pipeTo(transport.writable);
  pair.client.send(JSON.stringify({ hello: 1 }));
  await clock.tick(10);
  await assert.rejects(piped, (error) => error === failure);
  await clock.tick(1000);
  assert.deepEqual(await peerClosed, { code: 1011, reason: "writable aborted" });
  assert.deepEqual(errors, [], "the error is the pipe's, told to whoever awaits it");
});
