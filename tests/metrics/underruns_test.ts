// Underruns: the bot's speech running dry at the far end in the middle of a response (its source
// slower than real time, the sender stalled longer than its lead), counted and summed by the
// playout estimate. The far end here plays what it gets at once, as it gets it: the silences it
// played inside a response are the truth the figures are checked against.
import assert from "node:assert/strict";
import { type AudioFrame, type Frame, type OutboundMixer, SessionMetrics } from "../../mod.ts";
import type { TransportOptions } from "../../src/transport_options.ts";
import { MarkingSerializer } from "../_fake_far_end.ts";
import { withSerializeStalls } from "../_serialize_stalls.ts";
import { StallClock } from "../_stall_clock.ts";
import { meteredCall } from "./_metered_call.ts";
import {
  botAudio,
  openWholeFrameSession,
  WHOLE_FRAME_CALLS,
} from "../serializers/fixtures/whole_frame_calls.ts";

/** The far end's bytes of the bot's speech (background is 2). */
const SPEECH = 1;

function call(options: TransportOptions = {}, clock = new StallClock()) {
  return meteredCall(clock, options);
}

/** `ms` of the bot's speech, of `responseId` (none: untagged). */
const speech = (ms: number, responseId?: string): Frame => ({
  type: "audio",
  audio: new Uint8Array(ms * 32).fill(SPEECH),
  sampleRate: 16000,
  channels: 1,
  ...(responseId === undefined ? {} : { responseId }),
});

/** Writes `count` frames of 20 ms, one every `everyMs`, as a real-time source does. */
async function speakInRealTime(
  c: ReturnType<typeof call>,
  count: number,
  everyMs: number,
  responseId?: string,
): Promise<void> {
  await c.clock.tick(0);
  for (let i = 0; i < count; i++) {
    c.transport.send(speech(20, responseId));
    await c.clock.tick(everyMs);
  }
  await c.clock.tick(1000);
}

async function hangUp(c: ReturnType<typeof call>): Promise<void> {
  c.pair.client.close(1000);
  await c.transport.closed;
}

for (const responseId of ["r1", undefined]) {
  Deno.test(`underruns: a source writing 20 ms every 21 ms runs dry 49 times, 1 ms each (${responseId ?? "untagged"})`, async () => {
    const c = call();
    await speakInRealTime(c, 50, 21, responseId);
    assert.deepEqual(c.farEnd.gaps(SPEECH), new Array(49).fill(1));
    const { outbound } = c.metrics.snapshot();
    assert.equal(outbound.underruns, 49);
    assert.equal(outbound.underrunMs, 49);
    assert.equal(outbound.lateChunks, 0, "the transport sent each chunk as it came");
    await hangUp(c);
    assert.match(c.summaries[0]!.line, / late_chunks=0 underruns=49 underrun_ms=49 /);
  });
}

Deno.test("underruns: a source writing in real time or ahead of it never runs dry", async () => {
  for (const everyMs of [20, 19, 0]) {
    const c = call();
    await speakInRealTime(c, 50, everyMs, "r1");
    assert.deepEqual(c.farEnd.gaps(SPEECH), []);
    const { outbound } = c.metrics.snapshot();
    assert.equal(outbound.chunks, 50);
    assert.equal(outbound.underruns, 0, `every ${everyMs} ms`);
    assert.equal(outbound.underrunMs, 0);
    await hangUp(c);
  }
});

