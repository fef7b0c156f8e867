// `SessionMetrics.attach` checks its arguments by kind, as `CallRecorder` and the transport check
// theirs: without a type checker (plain JavaScript, `any`) `options: null` and `clock: {}` failed
// as the runtime's own "Cannot read properties of null" or "clock.now is not a function", naming
// no option; `speech: "yes"` (or `1`) was taken for `true`; a string for `lateAfterMs` was shown
// as the number it spelled. A refused attach observes nothing.
import assert from "node:assert/strict";
import {
  type MeteredTransport,
  SessionMetrics,
  type SessionSummaryEvent,
  WebSocketTransport,
} from "../../mod.ts";
import type { Clock } from "../../src/clock.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { emptyStats } from "../../src/transport_stats.ts";

/** A transport of the caller's own making, counting what observes it. */
class CountingTransport extends EventTarget implements MeteredTransport {
  observers = 0;
  readonly stats = emptyStats();
  clock: Clock = new FakeClock();
  observe(): () => void {
    this.observers++;
    return () => this.observers--;
  }
}

type Refusal = [label: string, attach: (transport: CountingTransport) => unknown, RegExp];

const OPTIONS = /^SessionMetrics options must be an object, got /;
const CLOCK = /^clock must be a Clock, got /;
const SPEECH = /^speech must be true, false or a speech detector's options, got /;
const LATE = /^lateAfterMs must be a finite number >= 0, got /;
const TRANSPORT = /^transport must be a WebSocketTransport or another MeteredTransport, got /;

const attachWith = (options: unknown) => (transport: CountingTransport) =>
  SessionMetrics.attach(transport, options as never);

const TYPE_ERRORS: Refusal[] = [
  ["options null", attachWith(null), /^SessionMetrics options must be an object, got null$/],
  ["options a string", attachWith("speech"), /got a string \(speech\)$/],
  ["options a number", attachWith(5), OPTIONS],
  ["options false", attachWith(false), OPTIONS],
  ["clock {}", attachWith({ clock: {} }), /^clock must be a Clock, got an object$/],
  ["clock null", attachWith({ clock: null }), /^clock must be a Clock, got null$/],
  ["clock 0", attachWith({ clock: 0 }), CLOCK],
  ["clock whose now is no function", attachWith({ clock: { now: 5 } }), CLOCK],
  ["clock without now", attachWith({ clock: { timer: () => {}, sleep: () => {} } }), CLOCK],
  ["speech a string", attachWith({ speech: "yes" }), /got a string \(yes\)$/],
  ["speech a number", attachWith({ speech: 1 }), SPEECH],
  ["speech null", attachWith({ speech: null }), /^speech must be .*, got null$/],
  ["speech a function", attachWith({ speech: () => true }), SPEECH],
  // An array is an object: `[]` was taken for options left out, a detector with the defaults.
  ["speech []", attachWith({ speech: [] }), /^speech must be .*, got an Array$/],
  ["options []", attachWith([]), /^SessionMetrics options must be an object, got an Array$/],
  // The detector's own, named by the path the options were written at.
  [
    "speech.onLevel a number",
    attachWith({ speech: { onLevel: 5 } }),
    /^speech\.onLevel must be a function, got number$/,
  ],
  ["transport undefined", () => SessionMetrics.attach(undefined as never), TRANSPORT],
  ["transport null", () => SessionMetrics.attach(null as never), TRANSPORT],
  ["transport {}", () => SessionMetrics.attach({} as never), TRANSPORT],
  ["transport a number", () => SessionMetrics.attach(5 as never), TRANSPORT],
  [
    "the transport's own clock without now",
    (transport) => {
      transport.clock = { timer: () => {} } as never;
      return SessionMetrics.attach(transport);
    },
    /^transport\.clock must be a Clock, got an object$/,
  ],
];

