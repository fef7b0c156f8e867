// The demo page's player worklet, run here on a simulated audio thread: the globals an
// AudioWorkletGlobalScope gives it (`AudioWorkletProcessor`, `registerProcessor`, `sampleRate`,
// `currentFrame`) and 128-frame render quanta, so what it plays and when is exact.

import assert from "node:assert/strict";

const CONTEXT_RATE = 48000;
const QUANTUM = 128;
const LINE_RATE = 16000;

type Report = {
  runs: [number, number, number][];
  stalls: [number, number, number][];
  underruns: number;
};

interface Processor {
  receive(data: unknown): void;
  process(inputs: unknown, outputs: Float32Array[][]): boolean;
}

/** The player processor class, loaded with the audio thread's globals (once: a module runs once). */
const Player = await loadPlayer();

async function loadPlayer() {
  const scope = globalThis as Record<string, unknown>;
  let registered: (new (options: unknown) => Processor) | undefined;
  scope.sampleRate = CONTEXT_RATE;
  scope.currentFrame = 0;
  scope.AudioWorkletProcessor = class {
    port = { postMessage: (_data: unknown) => {}, onmessage: null };
  };
  scope.registerProcessor = (_name: string, cls: new (options: unknown) => Processor) => {
    registered = cls;
  };
  await import("../../examples/demo/public/player-worklet.js");
  assert.ok(registered, "the worklet registers its processor");
  return registered;
}

/** A player on a simulated audio thread, one render quantum a `quantum()` call. */
class SimulatedThread {
  readonly reports: Report[] = [];
  readonly player: Processor & { port: { postMessage: (data: unknown) => void } };
  #output = [[new Float32Array(QUANTUM)]];

  constructor(Player: new (options: unknown) => Processor) {
    (globalThis as Record<string, unknown>).currentFrame = 0;
    this.player = new Player({ processorOptions: { rate: LINE_RATE, targetMs: 60 } }) as
      & Processor
      & { port: { postMessage: (data: unknown) => void } };
    this.player.port.postMessage = (data) => {
      const report = (data as { report?: Report }).report;
      if (report) this.reports.push(report);
    };
  }

  get frame(): number {
    return (globalThis as Record<string, unknown>).currentFrame as number;
  }

  /** The first frame that carried sound, and the frame after the last one, before `soundUntil`. */
  firstSound = -1;
  lastSound = -1;
  soundUntil = Infinity;

  /** One quantum. */
  quantum() {
    const out = this.#output[0]![0]!;
    this.player.process([], this.#output);
    if (this.frame < this.soundUntil) {
      for (let i = 0; i < QUANTUM; i++) {
        if (out[i] === 0) continue;
        if (this.firstSound < 0) this.firstSound = this.frame + i;
        this.lastSound = this.frame + i + 1;
      }
    }
    (globalThis as Record<string, unknown>).currentFrame = this.frame + QUANTUM;
  }

  /** 20 ms of line audio, as the page hands it over. */
  chunk() {
    this.player.receive({ pcm: new Int16Array(LINE_RATE / 50).fill(1000).buffer });
  }
}

Deno.test("the demo's player measures a stall: ran dry inside a stream, silent until it re-buffered", () => {
  const thread = new SimulatedThread(Player);
  thread.soundUntil = 1.5 * CONTEXT_RATE; // the first stream's span: the second begins later
  const ms = (frames: number) => (frames * 1000) / CONTEXT_RATE;
  const frames = (ms: number) => (ms * CONTEXT_RATE) / 1000;
  // A 1 s stream: fifty 20 ms chunks, due every 20 ms; chunk 15 reaches the page 100 ms late (a
  // busy main thread) and the ones behind it with it, as a WebSocket delivers them: in order.
  // Then, after a pause longer than a stall, a second stream of ten.
  const arrivals = Array.from(
    { length: 50 },
    (_, i) => Math.max(frames(i * 20), i < 15 ? 0 : frames(400)),
  );
  for (let i = 0; i < 10; i++) arrivals.push(frames(1600 + i * 20));
  let next = 0;
  while (thread.frame < frames(2000)) {
    while (next < arrivals.length && arrivals[next]! <= thread.frame) {
      thread.chunk();
      next++;
    }
    thread.quantum();
  }
  const stalls = thread.reports.flatMap((r) => r.stalls);
  assert.equal(thread.reports.at(-1)!.underruns, 1, "one gap inside a stream; the pause is none");
  assert.equal(stalls.length, 1);
  const [position, stalledMs, epoch] = stalls[0]!;
  assert.equal(epoch, 0);
  // It began once 60 ms were queued (at 40 ms), so it ran dry at 340 ms, after the fifteen chunks
  // before the late one, and stood silent until the late ones came at 400 ms (and the quantum
  // it noticed them in ended).
  assert.equal(position, 15 * LINE_RATE / 50);
  assert.ok(stalledMs >= 60 && stalledMs <= 60 + ms(QUANTUM), `stalled ${stalledMs} ms`);
  // The figure that matters: the first stream lasted what it played plus the stall, to a quantum.
  const { firstSound: first, lastSound: last } = thread;
  const playedMs = 50 * 20; // all fifty chunks
  assert.ok(
    Math.abs(ms(last - first) - (playedMs + stalledMs)) <= ms(QUANTUM),
    `sounded ${ms(last - first)} ms; played ${playedMs} ms, stalled ${stalledMs} ms`,
  );
});

Deno.test("the demo's player forgets a stall a clear ends: it never played on", () => {
  const thread = new SimulatedThread(Player);
  for (let i = 0; i < 5; i++) thread.chunk();
  while (thread.frame < 0.2 * CONTEXT_RATE) thread.quantum(); // played all 100 ms, ran dry
  thread.chunk(); // 20 ms late: an underrun, re-buffering
  thread.quantum();
  thread.player.receive({ clear: true });
  for (let i = 0; i < 5; i++) thread.chunk(); // the next response, played from the start
  while (thread.frame < 0.4 * CONTEXT_RATE) thread.quantum();
  assert.equal(thread.reports.at(-1)!.underruns, 1);
  assert.deepEqual(thread.reports.flatMap((r) => r.stalls), []);
});
