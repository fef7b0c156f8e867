// Review of the clear's proof after `killAudio` (_fork_marks.ts), driven through mod_audio_fork's
// code translated line by line (serializers/fixtures/fork_module.ts; jambonz/freeswitch-modules
// `mod_audio_fork/lws_glue.cpp` at 30f21899). The sentinel samples a clearing tick's `cleared`
// answers call for wait in the module's pre-buffer until audio follows; a second interruption
// before then flushed them into the playout buffer, which its `killAudio` empties: the names they
// were for stayed on the module's cleared list (`:946-960`, taken first by later markers,
// `:994-1010`), every later mark answered a marker late for the rest of the call.
import assert from "node:assert/strict";
import { Prng } from "./fuzz/prng.ts";
import { FakeClock } from "../src/testing/mod.ts";
import { CLEAR_PROOF_TIMEOUT_MS } from "../src/serializers/_fork_marks.ts";
import {
  botMarks,
  lastEndMark,
  nextEndMark,
  reply,
  speakAt,
  type WiredFork as Wired,
  wiredFork,
} from "./serializers/fixtures/fork_module.ts";

for (const provider of ["jambonz", "freeswitch"] as const) {
  Deno.test(`${provider}: an interruption with some audio after the first's clear keeps the sentinels it flushes`, () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    speakAt(w, 200, 1000);
    w.send({ type: "mark", name: "a" });
    speakAt(w, 400, 1000);
    w.frames(3);
    w.send({ type: "interruption" });
    w.frames(1); // clears: "a" answered cleared, its sentinel sent into the pre-buffer
    speakAt(w, 40, 1000); // less than a batch: the sentinel still waits with it
    w.send({ type: "interruption" });
    w.frames(3);
    for (const name of ["d", "e"]) {
      reply(w, 200, name);
      w.frames(40);
      assert.equal(botMarks(w).at(-1), name, `answered with its reply: ${botMarks(w)}`);
      // The reply's end-of-speech mark too, answered as its place played, not a reply late.
      assert.equal(w.marks.at(-1)?.name, lastEndMark());
      assert.deepEqual(w.module.cleared, [], "names left on the module's cleared list");
    }
    assert.deepEqual(w.reports, []);
  });

  Deno.test(`${provider}: two interruptions in a row with no audio between leave later marks in step`, () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    speakAt(w, 200, 1000);
    w.send({ type: "mark", name: "a" });
    speakAt(w, 200, 1000);
    w.send({ type: "mark", name: "b" });
    speakAt(w, 400, 1000);
    w.frames(3);
    w.send({ type: "interruption" });
    w.frames(3);
    w.send({ type: "interruption" });
    w.frames(3);
    for (const name of ["d", "e", "f"]) {
      reply(w, 200, name);
      w.frames(40);
      assert.equal(botMarks(w).at(-1), name, `answered with its reply: ${botMarks(w)}`);
    }
    assert.deepEqual(w.module.cleared, []);
    assert.deepEqual(w.reports, []);
  });
}

/** Plays out all the module holds, the serializer's timers run between (the call goes quiet). */
async function drain(w: Wired, clock: FakeClock): Promise<void> {
  for (let round = 0; round < 3; round++) {
    await clock.tick(100);
    w.frames(10);
    while (w.module.playout.length > 0) w.frames(1);
  }
}

// Speech, marks, interruptions and ticks in a seeded random order. An interruption may come
// before the module's next tick after a binary message: sentinels that a batch moved into the
// playout buffer play at that tick, and a `killAudio` read before it erases them too (the mark
// the serializer sends behind them tells which came first: fork_kill_audio_uncovered_test.ts).
for (const provider of ["jambonz", "freeswitch"] as const) {
  Deno.test(`${provider}: a long call of speech, marks and interruptions in random order keeps every mark in step`, async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const clock = new FakeClock();
      const w = wiredFork({ provider, clock });
      const prng = new Prng(seed);
      const random = () => prng.next();
      const sent: string[] = [];
      const log: string[] = [];
      for (let step = 0; step < 120; step++) {
        const r = random();
        if (r < 0.35) {
          const ms = 20 * (1 + Math.floor(random() * 10));
          log.push(`speak ${ms}`);
          speakAt(w, ms, 1000);
        } else if (r < 0.55) {
          const name = `m${seed}.${step}`;
          log.push(`mark ${name}`);
          sent.push(name);
          w.send({ type: "mark", name });
        } else if (r < 0.62) {
          log.push("end");
          w.send({ type: "mark", name: nextEndMark() });
        } else if (r < 0.75) {
          log.push("interrupt");
          w.send({ type: "interruption" });
        } else if (r < 0.97) {
          const n = Math.floor(random() * 12);
          log.push(`frames ${n}`);
          w.frames(n);
        } else {
          log.push("tick");
          await clock.tick(40); // the serializer's hold and flush timers
        }
      }
      // The rest of the call: a reply, played out, whose mark must be answered as it plays.
      await drain(w, clock);
      const last = `last${seed}`;
      sent.push(last);
      reply(w, 200, last);
      await drain(w, clock);
      const answered = botMarks(w);
      const where = `seed ${seed}: ${log.join(", ")}`;
      assert.deepEqual(answered, sent.filter((n) => answered.includes(n)), `in order; ${where}`);
      assert.equal(answered.at(-1), last, `the last reply's mark answered with it; ${where}`);
      assert.deepEqual(w.module.cleared, [], `names left on the cleared list; ${where}`);
      assert.deepEqual(w.reports.map((e) => e.message), [], where);
      assert.equal(w.pause.paused, false, where);
      await clock.tick(2000);
    }
  });
}

for (const provider of ["jambonz", "freeswitch"] as const) {
  Deno.test(`${provider}: the session ending while sending waits for the clear's proof leaves no timer and no report`, async () => {
    const clock = new FakeClock();
    const w = wiredFork({ provider, clock });
    speakAt(w, 400, 1000);
    w.frames(5);
    w.send({ type: "interruption" });
    assert.equal(w.pause.paused, true);
    w.serializer.finish(); // the session's end, before the module's next tick
    await clock.tick(CLEAR_PROOF_TIMEOUT_MS * 2);
    assert.deepEqual(w.reports, []);
    assert.equal(clock.pendingTimers, 0, "no timer left armed");
  });
}
