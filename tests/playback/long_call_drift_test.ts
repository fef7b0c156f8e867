// Late in a long call, positions on the timeline are millions of milliseconds, and each chunk's
// duration added to one rounds by up to half a unit in the last place. A response's end kept as
// its start plus its own chunks summed from 0 drifted from the timeline's position where its last
// chunk ended, past the tracker's tolerance, after 18 minutes of 24 kHz audio in 10/3 ms chunks:
// the response that had played out was taken for one whose last audio was still held for a packet,
// got no `speakingstop`, stayed `playback.speaking`, and a later interruption stopped it as a
// barge-in that never happened. Likewise the timeline took a spell that went on for a new one
// every few seconds, its pacer's sum and its own having drifted apart the same way.
import assert from "node:assert/strict";
import { RawPcmSerializer, type SpeakingEvent } from "../../mod.ts";
import { PlayoutTimeline } from "../../src/_playout_timeline.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

const RATE = 24000;
const CHUNK_MS = 10 / 3; // 80 samples: not a whole number of milliseconds
const REPLY_S = 60;
/** Replies played; the drift went past the tolerance at the 19th (18 minutes in). */
const REPLIES = 21;

/**
 * A call of one-minute replies, each written at once and followed by 2 s of quiet; `acks`: through
 * Twilio, a far end that answers each mark as it reads it (it has played the audio before it).
 */
async function longCall(acks: boolean) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: acks ? new TwilioSerializer() : new RawPcmSerializer(),
    clock,
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: RATE, chunkMs: CHUNK_MS },
    maxQueuedMs: 2 * REPLY_S * 1000,
  });
  const stops: SpeakingEvent[] = [];
  transport.addEventListener("speakingstop", (e) => stops.push(e));
  if (acks) {
    pair.client.addEventListener("message", (e) => {
      const m = JSON.parse((e as MessageEvent).data);
      if (m.event !== "mark") return;
      pair.client.send(JSON.stringify({ event: "mark", streamSid: "MZ1", mark: m.mark }));
    });
    pair.client.send(JSON.stringify({
      event: "start",
      streamSid: "MZ1",
      start: { streamSid: "MZ1", callSid: "CA1", accountSid: "AC1" },
    }));
  }
  await clock.tick(0);
  const audio = new Uint8Array(new Int16Array(RATE * REPLY_S).fill(3000).buffer);
  /** Replies whose figures are not their own duration (told once the call is through). */
  const figures: string[] = [];
  for (let r = 0; r < REPLIES; r++) {
    const id = `r${r}`;
    transport.send({ type: "audio", audio, sampleRate: RATE, channels: 1, responseId: id });
    for (let ms = 0; ms < REPLY_S * 1000 + 2000; ms += 500) {
      await clock.tick(500);
      pair.client.sent.length = 0; // the test's record of the call must not grow with it
    }
    const playback = transport.playback;
    const stop = stops.at(-1);
    const where = `${id}, after ${r} min of bot audio, played to its end 2 s ago`;
    assert.equal(stop?.responseId, id, `${where}: no speakingstop (${JSON.stringify(playback)})`);
    assert.equal(stop.reason, "played", where);
    assert.equal(playback.speaking, false, where);
    // All of it was heard: the figures are the reply's own duration, not a difference of
    // positions that rounded apart from it.
    const told = [stop.heardMs, playback.heardMs, playback.sentMs];
    if (told.some((ms) => ms !== stop.sentMs) || Math.abs(stop.sentMs - REPLY_S * 1000) > 1e-6) {
      figures.push(`${id}: sent ${stop.sentMs}, heard ${told.join(" / ")}`);
    }
  }
  assert.deepEqual(figures, [], "every reply was heard in full, its figures its duration");
  // Nothing plays: an interruption now stops nothing (it was taken for a barge-in on the reply).
  const count = stops.length;
  const result = await transport.interrupt();
  assert.equal(result.responseId, undefined, `interrupted ${result.responseId}`);
  assert.equal(stops.length, count, "no speakingstop for an interruption of nothing");
  pair.client.close(1000);
  await clock.tick(100);
  await transport.closed;
}

Deno.test("every reply of a long call stops once played (raw PCM, no acknowledgements)", async () => {
  await longCall(false);
});

Deno.test("every reply of a long call stops once played (Twilio, marks acknowledged)", async () => {
  await longCall(true);
});

Deno.test("`PlayoutTimeline` keeps a spell that goes on as one, at a position of 70 min", async () => {
  const clock = new FakeClock();
  // No send-ahead: each chunk is due as it plays, with no slack for its deadline to round into.
  const timeline = new PlayoutTimeline({ sendAheadMs: 0, clock });
  // 70 minutes sent at once at 0; they have played by the time the second spell begins.
  for (let i = 0; i < 1_260_000; i++) {
    timeline.reserve(CHUNK_MS, 0);
    timeline.commit();
  }
  const start = timeline.sentMs;
  const anchor = Math.ceil(start) + 1000;
  await clock.tick(anchor);
  // Ten minutes sent at once: one spell, whatever the pacer's and the timeline's sums round to,
  // each chunk due no later than its place in it says (as the recorder, which follows a spell
  // by the chunks' positions from its first deadline, reckons it: one due later begins another).
  const late: string[] = [];
  for (let i = 0; i < 180_000; i++) {
    timeline.reserve(CHUNK_MS, anchor);
    timeline.commit();
    const due = anchor + (timeline.lastPosition - start);
    if (timeline.lastDeadline > due + 1e-6) late.push(`${i}: ${timeline.lastDeadline - due} late`);
  }
  // Read through the spells kept (32): split every few seconds, the first was dropped from them.
  assert.equal(timeline.playedAt(anchor + 1), start + 1);
  assert.equal(timeline.playsAt(start + 1000), anchor + 1000);
  assert.deepEqual(late.slice(0, 3), [], `${late.length} chunks due after their place`);
});