for (const [sendAheadMs, dryMs] of [[20, 80], [60, 40]] as const) {
  Deno.test(`underruns: a 100 ms sender stall with ${sendAheadMs} ms sent ahead runs dry once, ${dryMs} ms`, async () => {
    const clock = new StallClock();
    const c = call({
      sendAheadMs,
      serializer: withSerializeStalls(new MarkingSerializer(), clock, { chunk: 10, ms: 100 }),
    }, clock);
    await clock.tick(0);
    c.transport.send(speech(1000, "r1"));
    await clock.tick(2000);
    assert.deepEqual(c.farEnd.gaps(SPEECH), [dryMs]);
    const { outbound } = c.metrics.snapshot();
    assert.equal(outbound.underruns, 1);
    assert.equal(outbound.underrunMs, dryMs);
    await hangUp(c);
  });

  // The 10th chunk of the reply, told of before the work held it: the move that follows is the
  // only word that it plays later (the reply's last chunk, in 200 ms, has no chunk after it).
  for (const replyMs of [1000, 200]) {
    Deno.test(`underruns: an observer's 100 ms on the 10th chunk of ${replyMs} ms with ${sendAheadMs} ms sent ahead runs dry once, ${dryMs} ms (told as a move)`, async () => {
      const c = call({ sendAheadMs });
      let n = 0;
      let moves = 0;
      c.transport.observe({
        outboundAudio: () => void (++n === 10 && c.clock.block(100)),
        playoutMoved: () => void moves++,
      });
      await c.clock.tick(0);
      c.transport.send(speech(replyMs, "r1"));
      await c.clock.tick(2000);
      assert.equal(moves, 1, "the observers were told of the move");
      assert.deepEqual(c.farEnd.gaps(SPEECH), [dryMs]);
      const { outbound } = c.metrics.snapshot();
      assert.equal(outbound.underruns, 1);
      assert.equal(outbound.underrunMs, dryMs);
      await hangUp(c);
    });
  }
}

for (const [first, second] of [["r1", "r2"], [undefined, undefined]]) {
  Deno.test(`underruns: the pause between two responses is none (${first ?? "untagged"})`, async () => {
    const c = call();
    await c.clock.tick(0);
    c.transport.send(speech(500, first));
    await c.clock.tick(1500);
    c.transport.send(speech(500, second));
    await c.clock.tick(1500);
    assert.deepEqual(c.farEnd.gaps(SPEECH), [1000]);
    const { outbound } = c.metrics.snapshot();
    assert.equal(outbound.underruns, 0);
    assert.equal(outbound.underrunMs, 0);
    await hangUp(c);
  });
}

Deno.test("underruns: the silence an interruption leaves is none, even before the same id", async () => {
  const c = call();
  await c.clock.tick(0);
  c.transport.send(speech(1000, "r1"));
  await c.clock.tick(300);
  await c.transport.interrupt();
  await c.clock.tick(200);
  c.transport.startResponse("r1");
  c.transport.send(speech(500));
  await c.clock.tick(1500);
  const { outbound } = c.metrics.snapshot();
  assert.equal(c.transport.stats.interruptions, 1);
  assert.equal(outbound.underruns, 0);
  assert.equal(outbound.underrunMs, 0);
  await hangUp(c);
});

/** Background audio: a chunk of bytes 2 whenever the transport asks. */
const background: OutboundMixer = {
  attach() {},
  mix: (chunk: AudioFrame) => chunk,
  fill: () => ({
    type: "audio",
    audio: new Uint8Array(640).fill(2),
    sampleRate: 16000,
    channels: 1,
  }),
  detach() {},
};

Deno.test("underruns: background audio filling a source's pauses keeps the far end from running dry", async () => {
  // Without it, the source (20 ms every 30 ms) leaves the far end 10 ms dry before each chunk.
  const alone = call();
  await speakInRealTime(alone, 10, 30, "r1");
  assert.deepEqual(alone.farEnd.gaps(SPEECH), new Array(9).fill(10));
  assert.equal(alone.metrics.snapshot().outbound.underruns, 9);
  assert.equal(alone.metrics.snapshot().outbound.underrunMs, 90);
  await hangUp(alone);

  const c = call({ background });
  await speakInRealTime(c, 10, 30, "r1");
  const { outbound } = c.metrics.snapshot();
  assert.ok(c.farEnd.played.some((span) => span.value === 2), "the background filled in");
  assert.equal(outbound.underruns, 0);
  assert.equal(outbound.underrunMs, 0);
  await hangUp(c);
});

