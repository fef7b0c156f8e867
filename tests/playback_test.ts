// Playback truth, end to end through a transport on the fake clock: what the caller heard, when
// the bot is audible, no stale audio after an interruption, and an end that waits for the goodbye.
import assert from "node:assert/strict";
import {
  type AudioFrame,
  type Frame,
  RawPcmSerializer,
  type SpeakingEvent,
  type TransportError,
  WebSocketTransport,
} from "../mod.ts";
import type { TransportOptions } from "../src/transport_options.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "./_fake_far_end.ts";

const BYTES_PER_MS = 32; // 16 kHz mono PCM16

interface Setup {
  acks?: boolean;
  farEndAcks?: boolean;
  jitterMs?: number;
  options?: TransportOptions;
  /** Listen for the speaking events (the default); without, the transport tells only when asked. */
  listen?: boolean;
}

function call(setup: Setup = {}) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(setup.acks ?? true),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
    clock,
    ...setup.options,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, {
    jitterMs: setup.jitterMs ?? 100,
    bytesPerMs: BYTES_PER_MS,
    acks: setup.farEndAcks ?? true,
  });
  const events: { type: string; at: number; event: SpeakingEvent }[] = [];
  const listen = () => {
    for (const type of ["speakingstart", "speakingstop"] as const) {
      transport.addEventListener(type, (event) => events.push({ type, at: clock.now(), event }));
    }
  };
  if (setup.listen ?? true) listen();
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  return { clock, pair, transport, farEnd, events, errors, listen };
}

/** `ms` of audio whose every byte is `value`, tagged with `responseId` when given. */
function speech(ms: number, value: number, responseId?: string): AudioFrame {
  const frame: AudioFrame = {
    type: "audio",
    audio: new Uint8Array(ms * BYTES_PER_MS).fill(value),
    sampleRate: 16000,
    channels: 1,
  };
  if (responseId !== undefined) frame.responseId = responseId;
  return frame;
}

async function hangUp(c: ReturnType<typeof call>): Promise<void> {
  c.pair.client.close(1000);
  await c.transport.closed;
}

Deno.test("`interrupt` tells what the caller heard, to one mark interval, from the far end's acks", async () => {
  for (const jitterMs of [40, 150, 400]) {
    const c = call({ jitterMs });
    await c.clock.tick(0);
    c.transport.send(speech(4000, 1, "r1"));
    await c.clock.tick(1300);
    const result = await c.transport.interrupt();
    const truth = c.farEnd.playedMs(1);
    assert.equal(result.responseId, "r1");
    assert.equal(result.acknowledged, true);
    assert.ok(
      Math.abs(result.heardMs - truth) <= 250,
      `jitter ${jitterMs}: heard ${result.heardMs} ms, the far end played ${truth} ms`,
    );
    assert.ok(result.heardMs <= truth + 20, "never more than was really heard, to a chunk");
    assert.ok(
      Math.abs(result.droppedMs + result.heardMs - 4000) <= 20,
      `dropped ${result.droppedMs}`,
    );
    await hangUp(c);
  }
});

Deno.test("`interrupt` without acknowledgements tells what was heard by the estimate", async () => {
  // The far end holds every chunk 100 ms before playing it, and the transport is told so.
  const c = call({ acks: false, jitterMs: 100, options: { playoutDelayMs: 100 } });
  await c.clock.tick(0);
  c.transport.send(speech(4000, 1, "r1"));
  await c.clock.tick(1300);
  const result = await c.transport.interrupt();
  assert.equal(result.acknowledged, false);
  assert.ok(Math.abs(result.heardMs - c.farEnd.playedMs(1)) <= 1, `heard ${result.heardMs}`);
  assert.equal(
    c.pair.server.sent.filter((m) => typeof m === "string" && m.startsWith("mark:")).length,
    0,
  );
  await hangUp(c);
});

Deno.test("`interrupt` on raw PCM, which cannot clear the far end: what was sent is heard, not dropped, and the next response follows it", async () => {
  // Raw PCM has no message that stops the far end's player: all it was sent plays on.
  const c = call({
    jitterMs: 100,
    options: { serializer: new RawPcmSerializer(), playoutDelayMs: 100 },
  });
  await c.clock.tick(0);
  c.transport.send(speech(4000, 1, "r1"));
  await c.clock.tick(1300);
  const result = await c.transport.interrupt();
  await c.clock.tick(5000);
  const heard = c.farEnd.playedMs(1); // all of r1 the far end ever played
  assert.ok(heard > 1300, `the far end played ${heard} ms after the interruption too`);
  assert.equal(result.responseId, "r1");
  assert.equal(result.heardMs, heard, "what the caller hears of r1: all that was sent");
  assert.equal(result.droppedMs, 4000 - heard, "only what never left is dropped");
  assert.equal(result.acknowledged, false);
  assert.equal(c.transport.stats.audioBytesInterrupted, (4000 - heard) * BYTES_PER_MS);
  await hangUp(c);
});

