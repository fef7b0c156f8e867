// What the transport takes the caller to have heard when the bot's own PAUSE_MEDIA held Asterisk's
// playout mid-reply. docs.asterisk.org, Configuration → Channel Drivers → WebSocket, "Commands":
// `PAUSE_MEDIA` "The channel driver will then start playing silence to the caller but keep the
// data you've already sent in the queue. You can still send media … it'll just get queued behind
// whatever was already in the queue"; `CONTINUE_MEDIA` resumes it; `FLUSH_MEDIA` empties the
// queue; `MARK_MEDIA` (JSON, 20.18 / 22.8 / 23.2) is answered by `MEDIA_MARK_PROCESSED` once the
// audio before it has played. asterisk/asterisk channels/chan_websocket.c (f0c1c1a7):
// `dequeue_frame` returns at once while `queue_paused` — no voice frame, no option frame (so no
// mark answer) — one 20 ms timer tick at a time; `handle_command` sets and clears `queue_paused`.
//
// The far end is that channel (tests/serializers/fixtures/pausing_asterisk.ts: JSON control,
// slin16, 640-byte frames; these tests open no bulk transfer: the serializer's marks are
// "mark-media" on a JSON channel).
//
// The serializer tells the transport of the pause (`SerializerContext.farEndHeld`). Before it did,
// the timeline took the paused audio as played: the marks inside the pause, answered that much
// late, taught a lag the next reply began late by (a barge-in in its first second heard nothing
// of it), `heardMs` ran on through a pause longer than `playoutTimeoutMs`, and the far end held
// the pause's length more than `sendAheadMs` until the reply's end.
//
// The pacing holds with the pause (`PlayoutTimeline.holdAt`): nothing leaves more than
// `sendAheadMs` past what was playing as it began, until CONTINUE_MEDIA or, failing that,
// `sendTimeoutMs`. Before, the transport sent on as though the far end played, and Asterisk's
// queue grew by the pause (only MEDIA_XOFF, at about 900 frames, stopped it).
import assert from "node:assert/strict";
import type { Frame } from "../../src/frames.ts";
import type { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { asterisk16kTransport } from "./fixtures/asterisk_channel_playout.ts";
import { FRAME_BYTES, pausingAsterisk } from "./fixtures/pausing_asterisk.ts";
import { filledPcm16k } from "./fixtures/filled_pcm_16k.ts";

const REPLY_BYTE = 0x11;
const NEXT_BYTE = 0x22;

/**
 * A chan_websocket channel that honours PAUSE_MEDIA (./fixtures/pausing_asterisk.ts, its docs
 * cited there): the frames it played, counted by reply.
 */
function pausingChannel(clock: FakeClock, pair: MemorySocketPair) {
  const far = pausingAsterisk(clock, pair);
  const played = (voice?: number) =>
    far.ticks.flatMap((t) =>
      typeof t.heard === "object" && (voice === undefined || t.heard.voice === voice)
        ? [t.heard.voice]
        : []
    );
  return {
    /** Every voice frame played, in order, by its first byte. */
    get played() {
      return played();
    },
    get replyFramesPlayed() {
      return played(REPLY_BYTE).length;
    },
    get nextFramesPlayed() {
      return played(NEXT_BYTE).length;
    },
    get queuedFrames() {
      return far.queuedFrames;
    },
  };
}

/**
 * A 16 kHz session (20 ms chunks, the transport's own marks every 250 ms) whose bot starts a
 * reply (`replyMs`, 6 s) at 10 ms, sends PAUSE_MEDIA at `pauseAt` and CONTINUE_MEDIA `pauseMs` later (urgent:
 * a bot pausing mid-reply does not wait for its reply to be sent first).
 */
async function pausedReply(
  pauseAt: number,
  pauseMs: number,
  {
    sendAheadMs,
    replyMs = 6000,
    continues = true,
    reply,
    duringPause,
    urgentContinue = true,
    writes = false,
  }: {
    sendAheadMs?: number;
    replyMs?: number;
    /** Whether the bot sends CONTINUE_MEDIA (else the pause holds on). */
    continues?: boolean;
    /** The reply's audio (else `replyMs` of REPLY_BYTE). */
    reply?: Uint8Array;
    /** Called every 20 ms of the pause with the far end (else the pause passes in one tick). */
    duringPause?: (far: ReturnType<typeof pausingChannel>) => void;
    /** Whether the CONTINUE_MEDIA is urgent (else it queues behind the audio written before). */
    urgentContinue?: boolean;
    /**
     * Whether the bot writes with a writer of the writable (else `transport.send`): the reply's
     * write then waits for room (`maxQueuedMs`), and frames written after it wait behind it.
     */
    writes?: boolean;
  } = {},
) {
  const { clock, pair, transport } = asterisk16kTransport(
    sendAheadMs === undefined ? {} : { sendAheadMs, maxQueuedMs: sendAheadMs + 1000 },
  );
  const errors: string[] = [];
  transport.addEventListener("error", (e) => void errors.push(String(e.error)));
  const far = pausingChannel(clock, pair);
  transport.receive(() => {});
  await clock.tick(10);
  const audio = reply === undefined
    ? filledPcm16k(replyMs * 32, REPLY_BYTE)
    : { type: "audio" as const, audio: reply, sampleRate: 16000, channels: 1 };
  const writer = writes ? transport.writable.getWriter() : undefined;
  const send = (frame: Frame) =>
    void (writer === undefined ? transport.send(frame) : writer.write(frame).catch(() => {}));
  send({ ...audio, responseId: "r1" });
  await clock.tick(pauseAt - 10);
  send({ type: "message", message: { command: "PAUSE_MEDIA" }, urgent: true });
  if (duringPause === undefined) await clock.tick(pauseMs);
  else {
    for (let t = 0; t < pauseMs; t += 20) {
      await clock.tick(20);
      duringPause(far);
    }
  }
  if (continues) {
    send({ type: "message", message: { command: "CONTINUE_MEDIA" }, urgent: urgentContinue });
  }
  return { clock, transport, far, errors, send };
}

Deno.test("Asterisk PAUSE_MEDIA: a barge-in 4.9 s into a 5 s pause hears what played before it, not the pause", async () => {
  const { clock, transport, far } = await pausedReply(1000, 4900);
  const playedMs = far.replyFramesPlayed * 20;
  const result = await transport.interrupt();
  assert.ok(Math.abs(playedMs - 1000) <= 40, `the far end played ${playedMs} ms`);
  // Before: the marks bounded heardMs only until playoutTimeoutMs (2 s) overdue: 3,880 ms.
  assert.ok(
    Math.abs(result.heardMs - playedMs) <= 60,
    `heardMs ${result.heardMs}, the far end played ${playedMs}`,
  );
  await transport.close();
  await clock.tick(60_000);
});

Deno.test("Asterisk PAUSE_MEDIA: heardMs follows the far end after CONTINUE_MEDIA", async () => {
  for (const [pauseMs, after] of [[2000, 200], [2000, 1500], [3000, 1000]] as const) {
    const { clock, transport, far } = await pausedReply(1000, pauseMs);
    await clock.tick(after);
    const playedMs = far.replyFramesPlayed * 20;
    const result = await transport.interrupt();
    assert.ok(Math.abs(playedMs - 1000 - after) <= 60, `the far end played ${playedMs} ms`);
    assert.ok(
      Math.abs(result.heardMs - playedMs) <= 60,
      `${pauseMs} ms pause, ${after} ms on: heardMs ${result.heardMs}, played ${playedMs}`,
    );
    await transport.close();
    await clock.tick(60_000);
  }
});

Deno.test("Asterisk PAUSE_MEDIA: the reply after a paused one begins when the far end plays it, and a barge-in in it hears it", async () => {
  const { clock, transport, far } = await pausedReply(1000, 2000);
  const starts: Array<[string | undefined, number]> = [];
  transport.addEventListener("speakingstart", (e) => void starts.push([e.responseId, clock.now()]));
  await clock.tick(7000); // the paused reply has played out (at 8 s)
  void transport.send({ ...filledPcm16k(2 * 32_000, NEXT_BYTE), responseId: "r2" });
  let firstPlayedAt = NaN;
  for (let t = 0; t < 400; t += 20) {
    await clock.tick(20);
    if (Number.isNaN(firstPlayedAt) && far.nextFramesPlayed > 0) firstPlayedAt = clock.now();
  }
  const playedMs = far.nextFramesPlayed * 20;
  const result = await transport.interrupt();
  // Before: the pause's late answers taught a lag of a second, and the next reply (however much
  // later) began a second late by the estimate: at 400 ms none of it was heard.
  assert.equal(starts.length, 1, "r2 began");
  assert.ok(
    starts[0]![1] - firstPlayedAt <= 60,
    `began at ${starts[0]![1]}, played ${firstPlayedAt}`,
  );
  assert.equal(result.responseId, "r2");
  assert.ok(
    Math.abs(result.heardMs - playedMs) <= 60,
    `heardMs ${result.heardMs}, the far end played ${playedMs}`,
  );
  await transport.close();
  await clock.tick(60_000);
});

Deno.test("Asterisk PAUSE_MEDIA: after CONTINUE_MEDIA the far end's queue comes back to sendAheadMs", async () => {
  const { clock, transport, far } = await pausedReply(1000, 3000, {
    sendAheadMs: 1000,
    replyMs: 12_000,
  });
  await clock.tick(3500); // the pause's length and more on: the pacing has waited for the far end
  // Before: the pacer went on as if the pause had played, and Asterisk held 4 s (200 frames), the
  // pause's length more than sendAheadMs, to the reply's end.
  assert.ok(far.queuedFrames <= 1000 / 20 + 2, `${far.queuedFrames} frames queued`);
  await transport.close();
  await clock.tick(60_000);
});

Deno.test("Asterisk PAUSE_MEDIA: a barge-in during the pause hears what played before it, and the next reply plays and is heard", async () => {
  const { clock, transport, far } = await pausedReply(1000, 1000, { continues: false });
  // The caller barges in 1 s into the pause: FLUSH_MEDIA, then the serializer's CONTINUE_MEDIA.
  const first = await transport.interrupt();
  assert.ok(Math.abs(first.heardMs - 1000) <= 60, `heardMs ${first.heardMs}`);
  void transport.send({ ...filledPcm16k(2 * 32_000, NEXT_BYTE), responseId: "r2" });
  await clock.tick(400);
  const playedMs = far.nextFramesPlayed * 20;
  const second = await transport.interrupt();
  assert.ok(playedMs >= 340, `the far end played ${playedMs} ms of r2`);
  assert.equal(second.responseId, "r2");
  assert.ok(Math.abs(second.heardMs - playedMs) <= 60, `heardMs ${second.heardMs} of ${playedMs}`);
  await transport.close();
  await clock.tick(60_000);
});

/** `ms` of 16 kHz audio whose 20 ms frame i is all one byte, 1 + i % 250: the far end tells them apart. */
function numberedFrames(ms: number): Uint8Array {
  const audio = new Uint8Array(ms * 32);
  for (let i = 0; i < ms / 20; i++) audio.fill(1 + i % 250, i * FRAME_BYTES, (i + 1) * FRAME_BYTES);
  return audio;
}

/** Whether `played` is the numbered frames of `ms` (see `numberedFrames`), all, in order. */
function allInOrder(played: number[], ms: number): boolean {
  return played.length === ms / 20 && played.every((value, i) => value === 1 + i % 250);
}

Deno.test("Asterisk PAUSE_MEDIA: during a 3 s pause the far end's queue grows by no more than sendAheadMs, and the held reply all plays after CONTINUE_MEDIA, in order", async () => {
  const queued: number[] = [];
  const { clock, transport, errors, far } = await pausedReply(1000, 3000, {
    sendAheadMs: 1000,
    replyMs: 12_000,
    reply: numberedFrames(12_000),
    duringPause: (far) => void queued.push(far.queuedFrames),
  });
  // Before: the pacer sent on as though the far end played: 50 frames queued as the pause began,
  // 200 at its end (the pause's 3 s more).
  const most = Math.max(...queued);
  assert.ok(most <= 1000 / 20 + 2, `${most} frames queued during the pause`);
  assert.ok(most - queued[0]! <= 1000 / 20, `grew from ${queued[0]} to ${most}`);
  await clock.tick(12_500); // the reply's 11 s left play out
  assert.ok(allInOrder(far.played, 12_000), `${far.played.length} frames played`);
  assert.deepEqual(errors, []);
  await transport.close();
  await clock.tick(60_000);
});

Deno.test("Asterisk PAUSE_MEDIA: a pause no CONTINUE_MEDIA ends holds sending back for sendTimeoutMs, then a timeout error names it and sending goes on", async () => {
  const { clock, transport, errors, far } = await pausedReply(1000, 4900, {
    sendAheadMs: 1000,
    replyMs: 12_000,
    continues: false,
  });
  const codes: string[] = [];
  transport.addEventListener("error", (e) => void codes.push(e.error.code));
  // 4.9 s into the pause (sendTimeoutMs, 5 s, from its start): held back, nothing said.
  assert.ok(far.queuedFrames <= 1000 / 20 + 2, `${far.queuedFrames} frames queued`);
  assert.deepEqual(errors, []);
  await clock.tick(200);
  assert.deepEqual(codes, ["timeout"], errors.join("\n"));
  assert.match(errors[0]!, /PAUSE_MEDIA.* within 5000 ms: sending on/);
  await clock.tick(1000);
  // Sent on, paced as though the far end played (Asterisk queues it: its own bound is 1,000 frames).
  assert.ok(far.queuedFrames > 1000 / 20 + 2, `${far.queuedFrames} frames queued`);
  assert.ok(far.replyFramesPlayed <= 1000 / 20 + 2, "nothing played while paused");
  await transport.close();
  await clock.tick(60_000);
});

Deno.test("Asterisk PAUSE_MEDIA: a CONTINUE_MEDIA behind the audio the pause holds back keeps its place after it, and the reply plays whole, sent or written with a writer waiting for room", async () => {
  for (const writes of [false, true]) {
    const { clock, transport, errors, far } = await pausedReply(1000, 1000, {
      sendAheadMs: 1000,
      replyMs: 6000,
      reply: numberedFrames(6000),
      urgentContinue: false,
      writes,
    });
    // It follows the reply's audio, paced as without the pause (README: "without an XOFF it keeps
    // its place after the audio before it"), not kept until the pause's bound (at 6 s). It leaves
    // with the reply's end (at 5 s), and the 5 s of the reply left play from then. Written, the
    // reply's write waits for room (`maxQueuedMs` 2 s) and the CONTINUE_MEDIA waits behind it, out
    // of the transport's queue: the hold kept the reply back until its bound, as though no message
    // waited (a timeout error, and the CONTINUE_MEDIA left only then); now it leaves as one sent.
    await clock.tick(9000);
    assert.deepEqual(errors, [], `writes: ${writes}`);
    assert.ok(
      allInOrder(far.played, 6000),
      `${far.played.length} frames played (writes: ${writes})`,
    );
    await transport.close();
    await clock.tick(60_000);
  }
});

Deno.test("Asterisk PAUSE_MEDIA: an end written during a pause no CONTINUE_MEDIA ends hangs up within the hold's bound, the reply's sending and playoutTimeoutMs, sent or written; what the far end held unplayed counted once", async () => {
  for (const writes of [false, true]) {
    // The pause from 1 s, the end written at 3 s behind 12 s of reply (1 s played, 1 s sent on).
    const { clock, transport, errors, far, send } = await pausedReply(1000, 2000, {
      sendAheadMs: 1000,
      replyMs: 12_000,
      continues: false,
      writes,
    });
    send({ type: "end" });
    send({ type: "end" }); // a second: the unplayed audio is still counted once
    let closedAt = NaN;
    void transport.closed.then(() => closedAt = clock.now());
    for (let i = 0; i < 60 && Number.isNaN(closedAt); i++) await clock.tick(500);
    // The hold's bound (6 s), the 11 s of reply left paced on from there, playoutTimeoutMs (2 s):
    // the end waits on nothing else, and its own wait is bounded.
    assert.ok(closedAt <= 6000 + 11_000 + 2000 + 100, `hung up at ${closedAt} (${writes})`);
    assert.equal(errors.length, 2, errors.join("\n"));
    assert.match(errors[0]!, /PAUSE_MEDIA with no CONTINUE_MEDIA since.* within 5000 ms/);
    // The second names the pause too, and how much of what was sent it kept from the caller:
    // 12 s sent, about 1 s played before the pause (the estimate's lag aside).
    assert.match(
      errors[1]!,
      /PAUSE_MEDIA with no CONTINUE_MEDIA since\) and did not acknowledge playout in time: hanging up, \d+ ms of audio sent and never played/,
    );
    const unplayedMs = Number(/hanging up, (\d+) ms/.exec(errors[1]!)![1]);
    assert.ok(Math.abs(unplayedMs - 11_000) <= 100, `${unplayedMs} ms held unplayed`);
    // Everything left the transport (Asterisk held it, and drops it at the HANGUP): nothing is
    // the transport's to count dropped (no byte counter counts what the far end dropped after it
    // was sent: audioBytesSent has it). audioMsUnplayedAtEnd holds it, once: the second `end`
    // is dropped (framesDroppedOnClose), adding nothing; no byte of it is counted anywhere else.
    // Before, only the error's text said it.
    assert.equal(transport.stats.audioMsUnplayedAtEnd, unplayedMs);
    assert.match(errors[1]!, /never played \(counted in audioMsUnplayedAtEnd\)/);
    assert.equal(transport.stats.audioBytesSent, 12_000 * 32);
    assert.equal(
      transport.stats.audioBytesDroppedOnClose + transport.stats.audioBytesInterrupted +
        transport.stats.audioBytesStale + transport.stats.audioBytesRefused,
      0,
    );
    assert.equal(transport.stats.framesDroppedOnClose, 1, "the second end");
    assert.ok(transport.stats.marksUnanswered > 0);
    assert.equal(far.played.length, 50, "nothing played after the pause");
    await clock.tick(60_000);
  }
});
