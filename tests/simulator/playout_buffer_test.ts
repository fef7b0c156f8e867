import assert from "node:assert/strict";
import { PlayoutBuffer } from "../../src/simulator/playout_buffer.ts";

const ms = (n: number) => new Int16Array(n * 8).fill(1000); // n ms at 8 kHz

Deno.test("PlayoutBuffer plays at its rate and tells when a queued position will have played", () => {
  const played: (number | Int16Array)[] = [];
  const buffer = new PlayoutBuffer({ sampleRate: 8000, onPlay: (p) => played.push(p) });
  buffer.enqueue(ms(40), 100); // arrives at 100 ms: 100 ms of silence played before it
  assert.equal(buffer.timeOfPosition(buffer.position), 140);
  buffer.advance(120);
  assert.equal(buffer.queuedMs, 20);
  assert.equal(played[0], 800);
  assert.equal((played[1] as Int16Array).length, 160);
  buffer.advance(200);
  assert.equal(buffer.playing, false);
  assert.equal(buffer.stats().playedMs, 40);
});

Deno.test("PlayoutBuffer counts a late chunk as an underrun and an early one as early", () => {
  const buffer = new PlayoutBuffer({ sampleRate: 8000, earlyMs: 100, maxUnderrunMs: 1000 });
  buffer.enqueue(ms(20), 0);
  buffer.enqueue(ms(20), 30); // 10 ms after the first ran dry
  buffer.enqueue(ms(200), 40); // 10 ms queued ahead: on time
  buffer.enqueue(ms(20), 45); // 205 ms queued ahead of it: early
  buffer.enqueue(ms(20), 5000); // after a long pause: a new turn, not an underrun
  const stats = buffer.stats();
  assert.equal(stats.underruns, 1);
  assert.equal(stats.underrunMs, 10);
  assert.equal(stats.lateChunks, 1);
  assert.equal(stats.earlyChunks, 1);
  assert.equal(stats.chunks, 5);
  assert.equal(stats.leadMs!.max, 205);
});

Deno.test("PlayoutBuffer drops everything queued on clear, and silence after a clear is no underrun", () => {
  const buffer = new PlayoutBuffer({ sampleRate: 8000 });
  buffer.enqueue(ms(1000), 0);
  assert.equal(buffer.clear(300), 700 * 8);
  assert.equal(buffer.consumed, buffer.position);
  buffer.enqueue(ms(20), 400);
  const stats = buffer.stats();
  assert.equal(stats.clearedMs, 700);
  assert.equal(stats.playedMs, 300);
  assert.equal(stats.underruns, 0);
});

Deno.test("PlayoutBuffer has played a lone 20 ms chunk 20 ms after it came, not a chunk later", () => {
  // A mark behind it is answered once the audio before it has played (Twilio's Media Streams
  // docs, "Mark message"): for one chunk into an empty buffer, its own length after it arrived.
  const buffer = new PlayoutBuffer({ sampleRate: 8000 });
  buffer.enqueue(ms(20), 3500);
  assert.equal(buffer.timeOfPosition(buffer.position), 3520);
  buffer.advance(3519);
  assert.ok(buffer.consumed < buffer.position);
  buffer.advance(3520);
  assert.equal(buffer.consumed, buffer.position);
});

Deno.test("PlayoutBuffer's playedMs is stats().playedMs at every step: played audio only, not silence nor what a clear dropped", () => {
  const buffer = new PlayoutBuffer({ sampleRate: 8000 });
  const steps: Array<[string, () => void, number]> = [
    ["empty", () => {}, 0],
    ["silence", () => buffer.advance(100), 0],
    ["queued", () => buffer.enqueue(ms(500), 100), 0],
    ["part played", () => buffer.advance(237), 137],
    ["cleared", () => buffer.clear(300), 200],
    ["silence after", () => buffer.advance(400), 200],
    ["more", () => buffer.enqueue(ms(35), 400), 200],
    ["played out", () => buffer.advance(1000), 235],
  ];
  for (const [name, step, playedMs] of steps) {
    step();
    assert.equal(buffer.playedMs, playedMs, name);
    assert.equal(buffer.stats().playedMs, buffer.playedMs, name);
  }
});
