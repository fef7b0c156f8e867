// BargeInStream across the pauses between the spells of one response (a sentence, a pause while
// the next is synthesized, the next sentence).
import assert from "node:assert/strict";
import {
  BargeInStream,
  type BargeInStreamOptions,
  type Frame,
  type InterruptResult,
} from "../../mod.ts";
import { answer, callBehindFarEnd, callerFrame } from "../_caller_fixtures.ts";

/**
 * A call over 3 s: the bot's first sentence plays 40–1040 ms; `second` is sent at 1140 ms and plays
 * from 1180 ms; the caller talks while `talking(now)`.
 */
async function call(
  second: Frame,
  talking: (now: number) => boolean,
  detector: { minSpeechMs?: number; minSilenceMs?: number } = {},
) {
  const { clock, pair, transport, farEnd } = callBehindFarEnd();
  const bargeIns: InterruptResult[] = [];
  const piped = transport.readable
    .pipeThrough(
      new BargeInStream(transport, { ...detector, onBargeIn: (result) => bargeIns.push(result) }),
    )
    .pipeTo(new WritableStream());
  await clock.tick(0);
  transport.send(answer(1000, "r1"));
  let n = 0;
  while (clock.now() < 3000) {
    await clock.tick(20);
    pair.client.send(callerFrame(n++, talking(clock.now())));
    if (clock.now() === 1140) transport.send(second);
  }
  const overCaller = farEnd.played.filter((s) => s.value === 1 && s.at >= 1160)
    .reduce((ms, s) => ms + s.ms, 0);
  pair.client.close(1000);
  await piped.catch(() => {});
  await transport.closed;
  return { interruptions: transport.stats.interruptions, bargeIns, overCaller };
}

Deno.test("`BargeInStream` interrupts the next spell of a response when the caller's speech was caught in the pause before it", async () => {
  // The caller talks from 980 ms (over the first sentence) to 2500 ms: caught in the pause.
  const { interruptions, bargeIns, overCaller } = await call(
    answer(1000, "r1"),
    (now) => now > 960 && now <= 2500,
  );
  assert.equal(interruptions, 1);
  assert.equal(bargeIns.length, 1);
  assert.equal(bargeIns[0]!.responseId, "r1");
  assert.ok(overCaller <= 40, `the bot talked ${overCaller} ms over the caller after detection`);
});

Deno.test("`BargeInStream` lets the next spell play when the caller stopped talking in the pause", async () => {
  // A quick detector: speech from 980 ms caught in the pause (1080 ms), its end told at 1160 ms.
  const { interruptions, overCaller } = await call(
    answer(1000, "r1"),
    (now) => now > 960 && now <= 1060,
    { minSpeechMs: 100, minSilenceMs: 100 },
  );
  assert.equal(interruptions, 0);
  assert.equal(overCaller, 1000);
});

Deno.test("`BargeInStream` lets a new response play over speech caught after the last one", async () => {
  // A different response: the caller's speech answered nothing of the bot's still playing.
  const { interruptions, overCaller } = await call(
    answer(1000, "r2"),
    (now) => now > 960 && now <= 2500,
  );
  assert.equal(interruptions, 0);
  assert.equal(overCaller, 1000);
});

Deno.test("`BargeInStream` refuses a minLevelAboveFloorDb that is not a finite number", () => {
  const transport = {
    playback: { speaking: true },
    interrupt: () =>
      Promise.resolve({ responseId: undefined, heardMs: 0, droppedMs: 0, acknowledged: false }),
  };
  assert.throws(() => new BargeInStream(transport, { minLevelAboveFloorDb: NaN }), RangeError);
  assert.throws(() => new BargeInStream(transport, { minLevelAboveFloorDb: Infinity }), RangeError);
  assert.throws(
    () => new BargeInStream(transport, { minLevelAboveFloorDb: "6" as unknown as number }),
    { name: "TypeError", message: /minLevelAboveFloorDb/ },
  );
  new BargeInStream(transport, { minLevelAboveFloorDb: 6 }); // a number is fine
});

