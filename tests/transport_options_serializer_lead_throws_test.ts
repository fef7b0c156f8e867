// A serializer's `minSendAheadMs` is read from its own code: one that throws (a getter whose lead
// is not known yet) asks for no lead, as a value that is no lead does. The transport's constructor
// reads it after the serializer is claimed: a throw there would leave the instance claimed for
// good, and no session could be made with it.
import assert from "node:assert/strict";
import { WebSocketTransport } from "../mod.ts";
import type { Frame, FrameSerializer } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { resolveTransportOptions } from "../src/transport_options.ts";

class LeadNotKnown implements FrameSerializer {
  get minSendAheadMs(): number {
    throw new Error("lead not known yet");
  }
  serialize(_: Frame) {
    return null;
  }
  deserialize(_: string | Uint8Array) {
    return null;
  }
}

Deno.test("a minSendAheadMs getter that throws asks for no lead, and the session is made", async () => {
  const options = { audioOut: { chunkMs: 20 } };
  assert.equal(resolveTransportOptions(options, new LeadNotKnown()).sendAheadMs, 20);
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    ...options,
    serializer: new LeadNotKnown(),
    clock: new FakeClock(),
  });
  await transport.close();
});