Deno.test("after an interruption on raw PCM the next response is paced behind what still plays: speakingstart when it is heard", async () => {
  const c = call({
    jitterMs: 100,
    options: { serializer: new RawPcmSerializer(), playoutDelayMs: 100 },
  });
  await c.clock.tick(0);
  c.transport.send(speech(2000, 1, "r1"));
  await c.clock.tick(500);
  await c.transport.interrupt();
  const r1End = c.farEnd.playsUntil;
  c.transport.send(speech(1000, 2, "r2"));
  await c.clock.tick(3000);
  const r2 = c.farEnd.played.find((span) => span.value === 2)!;
  assert.equal(r2.at, r1End, "r2 plays right after r1, with no gap and no overlap");
  const start = c.events.find((e) => e.type === "speakingstart" && e.event.responseId === "r2");
  assert.ok(start !== undefined);
  assert.ok(Math.abs(start.at - r2.at) <= 20, `speakingstart at ${start.at}, heard from ${r2.at}`);
  // Paced as ever: r2's first chunk left one send-ahead (20 ms) before it was due to play, by
  // the estimate (play time less the 100 ms delay), not in a burst at the interruption.
  const sentAt = c.farEnd.arrivals[c.farEnd.played.indexOf(r2)]!.at;
  assert.ok(sentAt >= r1End - 100 - 20 - 1, `r2 left at ${sentAt}; r1 plays until ${r1End}`);
  await hangUp(c);
});

Deno.test("no byte of an interrupted response reaches the socket, though the bot writes it on for 2 s", async () => {
  const c = call();
  await c.clock.tick(0);
  c.transport.send(speech(1000, 1, "r1"));
  await c.clock.tick(500);
  let stale = 0;
  c.transport.addEventListener("staleaudio", () => stale++);
  await c.transport.interrupt();
  const sentBefore = c.farEnd.arrivals.length;
  for (let t = 0; t < 2000; t += 20) {
    c.transport.send(speech(20, 1, "r1")); // a TTS stream that has not noticed
    await c.clock.tick(20);
  }
  assert.equal(c.farEnd.arrivals.length, sentBefore, "nothing of r1 after the interruption");
  assert.equal(c.transport.stats.audioBytesStale, 100 * 20 * BYTES_PER_MS);
  assert.equal(stale, 1, "reported once for the response");
  c.transport.send(speech(100, 2, "r2"));
  await c.clock.tick(200);
  assert.equal(c.farEnd.playedMs(2), 100, "a new response opens the gate");
  await hangUp(c);
});

Deno.test("`startResponse` gives a bot that tags nothing the same stale-audio gate", async () => {
  const c = call();
  await c.clock.tick(0);
  const id = c.transport.startResponse();
  c.transport.send(speech(1000, 1));
  await c.clock.tick(300);
  const result = await c.transport.interrupt();
  assert.equal(result.responseId, id);
  const before = c.farEnd.arrivals.length;
  c.transport.send(speech(200, 1));
  await c.clock.tick(300);
  assert.equal(c.farEnd.arrivals.length, before, "untagged audio of the interrupted response");
  c.transport.startResponse();
  c.transport.send(speech(100, 2));
  await c.clock.tick(300);
  assert.equal(c.farEnd.playedMs(2), 100);
  await hangUp(c);
});

Deno.test("a bot that tags nothing and never begins responses keeps today's behaviour", async () => {
  const c = call();
  await c.clock.tick(0);
  c.transport.send(speech(500, 1));
  await c.clock.tick(100);
  await c.transport.interrupt();
  c.transport.send(speech(100, 2));
  await c.clock.tick(300);
  assert.equal(c.farEnd.playedMs(2), 100, "no gate without ids");
  assert.equal(c.transport.stats.audioBytesStale, 0);
  await hangUp(c);
});

Deno.test("speakingstart fires when the first audio plays and speakingstop at the ack, not the send", async () => {
  const c = call({ jitterMs: 300 });
  await c.clock.tick(0);
  c.transport.send(speech(1000, 1, "r1"));
  await c.clock.tick(3000);
  const [start, stop] = c.events;
  assert.equal(start?.type, "speakingstart");
  assert.equal(start.event.responseId, "r1");
  assert.equal(stop?.type, "speakingstop");
  assert.equal(stop.event.reason, "played");
  assert.equal(stop.event.acknowledged, true);
  assert.equal(stop.event.heardMs, 1000);
  const lastSent = c.farEnd.arrivals.at(-1)!.at;
  const played = c.farEnd.playsUntil;
  assert.equal(stop.at, played, `stopped at ${stop.at}: the far end finished at ${played}`);
  assert.ok(stop.at > lastSent + 250, "well after the last chunk left");
  await hangUp(c);
});

Deno.test("speakingstop reports an interruption with what was heard; a new response starts again", async () => {
  const c = call({ jitterMs: 40 });
  await c.clock.tick(0);
  c.transport.send(speech(2000, 1, "r1"));
  await c.clock.tick(700);
  assert.equal(c.transport.playback.speaking, true);
  assert.equal(c.transport.playback.responseId, "r1");
  const result = await c.transport.interrupt();
  const stop = c.events.find((e) => e.type === "speakingstop")!;
  assert.equal(stop.event.reason, "interrupted");
  assert.equal(stop.event.heardMs, result.heardMs);
  assert.equal(c.transport.playback.speaking, false);
  c.transport.send(speech(300, 2, "r2"));
  await c.clock.tick(1000);
  assert.deepEqual(
    c.events.map((e) => [e.type, e.event.responseId, e.event.reason]),
    [
      ["speakingstart", "r1", undefined],
      ["speakingstop", "r1", "interrupted"],
      ["speakingstart", "r2", undefined],
      ["speakingstop", "r2", "played"],
    ],
  );
  await hangUp(c);
});