/** A transport as `BargeInStream` sees it, counting its interruptions and listeners. */
class FakeTransport extends EventTarget {
  playback = { speaking: false, responseId: "r1" as string | undefined };
  interrupts = 0;
  listeners = 0;
  interrupt(): Promise<InterruptResult> {
    this.interrupts++;
    return Promise.resolve({ responseId: "r1", heardMs: 0, droppedMs: 0, acknowledged: true });
  }
  override addEventListener(type: string, l: EventListener | null) {
    this.listeners++;
    super.addEventListener(type, l);
  }
  override removeEventListener(type: string, l: EventListener | null) {
    this.listeners--;
    super.removeEventListener(type, l);
  }
}

/**
 * A `BargeInStream` on `transport` whose caller talks in a pause of r1 (the bot silent), written
 * to and read by hand until its speech has begun: waiting for r1 to go on.
 */
async function speechCaughtInPause(
  transport: FakeTransport,
  options: BargeInStreamOptions = {},
) {
  let speechStarted = false;
  const stream = new BargeInStream(transport, {
    ...options,
    onSpeech: (e) => {
      if (e.type === "speechstart") speechStarted = true;
      options.onSpeech?.(e);
    },
  });
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  // Quiet, then the caller talks in a pause of r1 (the bot is silent).
  let n = 0;
  for (; n < 100 && !speechStarted; n++) {
    const frame: Frame = {
      type: "audio",
      audio: callerFrame(n, n >= 20),
      sampleRate: 16000,
      channels: 1,
    };
    const w = writer.write(frame);
    await reader.read();
    await w;
  }
  assert.ok(speechStarted, "speech detected in the pause");
  assert.equal(transport.listeners, 1, "waiting for r1 to go on");
  return { writer, reader, next: n };
}

/** r1 goes on: a stream that is done must neither stop it nor still listen for it. */
async function assertLetGo(transport: FakeTransport) {
  assert.equal(transport.listeners, 0, "listener left on the transport");
  transport.dispatchEvent(Object.assign(new Event("speakingstart"), { responseId: "r1" }));
  await Promise.resolve();
  assert.equal(transport.interrupts, 0, "a stream that is done interrupted the bot");
}

Deno.test("a cancelled `BargeInStream` lets go of speech caught in a pause: no interruption later, no listener left", async () => {
  const transport = new FakeTransport();
  const { writer, reader } = await speechCaughtInPause(transport);
  // The application stops barge-in (e.g. hands the call to an agent): the pipe is cancelled.
  await reader.cancel("done with barge-in");
  await writer.abort("done with barge-in").catch(() => {});
  await assertLetGo(transport);
});

Deno.test("an errored `BargeInStream` lets go of speech caught in a pause: no interruption later, no listener left", async () => {
  // The stream errors (a callback of the bot's threw, or a frame the detector refuses): its
  // pipe is torn down, and no flush or cancel comes. The caller is still talking when r1 goes on.
  const meterBug = new Error("the bot's level meter failed");
  let meterBroken = false;
  const cases: [string, BargeInStreamOptions, (next: number) => Frame][] = [
    ["onLevel threw", {
      onLevel: () => {
        if (meterBroken) throw meterBug;
      },
    }, (n) => {
      meterBroken = true;
      return { type: "audio", audio: callerFrame(n, true), sampleRate: 16000, channels: 1 };
    }],
    ["onSpeech threw at speechstop", {
      onSpeech: (e) => {
        if (e.type === "speechstop") throw new Error("the bot's turn handler failed");
      },
    }, () => ({ type: "audio", audio: new Uint8Array(600 * 32), sampleRate: 16000, channels: 1 })],
    ["a frame refused", {}, () => ({
      type: "audio",
      audio: new Uint8Array(2),
      sampleRate: 0,
      channels: 1,
    })],
  ];
  for (const [what, options, breaking] of cases) {
    const transport = new FakeTransport();
    const { writer, reader, next } = await speechCaughtInPause(transport, options);
    const read = reader.read();
    await assert.rejects(writer.write(breaking(next)), what);
    await assert.rejects(read, what);
    await assertLetGo(transport).catch((error) => assert.fail(`${what}: ${error.message}`));
  }
});
