// A far end whose answers to the transport's playback marks stopped coming (a platform that
// ignores marks, one that stopped answering them): once a mark's answer is `playoutTimeoutMs`
// overdue, what was heard runs on by the estimate, and so does `speakingstop`. A reply after
// that stops as it plays out (`acknowledged: false`), not `playoutTimeoutMs` later: meanwhile
// `transport.playback.speaking` (what `BargeInStream` reads) took the caller answering the bot
// for a barge-in, and the next reply began ("speakingstart") only then, long after it played.
// Where the far end still answers, a reply still waits for the answer at its end.
//
// The far end (`tests/_fake_far_end.ts`) plays what it is sent in real time behind a jitter
// buffer and answers a mark once the audio sent before it has played, as Twilio's Media Streams
// documents the "mark" message (twilio.com/docs/voice/media-streams/websocket-messages, "Send a
// Mark message": "Twilio sends back a mark event with a matching name when the audio ends"); its
// `stopAcking` is a far end that answers no more, `acks: false` one that never did.
import assert from "node:assert/strict";
import { type AudioFrame, type SpeakingEvent, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "./_fake_far_end.ts";

const BYTES_PER_MS = 32; // 16 kHz mono PCM16
const JITTER_MS = 100;
/** The events timer may fire a chunk late (see the tracker's TIMER_TOLERANCE_MS), and one more. */
const SLACK_MS = 40;

/** `acks`: the far end answers marks, until told not to; never answering, its delay is told. */
function call(acks: boolean) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
    clock, // playoutTimeoutMs: 2000, the default
    // With no answer to learn it from, the estimate holds the far end's delay as it is told.
    playoutDelayMs: acks ? 0 : JITTER_MS,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, {
    jitterMs: JITTER_MS,
    bytesPerMs: BYTES_PER_MS,
    acks,
  });
  const events: { type: string; at: number; event: SpeakingEvent }[] = [];
  for (const type of ["speakingstart", "speakingstop"] as const) {
    transport.addEventListener(type, (event) => events.push({ type, at: clock.now(), event }));
  }
  transport.receive(() => {});
  /** The event `type` of reply `id`. */
  const event = (type: string, id: string) =>
    events.find((e) => e.type === type && e.event.responseId === id);
  /** When the far end played the first and the last of the audio whose bytes are `value`. */
  const played = (value: number) => {
    const spans = farEnd.played.filter((span) => span.value === value);
    return { from: spans[0]!.at, to: spans.at(-1)!.at + spans.at(-1)!.ms };
  };
  return { clock, pair, transport, farEnd, events, event, played };
}

/** `ms` of audio whose every byte is `value`, of response `responseId`. */
function speech(ms: number, value: number, responseId: string): AudioFrame {
  return {
    type: "audio",
    audio: new Uint8Array(ms * BYTES_PER_MS).fill(value),
    sampleRate: 16000,
    channels: 1,
    responseId,
  };
}

Deno.test("a far end that stopped answering marks: a reply after the first unanswered one stops as it plays out, not playoutTimeoutMs later, and the next starts as it plays", async () => {
  const c = call(true);
  await c.clock.tick(0);
  c.transport.send(speech(1000, 1, "r1")); // answered: the far end's delay is learned
  await c.clock.tick(3000);
  assert.equal(c.event("speakingstop", "r1")?.event.acknowledged, true);
  c.farEnd.stopAcking(); // it plays on, and answers no mark any more
  // r2's marks are the first to go unanswered: a late answer cannot be told from none yet, and
  // r2 waits for its end's, up to playoutTimeoutMs past its estimated end.
  c.transport.send(speech(1000, 2, "r2"));
  await c.clock.tick(4000);
  const r2 = c.event("speakingstop", "r2")!;
  assert.ok(r2.at >= c.played(2).to + 2000 - SLACK_MS, `r2 stopped at ${r2.at}`);
  // By now r2's marks are overdue: r3 plays, by the estimate, and stops as it plays out.
  c.transport.send(speech(1000, 3, "r3"));
  const r3End = c.clock.now() + JITTER_MS + 1000;
  await c.clock.tick(1000 + JITTER_MS + SLACK_MS);
  assert.equal(c.played(3).to, r3End);
  const r3 = c.event("speakingstop", "r3");
  assert.ok(r3 !== undefined, `r3 not stopped ${SLACK_MS} ms after it played out (${r3End})`);
  assert.ok(r3.at >= r3End, `r3 stopped at ${r3.at}, before it played out at ${r3End}`);
  assert.equal(r3.event.reason, "played");
  assert.equal(r3.event.heardMs, 1000);
  assert.equal(r3.event.acknowledged, false, "by the estimate: no answer says so");
  // The caller answers the bot now: no reply is audible, so that is no barge-in.
  assert.equal(c.transport.playback.speaking, false);
  assert.equal(c.transport.playback.acknowledged, false);
  // The bot's next reply, sent as the caller's turn ends, is audible as it plays.
  await c.clock.tick(500);
  c.transport.send(speech(1000, 4, "r4"));
  await c.clock.tick(JITTER_MS + SLACK_MS);
  const r4 = c.event("speakingstart", "r4");
  assert.ok(r4 !== undefined, "r4 began as it played");
  assert.ok(Math.abs(r4.at - c.played(4).from) <= SLACK_MS, `r4 began at ${r4.at}`);
  assert.equal(c.transport.playback.speaking, true);
  c.pair.client.close(1000);
  await c.transport.closed;
});

