// simulateCall's callbacks and syntheticCaller's options are checked before any call is made: an
// onProgress that is no function used to fail only at the call's first progress, mid-call, and a
// connect that is no function as an unclear "is not a function" from inside; syntheticCaller
// made empty audio at a NaN rate, or failed with "Invalid typed array length" for a negative one.
import assert from "node:assert/strict";
import { simulateCall, syntheticCaller } from "../../src/simulator/mod.ts";

const URL_NEVER_DIALLED = "ws://127.0.0.1:9/";
const refuseToConnect = (): never => {
  throw new Error("connect was called: the options were taken");
};

Deno.test("simulateCall refuses an onProgress or connect that is not a function", async () => {
  await assert.rejects(
    simulateCall(URL_NEVER_DIALLED, {
      protocol: "raw",
      connect: refuseToConnect,
      onProgress: "log" as never,
    }),
    { name: "TypeError", message: "onProgress must be a function, got string" },
  );
  await assert.rejects(
    simulateCall(URL_NEVER_DIALLED, { protocol: "raw", connect: {} as never }),
    { name: "TypeError", message: "connect must be a function, got object" },
  );
});

Deno.test("syntheticCaller refuses a sampleRate that is no positive integer, naming it", () => {
  for (const sampleRate of [0, -8000, NaN, Infinity, 8000.5, "8000" as unknown as number]) {
    assert.throws(() => syntheticCaller({ sampleRate }), {
      name: "RangeError",
      message: /^sampleRate must be a positive integer, got /,
    });
  }
  assert.equal(syntheticCaller({ sampleRate: 8000, utterancesMs: [100] }).sampleRate, 8000);
});

Deno.test("syntheticCaller refuses utterancesMs that is not an array", () => {
  assert.throws(() => syntheticCaller({ utterancesMs: 1200 as unknown as number[] }), {
    name: "TypeError",
    message: "utterancesMs must be an array of numbers, got number",
  });
});
