// `CallRecorder`'s options checked by kind, as the transport's and simulateCall's are: without a
// type checker (plain JavaScript, `any`) a clock of the wrong kind failed inside the constructor
// as "clock.now is not a function" (or a read of null), naming no option; a string for a number
// was refused with a message that showed it as that number; and a string given for the options
// was taken as no options at all.
import assert from "node:assert/strict";
import { CallRecorder } from "../../mod.ts";
import { CallRecorder as SimulatedCallRecorder } from "../../src/simulator/mod.ts";
import { FakeClock } from "../../src/testing/mod.ts";

/** `new CallRecorder(options)` throws an error of `name` whose message matches `message`. */
function refused(options: unknown, name: "TypeError" | "RangeError", message: RegExp): void {
  assert.throws(() => new CallRecorder(options as never), { name, message }, String(message));
}

Deno.test("`CallRecorder` refuses a clock that is no Clock with a TypeError naming the option", () => {
  // Worded as the transport words its own `clock` option (the same check).
  refused({ clock: {} }, "TypeError", /^clock must be a Clock, got an object$/);
  refused({ clock: null }, "TypeError", /^clock must be a Clock, got null$/);
  refused({ clock: 0 }, "TypeError", /^clock must be a Clock, got 0$/);
  refused({ clock: { now: 5 } }, "TypeError", /^clock must be a Clock, got an object$/);
  refused({ clock: Date }, "TypeError", /^clock must be a Clock, got /); // Date.now is no Clock's
  // `now` is all it reads: a clock of the transport's kind, or one with `now` alone, is taken.
  new CallRecorder({ clock: new FakeClock() }).stop();
  new CallRecorder({ clock: { now: () => 0 } as never }).stop();
});

Deno.test("`CallRecorder` names a number option given as another kind by that kind", () => {
  refused(
    { holdMs: "500" },
    "RangeError",
    /^holdMs must be a finite number >= 0, got a string \(500\)$/,
  );
  refused({ maxBufferedMs: null }, "RangeError", /^maxBufferedMs must be .*, got null$/);
  refused({ callerGapMs: true }, "RangeError", /^callerGapMs must be .*, got a boolean \(true\)$/);
  refused(
    { sampleRate: "16000" },
    "RangeError",
    /^sampleRate must be one of .*, got a string \(16000\)$/,
  );
  refused(
    { layout: 2 },
    "RangeError",
    /^layout must be "stereo", "mono" or "separate", got a number \(2\)$/,
  );
  // Numbers still show as themselves.
  refused({ sampleRate: 11025 }, "RangeError", /^sampleRate must be one of .*, got 11025$/);
  refused({ holdMs: -1 }, "RangeError", /^holdMs must be a finite number >= 0, got -1$/);
});

Deno.test("`CallRecorder` refuses options that are no object with a TypeError", () => {
  refused(null, "TypeError", /^CallRecorder options must be an object, got null$/);
  refused(
    "stereo",
    "TypeError",
    /^CallRecorder options must be an object, got a string \(stereo\)$/,
  );
  refused(16000, "TypeError", /^CallRecorder options must be an object, got a number \(16000\)$/);
  new CallRecorder(undefined).stop(); // the defaults
});

Deno.test("the simulator's `CallRecorder` refuses options that are no object with a TypeError", () => {
  for (const options of [undefined, null, "8000"]) {
    assert.throws(() => new SimulatedCallRecorder(options as never), {
      name: "TypeError",
      message: /^CallRecorder options must be \{ callerRate, heardRate \}, got /,
    });
  }
});

Deno.test('`CallRecorder.wavHeader` refuses a stream that is neither "caller" nor "bot"', () => {
  // Any other name was taken for "bot": the bot's header, written over the caller's file.
  const recorder = new CallRecorder({ layout: "separate", clock: new FakeClock() });
  for (const [stream, got] of [["left", /a string \(left\)$/], [1, /a number \(1\)$/]] as const) {
    assert.throws(() => recorder.wavHeader(stream as never), {
      name: "TypeError",
      message: new RegExp(`^the stream must be "caller" or "bot", got ${got.source}`),
    }, String(stream));
  }
  assert.throws(() => recorder.wavHeader(), {
    name: "TypeError",
    message: /name "caller" or "bot"/,
  });
  assert.equal(recorder.wavHeader("caller").length, 44);
  assert.equal(recorder.wavHeader("bot").length, 44);
  recorder.stop();
});

Deno.test("`CallRecorder` lets no option of the wrong kind through", () => {
  // Every option, every wrong kind: refused, naming the option (none is taken by truthiness or
  // read as the number a string spells).
  const bad = ["500", true, null, NaN, Infinity, -Infinity, -1, {}, [], () => 0];
  for (const name of ["sampleRate", "layout", "holdMs", "maxBufferedMs", "callerGapMs", "clock"]) {
    for (const value of bad) {
      assert.throws(() => new CallRecorder({ [name]: value } as never), {
        message: new RegExp(`^${name} must be `),
      }, `${name}: ${String(value)}`);
    }
  }
});
