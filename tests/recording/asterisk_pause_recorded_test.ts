// A recording of a reply the bot's own PAUSE_MEDIA held mid-way on Asterisk. docs.asterisk.org,
// Configuration → Channel Drivers → WebSocket, "Commands": `PAUSE_MEDIA` "The channel driver will
// then start playing silence to the caller but keep the data you've already sent in the queue";
// `CONTINUE_MEDIA` resumes it; `MARK_MEDIA` is answered by `MEDIA_MARK_PROCESSED` once the audio
// before it has played. asterisk/asterisk channels/chan_websocket.c: `dequeue_frame` returns at
// once while `queue_paused`, one 20 ms timer tick at a time.
import assert from "node:assert/strict";
import { CallRecorder } from "../../src/recording/call_recorder.ts";
import type { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { asterisk16kTransport } from "../serializers/fixtures/asterisk_channel_playout.ts";
import { filledPcm16k } from "../serializers/fixtures/filled_pcm_16k.ts";
import { collect } from "./_call.ts";
import { FRAME_BYTES, pausingAsterisk } from "../serializers/fixtures/pausing_asterisk.ts";

/**
 * A chan_websocket channel that honours PAUSE_MEDIA (tests/serializers/fixtures/pausing_asterisk.ts,
 * its docs cited there); `played[i]`: the clock time frame i of the bot's began to play, filled as the call goes.
 */
function pausingChannel(clock: FakeClock, pair: MemorySocketPair): { readonly played: number[] } {
  const { ticks } = pausingAsterisk(clock, pair);
  return {
    get played() {
      return ticks.flatMap((t) => typeof t.heard === "object" ? [t.at] : []);
    },
  };
}

/** Where the far end played the reply against where the recording has it, in 20 ms steps. */
function compare(samples: Int16Array, played: number[]) {
  const heard = (ms: number) => played.some((at) => at <= ms && ms < at + 20);
  let wrong = 0;
  let wrongAt = -1;
  let loudInPause = 0;
  for (let ms = 0; ms + 20 < samples.length / 16; ms += 20) {
    // A step the far end played throughout, or not at all (not a step at an edge).
    const h = heard(ms) && heard(ms + 19);
    const silentThroughout = !heard(ms) && !heard(ms + 19);
    const loud = samples[(ms + 10) * 16] !== 0;
    if ((h && !loud) || (silentThroughout && loud)) {
      wrong++;
      if (wrongAt < 0) wrongAt = ms;
    }
    if (silentThroughout && loud) loudInPause++;
  }
  return { wrong, wrongAt, loudInPause };
}

/** A call whose bot pauses its own reply on Asterisk, recorded with the bot's track alone. */
async function pausedReply(
  { pauseMs, holdMs, replyMs, sendTimeoutMs }: {
    pauseMs: number;
    holdMs: number;
    replyMs: number;
    sendTimeoutMs?: number;
  },
) {
  const { clock, pair, transport } = asterisk16kTransport({
    // 300 ms in the far end's queue as the pause begins: it plays after the pause, moved.
    sendAheadMs: 300,
    maxQueuedMs: 1300,
    ...(sendTimeoutMs !== undefined && { sendTimeoutMs }),
  });
  const errors: string[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error.message));
  const recorder = new CallRecorder({ clock, sampleRate: 16000, layout: "separate", holdMs });
  transport.observe(recorder);
  const bot = collect(recorder.bot);
  void collect(recorder.caller);
  const far = pausingChannel(clock, pair);
  transport.receive(() => {});
  // The caller's microphone goes on through the pause (20 ms of slin16 every 20 ms): its audio
  // drives the recording's write-out while the bot's audio waits in the paused queue.
  const talk = async (ms: number) => {
    for (let t = 0; t < ms; t += 20) {
      await clock.tick(20);
      if (pair.client.readyState === 1) pair.client.send(new Uint8Array(FRAME_BYTES).fill(5));
    }
  };
  await clock.tick(10);
  void transport.send({ ...filledPcm16k(replyMs * 32, 0x11), responseId: "r1" });
  await talk(990);
  void transport.send({ type: "message", message: { command: "PAUSE_MEDIA" }, urgent: true });
  await talk(pauseMs);
  void transport.send({ type: "message", message: { command: "CONTINUE_MEDIA" }, urgent: true });
  await talk(replyMs + 2000);
  await transport.close();
  const samples = new Int16Array((await bot).slice(44).buffer);
  return { played: far.played, samples, stats: recorder.stats, errors };
}

/**
 * The recorder is told of the pause as it begins (`playoutHeld`) and holds the audio queued at
 * the far end back, silence in its place, until the far end plays on (`playoutMoved` places it
 * there): recorded as heard however long the pause, within `holdMs` or far past it.
 */
for (const [pauseMs, holdMs] of [[500, 1000], [3000, 4000], [3000, 1000]] as const) {
  Deno.test(`\`CallRecorder\` (holdMs ${holdMs}) records a ${pauseMs} ms PAUSE_MEDIA mid-reply as the silence the caller heard`, async () => {
    const { played, samples, stats } = await pausedReply({ pauseMs, holdMs, replyMs: 4000 });
    assert.equal(played.length, 200, "the far end played the whole reply");
    const { wrong, wrongAt } = compare(samples, played);
    assert.ok(wrong <= 2, `${wrong} steps of 20 ms recorded unlike played, from ${wrongAt} ms`);
    assert.equal(stats.lateMs, 0, `holdMs ${holdMs}`);
  });
}

/**
 * The bound: the transport sends on into a pause that outlasts its hold's bound
 * (`sendTimeoutMs`, a "timeout" error), and the reply goes on into the far end's held queue. The
 * recorder holds at most 30 s of it back, none of it written out in the pause; what comes past
 * that is not recorded, counted in `lateMs`: the far end plays it after the pause, where the
 * recording is silent.
 */
Deno.test("`CallRecorder` holds at most 30 s of a reply sent on into an Asterisk pause, and counts the rest late", async () => {
  const replyMs = 40_000;
  const { played, samples, stats, errors } = await pausedReply({
    pauseMs: 36_000,
    holdMs: 1000,
    replyMs,
    sendTimeoutMs: 1000,
  });
  assert.equal(played.length, replyMs / 20, "the far end played the whole reply");
  assert.ok(errors.some((m) => m.includes("held its playout")), errors.join("; "));
  const { wrong, loudInPause } = compare(samples, played);
  assert.ok(loudInPause <= 1, `${loudInPause} steps of the pause recorded loud`);
  // Held as the pause began: 300 ms and a frame; then the bound's second, and sending on at the
  // pace of play for the 35 s left: some 5 s past the 30 s held.
  assert.ok(stats.lateMs > 4000 && stats.lateMs < 6500, `lateMs ${stats.lateMs}`);
  assert.ok(
    Math.abs(wrong * 20 - stats.lateMs) <= 60,
    `${wrong} steps wrong, lateMs ${stats.lateMs}`,
  );
});