Deno.test("two responses back to back: the first stops as the second starts", async () => {
  const c = call({ jitterMs: 60 });
  await c.clock.tick(0);
  c.transport.send(speech(400, 1, "a"));
  c.transport.send(speech(400, 2, "b"));
  await c.clock.tick(2000);
  const byType = c.events.map((e) => `${e.type}:${e.event.responseId}@${e.at}`);
  const aStop = c.events.find((e) => e.type === "speakingstop" && e.event.responseId === "a")!;
  const bStart = c.events.find((e) => e.type === "speakingstart" && e.event.responseId === "b")!;
  assert.ok(Math.abs(aStop.at - bStart.at) <= 80, byType.join(" "));
  assert.equal(aStop.event.heardMs, 400);
  await hangUp(c);
});

Deno.test("an end hangs up only after the far end acknowledged the last audio", async () => {
  const c = call({ jitterMs: 500 });
  await c.clock.tick(0);
  c.transport.send(speech(1000, 1, "bye"));
  const ended = c.transport.send({ type: "end" });
  await c.clock.tick(5000);
  await ended;
  const end = c.farEnd.texts.find((t) => t.text === "end")!;
  assert.ok(
    end.at >= c.farEnd.playsUntil,
    `end at ${end.at}, playout until ${c.farEnd.playsUntil}`,
  );
  assert.equal(c.farEnd.playedMs(1), 1000, "the whole goodbye was heard");
  assert.equal(c.errors.length, 0);
  // The goodbye played to its end before the hang-up: it stopped as played, not as ended.
  const stop = c.events.find((e) => e.type === "speakingstop")!;
  assert.equal(stop.event.reason, "played");
  assert.equal(stop.event.heardMs, 1000);
  assert.equal(stop.event.acknowledged, true);
  assert.ok(stop.at <= end.at, `speakingstop at ${stop.at}, the hang-up at ${end.at}`);
});

Deno.test("an end without acknowledgements: the goodbye stops as played at its estimated end", async () => {
  const c = call({ acks: false, jitterMs: 100, options: { playoutDelayMs: 100 } });
  await c.clock.tick(0);
  c.transport.send(speech(600, 1, "bye"));
  c.transport.send({ type: "end" });
  await c.clock.tick(3000);
  const stops = c.events.filter((e) => e.type === "speakingstop");
  assert.deepEqual(stops.map((e) => [e.event.reason, e.event.heardMs]), [["played", 600]]);
  assert.equal(stops[0]!.at, c.farEnd.playsUntil);
  assert.equal(c.errors.length, 0);
});

Deno.test("an end hangs up within playoutTimeoutMs when the acknowledgements never come", async () => {
  const c = call({ jitterMs: 100, farEndAcks: false, options: { playoutTimeoutMs: 1000 } });
  await c.clock.tick(0);
  c.transport.send(speech(500, 1, "bye"));
  c.transport.send({ type: "end" });
  await c.clock.tick(3000);
  const end = c.farEnd.texts.find((t) => t.text === "end");
  assert.ok(end !== undefined, "hung up all the same");
  assert.ok(end.at >= 500 && end.at <= 500 + 1000 + 20, `end at ${end.at}`);
  assert.equal(c.errors[0]?.code, "timeout");
  assert.equal((await c.transport.closed).code, 1000);
});

Deno.test("`endSilenceMs` sends silence after the last audio before hanging up", async () => {
  const c = call({ acks: false, jitterMs: 20, options: { endSilenceMs: 300, playoutDelayMs: 20 } });
  await c.clock.tick(0);
  c.transport.send(speech(200, 1, "bye"));
  c.transport.send({ type: "end" });
  await c.clock.tick(2000);
  assert.equal(c.farEnd.playedMs(1), 200);
  assert.equal(c.farEnd.playedMs(0), 300, "300 ms of zeros");
  const end = c.farEnd.texts.find((t) => t.text === "end")!;
  assert.ok(end.at >= c.farEnd.playsUntil);
});

Deno.test("`playback` after an interruption says what was heard of the response, as `interrupt()` did", async () => {
  for (const acks of [true, false]) {
    const c = call({ acks, jitterMs: 150 });
    await c.clock.tick(0);
    c.transport.send(speech(3000, 1, "r1"));
    await c.clock.tick(1000);
    const result = await c.transport.interrupt();
    await c.clock.tick(500);
    const state = c.transport.playback;
    assert.equal(state.responseId, "r1");
    assert.equal(state.speaking, false);
    assert.equal(state.heardMs, result.heardMs, `acks: ${acks}`);
    assert.ok(state.heardMs < state.sentMs, `heard ${state.heardMs} of ${state.sentMs} sent`);
    await hangUp(c);
  }
});

Deno.test("a response that pauses longer than the quiet time is still one response: heardMs counts all of it", async () => {
  // A TTS stream with a pause between sentences: 1 s of r1, 300 ms of nothing, more r1. The
  // pause ends the spell (speakingstop, then speakingstart again), but what was heard of r1 is
  // what an LLM's context is cut to: both spells.
  for (const acks of [true, false]) {
    const c = call({ acks, jitterMs: 40, options: acks ? {} : { playoutDelayMs: 40 } });
    await c.clock.tick(0);
    c.transport.send(speech(1000, 1, "r1"));
    await c.clock.tick(1300);
    c.transport.send(speech(2000, 1, "r1"));
    await c.clock.tick(800);
    const heardTruth = c.farEnd.playedMs(1);
    const result = await c.transport.interrupt();
    assert.equal(result.responseId, "r1");
    // To one mark interval (250 ms) where acknowledged, to the estimate otherwise.
    assert.ok(
      result.heardMs <= heardTruth && result.heardMs >= heardTruth - 260,
      `acks ${acks}: heard ${result.heardMs} ms, the far end played ${heardTruth}`,
    );
    const stop = c.events.filter((e) => e.type === "speakingstop").at(-1)!;
    assert.equal(stop.event.heardMs, result.heardMs);
    // Sent so far: the first spell's 1,000 ms and what of the second left by the interruption.
    assert.ok(
      stop.event.sentMs > 1000 && stop.event.sentMs >= result.heardMs,
      `sent ${stop.event.sentMs} ms of r1 in all`,
    );
    await hangUp(c);
  }
});

