// simulateCall's callbacks and syntheticCaller's options are checked before any call is made: an
// onProgress that is no function used to fail only at the call's first progress, mid-call, and a
// connect that is no function as an unclear "is not a function" from inside; syntheticCaller
// made empty audio at a NaN rate, or failed with "Invalid typed array length" for a negative one.
import assert from "node:assert/strict";
import {
  CallerAudio,
  CallRecorder,
  simulateCall,
  syntheticCaller,
} from "../../src/simulator/mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";

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

Deno.test("simulateCall refuses each option of the wrong kind before any call, naming it", async () => {
  // Each passed before: a numeric string as a number (`speed: "2"` was then no finite speed, so
  // the caller waited on its stream as at Infinity; `durationMs: "500"` was joined to times as
  // text), any truthy value as true (`waitForBotHangUp: "no"` waited for the bot), and a clock,
  // signal, audio or press of the wrong shape failed inside the call, if at all, and a platform's
  // id or custom parameter went out as whatever it was.
  const silence = new ReadableStream<Uint8Array>();
  const table: [Record<string, unknown>, string, RegExp][] = [
    [{ speed: "2" }, "RangeError", /^speed must be above 0, got a string \(2\)$/],
    [{ speechThresholdDbfs: "-40" }, "RangeError", /^speechThresholdDbfs must be .*a string/],
    [{ hangUpAtMs: "100" }, "RangeError", /^hangUpAtMs must be .*, got a string \(100\)$/],
    [{ bargeIn: 500 }, "TypeError", /^bargeIn must be an object/],
    [{ bargeIn: { afterMs: 100, durationMs: "500" } }, "RangeError", /^bargeIn\.durationMs /],
    [{ bargeIn: { afterMs: 100, count: "2" } }, "RangeError", /^bargeIn\.count .*a string \(2\)$/],
    [{ waitForBotHangUp: "no" }, "TypeError", /^waitForBotHangUp must be true or false, got a/],
    [{ waitForBotHangUp: 1 }, "TypeError", /^waitForBotHangUp must be true or false/],
    [{ record: "yes" }, "TypeError", /^record must be true or false/],
    [{ clock: {} }, "TypeError", /^clock must be a Clock/],
    [{ clock: Date }, "TypeError", /^clock must be a Clock/],
    [{ signal: true }, "TypeError", /^signal must be an AbortSignal/],
    [{ dtmf: "1@200" }, "TypeError", /^dtmf must be an array/],
    [{ dtmf: [null] }, "TypeError", /^dtmf\[0\] must be an object/],
    [{ dtmf: [{ atMs: 10, digit: 5 }] }, "RangeError", /^dtmf digits .*, got a number \(5\)$/],
    [{ platform: "twilio" }, "TypeError", /^platform must be an object/],
    [{ platform: { callId: 42 } }, "TypeError", /^platform\.callId must be a non-empty string/],
    [{ platform: { callId: "" } }, "RangeError", /^platform\.callId must be a non-empty string/],
    [{ platform: { encoding: 0 } }, "TypeError", /^platform\.encoding must be a string/],
    [{ platform: { customParameters: "a=b" } }, "TypeError", /^platform\.customParameters /],
    [{ platform: { customParameters: { a: 1 } } }, "TypeError", /^platform\.customParameters\.a /],
    [{ audio: "caller.wav" }, "TypeError", /^audio must be a WAV file's bytes/],
    [{ audio: { pcm: [0, 0], sampleRate: 8000 } }, "TypeError", /^audio must be/],
  ];
  for (const [bad, name, message] of table) {
    await assert.rejects(
      simulateCall(URL_NEVER_DIALLED, { protocol: "raw", connect: refuseToConnect, ...bad }),
      { name, message },
      JSON.stringify(bad),
    );
  }
  // The right kinds still pass (the call then fails to connect, as this one must).
  const report = await simulateCall(URL_NEVER_DIALLED, {
    protocol: "raw",
    connect: refuseToConnect,
    audio: { pcm: silence, sampleRate: 8000 },
    speed: 2,
    waitForBotHangUp: true,
    record: false,
    bargeIn: { afterMs: 100, durationMs: 500, count: 2 },
    dtmf: [{ atMs: 10, digit: "5" }],
    clock: new FakeClock(),
    signal: new AbortController().signal,
    platform: { callId: "CA1", customParameters: { a: "1" } },
  });
  assert.equal(report.ended.by, "error");
});

Deno.test("CallRecorder and CallerAudio refuse a rate they cannot work at, naming its option", () => {
  // A rate of 0 made every recorded time NaN; the others were refused by the resampler inside,
  // as its own `inputRate` or `outputRate`, which neither class has.
  const recorderTable: [Record<string, unknown>, RegExp][] = [
    [{ callerRate: 0, heardRate: 0 }, /^callerRate must be a positive integer, got 0$/],
    [{ callerRate: "8000", heardRate: 8000 }, /^callerRate must be .*, got a string \(8000\)$/],
    [{ callerRate: 8000, heardRate: 8000.5 }, /^heardRate must be a positive integer/],
    [{ callerRate: 8000, heardRate: 12345 }, /^heardRate must be one of 8000, .* got 12345$/],
  ];
  for (const [options, message] of recorderTable) {
    assert.throws(() => new CallRecorder(options as never), { name: "RangeError", message });
  }
  // Alike, any rate records: nothing is resampled.
  assert.equal(new CallRecorder({ callerRate: 12345, heardRate: 12345 }).sampleRate, 12345);
  const pcm = { pcm: new Uint8Array(320), sampleRate: 8000 };
  for (const sampleRate of [0, NaN, 12345, "8000" as unknown as number]) {
    assert.throws(() => new CallerAudio(pcm, { sampleRate }), {
      name: "RangeError",
      message: /^sampleRate must be one of 8000, 12000, 16000, .*, got /,
    });
  }
});