// Packets of 500 bytes (tests/serializers/held_frame_packet_padding_test.ts): audio held for a
// packet not yet whole leaves with the next, and is moved from within a chunk. "a" (9000 bytes,
// 25 ms chunks): the far end waits 3.125 ms for its third packet, from 46.875 ms on the timeline.
// "b" (1600 bytes from 312.5 ms, at 315.625): its 600 bytes after the 22nd packet (from 343.75,
// placed at 346.875) leave padded at the stretch's end, at 362.5: 15.625 ms dry.
for (const wholeFrames of WHOLE_FRAME_CALLS) {
  Deno.test(`underruns: ${wholeFrames.name} with 500-byte packets: audio held for a packet runs dry within a chunk`, async () => {
    const { clock, transport } = await openWholeFrameSession(wholeFrames, {
      fixedAudioPacketSize: 500,
      lastPacket: "pad",
    });
    const metrics = SessionMetrics.attach(transport, { clock, speech: false });
    void transport.send(botAudio(9000, "a"));
    await clock.tick(266);
    void transport.send(botAudio(1600, "b"));
    await clock.tick(3000);
    const { outbound } = metrics.snapshot();
    assert.equal(outbound.underruns, 2);
    assert.equal(outbound.underrunMs, 3.125 + 15.625);
    await transport.close();
    await clock.tick(60_000);
  });
}

// More than the meter keeps (512 chunks) sent in one turn: the turn that ran long moves all it sent,
// from the reply's first chunk: the reply starts later, and never runs dry within.
for (const blockedAt of [600, 700]) {
  Deno.test(`underruns: a turn sending a 14 s reply at once that runs long on chunk ${blockedAt} delays the reply, none within`, async () => {
    const c = call({ sendAheadMs: 15_000 });
    let n = 0;
    const moves: number[] = [];
    c.transport.observe({
      outboundAudio: () => void (++n === blockedAt && c.clock.block(100)),
      playoutMoved: (info) => void moves.push(info.position),
    });
    await c.clock.tick(0);
    c.transport.send(speech(14_000, "r1"));
    await c.clock.tick(16_000);
    assert.deepEqual(moves, [0], "moved from the reply's first chunk, let go by the meter");
    assert.deepEqual(c.farEnd.gaps(SPEECH), []);
    const { outbound } = c.metrics.snapshot();
    assert.equal(outbound.underruns, 0);
    assert.equal(outbound.underrunMs, 0);
    await hangUp(c);
  });
}

// With `lastPacket: "drop"` a tagged response that pauses longer than the quiet time loses the
// partial packet at the pause (it never leaves): the far end runs dry where the audio that left
// ends, so the gap is measured from there, not from the end of the chunks told before the drop.
Deno.test("underruns: a packet dropped at a pause inside a response lengthens the gap by what it held", async () => {
  // 1280-byte packets (40 ms): 180 ms is four packets and 20 ms dropped, 100 ms two and 20 dropped.
  const c = call({ fixedAudioPacketSize: 1280, lastPacket: "drop", sendAheadMs: 100 });
  await c.clock.tick(0);
  c.transport.send(speech(180, "r1"));
  await c.clock.tick(600);
  c.transport.send(speech(100, "r1"));
  await c.clock.tick(1000);
  assert.equal(c.farEnd.playedMs(SPEECH), 240);
  const heard = c.farEnd.gaps(SPEECH);
  assert.equal(heard.length, 1);
  const { outbound } = c.metrics.snapshot();
  assert.equal(outbound.underruns, 1);
  assert.ok(
    Math.abs(outbound.underrunMs - heard[0]!) < 1e-6,
    `heard a ${heard[0]} ms gap, counted ${outbound.underrunMs}`,
  );
  await hangUp(c);
});
