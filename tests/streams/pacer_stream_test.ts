import assert from "node:assert/strict";
import { PacerStream } from "../../src/streams/pacer_stream.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import type { Clock } from "../../src/clock.ts";
import type { AudioFrame, Frame } from "../../src/frames.ts";
import { assertRefusesAudioNotBytes } from "./_audio_not_bytes.ts";

interface Left {
  frame: Frame;
  /** The fake time at which the frame came out of the stream. */
  at: number;
}

function audio(bytes: number, sampleRate = 16000, channels = 1): AudioFrame {
  return { type: "audio", audio: new Uint8Array(bytes), sampleRate, channels };
}

/**
 * Pipes `source` through `stream`, reading the output as the clock ticks and recording when each
 * frame leaves. The clock jumps from timer to timer; when none is pending it only lets promise
 * callbacks run, and gives up if nothing moves for a long while (a stall fails the test).
 */
async function drive(
  clock: FakeClock,
  source: ReadableStream<Frame>,
  stream: PacerStream,
): Promise<Left[]> {
  const left: Left[] = [];
  let finished = false;
  const reading = (async () => {
    for await (const frame of source.pipeThrough(stream)) left.push({ frame, at: clock.now() });
  })().finally(() => (finished = true));
  let idle = 0;
  while (!finished) {
    if (clock.nextDue !== undefined) {
      idle = 0;
      await clock.next();
    } else {
      if (++idle > 100) throw new Error(`stalled at ${clock.now()} after ${left.length} frames`);
      await clock.tick(0);
    }
  }
  await reading;
  assert.equal(clock.pendingTimers, 0, "a timer outlived the stream");
  return left;
}

/** Asserts that no audio frame left more than `sendAheadMs` before its playback time. */
function assertNeverEarly(left: Left[], sendAheadMs: number): void {
  const anchor = left[0]!.at;
  let playedMs = 0;
  for (const [i, { frame, at }] of left.entries()) {
    if (frame.type !== "audio") continue;
    assert.ok(at >= anchor + playedMs - sendAheadMs, `frame ${i} left at ${at}, too early`);
    playedMs += (frame.audio.length * 1000) / (frame.sampleRate * frame.channels * 2);
  }
}

Deno.test("`PacerStream` plays 10 minutes of audio in 10 minutes, never early", async () => {
  const clock = new FakeClock();
  const chunk = new Uint8Array(1920); // 40 ms at 24 kHz mono; shared, the pacer only reads sizes
  const count = (10 * 60 * 1000) / 40;
  const frames = function* (): Generator<Frame> {
    for (let i = 0; i < count; i++) {
      yield { type: "audio", audio: chunk, sampleRate: 24000, channels: 1 };
    }
  };
  const left = await drive(clock, ReadableStream.from(frames()), new PacerStream({ clock }));
  assert.equal(left.length, count);
  // The default lead is one chunk: the last chunk leaves one chunk before it plays, and the
  // audio ends one chunk after that.
  const end = left.at(-1)!.at + 40 + 40;
  assert.ok(Math.abs(end - 600_000) <= 40, `played out at ${end}`);
  assertNeverEarly(left, 40);
  // Nothing waits longer than its deadline either: the fake clock fires timers on time.
  for (const [i, { at }] of left.entries()) assert.equal(at, Math.max(0, (i - 1) * 40));
});

Deno.test("`PacerStream` never sends stereo 8 kHz audio more than sendAheadMs early", async () => {
  const clock = new FakeClock(5000);
  const frames = Array.from({ length: 600 }, (_, i) => audio(i % 3 === 0 ? 640 : 320, 8000, 2));
  const left = await drive(
    clock,
    ReadableStream.from(frames),
    new PacerStream({ clock, sendAheadMs: 100 }),
  );
  assertNeverEarly(left, 100);
  // 200 frames of 20 ms and 400 of 10 ms (8 kHz stereo is 32 bytes a millisecond): 8 s in all.
  const totalMs = frames.reduce((ms, f) => ms + f.audio.length / 32, 0);
  assert.equal(totalMs, 8_000);
  const lastMs = frames.at(-1)!.audio.length / 32;
  assert.equal(left.at(-1)!.at, 5000 + totalMs - lastMs - 100);
});