Deno.test("`endSilenceMs` after an interruption sends no silence and brings back no interrupted response", async () => {
  const c = call({ jitterMs: 20, options: { endSilenceMs: 300 } });
  await c.clock.tick(0);
  c.transport.send(speech(2000, 1, "r1"));
  await c.clock.tick(500);
  await c.transport.interrupt();
  c.transport.send({ type: "end" });
  await c.clock.tick(3000);
  // Nothing plays after the interruption: the silence a hang-up could cut off has nothing to
  // protect, and it is nobody's speech.
  assert.deepEqual(
    c.events.map((e) => [e.type, e.event.responseId, e.event.reason]),
    [["speakingstart", "r1", undefined], ["speakingstop", "r1", "interrupted"]],
  );
  assert.equal(c.farEnd.playedMs(0), 0, "no silence sent");
  assert.equal((await c.transport.closed).code, 1000);
});

Deno.test("the transport's own marks never reach the bot; the bot's marks still do", async () => {
  const c = call({ jitterMs: 50 });
  const inbound: Frame[] = [];
  c.transport.receive((frame) => inbound.push(frame));
  await c.clock.tick(0);
  c.transport.send(speech(600, 1, "r1"));
  c.transport.send({ type: "mark", name: "mine" });
  await c.clock.tick(2000);
  assert.deepEqual(inbound, [{ type: "mark", name: "mine" }]);
  assert.ok(c.transport.stats.marksSent >= 2);
  assert.equal(c.transport.stats.marksAcknowledged, c.transport.stats.marksSent);
  assert.equal(c.transport.stats.framesIn, 1);
  await hangUp(c);
});

/** The audio positions (ms) of the transport's own marks, as the far end received them. */
function markPositions(c: ReturnType<typeof call>): number[] {
  return c.farEnd.texts.filter((t) => t.text.startsWith("mark:__wst:"))
    .map((t) => t.bytesBefore / BYTES_PER_MS);
}

/** Sends `ms` of audio in real time, one 20 ms chunk at a time, as a live relay does. */
async function relay(c: ReturnType<typeof call>, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 20) {
    c.transport.send(speech(20, 1));
    await c.clock.tick(20);
  }
}

Deno.test("marks come every markIntervalMs of audio and at the end, not per chunk of a live relay", async () => {
  const c = call({ jitterMs: 40, options: { maxMarkIntervalMs: 250 } });
  await c.clock.tick(0);
  await relay(c, 2000);
  await c.clock.tick(500);
  const marks = c.farEnd.texts.filter((t) => t.text.startsWith("mark:"));
  assert.ok(marks.length >= 8 && marks.length <= 10, `${marks.length} marks for 2 s`);
  assert.equal(c.events.filter((e) => e.type === "speakingstop").length, 1);
  await hangUp(c);
});

Deno.test("marks spread out to maxMarkIntervalMs while the far end plays where the estimate says", async () => {
  const c = call({ jitterMs: 40 }); // defaults: 250 ms, up to 1000 ms
  await c.clock.tick(0);
  await relay(c, 4000);
  await c.clock.tick(500);
  // Positions fall on 20 ms chunks: the session's first mark after its first chunk (while no
  // acknowledgement has measured the far end's delay: outside the cadence), then one once 250 ms
  // have gone. The first acknowledgement teaches the delay; each later one of the cadence that
  // agrees doubles the gap, up to 1000.
  assert.deepEqual(markPositions(c), [20, 260, 520, 1020, 2020, 3020, 4000]);
  assert.equal(c.transport.stats.marksAcknowledged, 7);
  await hangUp(c);
});

Deno.test("an acknowledgement that disagrees with the estimate brings the marks back to markIntervalMs", async () => {
  const c = call({ jitterMs: 40 });
  await c.clock.tick(0);
  await relay(c, 2500); // marks at (20,) 260, 520, 1020, 2020: the gap is 1000 ms by now
  c.farEnd.delayBy(200); // the far end now plays 200 ms later than it did
  await relay(c, 2500);
  await c.clock.tick(500);
  const positions = markPositions(c);
  // The session's first mark, after its first chunk, is outside the cadence.
  assert.deepEqual(positions.slice(0, 5), [20, 260, 520, 1020, 2020]);
  // The mark at 3020 comes back 200 ms later than the estimate: the next is 250 ms on, and they
  // spread again as the acknowledgements agree with the new delay.
  assert.deepEqual(positions.slice(5), [3020, 3280, 3780, 4780, 5000]);
  assert.ok(Math.abs(c.transport.playback.heardMs - 5000) < 1e-6);
  await hangUp(c);
});

