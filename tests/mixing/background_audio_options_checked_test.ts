// BackgroundAudio's callbacks are checked where they are given: an onError or onEnded that is no
// function would otherwise fail only once the background errs or ends, mid-session, as an unclear
// "is not a function" that ends the session.
import assert from "node:assert/strict";
import { BackgroundAudio } from "../../src/mixing/background_audio.ts";
import { wrapWav } from "../../src/audio/mod.ts";

const silence = new Int16Array(160);

Deno.test("BackgroundAudio refuses an onError or onEnded that is not a function, naming it", () => {
  for (const name of ["onError", "onEnded"] as const) {
    for (const value of ["log", 1, null]) {
      assert.throws(
        () => new BackgroundAudio(silence, { sampleRate: 16000, [name]: value as never }),
        {
          name: "TypeError",
          message: new RegExp(`^BackgroundAudio: ${name} must be a function, got `),
        },
      );
    }
    new BackgroundAudio(silence, { sampleRate: 16000, [name]: () => {} });
  }
});

// The options by kind, as `CallRecorder`'s and the transport's are: `null` failed as the runtime's
// "Cannot destructure", a string or a number was taken for no options (a WAV track then played
// with every default), and a number option given as a string or an object was shown as what it
// spelled (`got 0.5`, `got [object Object]`), not as what it was.
Deno.test("`BackgroundAudio` refuses options that are no object with a TypeError", () => {
  // A WAV file needs no option: given a string or a number for its options, it played on the
  // defaults, the mistake unseen.
  const wav = wrapWav(new Uint8Array(320), { sampleRate: 16000, channels: 1 });
  new BackgroundAudio(wav, undefined); // the defaults
  const refusals: [unknown, RegExp][] = [
    [null, /got null$/],
    ["loop", /got a string \(loop\)$/],
    [0.5, /got a number \(0\.5\)$/],
    [[], /got an Array$/], // an array is an object: it was taken for no options
  ];
  for (const [options, got] of refusals) {
    assert.throws(() => new BackgroundAudio(wav, options as never), {
      name: "TypeError",
      message: new RegExp(`^BackgroundAudio options must be an object, ${got.source}`),
    }, String(options));
  }
});

Deno.test("`BackgroundAudio` refuses a bad number option with a RangeError naming its value by kind", () => {
  const table: [string, Record<string, unknown>, RegExp][] = [];
  const bad: [unknown, RegExp][] = [
    ["0.5", /got a string \(0\.5\)$/],
    [true, /got a boolean \(true\)$/],
    [null, /got null$/],
    [{}, /got a plain object$/],
    [NaN, /got NaN$/],
    [-1, /got -1$/],
    [Infinity, /got Infinity$/],
  ];
  for (const [value, got] of bad) {
    for (const name of ["volume", "fadeMs", "readAheadMs"]) {
      table.push([name, { [name]: value }, new RegExp(`^${name} must be .*${got.source}`)]);
    }
    for (const name of ["gain", "attackMs", "releaseMs"]) {
      const message = new RegExp(`^ducking\\.${name} must be .*${got.source}`);
      table.push([`ducking.${name}`, { ducking: { [name]: value } }, message]);
    }
  }
  for (const [label, options, message] of table) {
    assert.throws(() => new BackgroundAudio(silence, { sampleRate: 16000, ...options }), {
      name: "RangeError",
      message,
    }, `${label}: ${String(Object.values(options)[0])}`);
  }
  // Integers: the format of bare PCM.
  for (const name of ["sampleRate", "channels"]) {
    assert.throws(
      () => new BackgroundAudio(silence, { sampleRate: 16000, [name]: "8000" }),
      { name: "RangeError", message: new RegExp(`^${name} .*, got a string \\(8000\\)$`) },
    );
    assert.throws(
      () => new BackgroundAudio(silence, { sampleRate: 16000, [name]: 1.5 }),
      { name: "RangeError", message: new RegExp(`^${name} .*, got 1\\.5$`) },
    );
  }
  // The volume set at run time, checked as the option is.
  const background = new BackgroundAudio(silence, { sampleRate: 16000 });
  assert.throws(() => (background.volume = "1" as never), {
    name: "RangeError",
    message: /^volume must be a finite number >= 0, got a string \(1\)$/,
  });
  assert.equal(background.volume, 0.3, "the volume as it was");
});

Deno.test("`BackgroundAudio` names a frame's format of the wrong kind by that kind", () => {
  const frame = { type: "audio", audio: new Uint8Array(320), sampleRate: "16000", channels: 1 };
  assert.throws(() => new BackgroundAudio(frame as never), {
    name: "RangeError",
    message: /^BackgroundAudio: sampleRate must be a positive integer, got a string \(16000\)$/,
  });
});

Deno.test("`BackgroundAudio` refuses ducking that is neither true, false nor its options", () => {
  // An array is an object: `ducking: []` ducked on the defaults, as though it were `true`.
  const refusals: [unknown, RegExp][] = [
    [[], /got an Array$/],
    [[{ gain: 0.1 }], /got an Array$/],
    [null, /got null$/],
    ["true", /got a string \(true\)$/],
    [1, /got a number \(1\)$/],
  ];
  for (const [ducking, got] of refusals) {
    assert.throws(
      () => new BackgroundAudio(silence, { sampleRate: 16000, ducking: ducking as never }),
      {
        name: "TypeError",
        message: new RegExp(
          `^BackgroundAudio: ducking must be true, false or its options, ${got.source}`,
        ),
      },
      String(ducking),
    );
  }
  for (const ducking of [true, false, {}, { gain: 0.1 }]) {
    new BackgroundAudio(silence, { sampleRate: 16000, ducking });
  }
});
