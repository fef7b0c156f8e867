// A message over `maxMessageBytes` ends the session (1009, a fatal "protocol" error) and is never
// read: counted in `messagesIn` as received, it must be counted as dropped too, in `decodeErrors`
// (a message that could not be read), as the module's standard says: nothing is lost silently.
import assert from "node:assert/strict";
import { RawPcmSerializer, type TransportError, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

function session() {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new RawPcmSerializer(),
    maxMessageBytes: 1000,
    clock,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error));
  return { clock, pair, transport, errors };
}

for (
  const [kind, message] of [["binary", new Uint8Array(1002)], ["text", "x".repeat(1001)]] as const
) {
  Deno.test(`a ${kind} message over maxMessageBytes is counted dropped in decodeErrors`, async () => {
    const s = session();
    s.pair.client.send(new Uint8Array(2)); // read: one frame
    s.pair.client.send(message);
    const closed = await s.transport.closed;
    await s.clock.runAll();
    assert.equal(closed.code, 1009);
    assert.deepEqual(s.errors.map((e) => [e.code, e.closeCode, e.fatal]), [[
      "protocol",
      1009,
      true,
    ]]);
    const { messagesIn, framesIn, decodeErrors, inboundMessagesDroppedOnClose } = s.transport.stats;
    assert.deepEqual(
      { messagesIn, framesIn, decodeErrors, inboundMessagesDroppedOnClose },
      { messagesIn: 2, framesIn: 1, decodeErrors: 1, inboundMessagesDroppedOnClose: 0 },
    );
  });
}
