// A barge-in whose interruption's clear waits (answered later by its serializer: Twilio, Telnyx
// and Plivo answer some frames asynchronously) while background audio plays (`background`: the
// transport fills the far end's time between replies). The far end plays on what it was sent
// until the clear reaches it: the reply, then the background after it. The caller stopped hearing
// the bot where the reply ran out, as the interruption's `heardMs` says (README, "What the caller
// heard"), not where the background the clear overtook stopped: `SessionObserver.interrupted`'s
// `heardPosition` is in that background.
//
// The far end here speaks no platform's protocol: a clear is the JSON `{"event":"clear"}`, audio
// raw PCM (RawPcmSerializer), played as it comes, back to back (the estimate's model: no
// acknowledgements).
import assert from "node:assert/strict";
import {
  type Frame,
  type FrameSerializer,
  type OutboundMixer,
  RawPcmSerializer,
  SessionMetrics,
  WebSocketTransport,
} from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

/** 16 kHz mono PCM16. */
const BYTES_PER_MS = 32;

/** A background of 20 ms chunks, every byte 3, in every slot; speech passes through unmixed. */
const hum: OutboundMixer = {
  attach() {},
  mix: (chunk) => chunk,
  fill: () => ({
    type: "audio",
    audio: new Uint8Array(20 * BYTES_PER_MS).fill(3),
    sampleRate: 16000,
    channels: 1,
  }),
  detach() {},
};

/** Raw PCM whose clear is answered only once `answerClear()` is called. */
function slowClearSerializer() {
  const pcm = new RawPcmSerializer();
  let answer: (() => void) | undefined;
  const serializer: FrameSerializer = {
    setup: (audio) => pcm.setup(audio),
    deserialize: (data) => pcm.deserialize(data),
    serialize(frame: Frame) {
      if (frame.type !== "interruption") return pcm.serialize(frame);
      const clear = JSON.stringify({ event: "clear" });
      return new Promise<string>((resolve) => (answer = () => resolve(clear)));
    },
  };
  return { serializer, answerClear: () => answer!() };
}

/**
 * An open session on a slow clear, 400 ms ahead of playing, background in every empty slot, its
 * metrics attached and its "speakingstart"s' times kept.
 */
async function backgroundSession() {
  const slow = slowClearSerializer();
  const clock = new FakeClock(1000);
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: slow.serializer,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    sendAheadMs: 400,
    background: hum,
    clock,
  });
  transport.receive(() => {});
  await clock.tick(0);
  const metrics = SessionMetrics.attach(transport, { speech: false });
  const speakingStarts: number[] = [];
  transport.addEventListener("speakingstart", () => speakingStarts.push(clock.now()));
  return { slow, clock, transport, metrics, speakingStarts };
}

Deno.test("a barge-in whose clear waits while background plays after the reply ran out stops where the reply ran out, as heardMs says", async () => {
  const { slow, clock, transport, metrics, speakingStarts } = await backgroundSession();
  // 200 ms of reply behind the 400 ms of background sent ahead: it plays from 1420 to 1620.
  transport.send({
    type: "audio",
    audio: new Uint8Array(200 * BYTES_PER_MS).fill(1),
    sampleRate: 16000,
    channels: 1,
    responseId: "r1",
  });
  await clock.tick(500);
  metrics.callerSpeechStarted(); // at 1500
  await clock.tick(50);
  const interrupted = transport.interrupt(); // at 1550: the clear waits
  await clock.tick(150);
  slow.answerClear(); // at 1700: the far end played background since 1620
  await clock.tick(0);
  assert.deepEqual(speakingStarts, [1420]);
  assert.equal((await interrupted).heardMs, 200, "all of r1 was heard");
  assert.equal(metrics.snapshot().bargeInStopLatency.last, 120, "from 1500 to 1620, not 1700");
  await transport.close();
  await clock.tick(1000);
});

// And a barge-in whose interruption's clear waits while the far end plays on, when the clear reaches
// it exactly where the reply's next spell of speech begins after a pause filled with background
// (`background`: the transport fills the far end's time between spells): none of that spell was
// heard, so the caller stopped hearing the bot where the spell before it ran out, as the
// interruption's `heardMs` says (README, "What the caller heard"), not where the unheard spell
// would have begun. The same as a clear that arrives a moment earlier, in the background: a
// chunk's start, where nothing of it has played, is the end of the audio before it.

/** `ms` of the reply r1's speech, every byte 1. */
function speech(ms: number): Frame {
  return {
    type: "audio",
    audio: new Uint8Array(ms * BYTES_PER_MS).fill(1),
    sampleRate: 16000,
    channels: 1,
    responseId: "r1",
  };
}

/**
 * r1 in two spells of 100 ms, the second sent 150 ms after the first: behind the 400 ms of
 * background sent ahead, they play from 1420 to 1520 and from 1560 to 1660, background between.
 * The caller talks from 1480, the bot is cut at 1500 and its clear reaches the far end after
 * `waitMs`. Returns the interruption's `heardMs` and the barge-in's stop latency.
 */
async function bargeIn(waitMs: number): Promise<[number, number | null]> {
  const { slow, clock, transport, metrics, speakingStarts } = await backgroundSession();
  transport.send(speech(100));
  await clock.tick(150);
  transport.send(speech(100));
  await clock.tick(330);
  metrics.callerSpeechStarted(); // at 1480
  await clock.tick(20);
  const interrupted = transport.interrupt(); // at 1500: the clear waits
  await clock.tick(waitMs);
  slow.answerClear();
  await clock.tick(0);
  assert.deepEqual(speakingStarts, [1420]);
  const { heardMs } = await interrupted;
  const latency = metrics.snapshot().bargeInStopLatency.last;
  await transport.close();
  await clock.tick(1000);
  return [heardMs, latency];
}

Deno.test("a barge-in whose clear waits and reaches the far end where the reply's next spell would begin stops where the spell before ran out", async () => {
  // In the background between the spells: from 1480 to 1520.
  assert.deepEqual(await bargeIn(50), [100, 40]);
  // At 1560, the second spell's start, nothing of it heard: still 1520, not 1560.
  assert.deepEqual(await bargeIn(60), [100, 40]);
  // 10 ms into the second spell: heard until 1570.
  assert.deepEqual(await bargeIn(70), [110, 90]);
});
