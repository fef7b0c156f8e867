// A looped media in the far end's playout buffer: one message queued `times` over by reference
// (PlayoutBuffer.enqueue's `times`, FarEndContext.play's), not a copy per loop. ConversationRelay's
// `play` of `loop: 0` plays 1,000 times (Twilio's "Getting and sending WebSocket messages", "Play
// media message", `loop`: "A value of 0 plays it 1,000 times (maximum)"): 1,000 one-second clips,
// 16 MB at 8 kHz as one array, held per call until it plays or is dropped. Held by reference it is
// the one clip, and what the caller hears, what the recording keeps and what the report counts are
// what the one array gave: the same samples, the same figures.
import assert from "node:assert/strict";
import { Prng } from "../fuzz/prng.ts";
import { CallAudioTimeline } from "../../src/simulator/_call_audio.ts";
import { resolveCallOptions } from "../../src/simulator/_call_options.ts";
import type { FarEndContext, FarEndFactory } from "../../src/simulator/far_end.ts";
import { ConversationRelayFarEnd } from "../../src/simulator/far_ends/conversation_relay.ts";
import { PlayoutBuffer } from "../../src/simulator/playout_buffer.ts";
import { farEndContext } from "./far_ends/_context.ts";
import { callSilentBot, twoUtterances } from "./_silent_bot_call.ts";
import { rawChangedOnOpen } from "./_raw_far_end.ts";

/** `samples` `times` over, back to back, as one array: the looped play as it was queued before. */
function repeated(samples: Int16Array, times: number): Int16Array {
  const out = new Int16Array(samples.length * times);
  for (let i = 0; i < times; i++) out.set(samples, i * samples.length);
  return out;
}

/** A buffer that keeps what its speaker played, sample by sample (silence as 0). */
function speaker() {
  const heard: number[] = [];
  const buffer = new PlayoutBuffer({
    sampleRate: 8000,
    maxUnderrunMs: 30,
    earlyMs: 20,
    onPlay: (played) => {
      if (typeof played === "number") { for (let i = 0; i < played; i++) heard.push(0); }
      else heard.push(...played);
    },
  });
  return { buffer, heard };
}

Deno.test("PlayoutBuffer: a clip queued `times` over plays, drops and counts as the same clip copied `times` over", () => {
  for (let seed = 1; seed <= 300; seed++) {
    const prng = new Prng(seed);
    const next = () => prng.next();
    const byReference = speaker();
    const copied = speaker();
    let now = 0;
    let level = 1;
    for (let op = 0; op < 24; op++) {
      const pick = next();
      now += Math.floor(next() * 12 * 10) / 10; // a tenth of a ms at most, so samples split
      if (pick < 0.4) {
        // Every sample of every clip its own nonzero value: a view in the wrong place shows.
        const length = 1 + Math.floor(next() * 60);
        const clip = new Int16Array(length).map(() => level++);
        const times = 1 + Math.floor(next() * 9);
        byReference.buffer.enqueue(clip, now, times);
        copied.buffer.enqueue(repeated(clip, times), now);
      } else if (pick < 0.75) {
        const fromMs = Math.floor(next() * 400) / 10;
        const toMs = next() < 0.2 ? Infinity : fromMs + Math.floor(next() * 300) / 10;
        assert.deepEqual(
          byReference.buffer.dropQueued(fromMs, toMs, now),
          copied.buffer.dropQueued(fromMs, toMs, now),
          `seed ${seed}: the span dropped`,
        );
      } else if (pick < 0.8) {
        assert.equal(byReference.buffer.clear(now), copied.buffer.clear(now), `seed ${seed}`);
      } else if (pick < 0.85) {
        byReference.buffer.callerSpoke(now);
        copied.buffer.callerSpoke(now);
      } else {
        byReference.buffer.advance(now);
        copied.buffer.advance(now);
      }
      assert.equal(byReference.buffer.position, copied.buffer.position, `seed ${seed}`);
      assert.equal(byReference.buffer.consumed, copied.buffer.consumed, `seed ${seed}`);
      assert.equal(byReference.buffer.queuedMs, copied.buffer.queuedMs, `seed ${seed}`);
    }
    byReference.buffer.advance(now + 500);
    copied.buffer.advance(now + 500);
    assert.deepEqual(byReference.heard, copied.heard, `seed ${seed}: what the caller heard`);
    assert.deepEqual(byReference.buffer.stats(), copied.buffer.stats(), `seed ${seed}: figures`);
  }
});

