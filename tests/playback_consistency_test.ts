// What `interrupt()` returns, the speaking events and `transport.playback` agree with each other
// and with what the caller hears (faults a seeded fuzz of their invariants found).
import assert from "node:assert/strict";
import { RawPcmSerializer, type SpeakingEvent, WebSocketTransport } from "../mod.ts";
import { TwilioSerializer } from "../src/serializers/twilio.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

const START = JSON.stringify({
  event: "start",
  streamSid: "MZ1",
  start: { streamSid: "MZ1", callSid: "CA1", accountSid: "AC1" },
});

function session(serializer: "twilio" | "raw", playoutDelayMs = 0) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const t = new WebSocketTransport(pair.server, {
    serializer: serializer === "twilio" ? new TwilioSerializer() : new RawPcmSerializer(),
    audioIn: { sampleRate: 8000 },
    audioOut: { sampleRate: 8000, chunkMs: 20 },
    playoutDelayMs,
    clock,
  });
  const events: SpeakingEvent[] = [];
  t.addEventListener("speakingstart", (e) => events.push(e));
  t.addEventListener("speakingstop", (e) => events.push(e));
  const audio = (ms: number, responseId: string) => ({
    type: "audio" as const,
    audio: new Uint8Array(ms * 16),
    sampleRate: 8000,
    channels: 1,
    responseId,
  });
  return { clock, pair, t, events, audio };
}

/**
 * A Twilio far end that plays each chunk `delayMs` after it arrives (back to back) and answers a
 * mark once the audio before it has played; `step` moves the clock in 5 ms steps, answering.
 */
function twilioFarEnd(s: ReturnType<typeof session>, delayMs: number) {
  let playEnd = 0;
  const spans: { start: number; dur: number }[] = [];
  const marks: { name: string; at: number }[] = [];
  s.pair.client.addEventListener("message", (e) => {
    const m = JSON.parse((e as MessageEvent).data);
    const now = s.clock.now();
    if (m.event === "media") {
      const dur = atob(m.media.payload).length / 8;
      const start = Math.max(now + delayMs, playEnd);
      playEnd = start + dur;
      spans.push({ start, dur });
    } else if (m.event === "mark") marks.push({ name: m.mark.name, at: playEnd });
  });
  const playedMs = () =>
    spans.reduce((a, p) => a + Math.min(p.dur, Math.max(0, s.clock.now() - p.start)), 0);
  const step = async (ms: number) => {
    for (let i = 0; i < ms; i += 5) {
      await s.clock.tick(5);
      while (s.pair.client.readyState === 1 && marks.length > 0 && marks[0]!.at <= s.clock.now()) {
        const name = marks.shift()!.name;
        s.pair.client.send(JSON.stringify({ event: "mark", streamSid: "MZ1", mark: { name } }));
      }
      await s.clock.tick(0);
    }
  };
  return { playedMs, step };
}

Deno.test("raw PCM `interrupt()` and its speaking events agree: a response sent but not begun is heard too", async () => {
  const { clock, pair, t, events, audio } = session("raw");
  await clock.tick(0);
  t.send(audio(10, "r0"));
  t.send(audio(20, "r1")); // sent at once: raw PCM cannot clear it, so the caller hears all of it
  const before = events.length;
  const result = await t.interrupt();
  assert.deepEqual([result.responseId, result.heardMs, result.acknowledged], ["r1", 20, false]);
  const caused = events.slice(before).map((e) => `${e.type}:${e.responseId}:${e.heardMs}`);
  assert.deepEqual(caused, ["speakingstop:r0:10", "speakingstart:r1:0", "speakingstop:r1:20"]);
  const stop = events[events.length - 1]!;
  assert.deepEqual([stop.reason, stop.acknowledged], ["interrupted", false]);
  const p = t.playback;
  assert.deepEqual([p.speaking, p.responseId, p.heardMs, p.sentMs], [false, "r1", 20, 20]);
  pair.client.close(1000);
  await t.closed;
});

Deno.test("`transport.playback` names the response that played last, not one sent but not begun", async () => {
  // Interrupted while r0 plays: r1 never played, and the last event is r0's stop.
  const s = session("twilio");
  await s.clock.tick(0);
  s.pair.client.send(START);
  await s.clock.tick(0);
  s.t.send(s.audio(20, "r0"));
  s.t.send(s.audio(20, "r1"));
  const result = await s.t.interrupt();
  const last = s.events[s.events.length - 1]!;
  assert.deepEqual([last.type, last.responseId, result.responseId], ["speakingstop", "r0", "r0"]);
  const p = s.t.playback;
  assert.deepEqual([p.speaking, p.responseId, p.heardMs], [false, "r0", last.heardMs]);
  s.pair.client.close(1000);
  await s.t.closed;

  // Between turns: r0 has played, r1 is sent but the far end (100 ms behind) has not begun it.
  const b = session("raw", 100);
  await b.clock.tick(0);
  b.t.send(b.audio(20, "r0"));
  await b.clock.tick(500);
  assert.equal(b.events[b.events.length - 1]!.type, "speakingstop");
  b.t.send(b.audio(20, "r1"));
  await b.clock.tick(50);
  const between = b.t.playback;
  assert.deepEqual(
    [between.speaking, between.responseId, between.heardMs, between.sentMs],
    [false, "r0", 20, 20],
  );
  await b.clock.tick(60); // r1 plays from 600 to 620
  assert.deepEqual([b.t.playback.speaking, b.t.playback.responseId], [true, "r1"]);
  b.pair.client.close(1000);
  await b.t.closed;
});

Deno.test("a response resumed in a new spell shows no `heardMs` the far end has not played", async () => {
  const s = session("twilio");
  const farEnd = twilioFarEnd(s, 150);
  await s.clock.tick(0);
  s.pair.client.send(START);
  await s.clock.tick(0);
  s.t.send(s.audio(10, "r0"));
  await farEnd.step(300); // played at 150..160, acknowledged: the far end is 150 ms behind
  assert.equal(s.events[s.events.length - 1]!.heardMs, 10);
  s.t.send(s.audio(30, "r0")); // more of r0, in a new spell: the far end plays it from 450
  await farEnd.step(50);
  const p = s.t.playback;
  assert.equal(p.acknowledged, true);
  assert.equal(p.heardMs, 10, "none of the new audio has played at 350");
  await farEnd.step(150);
  assert.equal(s.t.playback.heardMs, 10 + farEnd.playedMs() - 10, "then it is heard as it plays");
  s.pair.client.close(1000);
  await farEnd.step(1000);
});

Deno.test("`interrupt` (acknowledged) is not overstated when the bot streams slower than real time", async () => {
  // 100 ms pieces every 130 ms, a far end 300 ms behind: each piece is a spell of its own, and
  // the position heard 300 ms ago lies a few spells back.
  for (const [piece, every, at] of [[100, 130, 40], [100, 130, 80], [200, 230, 0]]) {
    const s = session("twilio");
    const farEnd = twilioFarEnd(s, 300);
    await s.clock.tick(0);
    s.pair.client.send(START);
    await s.clock.tick(0);
    for (let i = 0; i < 20; i++) {
      s.t.send(s.audio(piece!, "r1"));
      await farEnd.step(every!);
    }
    await farEnd.step(at!);
    const truth = farEnd.playedMs();
    const result = await s.t.interrupt();
    assert.equal(result.acknowledged, true);
    assert.ok(
      result.heardMs <= truth + 20,
      `${piece}/${every}/${at}: heardMs ${result.heardMs}, the far end played ${truth}`,
    );
    s.pair.client.close(1000);
    await farEnd.step(1000);
  }
});
