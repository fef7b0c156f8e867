// A recording of a reply the bot's own PAUSE_MEDIA held mid-way on Asterisk. docs.asterisk.org,
// Configuration → Channel Drivers → WebSocket, "Commands": `PAUSE_MEDIA` "The channel driver will
// then start playing silence to the caller but keep the data you've already sent in the queue";
// `CONTINUE_MEDIA` resumes it; `MARK_MEDIA` is answered by `MEDIA_MARK_PROCESSED` once the audio
// before it has played. asterisk/asterisk channels/chan_websocket.c: `dequeue_frame` returns at
// once while `queue_paused`, one 20 ms timer tick at a time.
import assert from "node:assert/strict";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { CallRecorder } from "../../src/recording/call_recorder.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { mediaStart } from "../serializers/fixtures/asterisk_channel_playout.ts";
import { filledPcm16k } from "../serializers/fixtures/filled_pcm_16k.ts";
import { collect } from "./_call.ts";

const FRAME_BYTES = 640; // slin16, 20 ms

/** A chan_websocket channel that honours PAUSE_MEDIA; `played[i]`: the clock time of frame i. */
function pausingChannel(clock: FakeClock, pair: MemorySocketPair) {
  type Item = { voice: number } | { answer: string };
  let queue: Item[] = [];
  let paused = false;
  const played: number[] = [];
  pair.client.addEventListener("message", (e) => {
    const data = (e as MessageEvent).data;
    if (typeof data !== "string") {
      const bytes = new Uint8Array(data as ArrayBuffer);
      for (let at = 0; bytes.length - at >= FRAME_BYTES; at += FRAME_BYTES) {
        queue.push({ voice: bytes[at]! });
      }
      return;
    }
    const { command, correlation_id: id } = JSON.parse(data);
    if (command === "MARK_MEDIA") {
      const answer = { event: "MEDIA_MARK_PROCESSED", channel_id: "1.1", correlation_id: id };
      queue.push({ answer: JSON.stringify(answer) });
    } else if (command === "FLUSH_MEDIA") queue = [];
    else if (command === "PAUSE_MEDIA") paused = true;
    else if (command === "CONTINUE_MEDIA") paused = false;
  });
  const tick = () => {
    if (pair.client.readyState !== 1) return;
    if (!paused) {
      let item = queue.shift();
      while (item !== undefined && "answer" in item) {
        pair.client.send(item.answer);
        item = queue.shift();
      }
      if (item !== undefined) played.push(clock.now());
    }
    void clock.sleep(20).then(tick);
  };
  void clock.sleep(0).then(() => {
    pair.client.send(mediaStart({ json: true, format: "slin16", frameBytes: FRAME_BYTES }));
    tick();
  });
  return played;
}

/**
 * The recorder is told of the pause only as it ends (`playoutMoved`, the audio queued at the far
 * end placed anew): a pause within `holdMs` is recorded as heard; a longer one leaves the queued
 * audio where the estimate put it (inside the pause) and its place after it silent, counted in
 * `lateMs`.
 */
for (const [pauseMs, holdMs] of [[500, 1000], [3000, 4000], [3000, 1000]] as const) {
  const exact = pauseMs < holdMs;
  Deno.test(`\`CallRecorder\` (holdMs ${holdMs}) records a ${pauseMs} ms PAUSE_MEDIA mid-reply ${exact ? "as the silence the caller heard" : "as estimated, the audio it moved counted late"}`, async () => {
    const clock = new FakeClock();
    const pair = new MemorySocketPair();
    const transport = new WebSocketTransport(pair.server, {
      serializer: new AsteriskSerializer(),
      audioIn: { sampleRate: 16000 },
      audioOut: { sampleRate: 16000, chunkMs: 20 },
      // 300 ms in the far end's queue as the pause begins: it plays after the pause, moved.
      sendAheadMs: 300,
      maxQueuedMs: 1300,
      clock,
    });
    const recorder = new CallRecorder({ clock, sampleRate: 16000, layout: "separate", holdMs });
    transport.observe(recorder);
    const bot = collect(recorder.bot);
    void collect(recorder.caller);
    const played = pausingChannel(clock, pair);
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
    void transport.send({ ...filledPcm16k(4000 * 32, 0x11), responseId: "r1" });
    await talk(990);
    void transport.send({ type: "message", message: { command: "PAUSE_MEDIA" }, urgent: true });
    await talk(pauseMs);
    void transport.send({ type: "message", message: { command: "CONTINUE_MEDIA" }, urgent: true });
    await talk(6000);
    await transport.close();
    const samples = new Int16Array((await bot).slice(44).buffer);
    // Where the far end played the reply, and where the recording has it (20 ms steps).
    const heard = (ms: number) => played.some((at) => at <= ms && ms < at + 20);
    let wrong = 0;
    let wrongAt = -1;
    for (let ms = 0; ms + 20 < samples.length / 16; ms += 20) {
      // A step the far end played throughout, or not at all (not a step at an edge).
      const h = heard(ms) && heard(ms + 19);
      const silentThroughout = !heard(ms) && !heard(ms + 19);
      const loud = samples[(ms + 10) * 16] !== 0;
      if ((h && !loud) || (silentThroughout && loud)) {
        wrong++;
        if (wrongAt < 0) wrongAt = ms;
      }
    }
    assert.equal(played.length, 200, "the far end played the whole reply");
    const { lateMs } = recorder.stats;
    if (exact) {
      assert.ok(wrong <= 2, `${wrong} steps of 20 ms recorded unlike played, from ${wrongAt} ms`);
      assert.equal(lateMs, 0);
    } else {
      // What the far end held queued (`sendAheadMs` and a frame or so) is in the recording inside
      // the pause, and missing after it: each 20 ms of it two steps wrong, all of it counted.
      assert.ok(lateMs >= 300, `lateMs ${lateMs}`);
      assert.ok(Math.abs(wrong * 10 - lateMs) <= 40, `${wrong} steps wrong, lateMs ${lateMs}`);
    }
  });
}