Deno.test("a response streamed a little slower than real time is one spell of speaking, not one per chunk", async () => {
  // No acknowledgements: the estimate alone. Each chunk comes 1 ms after the one before has
  // played (a relay whose source runs slow), so the far end runs dry for a moment every time.
  const c = call({ acks: false, farEndAcks: false, jitterMs: 0 });
  await c.clock.tick(0);
  for (let i = 0; i < 50; i++) {
    c.transport.send(speech(20, 1, "r1"));
    await c.clock.tick(21);
  }
  const lastPlayed = c.clock.now() - 1; // the last chunk left at once and played for 20 ms
  await c.clock.tick(500);
  const types = c.events.map((e) => e.type);
  assert.deepEqual(types, ["speakingstart", "speakingstop"]);
  const stop = c.events[1]!;
  assert.equal(stop.event.reason, "played");
  assert.equal(stop.event.heardMs, 1000);
  // It stops once nothing more came for the quiet time (two chunks here), not long after.
  assert.ok(
    stop.at >= lastPlayed && stop.at <= lastPlayed + 40,
    `stopped at ${stop.at}; the last audio played until ${lastPlayed}`,
  );
  await hangUp(c);
});

Deno.test("a session that ends while the bot speaks stops it as ended", async () => {
  const c = call();
  await c.clock.tick(0);
  c.transport.send(speech(1000, 1, "r1"));
  await c.clock.tick(300);
  c.pair.client.close(1000);
  await c.transport.closed;
  const stop = c.events.find((e) => e.type === "speakingstop")!;
  assert.equal(stop.event.reason, "ended");
  assert.ok(stop.event.heardMs > 0 && stop.event.heardMs < 1000);
  await c.clock.runAll();
  assert.equal(c.clock.pendingTimers, 0, "no timer outlives the session");
});

Deno.test("with no speaking listener, `playback` and `interrupt` tell what they tell with one", async () => {
  // Nobody told of playback as it happens: the transport brings it up to date only when asked.
  for (const acks of [true, false]) {
    const heard = call({ acks, options: acks ? {} : { playoutDelayMs: 100 } });
    const unheard = call({ acks, listen: false, options: acks ? {} : { playoutDelayMs: 100 } });
    const script: [number, AudioFrame | undefined][] = [
      [0, speech(600, 1, "r1")],
      [250, undefined],
      [700, speech(900, 2, "r2")],
      [400, undefined],
      [1500, speech(300, 3, "r3")],
      [150, undefined],
    ];
    for (const [ms, frame] of script) {
      for (const c of [heard, unheard]) {
        await c.clock.tick(ms);
        if (frame) c.transport.send(frame);
      }
      assert.deepEqual(unheard.transport.playback, heard.transport.playback, `acks ${acks}`);
    }
    const results = await Promise.all([heard, unheard].map((c) => c.transport.interrupt()));
    assert.deepEqual(results[1], results[0], `acks ${acks}`);
    assert.equal(results[0]!.responseId, "r3");
    await Promise.all([hangUp(heard), hangUp(unheard)]);
  }
});

Deno.test("a speaking listener added while a response plays hears it stop (its start was before)", async () => {
  for (const acks of [true, false]) {
    const c = call({ acks, listen: false });
    await c.clock.tick(0);
    c.transport.send(speech(1000, 1, "r1"));
    await c.clock.tick(400); // r1 is audible by now; nobody listens yet
    assert.equal(c.transport.playback.speaking, true);
    c.listen();
    c.transport.send(speech(200, 2, "r2"));
    await c.clock.tick(2000);
    assert.deepEqual(
      c.events.map((e) => [e.type, e.event.responseId, e.event.reason]),
      [
        ["speakingstop", "r1", "played"],
        ["speakingstart", "r2", undefined],
        ["speakingstop", "r2", "played"],
      ],
      `acks ${acks}`,
    );
    await hangUp(c);
  }
});

Deno.test("an interruption while an end waits for the goodbye's playout: the end goes on, at once where the far end cleared, when the rest has played where it could not", async () => {
  // Cleared: nothing is left to play, so the hang-up follows the clear.
  const c = call({ jitterMs: 100 });
  await c.clock.tick(0);
  c.transport.send(speech(400, 1, "bye"));
  const ended = c.transport.send({ type: "end" });
  await c.clock.tick(450); // all of it sent; the end waits for its acknowledgement
  const result = await c.transport.interrupt();
  assert.equal(result.responseId, "bye");
  await c.clock.tick(100);
  const end = c.farEnd.texts.find((t) => t.text === "end");
  assert.ok(end !== undefined && end.at <= 450 + 20, `end at ${end?.at}`);
  await ended;
  assert.equal(c.errors.length, 0);
  // Raw PCM cannot be cleared: the goodbye plays on, and the hang-up comes when it would have.
  const closedAt: number[] = [];
  for (const interrupt of [false, true]) {
    const raw = call({
      jitterMs: 100,
      options: { serializer: new RawPcmSerializer(), playoutDelayMs: 300 },
    });
    await raw.clock.tick(0);
    raw.transport.send(speech(400, 1, "bye"));
    void raw.transport.send({ type: "end" });
    await raw.clock.tick(450);
    if (interrupt) {
      const heard = await raw.transport.interrupt();
      assert.deepEqual([heard.heardMs, heard.droppedMs], [400, 0]);
    }
    void raw.transport.closed.then(() => closedAt.push(raw.clock.now()));
    await raw.clock.tick(2000);
    assert.equal(closedAt.length, interrupt ? 2 : 1, "hung up");
  }
  assert.ok(closedAt[0]! >= 400 + 300, `hung up at ${closedAt[0]} without the interruption`);
  assert.ok(
    Math.abs(closedAt[1]! - closedAt[0]!) <= 20,
    `${closedAt[1]} with, ${closedAt[0]} without`,
  );
});

