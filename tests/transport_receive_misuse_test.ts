// `receive` with something that is not a function is misuse: a TypeError naming it, at the call,
// not a session ended (1011) by the first frame that arrives.
import assert from "node:assert/strict";
import { type Frame, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

for (const [name, handler] of [["null", null], ["undefined", undefined], ["an object", {}]]) {
  Deno.test(`receive(${name}) throws a TypeError naming it, and the session goes on`, async () => {
    const clock = new FakeClock();
    const pair = new MemorySocketPair();
    const transport = new WebSocketTransport(pair.server, {
      audioIn: { sampleRate: 16000 },
      clock,
    });
    transport.addEventListener("error", () => {});
    await clock.tick(1);
    const got = handler === null ? "null" : typeof handler;
    assert.throws(
      () => transport.receive(handler as never),
      (error) => error instanceof TypeError && error.message.includes(`got ${got}`),
    );
    // The refused call claimed nothing: a handler given after it has the frames.
    const frames: Frame[] = [];
    transport.receive((frame) => frames.push(frame));
    pair.client.send(new Uint8Array(640));
    await clock.tick(10);
    assert.equal(transport.connected, true, "the session goes on");
    assert.equal(frames.length, 1);
    void transport.close();
    await clock.tick(1000);
  });
}
