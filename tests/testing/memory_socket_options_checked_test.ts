// MemorySocket's wait timeout goes to setTimeout, which fires at once for NaN, a negative delay
// or one past 2³¹ − 1 ms (Infinity too): a test asking never to time out would fail at once with
// "condition not met within Infinity ms". Such a value is refused where it is given.
import assert from "node:assert/strict";
import { MemorySocketPair } from "../../src/testing/memory_socket.ts";

const UNKEPT = [NaN, -1, Infinity, 2 ** 31, "100" as unknown as number];

Deno.test("MemorySocketPair refuses a waitTimeoutMs setTimeout cannot keep, naming it", () => {
  for (const waitTimeoutMs of UNKEPT) {
    assert.throws(() => new MemorySocketPair({ waitTimeoutMs }), {
      name: "RangeError",
      message: /^waitTimeoutMs must be a number from 0 to 2147483647, got /,
    });
  }
  new MemorySocketPair({ waitTimeoutMs: 0 });
  new MemorySocketPair({ waitTimeoutMs: 2 ** 31 - 1 });
});

Deno.test("MemorySocket.waitFor refuses a timeoutMs setTimeout cannot keep", () => {
  const { server } = new MemorySocketPair();
  for (const timeoutMs of UNKEPT) {
    assert.throws(() => server.waitFor(() => false, timeoutMs), {
      name: "RangeError",
      message: /^waitFor: timeoutMs must be a number from 0 to 2147483647, got /,
    });
  }
});