Deno.test("a far end that never answers marks: every reply after the first stops as it plays out, short ones too, each acknowledged false", async () => {
  const c = call(false);
  await c.clock.tick(0);
  c.transport.send(speech(1000, 1, "r0"));
  await c.clock.tick(4000); // the first waits out playoutTimeoutMs: nothing told it no answer comes
  // Replies shorter than the mark cadence (250 ms), and longer, each after a caller's turn.
  const lengths = [200, 1500, 120, 3000, 60];
  for (const [i, ms] of lengths.entries()) {
    const id = `r${i + 1}`;
    c.transport.send(speech(ms, i + 2, id));
    const end = c.clock.now() + JITTER_MS + ms;
    await c.clock.tick(ms + JITTER_MS + SLACK_MS);
    assert.equal(c.played(i + 2).to, end);
    const stop = c.event("speakingstop", id);
    assert.ok(stop !== undefined, `${id} (${ms} ms) not stopped ${SLACK_MS} ms past its end`);
    assert.ok(stop.at >= end, `${id} stopped at ${stop.at}, before it played out at ${end}`);
    assert.deepEqual([stop.event.heardMs, stop.event.acknowledged], [ms, false]);
    assert.equal(c.transport.playback.speaking, false, `${id}: the caller's turn`);
    await c.clock.tick(1000);
  }
  // The marks stay bounded: a few dozen in the whole call.
  assert.ok(c.transport.stats.marksSent <= 48, `${c.transport.stats.marksSent} marks`);
  c.pair.client.close(1000);
  await c.transport.closed;
});

Deno.test("a far end that never answers marks, after a barge-in: the next reply stops as it plays out, not playoutTimeoutMs later", async () => {
  const c = call(false);
  await c.clock.tick(0);
  c.transport.send(speech(1000, 1, "r0"));
  await c.clock.tick(4000);
  c.transport.send(speech(3000, 2, "r1"));
  await c.clock.tick(1000);
  // The caller talks over r1: its clear drops the marks waited for, which still go unanswered.
  const cut = await c.transport.interrupt();
  assert.equal(cut.acknowledged, false);
  await c.clock.tick(1000);
  c.transport.send(speech(1000, 3, "r2"));
  const end = c.clock.now() + JITTER_MS + 1000;
  await c.clock.tick(1000 + JITTER_MS + SLACK_MS);
  assert.equal(c.played(3).to, end);
  const stop = c.event("speakingstop", "r2");
  assert.ok(stop !== undefined, `r2 not stopped ${SLACK_MS} ms after it played out (${end})`);
  assert.ok(stop.at >= end, `r2 stopped at ${stop.at}, before it played out at ${end}`);
  assert.deepEqual([stop.event.heardMs, stop.event.acknowledged], [1000, false]);
  assert.equal(c.transport.playback.speaking, false);
  c.pair.client.close(1000);
  await c.transport.closed;
});

Deno.test("a far end that answers late, its buffer grown, is waited for: a reply stops at the answer to the mark at its end, acknowledged, not by the estimate", async () => {
  const c = call(true);
  await c.clock.tick(0);
  c.transport.send(speech(1000, 1, "r1"));
  await c.clock.tick(3000);
  // Its buffer grows by a second and a half (within playoutTimeoutMs): r2 plays that much later
  // than the delay learned says, and the answers come as it does.
  c.farEnd.delayBy(1500);
  c.transport.send(speech(1000, 2, "r2"));
  await c.clock.tick(5000);
  const r2 = c.event("speakingstop", "r2")!;
  assert.ok(Math.abs(r2.at - c.played(2).to) <= SLACK_MS, `r2 stopped at ${r2.at}`);
  assert.equal(r2.event.acknowledged, true);
  c.pair.client.close(1000);
  await c.transport.closed;
});

Deno.test("a far end that stalls past playoutTimeoutMs and then answers again: the next reply waits for its own answers once more", async () => {
  const c = call(true);
  await c.clock.tick(0);
  c.transport.send(speech(1000, 1, "r1"));
  await c.clock.tick(3000);
  c.farEnd.delayBy(3000); // a hole of 3 s in its playout: every answer from now on 3 s later
  c.transport.send(speech(1000, 2, "r2"));
  await c.clock.tick(6000); // r2 went by the estimate, then its late answers came
  assert.equal(c.event("speakingstop", "r2")?.event.acknowledged, false);
  // The far end answers again: r3's end is waited for where it really plays.
  c.transport.send(speech(1000, 3, "r3"));
  await c.clock.tick(6000);
  const r3 = c.event("speakingstop", "r3")!;
  assert.ok(Math.abs(r3.at - c.played(3).to) <= SLACK_MS, `r3 stopped at ${r3.at}`);
  assert.equal(r3.event.acknowledged, true);
  c.pair.client.close(1000);
  await c.transport.closed;
});
