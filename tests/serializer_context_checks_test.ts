// A serializer's context refuses what would corrupt `transport.stats` (a counter it may not add to,
// an amount that is negative or not a number): thrown at the serializer, a bug in it. What it
// reports that is not a TransportError reaches the "error" listeners as one, the original its cause.
import assert from "node:assert/strict";
import {
  type Frame,
  type FrameSerializer,
  type SerializerContext,
  TransportError,
  WebSocketTransport,
} from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

class Bound implements FrameSerializer {
  context!: SerializerContext;
  bind(context: SerializerContext): void {
    this.context = context;
  }
  serialize(): null {
    return null;
  }
  deserialize(): Frame | null {
    return null;
  }
}

function session() {
  const clock = new FakeClock();
  const serializer = new Bound();
  const transport = new WebSocketTransport(new MemorySocketPair().server, { serializer, clock });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  const stats = () => transport.stats as unknown as Record<string, number>;
  const end = async () => {
    await transport.close();
    await clock.runAll();
  };
  return { context: serializer.context, stats, errors, end };
}

Deno.test("`context.count` refuses an amount that is negative or not a finite number", async () => {
  const { context, stats, end } = session();
  for (const amount of [-5, NaN, Infinity, -Infinity, "3" as unknown as number]) {
    assert.throws(
      () => context.count("decodeErrors", amount),
      (e) => e instanceof RangeError && /bug in the serializer/.test(e.message),
      `amount ${String(amount)}`,
    );
  }
  assert.throws(() => context.count("audioBytesInterrupted", NaN, true), RangeError);
  assert.equal(stats().decodeErrors, 0, "nothing counted");
  assert.equal(stats().audioBytesInterrupted, 0);
  context.count("decodeErrors");
  context.count("inboundMediaGapMs", 0);
  context.count("inboundMediaGapMs", 12.5);
  assert.equal(stats().decodeErrors, 1, "a valid count still counts");
  assert.equal(stats().inboundMediaGapMs, 12.5);
  await end();
});

Deno.test("`context.count` refuses a counter that is not a serializer's", async () => {
  const { context, stats, end } = session();
  const count = context.count as (counter: string, amount?: number) => void;
  for (const counter of ["nope", "messagesIn", "audioBytesSent", "toString", "__proto__"]) {
    assert.throws(
      () => count(counter),
      (e) => e instanceof TypeError && /not a counter a serializer adds to/.test(e.message),
      counter,
    );
  }
  assert.equal("nope" in stats(), false, "no stray counter");
  assert.equal(stats().messagesIn, 0);
  assert.equal(stats().audioBytesSent, 0);
  await end();
});

Deno.test("`context.report` wraps what is not a TransportError in one, the original its cause", async () => {
  const { context, errors, end } = session();
  const plain = new Error("plain");
  context.report(plain as TransportError);
  context.report("a string" as unknown as TransportError);
  const typed = new TransportError("decode", "typed");
  context.report(typed);
  // A TransportError of another copy of the package: known by its code, passed as it is.
  const foreign = Object.assign(new Error("foreign"), { code: "encode", fatal: false });
  context.report(foreign as unknown as TransportError);
  assert.equal(errors.length, 4);
  assert.ok(errors[0] instanceof TransportError);
  assert.equal(errors[0].code, "protocol");
  assert.equal(errors[0].fatal, false);
  assert.equal(errors[0].cause, plain);
  assert.match(errors[0].message, /not a TransportError: plain/);
  assert.equal(errors[1]!.code, "protocol");
  assert.equal(errors[1]!.cause, "a string");
  assert.equal(errors[2], typed, "a TransportError passes as it is");
  assert.equal(errors[3], foreign);
  await end();
});
