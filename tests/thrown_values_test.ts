// A serializer may throw anything: a value with no string form must still become a typed error,
// reported, with the session going on (in a socket's listener a throw would end the process).
import assert from "node:assert/strict";
import { type Frame, type FrameSerializer, TransportError, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { thrownText } from "../src/_thrown_text.ts";

/** Values `String()` cannot convert, as a serializer might throw them. */
const unprintable = [
  () => Object.create(null),
  () => ({
    toString: () => {
      throw new Error("no words");
    },
  }),
];

Deno.test("thrownText names any thrown value without throwing", () => {
  assert.equal(thrownText(new Error("boom")), "Error: boom");
  assert.equal(thrownText(undefined), "undefined");
  assert.equal(thrownText(Symbol("s")), "Symbol(s)");
  assert.equal(thrownText(Object.create(null)), "[object Object]");
  assert.equal(thrownText(unprintable[1]!()), "[object Object]");
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  assert.equal(thrownText(proxy), "a value that cannot be printed");
});

/** A serializer that throws `thrown()` at the message (or frame) "bad". */
function throwing(thrown: () => unknown): FrameSerializer {
  return {
    serialize(frame: Frame) {
      if (frame.type === "message" && frame.message === "bad") throw thrown();
      return frame.type === "message" ? JSON.stringify(frame.message) : null;
    },
    deserialize(data: string | Uint8Array): Frame | null {
      if (data === "bad") throw thrown();
      return { type: "message", message: data };
    },
  };
}

for (const [i, make] of unprintable.entries()) {
  Deno.test(`a deserialize throwing an unprintable value (${i}) is a decode error, and the session reads on`, async () => {
    const clock = new FakeClock();
    const pair = new MemorySocketPair();
    const transport = new WebSocketTransport(pair.server, { serializer: throwing(make), clock });
    const errors: TransportError[] = [];
    transport.addEventListener("error", (e) => errors.push(e.error));
    pair.client.send("bad");
    pair.client.send("good");
    const reader = transport.readable.getReader();
    assert.deepEqual((await reader.read()).value, { type: "message", message: "good" });
    assert.equal(transport.stats.decodeErrors, 1);
    assert.ok(errors[0] instanceof TransportError);
    assert.equal(errors[0].code, "decode");
    reader.releaseLock();
    await transport.close();
  });

  Deno.test(`a serialize throwing an unprintable value (${i}) is an encode error, and the session writes on`, async () => {
    const clock = new FakeClock();
    const pair = new MemorySocketPair();
    const transport = new WebSocketTransport(pair.server, { serializer: throwing(make), clock });
    const errors: TransportError[] = [];
    transport.addEventListener("error", (e) => errors.push(e.error));
    const out: unknown[] = [];
    pair.client.addEventListener("message", (e) => out.push((e as MessageEvent).data));
    transport.send({ type: "message", message: "bad" });
    transport.send({ type: "message", message: "good" });
    await clock.tick(100);
    assert.deepEqual(out, ['"good"']);
    assert.equal(transport.stats.encodeErrors, 1);
    assert.equal(errors[0]?.code, "encode");
    await transport.close();
  });
}