Deno.test("`PacerStream` adds no wait (and no timer) to real-time input", async () => {
  const clock = new FakeClock();
  let pacerSleeps = 0;
  const spy: Clock = {
    now: () => clock.now(),
    sleep: (ms, signal) => (pacerSleeps++, clock.sleep(ms, signal)),
    timer: (callback) => {
      pacerSleeps++;
      return clock.timer(callback);
    },
  };
  const arrived: number[] = [];
  async function* realTime(): AsyncGenerator<Frame> {
    for (let i = 0; i < 200; i++) {
      await clock.sleep(20 * i - clock.now());
      arrived.push(clock.now());
      yield audio(640); // 20 ms
    }
  }
  const left = await drive(clock, ReadableStream.from(realTime()), new PacerStream({ clock: spy }));
  assert.deepEqual(left.map((l) => l.at), arrived);
  assert.equal(pacerSleeps, 0);
});

Deno.test("`PacerStream` starts a new timeline after an underrun, with no catch-up burst", async () => {
  const clock = new FakeClock();
  async function* withGap(): AsyncGenerator<Frame> {
    for (let i = 0; i < 10; i++) yield audio(640);
    await clock.sleep(1000 - clock.now()); // the far end runs dry at 200
    for (let i = 0; i < 10; i++) yield audio(640);
  }
  const left = await drive(
    clock,
    ReadableStream.from(withGap()),
    new PacerStream({ clock, sendAheadMs: 20 }),
  );
  const times = left.map((l) => l.at);
  const timeline = (start: number) =>
    Array.from({ length: 10 }, (_, i) => start + Math.max(0, (i - 1) * 20));
  assert.deepEqual(times, [...timeline(0), ...timeline(1000)]);
});

Deno.test("`PacerStream` does not accumulate timer lateness as drift", async () => {
  const clock = new FakeClock();
  const lateness = 7;
  const late: Clock = {
    now: () => clock.now(),
    sleep: (ms, signal) => clock.sleep(ms + lateness, signal),
    timer: (callback) => {
      const timer = clock.timer(callback);
      return { ...timer, arm: (ms) => timer.arm(ms + lateness) };
    },
  };
  const frames = Array.from({ length: 500 }, () => audio(640));
  const left = await drive(
    clock,
    ReadableStream.from(frames),
    new PacerStream({ clock: late, sendAheadMs: 20 }),
  );
  for (const [i, { at }] of left.entries()) {
    const deadline = Math.max(0, (i - 1) * 20);
    assert.ok(at >= deadline && at <= deadline + lateness, `frame ${i} left at ${at}`);
  }
});

Deno.test("`PacerStream` paces by the true byte rate across formats", async () => {
  const clock = new FakeClock();
  const frames = [
    audio(320, 8000, 1), // each is 20 ms
    audio(640, 8000, 2),
    audio(640, 16000, 1),
    audio(3840, 48000, 2),
    audio(320, 8000, 1),
  ];
  const left = await drive(
    clock,
    ReadableStream.from(frames),
    new PacerStream({ clock, sendAheadMs: 0 }),
  );
  assert.deepEqual(left.map((l) => l.at), [0, 20, 40, 60, 80]);
});

Deno.test("`PacerStream` lets an empty audio frame through without holding the next one", async () => {
  // With each frame's own duration as the lead, an empty frame's was 0: reserved as a chunk, it
  // waited for everything before it to play out (80 ms here), so the frame after it left at its
  // playback time, not one frame ahead of it as the class promises. It plays for nothing: it
  // leaves with the frame before it.
  const clock = new FakeClock();
  const frames = [audio(640), audio(640), audio(640), audio(640), audio(0), audio(640), audio(640)];
  const left = await drive(clock, ReadableStream.from(frames), new PacerStream({ clock }));
  assert.deepEqual(left.map((l) => l.at), [0, 0, 20, 40, 40, 60, 80]);
});

