// The speech detector's run of windows that may become speech holds the windows of 1.5 ×
// minSpeechMs. It was allocated whole at construction, sized from the options alone: a
// minSpeechMs the options allowed then (any finite duration: a bot that wants no speechstart for
// days) asked for terabytes and the constructor threw "Array buffer allocation failed", naming no
// option; a smaller one took gigabytes. It now grows as the windows come (and minSpeechMs is
// bounded at 10 s: see speech_detector_option_edges_test.ts).
import assert from "node:assert/strict";
import fc from "fast-check";
import { BargeInStream, SpeechDetector, type SpeechEvent } from "../../mod.ts";
import { SpeechRun } from "../../src/streams/_speech_run.ts";

const RATE = 8000;

/** `ms` of 8 kHz PCM16: a -20 dBFS 440 Hz tone where `loud(ms)`, a faint hiss elsewhere. */
function signal(ms: number, loud: (ms: number) => boolean): Uint8Array {
  const samples = new Int16Array((ms * RATE) / 1000).map((_, i) =>
    loud((i * 1000) / RATE) ? 4634 * Math.sin((2 * Math.PI * 440 * i) / RATE) : ((i * 13) % 7) - 3
  );
  return new Uint8Array(samples.buffer);
}

function detect(bytes: Uint8Array, minSpeechMs: number): SpeechEvent[] {
  const detector = new SpeechDetector({ sampleRate: RATE, minSpeechMs });
  const events: SpeechEvent[] = [];
  for (let offset = 0; offset < bytes.length; offset += 160) {
    detector.push(bytes.subarray(offset, offset + 160), (event) => events.push(event));
  }
  detector.flush((event) => events.push(event));
  return events;
}

Deno.test("`SpeechDetector` and `BargeInStream` take the longest minSpeechMs without allocating for it", () => {
  for (const minSpeechMs of [10_000]) {
    new BargeInStream({ playback: { speaking: false }, interrupt: () => assert.fail() }, {
      minSpeechMs,
      windowMs: 1,
    });
    // Three seconds of tone never last that long: no speech, and the run holds 3 s of windows.
    assert.deepEqual(detect(signal(4000, (ms) => ms >= 500 && ms < 3500), minSpeechMs), []);
  }
});

Deno.test("`SpeechDetector` times speech whose run outgrew its first ring, begun where an old click was dropped", () => {
  // A click at 100 ms starts a run that the quiet after it fills until the click is 1.5 s old
  // and dropped from its front (with the quiet behind it): the ring then starts mid-way, and the
  // tone's run of a second (100 windows) wraps round it as it grows.
  const bytes = signal(6000, (ms) => (ms >= 100 && ms < 110) || (ms >= 2500 && ms < 5000));
  const events = detect(bytes, 1000);
  assert.deepEqual(
    events.map((event) => [event.type, event.atMs]),
    [["speechstart", 2500], ["speechstop", 5000]],
  );
});

/**
 * The run's rules over a plain list, for comparison: windows kept whole, the oldest dropped past
 * `maxWindows` (the ring's most), as the run's ring did allocated whole.
 */
class ListedRun {
  readonly #windows: { startMs: number; durationMs: number; levelDb: number; kind: number }[] = [];
  constructor(readonly minSpeechMs: number, readonly maxWindows: number) {}
  push(startMs: number, durationMs: number, levelDb: number, kind: number): boolean {
    const windows = this.#windows;
    if (windows.length === 0 && kind < 2) return false;
    if (windows.length === this.maxWindows) windows.shift();
    windows.push({ startMs, durationMs, levelDb, kind });
    while (
      windows.length > 0 &&
      (windows[0]!.startMs < startMs - 1.5 * this.minSpeechMs || windows[0]!.kind < 2)
    ) windows.shift();
    if (kind === 0 || windows.length === 0) return false;
    const lastedMs = startMs + durationMs - windows[0]!.startMs;
    const loudMs = windows.reduce((sum, w) => sum + (w.kind > 0 ? w.durationMs : 0), 0);
    return lastedMs >= this.minSpeechMs - 1e-6 && loudMs >= 0.7 * lastedMs;
  }
  clear(): void {
    this.#windows.length = 0;
  }
  get startMs(): number {
    return this.#windows[0]!.startMs;
  }
  get peakDb(): number {
    return Math.max(...this.#windows.map((w) => w.levelDb));
  }
}

Deno.test("`SpeechRun` growing its ring as windows come judges as one allocated whole", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 100, max: 1500 }),
      // Spells of windows alike, 1 to 10 ms long (a short one where a rate's window is few
      // samples): a spell of long windows moves the ring's start on, one of short ones then
      // outgrows it, wrapping round. A spell may end with the run cleared (speech told).
      fc.array(
        fc.record({
          durationMs: fc.constantFrom(1, 2, 3, 7, 10),
          windows: fc.integer({ min: 1, max: 400 }),
          kinds: fc.constantFrom([2], [0], [2, 0], [2, 1, 0], [2, 2, 0], [1]),
          clear: fc.boolean(),
        }),
        { minLength: 1, maxLength: 20 },
      ),
      (minSpeechMs, spells) => {
        const run = new SpeechRun(minSpeechMs, 10);
        const listed = new ListedRun(minSpeechMs, 2 * Math.ceil((1.5 * minSpeechMs) / 10) + 2);
        let atMs = 0;
        let n = 0;
        for (const { durationMs, windows, kinds, clear } of spells) {
          for (let w = 0; w < windows; w++, n++) {
            const kind = kinds[w % kinds.length]!;
            const levelDb = -((n * 7) % 50);
            const speech = run.push(atMs, durationMs, levelDb, kind, () => false);
            assert.equal(speech, listed.push(atMs, durationMs, levelDb, kind), `at ${atMs} ms`);
            if (speech) {
              assert.equal(run.startMs, listed.startMs);
              assert.equal(run.peakDb, listed.peakDb);
              run.clear();
              listed.clear();
            }
            atMs += durationMs;
          }
          if (clear) {
            run.clear();
            listed.clear();
          }
        }
      },
    ),
    { numRuns: 300 },
  );
});