Deno.test("PlayoutBuffer: a looped message is one chunk, early or late once, as it is one message", () => {
  const buffer = new PlayoutBuffer({ sampleRate: 8000, earlyMs: 500 });
  buffer.enqueue(new Int16Array(8000).fill(7), 0, 3); // 3 s
  buffer.enqueue(new Int16Array(80).fill(7), 0, 2); // 3 s ahead of it: early
  buffer.advance(3100); // all played by 3020, then 80 ms dry
  buffer.enqueue(new Int16Array(80).fill(7), 3120, 5); // 100 ms late: one underrun
  const stats = buffer.stats();
  assert.equal(stats.chunks, 3);
  assert.equal(stats.earlyChunks, 1);
  assert.equal(stats.lateChunks, 1);
  assert.equal(stats.underruns, 1);
  assert.equal(stats.receivedMs, 3000 + 20 + 50);
  assert.equal(stats.maxQueuedMs, 3020);
});

Deno.test("PlayoutBuffer: `times` other than a whole number >= 1 is refused, and nothing changes", () => {
  const { buffer, heard } = speaker();
  buffer.enqueue(new Int16Array(80).fill(3), 0);
  const before = buffer.stats();
  for (const times of [0, -1, 1.5, NaN, Infinity, "2" as unknown as number, 2 ** 53]) {
    assert.throws(
      () => buffer.enqueue(new Int16Array(80).fill(4), 5, times),
      RangeError,
      `times ${String(times)}`,
    );
  }
  assert.deepEqual(buffer.stats(), before);
  assert.equal(buffer.position, 80);
  assert.equal(heard.length, 0, "nothing played by a refused message");
});

Deno.test("PlayoutBuffer: what the speaker plays of a shared clip is a view of it, and the clip is never written", () => {
  const clip = new Int16Array(80).map((_, i) => i + 1);
  const original = clip.slice();
  const views: Int16Array[] = [];
  const buffer = new PlayoutBuffer({
    sampleRate: 8000,
    onPlay: (p) => void (typeof p !== "number" && views.push(p)),
  });
  buffer.enqueue(clip, 0, 50);
  buffer.advance(3.3);
  buffer.dropQueued(1.1, 7.7, 4);
  buffer.dropQueued(20, 30.05, 10);
  buffer.advance(500);
  buffer.enqueue(clip, 500, 4);
  buffer.clear(502.5);
  assert.deepEqual(clip, original);
  assert.ok(views.length > 0);
  for (const view of views) assert.equal(view.buffer, clip.buffer, "a view, not a copy");
});

/**
 * A ConversationRelay far end on the simulator's own audio timeline (_call_audio.ts: the playout
 * buffer, the bot's talk-spurt detector and the recorder, the readers of what the caller heard),
 * its `play` given as the simulator gives it (`times` honoured) or expanded into one array.
 */
function relayOnTimeline(expand: boolean) {
  let now = 0;
  const far = new ConversationRelayFarEnd({});
  const timeline = new CallAudioTimeline(
    far,
    resolveCallOptions({ protocol: "conversationrelay", record: true }),
  );
  const play: FarEndContext["play"] = expand
    ? (samples, times = 1) => timeline.play(repeated(samples, times), now)
    : (samples, times) => timeline.play(samples, now, times);
  far.open(farEndContext({
    now: () => now,
    play,
    queuedMs: () => (timeline.advance(now), timeline.buffer.queuedMs),
    clear: () => timeline.clear(now),
    dropQueued: (fromMs, toMs) => void timeline.buffer.dropQueued(fromMs, toMs, now),
    send: () => {},
  }));
  const bot = (message: Record<string, unknown>) => far.receive(JSON.stringify(message));
  return { timeline, bot, at: (ms: number) => void (now = ms) };
}

