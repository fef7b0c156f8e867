// The figure behind the unheard-goodbye gate, `PlayoutStats.unplayedAtEndMs` (the bot's audible
// audio still queued: received, neither played nor cleared), and the gate itself in `judgeCall`:
// only a call the bot ended fails it, and only beyond 60 ms (a packet and jitter).
import assert from "node:assert/strict";
import { type CallReport, judgeCall, PlayoutBuffer } from "../../src/simulator/mod.ts";

/** `n` samples of a loud square wave (±8000): sound about any block's mean. */
const loud = (n: number) => square(n, 8000);
/** `n` samples alternating ±`level`. */
const square = (n: number, level: number) =>
  new Int16Array(n).map((_, i) => (i % 2 === 0 ? level : -level));

Deno.test("PlayoutBuffer's unplayedAtEndMs is the queued audio up to its last audible sample", () => {
  const buffer = new PlayoutBuffer({ sampleRate: 8000 });
  assert.equal(buffer.stats().unplayedAtEndMs, 0);
  const speech = new Int16Array(8000); // 1 s: 500 ms loud, 250 ms quiet, 250 ms loud
  speech.set(loud(4000), 0);
  speech.set(loud(2000), 6000);
  buffer.enqueue(speech, 0);
  buffer.enqueue(new Int16Array(4000), 0); // 500 ms of digital silence padding it
  buffer.advance(100);
  // The pause inside is part of what went unheard; the padding after it is not.
  assert.equal(buffer.stats().unplayedAtEndMs, 900);
  buffer.advance(1000);
  assert.equal(buffer.stats().unplayedAtEndMs, 0, "the padding alone left");
  assert.equal(buffer.queuedMs, 500);
});

Deno.test("PlayoutBuffer's unplayedAtEndMs takes the codecs' silence for silence, a faint sound for sound", () => {
  const buffer = new PlayoutBuffer({ sampleRate: 8000 });
  // μ-law silence decodes to 0 (0xFF) or near it; A-law's (0xD5) to 8.
  buffer.enqueue(new Int16Array(800).fill(8), 0);
  buffer.enqueue(new Int16Array(800).fill(-8), 0);
  assert.equal(buffer.stats().unplayedAtEndMs, 0);
  buffer.enqueue(square(80, 100), 0); // -50 dBFS: quiet, but heard
  assert.equal(buffer.stats().unplayedAtEndMs, 210);
});

Deno.test("PlayoutBuffer's unplayedAtEndMs takes a DC offset for silence: μ-law zero bytes after a goodbye", () => {
  const buffer = new PlayoutBuffer({ sampleRate: 8000 });
  buffer.enqueue(loud(800), 0); // a 100 ms goodbye…
  buffer.enqueue(new Int16Array(4000).fill(-32124), 0); // …then 500 ms of μ-law 0x00
  assert.equal(buffer.stats().unplayedAtEndMs, 100);
  buffer.advance(100);
  assert.equal(buffer.stats().unplayedAtEndMs, 0, "the goodbye played whole: none unheard");
});

Deno.test("PlayoutBuffer's unplayedAtEndMs counts a looped clip, partly played, to its last sound", () => {
  const buffer = new PlayoutBuffer({ sampleRate: 8000 });
  const clip = new Int16Array(8000); // 1 s: loud for its first 100 ms
  clip.set(loud(800), 0);
  buffer.enqueue(clip, 0, 3);
  buffer.advance(1500); // halfway through the second loop
  // The rest of the second loop (500 ms), then the third's 100 ms of sound.
  assert.equal(buffer.stats().unplayedAtEndMs, 600);
  buffer.advance(2050);
  assert.equal(buffer.stats().unplayedAtEndMs, 50, "within the third loop's sound");
});

Deno.test("PlayoutBuffer's unplayedAtEndMs leaves out what a clear or the far end's drop took", () => {
  const buffer = new PlayoutBuffer({ sampleRate: 8000 });
  buffer.enqueue(loud(8000), 0);
  buffer.dropQueued(500, Infinity, 0);
  assert.equal(buffer.stats().unplayedAtEndMs, 500);
  buffer.clear(100);
  assert.equal(buffer.stats().unplayedAtEndMs, 0);
  assert.equal(buffer.stats().clearedMs, 900);
});

/** A call's report as far as `judgeCall` reads it: ended by `by`, `unheardMs` left queued. */
function report(by: CallReport["ended"]["by"], unheardMs: number): CallReport {
  return {
    protocol: "twilio",
    url: "ws://127.0.0.1:9/",
    startedAt: "2026-12-07T00:00:00.000Z",
    speed: 1,
    connectMs: 1,
    handshakeMs: 0,
    durationMs: 3000,
    callerAudioMs: 3000,
    firstAudioMs: 100,
    firstAudibleMs: 100,
    utterances: [],
    notReached: null,
    leftUnsaid: null,
    responseLatencyMs: null,
    bargeIns: [],
    audio: {
      chunks: 1,
      receivedMs: 2000,
      playedMs: 2000 - unheardMs,
      clearedMs: 0,
      underruns: 0,
      underrunMs: 0,
      longestUnderrunMs: 0,
      lateChunks: 0,
      earlyChunks: 0,
      leadMs: null,
      maxQueuedMs: 2000,
      unplayedAtEndMs: unheardMs,
    },
    transportUnderruns: null,
    marks: { requested: 0, acked: 0, ackedOnClear: 0, dropped: 0, pending: 0, ackDelayMs: null },
    dtmf: { sent: 0, unsupported: 0, undetected: 0, afterEnd: 0 },
    violations: [],
    notes: {},
    messages: { sent: 0, received: 0, bytesSent: 0, bytesReceived: 0 },
    ended: { by, atMs: 2100, detail: "the call ended", ...(by === "bot" ? { code: 1000 } : {}) },
  };
}

Deno.test("judgeCall fails a bot's hang-up over more than 60 ms of its audio, not 60 ms", () => {
  assert.deepEqual(judgeCall(report("bot", 60)), { passed: true, failures: [] });
  assert.deepEqual(judgeCall(report("bot", 0)), { passed: true, failures: [] });
  const verdict = judgeCall(report("bot", 61));
  assert.deepEqual(verdict.failures.map((f) => f.reason), ["unheard-goodbye"]);
  assert.equal(
    verdict.failures[0]!.detail,
    "the bot hung up with 61 ms of its audio unheard (at 2.10 s, with 2.00 s received and " +
      "1.94 s played): more than the 60 ms a packet and jitter excuse (allowUnheardGoodbye " +
      "lets it pass)",
  );
  assert.deepEqual(judgeCall(report("bot", 1980), { allowUnheardGoodbye: true }), {
    passed: true,
    failures: [],
  });
});

Deno.test("judgeCall holds no other ending against the bot's audio left unheard", () => {
  // The caller's hang-up, the call's bound, a connection that dropped: not the bot's hang-up.
  for (const by of ["caller", "timeout"] as const) {
    assert.deepEqual(judgeCall(report(by, 1980)), { passed: true, failures: [] }, by);
  }
  const dropped = judgeCall(report("network", 1980));
  assert.deepEqual(dropped.failures.map((f) => f.reason), ["ending"]);
});

Deno.test("judgeCall refuses an allowUnheardGoodbye that is no boolean", () => {
  assert.throws(
    () => judgeCall(report("bot", 1980), { allowUnheardGoodbye: "false" as unknown as boolean }),
    {
      name: "TypeError",
      message: "allowUnheardGoodbye must be true or false, got a string (false)",
    },
  );
});
