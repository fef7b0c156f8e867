// A listener the transport dispatches to synchronously — a speaking event fired as a real-time
// chunk leaves, an `error`, an observer told of a chunk — may send, interrupt or close. What it
// sends leaves as if written a moment later (the pump, running when it was written, looks at its
// queue again before it stops), and a response it stops gets one speakingstop, not a second
// ("played") from the update that dispatched to it.
import assert from "node:assert/strict";
import {
  type Clock,
  type ClockTimer,
  type ClockTimerOptions,
  type Frame,
  RawPcmSerializer,
  type SerializedMessage,
  type SpeakingEvent,
  WebSocketTransport,
} from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";
import { answer } from "../_caller_fixtures.ts";

const BYTES_PER_MS = 32; // PCM16, 16 kHz mono

/** Refuses (throws for) the audio of response "bad": reported at once as an `error` event. */
class RefusingSerializer extends RawPcmSerializer {
  override serialize(frame: Frame): SerializedMessage | null {
    if (frame.type === "audio" && frame.responseId === "bad") throw new Error("refused");
    return super.serialize(frame);
  }
}

function session(serializer = new RawPcmSerializer()) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const t = new WebSocketTransport(pair.server, {
    serializer,
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
  });
  let received = 0;
  pair.client.addEventListener("message", (e) => {
    const data = (e as MessageEvent).data;
    if (typeof data !== "string") received += data.byteLength;
  });
  return { clock, pair, t, receivedMs: () => received / BYTES_PER_MS };
}

function record(t: WebSocketTransport, onStart: (e: SpeakingEvent) => void = () => {}): string[] {
  const events: string[] = [];
  t.addEventListener("speakingstart", (e) => {
    events.push(`start ${e.responseId}`);
    onStart(e);
  });
  t.addEventListener("speakingstop", (e) => events.push(`stop ${e.responseId} ${e.reason}`));
  return events;
}

// ---- what a listener sends leaves --------------------------------------------------------------

Deno.test("audio sent from a speakingstart listener leaves, paced", async () => {
  const s = session();
  let once = true;
  s.t.addEventListener("speakingstart", () => {
    if (once) s.t.send(answer(20, "r2")); // the bot's next response
    once = false;
  });
  await s.clock.tick(1);
  s.t.send(answer(20, "r1")); // a real-time chunk: leaves at once, and begins playing now
  await s.clock.tick(500);
  assert.equal(s.receivedMs(), 40, `${s.t.playback.queuedMs} ms still queued`);
  await s.t.close();
});

Deno.test("an `end` sent from a speakingstart listener ends the session", async () => {
  const s = session();
  s.t.addEventListener("speakingstart", () => void s.t.send({ type: "end" }));
  await s.clock.tick(1);
  s.t.send(answer(20, "r1"));
  let closed = false;
  void s.t.closed.then(() => (closed = true));
  await s.clock.tick(10_000);
  assert.ok(closed, "the session never ended: the end is still queued");
});

Deno.test("audio sent from a speakingstop listener as the next response begins leaves", async () => {
  const s = session();
  s.t.addEventListener("speakingstop", (e) => {
    if (e.responseId === "r1") s.t.send(answer(20, "r3"));
  });
  await s.clock.tick(1);
  s.t.send(answer(20, "r1")); // plays from 1 to 21
  await s.clock.tick(20);
  s.t.send(answer(20, "r2")); // leaves at once: r1 stops ("played") as it does
  await s.clock.tick(500);
  assert.equal(s.receivedMs(), 60, `${s.t.playback.queuedMs} ms still queued`);
  await s.t.close();
});

Deno.test("audio sent from an observer told of a chunk leaves", async () => {
  const s = session();
  let once = true;
  s.t.observe({
    outboundAudio: () => {
      if (once) s.t.send(answer(20, "r1"));
      once = false;
    },
  });
  await s.clock.tick(1);
  s.t.send(answer(20, "r1"));
  await s.clock.tick(500);
  assert.equal(s.receivedMs(), 40, `${s.t.playback.queuedMs} ms still queued`);
  await s.t.close();
});

Deno.test("audio sent from an error listener, the chunk refused, leaves", async () => {
  const s = session(new RefusingSerializer());
  let once = true;
  s.t.addEventListener("error", () => {
    if (once) s.t.send(answer(20, "good"));
    once = false;
  });
  await s.clock.tick(1);
  s.t.send(answer(20, "bad")); // refused at once, reported synchronously
  await s.clock.tick(500);
  assert.equal(s.receivedMs(), 20, `${s.t.playback.queuedMs} ms still queued`);
  await s.t.close();
});

