// The bot's audio follows the far end's delay as acknowledgements teach it, even when every chunk
// of a spell left before the first acknowledgement came (no later chunk would move it); and no
// correction breaks audio the caller heard unbroken.
import assert from "node:assert/strict";
import { CallRecorder } from "../../mod.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { call, collect, speech } from "./_call.ts";
import { parseWav, runs, sampleOf } from "./_wav.ts";

const PER_MS = 16; // samples per ms at the recording's 16 kHz

Deno.test("the bot's first short spell goes where the far end played it", async () => {
  const c = call({ jitterMs: 400 }); // MarkingSerializer: marks acknowledged once played
  const wav = collect(c.recorder.readable);
  await c.talk(200);
  c.transport.send(speech(500, 1, "hello"));
  await c.talk(3000);
  await c.hangUp();
  const bot = parseWav(await wav).samples[1]!;
  const [greeting] = runs(bot).filter((r) => r.value !== 0);
  const played = c.farEnd.played.find((s) => s.value === 1)!.at; // 600 ms
  assert.ok(Math.abs(greeting!.start / PER_MS - played) <= 20, `at ${greeting!.start / PER_MS}`);
  assert.equal(greeting!.length, 500 * PER_MS, "whole");
});

Deno.test("the bot's short spells sent before the first acknowledgement all follow the far end's delay", async () => {
  const c = call({ jitterMs: 400 });
  const wav = collect(c.recorder.readable);
  await c.talk(200);
  c.transport.send(speech(100, 1, "a"));
  await c.talk(200); // played out by the estimate: the next is a spell of its own
  c.transport.send(speech(100, 2, "b"));
  await c.talk(3000);
  await c.hangUp();
  const bot = parseWav(await wav).samples[1]!;
  const spells = runs(bot).filter((r) => r.value !== 0);
  assert.deepEqual(spells.map((r) => r.value), [sampleOf(1), sampleOf(2)]);
  for (const [i, spell] of spells.entries()) {
    const played = c.farEnd.played.find((s) => s.value === i + 1)!.at;
    assert.ok(Math.abs(spell.start / PER_MS - played) <= 20, `${i}: ${spell.start / PER_MS} ms`);
    assert.equal(spell.length, 100 * PER_MS, `${i}: whole`);
  }
});

Deno.test("CallRecorder: a reply that ended in a partial packet stays where it played when the next reply comes", async () => {
  // The first reply's end is a packet the packetizer held back, not a chunk: nothing about it may
  // reach the next reply's first chunk (it was taken for the old spell and moved the first reply).
  const c = call({
    acks: false,
    jitterMs: 60,
    transport: { fixedAudioPacketSize: 1000 },
    recorder: { layout: "separate" },
  });
  const bot = collect(c.recorder.bot);
  await c.talk(100);
  c.transport.send(speech(400, 0x30, "r1")); // 20 whole chunks, 12,800 bytes: a partial packet
  await c.talk(2000);
  c.transport.send(speech(400, 0x50, "r2"));
  await c.talk(1500);
  await c.hangUp();
  const samples = new Int16Array((await bot).buffer.slice(44));
  const firstMs = (value: number) => samples.findIndex((x) => x === value) / 16;
  assert.ok(
    firstMs(0x3030) < 300,
    `r1 (played from ~100 ms) recorded from ${firstMs(0x3030)} ms; r2 from ${firstMs(0x5050)} ms`,
  );
});

// The far end plays an answer back to back, and the caller heard it so: a correction of the lag
// estimate that comes once the answer's start is written out (held 1 s: from 1.1 s on, the answer
// playing from 100 ms) leaves it continuous and whole where it is, unless the lag grew by more
// than a chunk: a stall, which the caller heard as a gap, and the rest moves later by as much. A
// lag that shrinks and comes back (FreeSWITCH's far end answering a mark early) is no stall. One
// that comes before any of it is written out moves it whole.
const corrections = [
  { name: "earlier, once its start is written out", changes: [[1300, -60]], startMs: 100 },
  {
    name: "later, once its start is written out: a stall",
    changes: [[1300, 60]],
    startMs: 100,
    gapMs: 60,
  },
  {
    name: "FreeSWITCH's: earlier before, then earlier and back after",
    changes: [[300, -80], [1300, -60], [1600, 60]],
    startMs: 20,
  },
  { name: "earlier, before any of it is written out", changes: [[300, -60]], startMs: 40 },
] as const;