Deno.test("a far end that never acknowledges: past playoutTimeoutMs what was heard is the estimate, not the first mark", async () => {
  const c = call({ jitterMs: 100, farEndAcks: false, options: { playoutTimeoutMs: 500 } });
  await c.clock.tick(0);
  c.transport.send(speech(1000, 1, "a"));
  await c.clock.tick(500);
  // Within the bound the first unanswered mark (the session's first, after its first chunk: it
  // is overdue from 20 + 500 ms) caps what was heard.
  assert.equal(c.transport.playback.heardMs, 20);
  await c.clock.tick(1500);
  assert.equal(c.transport.playback.heardMs, 1000, "the estimate, once the mark is overdue");
  c.transport.send(speech(1000, 2, "bye"));
  c.transport.send({ type: "end" });
  await c.clock.tick(3000);
  const stops = c.events.filter((e) => e.type === "speakingstop");
  assert.deepEqual(
    stops.map((e) => [e.event.responseId, e.event.reason, e.event.heardMs, e.event.acknowledged]),
    [["a", "played", 1000, false], ["bye", "played", 1000, false]],
  );
  assert.equal(c.errors[0]?.code, "timeout");
});

Deno.test("an interruption frame written through the writable does not wait behind a long write waiting for room", async () => {
  const c = call({ jitterMs: 100, options: { maxQueuedMs: 200 } });
  await c.clock.tick(0);
  const writer = c.transport.writable.getWriter();
  void writer.write(speech(3000, 1, "r1")); // far more than maxQueuedMs: waits for room
  void writer.write(speech(500, 2)); // written before the interruption, behind the wait
  await c.clock.tick(100);
  void writer.write({ type: "interruption" });
  await c.clock.tick(0);
  const clear = c.farEnd.texts.find((t) => t.text === "clear");
  assert.equal(clear?.at, 100, "the clear left when the interruption was written");
  await c.clock.tick(3000);
  assert.ok(c.farEnd.playedMs(1) <= 100, `${c.farEnd.playedMs(1)} ms of r1 played`);
  assert.equal(c.farEnd.playedMs(2), 0, "nothing written before the interruption played after it");
  assert.equal(c.transport.stats.audioBytesInterrupted >= 500 * BYTES_PER_MS, true);
  writer.releaseLock();
  await hangUp(c);
});

Deno.test("a cancel or a close while an end waits for playout: no goodbye sent, no timeout reported", async () => {
  for (const how of ["cancel", "close"] as const) {
    const c = call({ jitterMs: 100 });
    await c.clock.tick(0);
    c.transport.send(speech(400, 1, "bye"));
    void c.transport.send({ type: "end" });
    await c.clock.tick(420); // all of it sent; the end waits for the acknowledgement
    if (how === "cancel") void c.transport.send({ type: "cancel" });
    else void c.transport.close(4000, "app closing");
    await c.clock.tick(1000);
    const closed = await c.transport.closed;
    assert.equal(closed.code, how === "cancel" ? 1000 : 4000);
    assert.equal(c.farEnd.texts.find((t) => t.text === "end"), undefined, `${how}: no end sent`);
    assert.deepEqual(c.errors, [], `${how}: nothing timed out`);
  }
});

Deno.test("a far end that stalls: heardMs holds at its unanswered mark for playoutTimeoutMs, then moves on no faster than real time", async () => {
  const c = call({ jitterMs: 100 }); // playoutTimeoutMs 2000 by default
  await c.clock.tick(0);
  c.transport.send(speech(10_000, 1, "r1"));
  await c.clock.tick(1000);
  c.farEnd.delayBy(2500); // its network stalls 2.5 s
  for (let t = 1100; t <= 6000; t += 100) {
    await c.clock.tick(100);
    const heard = c.transport.playback.heardMs;
    const truth = c.farEnd.playedMs(1);
    // Ahead of the truth by a mark interval at most (they spread to maxMarkIntervalMs, 1 s), and
    // by the part of the stall past playoutTimeoutMs (500 ms): never by the whole stall.
    assert.ok(heard <= truth + 1500, `at ${t} ms: heard ${heard}, the far end played ${truth}`);
  }
  const result = await c.transport.interrupt();
  assert.ok(result.heardMs - c.farEnd.playedMs(1) <= 1000, "within a mark interval");
  await hangUp(c);
});

Deno.test("a far end that stops acknowledging mid-call: heardMs moves on behind it, never frozen", async () => {
  const c = call({ jitterMs: 100, options: { playoutTimeoutMs: 500 } });
  await c.clock.tick(0);
  c.transport.send(speech(3000, 1, "r1"));
  await c.clock.tick(600);
  c.farEnd.stopAcking();
  for (let t = 700; t <= 3500; t += 100) {
    await c.clock.tick(100);
    const heard = c.transport.playback.heardMs;
    const truth = c.farEnd.playedMs(1);
    // Behind by the bound and a mark interval at most; never ahead of what played.
    assert.ok(heard <= truth + 20, `at ${t} ms: heard ${heard} ahead of ${truth}`);
    assert.ok(
      truth - heard <= 500 + 1000,
      `at ${t} ms: heard ${heard}, the far end played ${truth}`,
    );
  }
  c.transport.send(speech(2000, 2, "r2"));
  await c.clock.tick(4000);
  const stops = c.events.filter((e) => e.type === "speakingstop");
  assert.deepEqual(stops.map((e) => [e.event.responseId, e.event.heardMs]), [["r1", 3000], [
    "r2",
    2000,
  ]]);
  await hangUp(c);
});