Deno.test("`PacerStream` by default holds no frame past its slot behind a shorter one", async () => {
  // Each frame's own duration as its lead: the 1 ms frame (a sentence's last) left at 79, the far
  // end 1 ms from running dry, and held the 20 ms frame after it there, 18 ms past its slot (one
  // frame ahead, 61). The longest frame of the timeline as the lead: each leaves 20 ms ahead.
  const clock = new FakeClock();
  const frames = [
    audio(640),
    audio(640),
    audio(640),
    audio(640),
    audio(32),
    audio(640),
    audio(640),
  ];
  const left = await drive(clock, ReadableStream.from(frames), new PacerStream({ clock }));
  assert.deepEqual(left.map((l) => l.at), [0, 0, 20, 40, 60, 61, 81]);
});

Deno.test("`PacerStream` by default adds no wait to real-time input of varying frame sizes", async () => {
  // Frames of 40, 10, 20, 10, 40 and 5 ms, each written once it has been captured: the 10 ms
  // frame after the first (due to play at 80) waited from 50 to 70 with a lead of its own length.
  const clock = new FakeClock();
  const sizes = [1280, 320, 640, 320, 1280, 160, 1280, 320];
  const arrived: number[] = [];
  async function* realTime(): AsyncGenerator<Frame> {
    let capturedMs = 0;
    for (const bytes of sizes) {
      capturedMs += bytes / 32; // 16 kHz mono
      await clock.sleep(capturedMs - clock.now());
      arrived.push(clock.now());
      yield audio(bytes);
    }
  }
  const left = await drive(clock, ReadableStream.from(realTime()), new PacerStream({ clock }));
  assert.deepEqual(left.map((l) => l.at), arrived);
});