for (const correction of corrections) {
  const { name, changes, startMs } = correction;
  const gapMs = "gapMs" in correction ? correction.gapMs : 0;
  Deno.test(`CallRecorder: a lag correction mid-answer leaves the bot's answer whole, continuous unless it was a stall (${name})`, async () => {
    const { clock, recorder, bot } = observed();
    let lag = 100;
    await answer(clock, recorder, 0, 2000, 1, (at) => {
      const change = changes.find(([when]) => when === at)?.[1];
      if (change === undefined) return lag;
      lag += change;
      recorder.playoutLag({ at, lagMs: lag, changeMs: change });
      return lag;
    });
    await clock.tick(3000);
    recorder.stop();
    const speaking = runs(parseWav(await bot).samples[0]!).filter((r) => r.value !== 0);
    assert.equal(speaking[0]!.start, startMs * PER_MS);
    assert.ok(speaking.every((run) => run.value === sampleOf(1)));
    const heard = speaking.reduce((sum, run) => sum + run.length, 0);
    assert.equal(heard, 2000 * PER_MS, "every sample of the answer is there");
    const last = speaking.at(-1)!;
    assert.equal(last.start + last.length, (startMs + 2000 + gapMs) * PER_MS);
    assert.equal(speaking.length, gapMs > 0 ? 2 : 1, JSON.stringify(speaking));
    assert.equal(recorder.stats.lateMs, 0, "nothing lost");
  });
}

Deno.test("CallRecorder: a stall's gap goes where the far end stalled, not where the recording is written out", async () => {
  // The answer plays from 100 ms; at 1300 ms an acknowledgement says the far end is 200 ms behind
  // where it was (300 ms, not 100): what it plays now (sent at 1000 ms, placed at 1100 ms) and
  // all after it move 200 ms later. What played before stays: unbroken from 100 ms to 1.1 s, then
  // the gap, then the rest.
  const { clock, recorder, bot } = observed();
  let lag = 100;
  await answer(clock, recorder, 0, 2000, 1, (at) => {
    if (at === 1300) {
      lag += 200;
      recorder.playoutLag({ at, lagMs: lag, changeMs: 200 });
    }
    return lag;
  });
  await clock.tick(3000);
  recorder.stop();
  const speaking = runs(parseWav(await bot).samples[0]!).filter((r) => r.value !== 0);
  assert.deepEqual(speaking.map((r) => [r.start / PER_MS, r.length / PER_MS]), [
    [100, 1000],
    [1300, 1000],
  ]);
  assert.equal(recorder.stats.lateMs, 0, "nothing lost");
});

Deno.test("CallRecorder: a lag correction never moves the bot's next answer onto the end of the one before", async () => {
  // The first answer plays 100-1600 ms and is partly written out when the next, due at 1620 ms,
  // starts and the far end's lag is learned 60 ms shorter. The next cannot have played before the
  // first ended: it starts right after it, and both are whole.
  const { clock, recorder, bot } = observed();
  await answer(clock, recorder, 0, 1500, 1, () => 100);
  await clock.tick(20);
  await answer(clock, recorder, 1500, 500, 2, (at) => {
    if (at === 1520) recorder.playoutLag({ at, lagMs: 40, changeMs: -60 });
    return at === 1520 ? 100 : 40;
  });
  await clock.tick(3000);
  recorder.stop();
  const speaking = runs(parseWav(await bot).samples[0]!).filter((r) => r.value !== 0);
  assert.deepEqual(speaking, [
    { value: sampleOf(1), start: 100 * PER_MS, length: 1500 * PER_MS },
    { value: sampleOf(2), start: 1600 * PER_MS, length: 500 * PER_MS },
  ]);
  assert.equal(recorder.stats.lateMs, 0, "nothing lost");
});

/** A recorder driven by hand as a session observer, on a fake clock, its bot stream collected. */
function observed() {
  const clock = new FakeClock();
  const recorder = new CallRecorder({ clock, sampleRate: 16000, layout: "separate" });
  const bot = collect(recorder.bot);
  void collect(recorder.caller);
  return { clock, recorder, bot };
}

/**
 * Sends `ms` of bot audio of byte `value` in 20 ms chunks, one as each is due, from outbound
 * position `position` on; `lagAt(now)` is the far end's lag each chunk is told of.
 */
async function answer(
  clock: FakeClock,
  recorder: CallRecorder,
  position: number,
  ms: number,
  value: number,
  lagAt: (now: number) => number,
): Promise<void> {
  for (let sent = 0; sent < ms; sent += 20) {
    const deadline = clock.now();
    recorder.outboundAudio(speech(20, value, "r"), {
      position: position + sent,
      durationMs: 20,
      playsAt: deadline + lagAt(deadline),
      deadline,
      sentAt: deadline,
      speech: true,
    });
    await clock.tick(20);
  }
}