Deno.test("marks but no clear message: an interruption while an end waits lets what was sent play out before the hang-up", async () => {
  class MarksNoClear extends MarkingSerializer {
    override serialize(frame: Frame) {
      return frame.type === "interruption" ? null : super.serialize(frame);
    }
  }
  const c = call({ jitterMs: 100, options: { serializer: new MarksNoClear() } });
  await c.clock.tick(0);
  c.transport.send(speech(2000, 1, "bye"));
  void c.transport.send({ type: "end" });
  await c.clock.tick(1990); // all of it sent, 110 ms of it still to play
  await c.transport.interrupt();
  await c.clock.tick(3000);
  const end = c.farEnd.texts.find((t) => t.text === "end");
  assert.ok(end !== undefined && end.at >= c.farEnd.playsUntil, `end at ${end?.at}`);
  assert.equal(c.farEnd.playedMs(1), 2000, "the whole goodbye played");
});

Deno.test("figures past an overdue mark say they are estimated; the late acknowledgement brings the truth back, for the next response too", async () => {
  // A 4 s stall with playoutTimeoutMs 500: past the bound the heard position runs on by the
  // estimate, into the next response (acknowledged: false); the late acknowledgement puts it back
  // in the first, and the second, not yet played, is heard 0 again.
  const c = call({ jitterMs: 100, options: { playoutTimeoutMs: 500 } });
  await c.clock.tick(0);
  c.transport.send(speech(3000, 1, "r1"));
  await c.clock.tick(1000);
  c.farEnd.delayBy(4000);
  await c.clock.tick(2500);
  c.transport.send(speech(3000, 2, "r2"));
  let estimatedSeen = false;
  for (let t = 3510; t <= 7500; t += 10) {
    await c.clock.tick(10);
    const { heardMs, acknowledged, responseId } = c.transport.playback;
    const truth = c.farEnd.playedMs(responseId === "r2" ? 2 : 1);
    if (heardMs > truth + 1000) {
      assert.equal(
        acknowledged,
        false,
        `at ${t} ms: ${responseId} ${heardMs} heard, not acknowledged`,
      );
      estimatedSeen = true;
    }
  }
  assert.ok(estimatedSeen, "the stall outran the bound");
  const result = await c.transport.interrupt();
  const truth = c.farEnd.playedMs(result.responseId === "r2" ? 2 : 1);
  assert.ok(result.acknowledged, "back on the acknowledgements");
  assert.ok(
    Math.abs(result.heardMs - truth) <= 1000,
    `${result.responseId}: ${result.heardMs}, truth ${truth}`,
  );
  await hangUp(c);
});

Deno.test("an end waiting for playout when the session ends is counted as dropped", async () => {
  const c = call({ jitterMs: 100 });
  await c.clock.tick(0);
  c.transport.send(speech(100, 1, "bye"));
  void c.transport.send({ type: "end" });
  await c.clock.tick(150); // the end waits for the goodbye's acknowledgement
  c.pair.client.close(1000);
  await c.clock.tick(10);
  await c.transport.closed;
  assert.equal(c.transport.stats.framesDroppedOnClose, 1);
});

Deno.test("`interrupt` counts in droppedMs the audio it drops from writes still waiting for room", async () => {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    serializer: new RawPcmSerializer(),
    clock,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
  });
  await clock.tick(0);
  const writer = transport.writable.getWriter();
  const writes = Array.from({ length: 20 }, () => writer.write(speech(100, 1, "r1")));
  await clock.tick(300);
  const result = await transport.interrupt();
  await clock.tick(100);
  await Promise.all(writes);
  // Raw PCM cannot clear the far end: what was sent is heard, the rest (queued or waiting in the
  // writer) is dropped, and every byte of it is counted as interrupted.
  const dropped = transport.stats.audioBytesInterrupted / BYTES_PER_MS;
  assert.equal(result.droppedMs, dropped);
  assert.equal(result.heardMs + result.droppedMs, 20 * 100, "heard and dropped: all written");
  // A second interruption drops nothing more: the waiting writes were the first one's.
  const again = await transport.interrupt();
  assert.equal(again.droppedMs, 0);
  writer.releaseLock();
  client.close(1000);
  await clock.tick(1000);
  await transport.closed;
});

Deno.test("staleaudio is reported once per response when stale streams interleave", async () => {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    clock,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
  });
  const stale: (string | undefined)[] = [];
  transport.addEventListener("staleaudio", (e) => stale.push(e.responseId));
  await clock.tick(0);
  transport.send(speech(500, 1, "a"));
  transport.send(speech(500, 2, "b"));
  await clock.tick(100);
  await transport.interrupt();
  for (let i = 0; i < 3; i++) {
    transport.send(speech(20, 1, "a"));
    transport.send(speech(20, 2, "b"));
  }
  assert.deepEqual(stale, ["a", "b"]);
  assert.equal(transport.stats.audioBytesStale, 6 * 20 * BYTES_PER_MS, "every stale byte counted");
  client.close(1000);
  await clock.tick(1000);
  await transport.closed;
});