const RANGE_ERRORS: Refusal[] = [
  ["lateAfterMs a string", attachWith({ lateAfterMs: "5" }), /got a string \(5\)$/],
  ["lateAfterMs null", attachWith({ lateAfterMs: null }), /^lateAfterMs .*, got null$/],
  ["lateAfterMs true", attachWith({ lateAfterMs: true }), LATE],
  ["lateAfterMs NaN", attachWith({ lateAfterMs: NaN }), /got NaN$/],
  ["lateAfterMs negative", attachWith({ lateAfterMs: -1 }), /got -1$/],
  ["lateAfterMs Infinity", attachWith({ lateAfterMs: Infinity }), /got Infinity$/],
  // The detector's own options, checked by the detector, before anything is observed, and named
  // by their path under these options: a bare "minSpeechMs must be …" named no options object.
  ["speech.windowMs 0", attachWith({ speech: { windowMs: 0 } }), /^speech\.windowMs must be /],
  [
    "speech.minSpeechMs negative",
    attachWith({ speech: { minSpeechMs: -1 } }),
    /^speech\.minSpeechMs must be a finite number of at least 0, got -1$/,
  ],
  [
    "speech.minSilenceMs NaN",
    attachWith({ speech: { minSilenceMs: NaN } }),
    /^speech\.minSilenceMs must be /,
  ],
  [
    "speech.startDb Infinity",
    attachWith({ speech: { startDb: Infinity } }),
    /^speech\.startDb must be /,
  ],
  [
    "speech.stopDb over startDb",
    attachWith({ speech: { startDb: 6, stopDb: 9 } }),
    /^speech\.stopDb must not exceed speech\.startDb \(6\), got 9$/,
  ],
];

Deno.test("`SessionMetrics.attach` refuses arguments of the wrong kind with a TypeError naming them, observing nothing", () => {
  for (const [label, attach, message] of TYPE_ERRORS) {
    const transport = new CountingTransport();
    assert.throws(() => attach(transport), { name: "TypeError", message }, label);
    assert.equal(transport.observers, 0, `${label}: nothing observed`);
  }
});

Deno.test("`SessionMetrics.attach` refuses a bad number with a RangeError naming it, observing nothing", () => {
  for (const [label, attach, message] of RANGE_ERRORS) {
    const transport = new CountingTransport();
    assert.throws(() => attach(transport), { name: "RangeError", message }, label);
    assert.equal(transport.observers, 0, `${label}: nothing observed`);
  }
});

Deno.test("`SessionMetrics.attach` takes a clock with `now` alone, and options left out", () => {
  // `now` is all the metrics read of a clock: one without `timer` or `sleep` is no mistake.
  for (const options of [undefined, {}, { clock: { now: () => 7 } }, { speech: false }]) {
    const transport = new CountingTransport();
    const metrics = SessionMetrics.attach(transport, options as never);
    assert.equal(transport.observers, 1, JSON.stringify(options));
    metrics.detach();
    assert.equal(transport.observers, 0);
  }
});

Deno.test("`SessionMetrics` refuses a turn's time that is no finite number, naming its kind", async () => {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, { clock });
  const metrics = SessionMetrics.attach(transport, { speech: false });
  const bad: [unknown, RegExp][] = [
    [NaN, /got NaN$/],
    [Infinity, /got Infinity$/],
    [-Infinity, /got -Infinity$/],
    ["5", /got a string \(5\)$/], // not "got 5", which reads as the number itself
    [null, /got null$/],
  ];
  for (const method of ["callerTurnEnded", "callerSpeechStarted"] as const) {
    for (const [at, message] of bad) {
      assert.throws(() => metrics[method](at as never), {
        name: "RangeError",
        message: new RegExp(`^${method}: at must be a finite clock time, ` + message.source),
      }, `${method}(${String(at)})`);
    }
  }
  let summary: SessionSummaryEvent | undefined;
  metrics.addEventListener("summary", (event) => (summary = event));
  client.close(1000);
  await transport.closed;
  assert.equal(summary?.snapshot.turnLatency.count, 0, "nothing measured of the refused times");
});