Deno.test("`PacerStream` keeps the audio it hands on when the writer reuses its buffer", async () => {
  // A bot refilling one buffer per frame once `write` returns: the frame it wrote was handed on
  // as it was, a view of that buffer, and read after the write had returned, it held the next
  // frame's bytes, whether it had left at once or after its pacing sleep.
  const clock = new FakeClock();
  const stream = new PacerStream({ clock, sendAheadMs: 0 });
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const buffer = new Uint8Array(1 + 640); // 20 ms at 16 kHz mono, at an odd offset
  const frame = { ...audio(0), audio: buffer.subarray(1) };
  const reads = [reader.read(), reader.read()];
  buffer.fill(1);
  await writer.write(frame); // leaves at once
  buffer.fill(2);
  const writing = writer.write(frame);
  await clock.tick(0);
  assert.equal(clock.pendingTimers, 1); // this one leaves after its pacing sleep
  await clock.tick(20);
  await writing;
  buffer.fill(3);
  for (const [i, read] of reads.entries()) {
    const { value } = await read;
    assert.ok(value?.type === "audio");
    assert.deepEqual(value.audio, new Uint8Array(640).fill(i + 1));
  }
  await writer.close();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("`PacerStream` passes other frames through in order, without waiting", async () => {
  const clock = new FakeClock();
  const frames: Frame[] = [
    { type: "text", text: "a" },
    audio(640),
    audio(640),
    { type: "mark", name: "m" },
    audio(640),
    { type: "end" },
  ];
  const left = await drive(
    clock,
    ReadableStream.from(frames),
    new PacerStream({ clock, sendAheadMs: 0 }),
  );
  assert.deepEqual(
    left.map((l) => [l.frame.type, l.at]),
    [["text", 0], ["audio", 0], ["audio", 20], ["mark", 20], ["audio", 40], ["end", 40]],
  );
  assert.equal(left[0]!.frame, frames[0]);
});

Deno.test("`PacerStream` resets the timeline on an interruption", async () => {
  const clock = new FakeClock();
  const frames: Frame[] = [
    ...Array.from({ length: 10 }, () => audio(640)),
    { type: "interruption" },
    ...Array.from({ length: 3 }, () => audio(640)),
  ];
  const left = await drive(
    clock,
    ReadableStream.from(frames),
    new PacerStream({ clock, sendAheadMs: 0 }),
  );
  // Without the reset the audio after the interruption would leave at 200, 220, 240.
  assert.deepEqual(
    left.slice(9).map((l) => [l.frame.type, l.at]),
    [["audio", 180], ["interruption", 180], ["audio", 180], ["audio", 200], ["audio", 220]],
  );
});

Deno.test("`PacerStream` clears its sleep when the readable is cancelled (fake clock)", async () => {
  const clock = new FakeClock();
  const stream = new PacerStream({ clock, sendAheadMs: 0 });
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  writer.write(audio(32000)).catch(() => {}); // 1 s
  const second = writer.write(audio(32000));
  second.catch(() => {});
  assert.equal((await reader.read()).value?.type, "audio");
  const pending = reader.read();
  await clock.tick(0);
  assert.equal(clock.pendingTimers, 1);
  await reader.cancel(new Error("hung up"));
  assert.deepEqual(await pending, { done: true, value: undefined });
  assert.equal(clock.pendingTimers, 0);
  await assert.rejects(second);
});

Deno.test({
  name: "`PacerStream` clears a real 10 s sleep when the readable is cancelled",
  // Deno 2.9 no longer checks for leaked timers unless asked; this test is about exactly that.
  sanitizeOps: true,
}, async () => {
  // The system clock: the op sanitizer fails this test if the timer outlives it.
  const stream = new PacerStream({ sendAheadMs: 0 });
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  writer.write(audio(320_000)).catch(() => {}); // 10 s
  writer.write(audio(320_000)).catch(() => {});
  await reader.read();
  const pending = reader.read();
  await new Promise((resolve) => setTimeout(resolve, 0)); // the second frame is now asleep
  await reader.cancel(new Error("gone"));
  assert.deepEqual(await pending, { done: true, value: undefined });
});

Deno.test("`PacerStream` finishes the frame in flight when the writable is aborted", async () => {
  // A WritableStream lets its in-flight write finish before abort; the frame's own wait (about
  // one frame's duration) is the most that costs, and no timer is left behind. The streams
  // standard's explainer: "An underlying sink which doesn't observe the controller.signal will
  // continue to have the existing behavior" ("a long-running write would still have to continue
  // to completion before the stream could be aborted"), and a TransformStream gives its
  // transformer no such signal:
  // https://github.com/whatwg/streams/blob/main/writable-stream-abort-signal-explainer.md
  const clock = new FakeClock();
  const stream = new PacerStream({ clock, sendAheadMs: 0 });
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  writer.write(audio(640)).catch(() => {});
  writer.write(audio(640)).catch(() => {});
  await reader.read();
  const pending = reader.read();
  await clock.tick(0);
  assert.equal(clock.pendingTimers, 1);
  let aborted = false;
  const aborting = writer.abort(new Error("gone")).then(() => (aborted = true));
  await clock.tick(19);
  assert.equal(aborted, false);
  await clock.tick(1);
  await aborting;
  assert.equal(clock.pendingTimers, 0);
  assert.equal((await pending).value?.type, "audio");
  await assert.rejects(reader.read(), /gone/);
});

Deno.test("`PacerStream` errors on a frame with a bad format and on a bad sendAheadMs", async () => {
  const clock = new FakeClock();
  await assert.rejects(
    Array.fromAsync(
      ReadableStream.from<Frame>([audio(4, 16000, 0)]).pipeThrough(new PacerStream({ clock })),
    ),
    (error) => error instanceof RangeError && /channels/.test(error.message),
  );
  assert.throws(() => new PacerStream({ sendAheadMs: -1 }), /sendAheadMs.*-1/);
});

Deno.test("`PacerStream` errors on audio that is no Uint8Array, naming it", async () => {
  // An ArrayBuffer has no length, so no duration: it would leave at once, unpaced.
  await assertRefusesAudioNotBytes(() => new PacerStream({ clock: new FakeClock() }));
});