// ---- one speakingstop per response -------------------------------------------------------------

Deno.test("close() inside speakingstart: one speakingstop for the response", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const t = new WebSocketTransport(pair.server, {
    serializer: new RawPcmSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    playoutDelayMs: 100, // the far end plays 100 ms behind the estimate
    clock,
  });
  const events = record(t, () => void t.close());
  await clock.tick(1);
  t.send(answer(20, "r1"));
  await clock.runAll(5000);
  await t.closed;
  assert.deepEqual(events, ["start r1", "stop r1 ended"]);
});

Deno.test("interrupt() inside speakingstart: one speakingstop for the response", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  new FakeFarEnd(clock, pair.client, { jitterMs: 100, bytesPerMs: BYTES_PER_MS, acks: false });
  const t = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(true),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    playoutDelayMs: 100,
    clock,
  });
  const events = record(t, () => void t.interrupt());
  await clock.tick(1);
  t.send(answer(20, "r1"));
  await clock.tick(1000);
  assert.deepEqual(events, ["start r1", "stop r1 interrupted"]);
  await t.close();
});

/** FakeClock time, but a timer with a tolerance fires as late as it allows, as the sweep may. */
class LateClock implements Clock {
  constructor(readonly fake: FakeClock) {}
  now(): number {
    return this.fake.now();
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.fake.sleep(ms, signal);
  }
  timer(callback: () => void, options?: ClockTimerOptions): ClockTimer {
    const timer = this.fake.timer(callback);
    const late = options?.toleranceMs ?? 0;
    return {
      arm: (ms, now) => timer.arm(Math.max(0, ms) + late, now),
      cancel: () => timer.cancel(),
      get armed() {
        return timer.armed;
      },
    };
  }
}

for (
  const [name, playoutDelayMs] of [
    ["speakingstart listener sending the next responses: one start and one stop each", 0],
    // r1 begins at 101 by the estimate; its timer fires at 121, when r1 has played out: r2 and
    // r3, sent from the listener, leave at once, and the updates they ask for stop r1 there.
    ["speakingstart fired late by its timer, its listener sending: the first stops once", 100],
  ] as const
) {
  Deno.test(name, async () => {
    const fake = new FakeClock();
    const pair = new MemorySocketPair();
    const t = new WebSocketTransport(pair.server, {
      serializer: new RawPcmSerializer(),
      audioIn: { sampleRate: 16000 },
      audioOut: { sampleRate: 16000, chunkMs: 20 },
      sendAheadMs: 100,
      playoutDelayMs,
      clock: new LateClock(fake),
    });
    const events = record(t, (e) => {
      if (e.responseId !== "r1") return;
      t.send(answer(20, "r2"));
      t.send(answer(20, "r3"));
    });
    await fake.tick(1);
    t.send(answer(20, "r1"));
    await fake.tick(2000);
    assert.deepEqual(events, [
      "start r1",
      "stop r1 played",
      "start r2",
      "stop r2 played",
      "start r3",
      "stop r3 played",
    ]);
    await t.close();
  });
}

// ---- a stop's listener sending: a new response, not stopped with the old -----------------------

for (const clears of [true, false]) {
  Deno.test(`interrupt() (${clears ? "far end cleared" : "raw PCM, not cleared"}): audio a speakingstop listener sends plays as a new response; the interrupted one's is stale`, async () => {
    const clock = new FakeClock();
    const pair = new MemorySocketPair();
    const t = new WebSocketTransport(pair.server, {
      serializer: clears ? new MarkingSerializer(false) : new RawPcmSerializer(),
      audioIn: { sampleRate: 16000 },
      audioOut: { sampleRate: 16000, chunkMs: 20 },
      clock,
    });
    const events = record(t);
    t.addEventListener("speakingstop", (e) => {
      if (e.reason !== "interrupted") return;
      t.send(answer(20, "r1")); // late audio of the interrupted response: stale
      t.send(answer(20, "r2")); // the next response: a real-time chunk, leaving at once
    });
    await clock.tick(1);
    t.send(answer(20, "r1"));
    await clock.tick(10);
    const result = await t.interrupt();
    assert.equal(result.responseId, "r1");
    await clock.tick(1000);
    assert.deepEqual(events, ["start r1", "stop r1 interrupted", "start r2", "stop r2 played"]);
    assert.equal(Math.round(t.playback.sentMs), 20);
    assert.equal(t.playback.responseId, "r2");
    await t.close();
  });
}