Deno.test("ConversationRelay `play` by reference: the recording, the bot's spurts and the figures are those of the copied loops", () => {
  const runs = [relayOnTimeline(false), relayOnTimeline(true)].map((run) => {
    const { timeline, bot, at } = run;
    const hold = { type: "play", source: "https://example.com/hold.mp3" };
    bot({ type: "text", token: "Please hold.", last: true });
    bot({ ...hold, loop: 3 });
    at(1234.5);
    bot({ ...hold, loop: 0, preemptible: true }); // 1,000 loops, to give way below
    at(6543.2);
    bot({ type: "text", token: "Thanks for holding.", last: true }); // preempts the hold music
    at(20_000);
    bot({ ...hold, loop: 2 });
    at(21_500.7);
    timeline.clear(21_500.7);
    timeline.finish(25_000);
    return {
      recording: timeline.recording(),
      spurts: timeline.bot.spurts,
      stats: timeline.buffer.stats(),
    };
  });
  const [byReference, copied] = runs;
  assert.equal(byReference!.stats.chunks, 5, "each play one message");
  assert.ok(byReference!.stats.clearedMs > 900_000, "the 1,000 loops mostly dropped");
  assert.deepEqual(byReference!.stats, copied!.stats);
  assert.deepEqual(byReference!.spurts, copied!.spurts);
  assert.ok(byReference!.recording && byReference!.recording.length > 0);
  assert.deepEqual(byReference!.recording, copied!.recording, "what the caller heard, recorded");
});

Deno.test("ConversationRelay `play` of `loop: 0`: the buffer holds the one clip, not 1,000 copies", () => {
  let now = 0;
  const held = new Set<ArrayBufferLike>();
  const buffer = new PlayoutBuffer({
    sampleRate: 8000,
    onPlay: (p) => void (typeof p !== "number" && held.add(p.buffer)),
  });
  const far = new ConversationRelayFarEnd({});
  far.open(farEndContext({
    now: () => now,
    play: (samples, times) => buffer.enqueue(samples, now, times),
    queuedMs: () => (buffer.advance(now), buffer.queuedMs),
    dropQueued: (fromMs, toMs) => void buffer.dropQueued(fromMs, toMs, now),
    send: () => {},
  }));
  far.receive(JSON.stringify({ type: "play", source: "https://example.com/hold.mp3", loop: 0 }));
  assert.equal(buffer.queuedMs, 1_000_000, "1,000 one-second loops queued");
  now = 1_000_000;
  buffer.advance(now); // all of it played: every array the queue held has been seen
  assert.equal(buffer.stats().playedMs, 1_000_000);
  const bytes = [...held].reduce((sum, b) => sum + b.byteLength, 0);
  // One second at 8 kHz is 16,000 bytes; the 1,000 loops copied were 16,000,000.
  assert.ok(bytes <= 16_000, `the queue held ${bytes} bytes of audio`);
});

/**
 * The raw far end, except that once open it plays a 100 ms clip 3 times over through the
 * simulator's own context (_call.ts), and tries `times` the context must refuse.
 */
function loopingFarEnd(refusals: unknown[]): FarEndFactory {
  return rawChangedOnOpen((farEnd, context) => {
    const clip = new Int16Array(farEnd.playbackRate / 10).fill(5000);
    for (const times of [0, 2.5]) {
      try {
        context.play(clip, times);
      } catch (error) {
        refusals.push(error);
      }
    }
    context.play(clip, 3);
  });
}

Deno.test("the simulator's context plays a clip `times` over as one message, and refuses `times` < 1 or fractional", async () => {
  const refusals: unknown[] = [];
  const report = await callSilentBot({ protocol: loopingFarEnd(refusals), audio: twoUtterances() });
  assert.equal(refusals.length, 2);
  for (const error of refusals) assert.ok(error instanceof RangeError, String(error));
  const { chunks, receivedMs, playedMs, clearedMs } = report.audio;
  assert.deepEqual({ chunks, receivedMs, playedMs, clearedMs }, {
    chunks: 1,
    receivedMs: 300,
    playedMs: 300,
    clearedMs: 0,
  });
});