Deno.test("a far end that never acknowledges is sent a bounded number of marks, however long the call", async () => {
  const c = call({ jitterMs: 100, farEndAcks: false, listen: false });
  await c.clock.tick(0);
  // Ten minutes of one response: a mark every 250 ms of speech kept for good would be 2,400.
  c.transport.send(speech(600_000, 1, "long"));
  await c.clock.tick(600_000);
  assert.equal(c.transport.stats.marksSent, 25, "24 within the response, one at its end");
  // An hour of answers a minute long, then a minute of two-second ones: the marks at the ends of
  // what was sent go on to twice as many, then none.
  for (let minute = 0; minute < 60; minute++) {
    c.transport.send(speech(60_000, 2, `m${minute}`));
    await c.clock.tick(60_000);
  }
  for (let i = 0; i < 30; i++) {
    c.transport.send(speech(2000, 3, `r${i}`));
    await c.clock.tick(2000);
  }
  assert.equal(c.transport.stats.marksSent, 48);
  assert.equal(c.transport.stats.marksAcknowledged, 0);
  await hangUp(c);
});

Deno.test("marks held back while the far end's answers are late go out again once it answers", async () => {
  const c = call({ jitterMs: 100, listen: false });
  await c.clock.tick(0);
  c.transport.send(speech(180_000, 1, "long"));
  await c.clock.tick(10_000);
  // The far end holds 40 s more: answers come that late (marks every second by then: 40 waiting).
  c.farEnd.delayBy(40_000);
  let most = 0;
  for (let s = 0; s < 100; s++) {
    await c.clock.tick(1000);
    const { marksSent, marksAcknowledged } = c.transport.stats;
    most = Math.max(most, marksSent - marksAcknowledged);
  }
  assert.ok(most <= 24, `${most} marks waited for an answer at once`);
  const sentBefore = c.transport.stats.marksSent;
  await c.clock.tick(10_000);
  assert.ok(c.transport.stats.marksSent > sentBefore, "marking went on as the answers came");
  await hangUp(c);
});

Deno.test("a response whose last acknowledgement never came does not hide the next one, which begins a new spell", async () => {
  const c = call({ jitterMs: 60 });
  await c.clock.tick(0);
  c.transport.send(speech(1000, 1, "r1")); // acknowledged: the far end's delay is learned
  await c.clock.tick(1500);
  c.farEnd.stopAcking(); // it plays on and answers no more marks
  c.transport.send(speech(1000, 2, "r2")); // plays 1560–2560
  await c.clock.tick(3000);
  // t = 4500: r2's end is past, its bound (2560 + playoutTimeoutMs 2000) not yet. The next turn
  // starts a new spell of the timeline, where r2's end could not be placed any more.
  c.transport.send(speech(3000, 3, "r3")); // plays from 4560
  await c.clock.tick(1500);
  const result = await c.transport.interrupt();
  const truth = c.farEnd.playedMs(3);
  const seen = c.events.map((e) => [e.type, e.event.responseId, e.event.reason]);
  assert.deepEqual(seen.slice(-3), [
    ["speakingstop", "r2", "played"],
    ["speakingstart", "r3", undefined],
    ["speakingstop", "r3", "interrupted"],
  ]);
  const r2Stop = c.events.find((e) => e.type === "speakingstop" && e.event.responseId === "r2");
  assert.ok(r2Stop!.at <= 4580, `r2 stopped at ${r2Stop!.at}, by its own bound`);
  assert.equal(result.responseId, "r3");
  assert.ok(Math.abs(result.heardMs - truth) <= 40, `heard ${result.heardMs}, played ${truth}`);
  await hangUp(c);
});

Deno.test("a stall longer than playoutTimeoutMs, then the late acknowledgements: a barge-in in the rest of the response cuts it, to what was heard", async () => {
  const c = call({ jitterMs: 60 });
  await c.clock.tick(0);
  c.transport.send(speech(2000, 1, "r2"));
  await c.clock.tick(600);
  // What arrives from now on plays 3.3 s later: a hole in playout longer than playoutTimeoutMs
  // (2 s), so the response is taken as played by the estimate before its late marks come.
  c.farEnd.delayBy(3300);
  await c.clock.tick(4100); // t = 4700: the late acknowledgements have come; r2 plays until ~5360
  const truth = c.farEnd.playedMs(1);
  const result = await c.transport.interrupt();
  assert.equal(result.responseId, "r2");
  assert.ok(Math.abs(result.heardMs - truth) <= 250, `heard ${result.heardMs}, played ${truth}`);
  assert.ok(
    Math.abs(result.heardMs + result.droppedMs - 2000) <= 20,
    `dropped ${result.droppedMs}`,
  );
  await hangUp(c);
});

Deno.test("a graceful end after more short responses than marks may wait hangs up once the last audio is acknowledged", async () => {
  // Sixty responses written at once, five seconds sent ahead: their starts alone would be more
  // marks than may wait for an answer.
  const c = call({ jitterMs: 100, options: { sendAheadMs: 5000 } });
  await c.clock.tick(0);
  for (let i = 0; i < 60; i++) c.transport.send(speech(100, 1 + (i % 2), `r${i}`));
  c.transport.send({ type: "end" });
  let closedAt = -1;
  void c.transport.closed.then(() => (closedAt = c.clock.now()));
  for (let t = 0; t < 40_000 && closedAt < 0; t += 100) await c.clock.tick(100);
  assert.ok(
    Math.abs(closedAt - c.farEnd.playsUntil) < 500,
    `hung up ${closedAt - c.farEnd.playsUntil} ms after the last audio played`,
  );
  const stops = c.events.filter((e) => e.type === "speakingstop");
  assert.equal(stops.at(-1)?.event.acknowledged, true);
  assert.deepEqual(c.errors, []);
});
